/**
 * Pure planning of the collector pipeline for `obs init`: which service apps send to (obs's own,
 * one the user already runs, or a new one), the X-Ray daemon it replaces, the config file obs
 * owns, and the collector's compose service. plan.ts calls it in its phases.
 */
import type { HostingHints } from '../../aws/xray-url.js';
import { collectorVariables, HONEYCOMB_KEY_VARIABLE, REGION_VARIABLE, type CollectorChoices } from '../../collector/config.js';
import { corsOrigins, type FrontendPorts } from '../../collector/cors.js';
import { COLLECTOR_BINARY, COLLECTOR_CONFIG_NAMES, COLLECTOR_CONFIG_PATH, COLLECTOR_IMAGE, COLLECTOR_PORTS, COLLECTOR_SERVICE_NAME } from '../../collector/image.js';
import { isCollectorImage } from '../../collector/service.js';
import type { EnvSetting } from '../../compose/edit-env.js';
import { freeServiceName, type ComposeProject, type ComposeService } from '../../compose/project.js';
import { portRange, portsOf } from '../../compose/ports.js';
import { findXrayDaemon } from '../../compose/xray-daemon.js';
import type { CollectorConfigSection } from '../../config/obs-config.js';
import { MANAGED_MARKER } from '../../instrument/template.js';
import type { FileChange } from '../../plan/file-change.js';
import type { InitSnapshot } from '../../project/snapshot.js';
import type { InitChoices } from '../../backends/choices.js';
import { settingsOf } from '../../backends/index.js';
import { honeycomb, type HoneycombSettings } from '../../backends/honeycomb.js';
import { xray } from '../../backends/xray.js';
import { cloudwatch, COLLECTOR_LOG_STREAM } from '../../backends/cloudwatch.js';

/** Where the apps' telemetry goes in collector mode, decided before the services are planned. */
export interface CollectorTarget {
  name: string;
  /** obs adds this service in this run. */
  add: boolean;
  /** obs writes the config file (its own collector); false for a collector the user runs. */
  configPath?: string;
  /** The X-Ray daemon the collector replaces (removed in this run). */
  daemon?: ComposeService;
}

/**
 * obs's collector from an earlier run (obs.yaml names it), else a collector the user already runs
 * (obs points the apps at it and leaves its config alone), else a new `otel-collector`.
 */
export function planCollectorTarget(snapshot: InitSnapshot, project: ComposeProject): CollectorTarget {
  const daemon = findXrayDaemon(project);
  const names = new Set(project.services.map((s) => s.name));
  const recorded = snapshot.previous?.collector;
  if (recorded && names.has(recorded.service)) {
    return { name: recorded.service, add: false, configPath: recorded.config, ...(daemon && { daemon }) };
  }
  // The user's collector keeps its config, so it cannot be assumed to take the daemon's segments: the daemon stays.
  const theirs = project.services.find((s) => isCollectorImage(s.config.image));
  if (theirs) return { name: theirs.name, add: false };
  const inProject = (name: string) => (snapshot.projectDir === '' ? name : `${snapshot.projectDir}/${name}`);
  // A file of the user's under obs's name is never overwritten: obs takes the next name.
  const configPath =
    COLLECTOR_CONFIG_NAMES.map(inProject).find((path) => {
      const file = snapshot.collectorConfigs.get(path);
      return !file || file.text.includes(MANAGED_MARKER);
    }) ?? inProject(COLLECTOR_CONFIG_NAMES[COLLECTOR_CONFIG_NAMES.length - 1]!);
  return { name: freeServiceName(project, COLLECTOR_SERVICE_NAME), add: true, configPath, ...(daemon && { daemon }) };
}

export interface CollectorInputs {
  /** Chosen browser services: their published ports are the pages' origins. */
  frontends: readonly ComposeService[];
  /** Services that keep sending X-Ray SDK segments (UDP 2000) after this run. */
  xraySdkSenders: readonly ComposeService[];
  hints: HostingHints;
}

