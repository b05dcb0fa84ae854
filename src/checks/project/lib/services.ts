import type { ComposeService } from '../../../compose/project.js';
import { isInfrastructureImage } from '../../../compose/infrastructure.js';
import { findXrayDaemon } from '../../../compose/xray-daemon.js';
import { topLevelKeys } from '../../../compose/nodes.js';
import { BROWSER_STACKS, type Stack } from '../../../stacks/detect.js';
import type { DoctorProject } from '../../types.js';
import { projectLookup, serviceEnv, serviceEnvs, type EnvEntry } from './env.js';
import { expand } from '../../../compose/interpolation.js';

/**
 * Services that send telemetry: the ones obs.yaml lists, or without obs.yaml the ones that
 * carry any OTEL_* variable.
 */
export function instrumentedServices(project: DoctorProject): { names: string[]; from: 'obs.yaml' | 'OTEL_* variables' } {
  const listed = Object.keys(project.obsConfig?.services ?? {});
  if (listed.length > 0) return { names: listed.filter((n) => project.project?.services.some((s) => s.name === n)), from: 'obs.yaml' };
  const names: string[] = [];
  for (const [name, env] of serviceEnvs(project)) {
    if (!isApplication(project, name)) continue;
    if ([...env.keys()].some((k) => k.startsWith('OTEL_'))) names.push(name);
  }
  return { names, from: 'OTEL_* variables' };
}

/** Not a collector, database or other plumbing (judged by the image, interpolated, and the name). */
export function isApplication(project: DoctorProject, name: string): boolean {
  const service = project.project?.services.find((s) => s.name === name);
  if (!service) return false;
  const image = service.config.image ? expand(service.config.image, projectLookup(project)).value : undefined;
  if (!service.config.buildContext && isInfrastructureImage(image)) return false;
  return !/collector|jaeger|x-?ray-daemon/i.test(name);
}

/**
 * Compose files deployed to ECS with the docker compose ECS integration (top-level `x-aws-*`
 * keys): the task role and ECS metadata give credentials and region, and containers of a task
 * share 127.0.0.1.
 */
export function deployedToEcs(project: DoctorProject): boolean {
  return project.compose.some((file) => topLevelKeys(file).some((key) => /^x-aws-/.test(key)));
}

/** Build-time prefixes bundlers copy into the JavaScript every browser downloads. */
export const BROWSER_PREFIXES = ['REACT_APP_', 'VITE_', 'NEXT_PUBLIC_', 'VUE_APP_', 'NG_APP_', 'EXPO_PUBLIC_', 'GATSBY_', 'PUBLIC_'];

export function isBrowserVariable(key: string): boolean {
  return BROWSER_PREFIXES.some((p) => key.startsWith(p));
}

/** A service whose container builds or serves a browser bundle. */
export function isBrowserService(project: DoctorProject, name: string): boolean {
  const stack = project.obsConfig?.services[name]?.stack as Stack | undefined;
  if (stack) return BROWSER_STACKS.has(stack);
  return [...serviceEnv(project, name).keys()].some(isBrowserVariable);
}

/** The service running the X-Ray daemon: obs.yaml's choice, the daemon image, or a service named like one. */
export function xrayDaemonService(project: DoctorProject): ComposeService | undefined {
  const compose = project.project;
  if (!compose) return undefined;
  const chosen = project.obsConfig?.xray.daemonService;
  const byConfig = chosen ? compose.services.find((s) => s.name === chosen) : undefined;
  return byConfig ?? findXrayDaemon(compose) ?? compose.services.find((s) => /(^|[-_])x-?ray([-_]|$)/i.test(s.name) && !s.config.buildContext);
}

/** A service that turned its X-Ray SDK off (`AWS_XRAY_SDK_ENABLED: "false"`). */
export function xraySdkDisabled(env: Map<string, EnvEntry>): boolean {
  return env.get('AWS_XRAY_SDK_ENABLED')?.value?.trim().toLowerCase() === 'false';
}

/** AWS_XRAY_* settings on the application services (the daemon's own variables excluded). */
export function xrayVariables(project: DoctorProject): EnvEntry[] {
  const daemon = xrayDaemonService(project);
  const out: EnvEntry[] = [];
  for (const [name, env] of serviceEnvs(project)) {
    if (name === daemon?.name || xraySdkDisabled(env)) continue;
    for (const entry of env.values()) if (entry.key.startsWith('AWS_XRAY_')) out.push(entry);
  }
  return out;
}

/** obs.yaml says the apps send through a collector, which exports to X-Ray itself: no daemon belongs. */
export function throughCollector(project: DoctorProject): boolean {
  return project.obsConfig?.pipeline === 'collector';
}

export function xrayInUse(project: DoctorProject): boolean {
  return project.obsConfig?.xray.enabled === true || xrayDaemonService(project) !== undefined || xrayVariables(project).length > 0;
}

export { keyWhere, listItems, servicePair, serviceWhere } from '../../../compose/nodes.js';
