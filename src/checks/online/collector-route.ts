import { componentType, definedIds, settingsOf } from '../../collector/parse.js';
import { COLLECTOR_PORTS } from '../../collector/image.js';
import { expand } from '../../compose/interpolation.js';
import { portRange } from '../../compose/ports.js';
import type { ComposeService } from '../../compose/project.js';
import { projectCollectors } from '../project/lib/collector.js';
import { networkNames, projectLookup } from '../project/lib/env.js';
import type { DoctorProject } from '../types.js';

/** How a span from this machine reaches a collector an app sends to over the compose network. */
export interface CollectorRoute {
  /** The compose service running the collector. */
  collector: string;
  /** The port its OTLP/HTTP receiver listens on inside the container (4318). */
  containerPort: number;
  /** The port compose publishes it on here (reached on 127.0.0.1); undefined when it is not published. */
  publishedPort?: number;
  /** The exporters of its traces pipelines: where the collector sends the span on. */
  tracesExporters: string[];
}

/**
 * The collector behind an app's OTLP endpoint (`http://otel-collector:4318`), or undefined when
 * the endpoint names no collector service. An app's URL resolves on the compose network only, so
 * obs reaches the collector through the port compose publishes for its OTLP/HTTP receiver
 * (OTLP/HTTP even when the app sends gRPC: the receiver takes both).
 */
export function collectorRoute(project: DoctorProject, appEndpoint: string): CollectorRoute | undefined {
  let host: string;
  try {
    host = new URL(appEndpoint).hostname.toLowerCase();
  } catch {
    return undefined;
  }
  const found = projectCollectors(project).find((c) => networkNames(c.collector.service).has(host));
  if (!found) return undefined;
  const service = found.collector.service;
  let containerPort: number = COLLECTOR_PORTS.otlpHttp;
  const tracesExporters: string[] = [];
  if (found.config) {
    for (const id of definedIds(found.config, 'receivers')) {
      if (componentType(id) !== 'otlp') continue;
      const http = (settingsOf(found.config, 'receivers', id).protocols as { http?: { endpoint?: unknown } | null } | undefined)?.http;
      const port = typeof http?.endpoint === 'string' ? /:(\d+)$/.exec(http.endpoint)?.[1] : undefined;
      if (http !== undefined) {
        if (port) containerPort = Number(port);
        break;
      }
    }
    const pipelines = (found.config.value.service as { pipelines?: Record<string, { exporters?: unknown } | null> } | undefined)?.pipelines ?? {};
    for (const [name, pipeline] of Object.entries(pipelines)) {
      if (componentType(name) !== 'traces' || !Array.isArray(pipeline?.exporters)) continue;
      for (const e of pipeline.exporters) if (typeof e === 'string' && !tracesExporters.includes(e)) tracesExporters.push(e);
    }
  }
  const publishedPort = publishedPortOf(project, service, containerPort);
  return { collector: service.name, containerPort, ...(publishedPort !== undefined && { publishedPort }), tracesExporters };
}

/** The host port compose publishes `target` on (TCP), as compose interpolates it; ranges map one to one. */
function publishedPortOf(project: DoctorProject, service: ComposeService, target: number): number | undefined {
  const lookup = projectLookup(project);
  for (const mapping of service.config.ports) {
    if (mapping.protocol && mapping.protocol !== 'tcp') continue;
    if (mapping.published === undefined) continue;
    const targets = portRange(expand(mapping.target, lookup).value);
    const published = portRange(expand(mapping.published, lookup).value);
    if (!targets || !published) continue;
    const offset = target - targets.first;
    if (offset < 0 || target > targets.last) continue;
    const port = published.first + offset;
    if (port <= published.last && port >= 1 && port <= 65535) return port;
  }
  return undefined;
}
