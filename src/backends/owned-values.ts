import type { ComposeProject, ComposeService } from '../compose/project.js';
import { findEnvEntry } from '../compose/edit-env.js';
import { changeEntries, type ChangeEntry } from '../config/changes.js';
import { NODE_MODULE } from '../instrument/node.js';
import { isCollectorImage } from '../collector/service.js';
import { browserCollectorUrl } from '../collector/browser-url.js';
import type { InitSnapshot } from '../project/snapshot.js';
import { BROWSER_STACKS, type Stack } from '../stacks/detect.js';
import { desiredEnvironment, routeVia } from './environment.js';
import type { InitChoices } from './choices.js';
import { choicesFromConfig, settingsOf } from './index.js';
import { formerXrayUrls, xray } from './xray.js';

/**
 * What obs wrote for a service under the choices recorded in obs.yaml. `now`: the choices of
 * this init run; absent for `obs remove`, which takes everything away. `project`: to find the
 * collector the user runs, which obs.yaml does not name (obs sent the apps to it).
 */
export function previousValues(snapshot: InitSnapshot, service: ComposeService, stack: Stack, now?: InitChoices, project?: ComposeProject): Map<string, string> {
  const previous = snapshot.previous;
  if (!previous || !previous.services[service.name]) return new Map();
  const choices = choicesFromConfig(previous);
  const route = routeVia(previous.xray.daemonService, previous.collector?.service ?? (previous.pipeline === 'collector' ? theirCollector(project) : undefined));
  const settings = desiredEnvironment(service, stack, choices, snapshot.hints, route);
  const owned = new Map(settings.map((s) => [s.key, s.value]));
  // Earlier obs versions wrote AWS_XRAY_URL next to the daemon address (backends/xray.ts says why
  // no more). While the daemon stays, one there stays (obs cannot tell it from the user's); on the
  // run that takes the daemon away (X-Ray off, the collector, or obs remove) it goes with the
  // address, if it still has a form obs wrote, else it is reported as the user's.
  const daemonGoes =
    previous.pipeline !== 'collector' && previous.xray.enabled && previous.xray.daemonService !== undefined && (now === undefined || !settingsOf(now, xray).enabled || now.pipeline === 'collector');
  const xrayUrl = service.config.environment.get('AWS_XRAY_URL');
  const forms = formerXrayUrls(service);
  if (daemonGoes && !BROWSER_STACKS.has(stack) && typeof xrayUrl === 'string' && forms.length > 0) owned.set('AWS_XRAY_URL', forms.includes(xrayUrl) ? xrayUrl : forms[0]!);
  // Earlier obs versions gave a browser app's container OTEL_SERVICE_NAME (its compose name), which no browser reads.
  if (BROWSER_STACKS.has(stack) && service.config.environment.get('OTEL_SERVICE_NAME') === service.name) owned.set('OTEL_SERVICE_NAME', service.name);
  // The browser build's collector URL came from the React planner: obs's while it still has the form obs writes.
  if (previous.pipeline === 'collector' && BROWSER_STACKS.has(stack)) {
    for (const key of ['VITE_OTEL_COLLECTOR_URL', 'REACT_APP_OTEL_COLLECTOR_URL']) {
      const value = service.config.environment.get(key);
      const port = typeof value === 'string' ? /^(?:http:\/\/localhost:|https:\/\/|https:\/\/\$\{CODESPACE_NAME\}-)(\d+)/.exec(value)?.[1] : undefined;
      if (port !== undefined && value === browserCollectorUrl(Number(port), snapshot.hints)) owned.set(key, value);
    }
  }
  return owned;
}

/** The collector the user runs (the first service on a collector image), which obs sends to and leaves alone. */
export function theirCollector(project: ComposeProject | undefined): string | undefined {
  return project?.services.find((s) => isCollectorImage(s.config.image))?.name;
}

/**
 * What obs changed in the compose files before this run: obs.yaml's `changes:` record, or for an
 * obs.yaml written before the record existed, the keys that still hold what obs would have written
 * (the old inference by value, taken as "added"; from the next run on, the record is exact).
 */
export function earlierChanges(snapshot: InitSnapshot, project: ComposeProject): ChangeEntry[] {
  const previous = snapshot.previous;
  if (!previous) return [];
  if (previous.changes) return changeEntries(previous.changes);
  const out: ChangeEntry[] = [];
  for (const [name, entry] of Object.entries(previous.services)) {
    const service = project.services.find((s) => s.name === name);
    if (!service) continue;
    const owned = previousValues(snapshot, service, entry.stack as Stack, undefined, project);
    const nodeOptions = service.config.environment.get('NODE_OPTIONS');
    if (typeof nodeOptions === 'string' && isPreloadOnly(nodeOptions)) owned.set('NODE_OPTIONS', nodeOptions);
    // Earlier obs versions wrote AWS_XRAY_URL next to the daemon address (previousValues): one in such a
    // form is theirs, recorded so that it goes with the daemon later. obs writes none now, so no record names it.
    const xrayUrl = service.config.environment.get('AWS_XRAY_URL');
    const daemon = previous.pipeline !== 'collector' && previous.xray.enabled && previous.xray.daemonService !== undefined;
    if (daemon && typeof xrayUrl === 'string' && formerXrayUrls(service).includes(xrayUrl)) owned.set('AWS_XRAY_URL', xrayUrl);
    for (const [key, value] of owned) {
      if (service.config.environment.get(key) !== value) continue;
      const file = ownEntryFile(service, key);
      if (file !== undefined) out.push({ file, service: name, key });
    }
  }
  return out;
}

/** NODE_OPTIONS as obs writes it when the service had none: only the preload of its tracing module. */
export function isPreloadOnly(value: string): boolean {
  return /^--require \S*tracing\.cjs$/.test(value) && value.endsWith(NODE_MODULE);
}

/** NODE_OPTIONS as obs writes it over options the service had (`previous`): those, then obs's preload. */
export function isPreloadAfter(value: string, previous: string): boolean {
  const before = previous.trim();
  return value.startsWith(`${before} `) && isPreloadOnly(value.slice(before.length + 1));
}

/** The compose file whose own environment sets `key` last (the value compose uses), if any does. */
export function ownEntryFile(service: ComposeService, key: string): string | undefined {
  for (const d of [...service.definitions].reverse()) {
    const entry = d.map ? findEnvEntry(d.file.doc, d.map, key) : undefined;
    if (entry) return entry.inherited ? undefined : d.file.path;
  }
  return undefined;
}