/** What the collector config is rendered from, for the choices of this run. */
export function collectorChoices(choices: InitChoices, inputs: CollectorInputs): { choices: CollectorChoices; unknownPorts: { service: string; published: string }[] } {
  const hc = settingsOf<HoneycombSettings>(choices, honeycomb);
  const logs = settingsOf(choices, cloudwatch);
  const frontends: FrontendPorts[] = inputs.frontends.map((s) => ({ service: s.name, ports: s.config.ports }));
  const cors = corsOrigins(frontends, inputs.hints);
  const traces = hc.enabled || settingsOf(choices, xray).enabled;
  return {
    choices: {
      ...(hc.enabled && { honeycomb: { region: hc.region, ...(hc.dataset !== undefined && { dataset: hc.dataset }) } }),
      ...(settingsOf(choices, xray).enabled && { xray: {} }),
      ...(logs.enabled && { cloudwatchLogs: { logGroup: logs.logGroup, logStream: COLLECTOR_LOG_STREAM } }),
      xraySdkReceiver: inputs.xraySdkSenders.length > 0 && traces,
      browserOrigins: cors.origins,
      debug: false,
    },
    unknownPorts: cors.unknown,
  };
}

/** Whether the collector has anywhere to send: at least one backend it exports to. */
export function collectorHasBackend(choices: InitChoices): boolean {
  return settingsOf(choices, honeycomb).enabled || settingsOf(choices, xray).enabled || settingsOf(choices, cloudwatch).enabled;
}

/** The config file obs owns, as a change; undefined for a file whose marker line the user deleted (theirs). */
export function planCollectorConfigFile(snapshot: InitSnapshot, path: string, rendered: string): FileChange | undefined {
  const before = snapshot.collectorConfigs.get(path)?.text ?? null;
  if (before !== null && !before.includes(MANAGED_MARKER)) return undefined;
  return { path, before, after: rendered };
}

/**
 * The collector container's environment: each variable its config reads, set from the project's
 * variable (AWS_REGION from AWS_DEFAULT_REGION, which .env.example documents), and AWS
 * credentials when it signs requests to AWS. Redirects are not written: an empty value would
 * replace the real endpoint (the collector's `${env:X:-default}` takes the default only when X is unset).
 */
export function collectorEnvironment(choices: CollectorChoices): EnvSetting[] {
  const { required } = collectorVariables(choices);
  const aws = Boolean(choices.xray || choices.cloudwatchLogs || choices.xraySdkReceiver);
  const out: EnvSetting[] = [];
  if (required.includes(HONEYCOMB_KEY_VARIABLE)) out.push({ key: HONEYCOMB_KEY_VARIABLE, value: `\${${HONEYCOMB_KEY_VARIABLE}}` });
  if (aws) {
    out.push({ key: 'AWS_ACCESS_KEY_ID', value: '${AWS_ACCESS_KEY_ID}' }, { key: 'AWS_SECRET_ACCESS_KEY', value: '${AWS_SECRET_ACCESS_KEY}' });
    out.push({ key: REGION_VARIABLE, value: '${AWS_DEFAULT_REGION}' });
  }
  return out;
}

/** The collector service's shape in compose, for collectorServiceLines. */
export function collectorServiceSpec(target: CollectorTarget, composeDir: string, environment: readonly EnvSetting[], publishedPort: number | undefined, networks: readonly string[] | undefined) {
  const relative = target.configPath!.slice(composeDir === '' ? 0 : composeDir.length + 1);
  return {
    name: target.name,
    image: COLLECTOR_IMAGE,
    configSource: `./${relative}`,
    configTarget: COLLECTOR_CONFIG_PATH,
    environment,
    ...(publishedPort !== undefined && { publishedPort }),
    binary: COLLECTOR_BINARY,
    ...(networks && { networks }),
  };
}

/** The host port for the collector's OTLP/HTTP port: 4318 unless another service publishes it. */
export function browserHostPort(project: ComposeProject, collectorName: string): number {
  const taken = new Set<number>();
  for (const service of project.services) {
    if (service.name === collectorName) continue;
    for (const port of service.config.ports) {
      const published = portRange(port.published ?? '');
      if (published) for (const p of portsOf(published, 100)) taken.add(p);
    }
  }
  for (const candidate of [COLLECTOR_PORTS.otlpHttp, 14318, 24318, 34318]) if (!taken.has(candidate)) return candidate;
  return 44318;
}

export { browserCollectorUrl } from '../../collector/browser-url.js';

export function collectorSection(target: CollectorTarget): CollectorConfigSection | undefined {
  return target.configPath ? { service: target.name, config: target.configPath } : undefined;
}
