import type { HostingHints } from '../aws/xray-url.js';
import type { EnvSetting } from '../compose/edit-env.js';
import type { ComposeService } from '../compose/project.js';
import { BROWSER_STACKS, type Stack } from '../stacks/detect.js';
import type { InitChoices } from './choices.js';
import { BACKENDS, isEnabled } from './index.js';
import type { Backend } from './types.js';

/** Where an app's telemetry goes besides the backends themselves: the services obs runs for it. */
export interface Route {
  /** The X-Ray daemon (direct pipeline), when there is or will be one. */
  daemonService?: string;
  /** The collector (collector pipeline). */
  collectorService?: string;
}

/** The route through these services (a name left undefined or empty: no such service), from a plan or from obs.yaml alike. */
export function routeVia(daemonService: string | undefined, collectorService: string | undefined): Route {
  return { ...(daemonService && { daemonService }), ...(collectorService && { collectorService }) };
}

/** The collector's OTLP ports inside the compose network. */
export const COLLECTOR_OTLP_HTTP_PORT = 4318;
export const COLLECTOR_OTLP_GRPC_PORT = 4317;

/**
 * Every variable obs wants on an instrumented service, in the order it writes them: the service
 * name, then (through a collector) the collector's address, then each enabled backend's variables
 * in the order of the backend list.
 */
export function desiredEnvironment(service: ComposeService, stack: Stack, choices: InitChoices, hints: HostingHints, route: Route, backends: readonly Backend[] = BACKENDS): EnvSetting[] {
  const pipeline = choices.pipeline ?? 'direct';
  // A browser bundle cannot hold a key or reach a daemon, and reads no container variable at run
  // time (its tracing module carries its name); through a collector, the React planner sets the
  // build's URL variable.
  if (BROWSER_STACKS.has(stack)) return [];
  const settings: EnvSetting[] = [{ key: 'OTEL_SERVICE_NAME', value: service.name }];
  if (pipeline === 'collector' && route.collectorService) {
    // An app that chose OTLP/gRPC in its environment talks to the gRPC port.
    const grpc = service.config.environment.get('OTEL_EXPORTER_OTLP_PROTOCOL')?.trim() === 'grpc';
    settings.push({ key: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: `http://${route.collectorService}:${grpc ? COLLECTOR_OTLP_GRPC_PORT : COLLECTOR_OTLP_HTTP_PORT}` });
  }
  for (const backend of backends) {
    if (!isEnabled(choices, backend)) continue;
    settings.push(...backend.environment({ service, stack, settings: choices[backend.id] as never, pipeline, hints, daemonService: route.daemonService }));
  }
  return settings;
}
