/**
 * Phase 2c of init's planner (collector pipeline): the collector's config file, service and
 * environment, and the X-Ray daemon it replaces; off the collector pipeline, obs's collector goes.
 */
import { makeEnvEditContext } from '../../compose/edit-env.js';
import type { ComposeProject, ComposeService } from '../../compose/project.js';
import type { ComposeFile } from '../../compose/parse.js';
import type { TextEdit } from '../../text/edits.js';
import type { FileChange } from '../../plan/file-change.js';
import type { InitSnapshot } from '../../project/snapshot.js';
import type { InitChoices } from '../../backends/choices.js';
import { BROWSER_STACKS } from '../../stacks/detect.js';
import { MANAGED_MARKER } from '../../instrument/template.js';
import { renderCollectorConfig } from '../../collector/config.js';
import { networksToReach } from '../../compose/networks.js';
import { collectorServiceLines, removeServiceEdit, renameDependency, replaceServiceEdit } from '../../compose/collector-service.js';
import { collectorChoices, collectorEnvironment, collectorServiceSpec, planCollectorConfigFile } from './collector.js';
import type { DaemonPlan, Findings, ServiceWork } from './plan-work.js';

/** Phase 2c (collector pipeline): the collector's config file, service and environment, and the daemon it replaces. */
export interface CollectorWork {
  changes: FileChange[];
  /** obs adds the collector service in this run, with these settings. */
  added: boolean;
  addSpec?: ReturnType<typeof collectorServiceSpec>;
  removedServices: string[];
  /** Text edits outside the environment: the daemon's removal, depends_on renamed. */
  edits: { file: ComposeFile; edit: TextEdit }[];
  /** The edits that take a service out: other edits inside them go with it. */
  removedRanges: { file: ComposeFile; edit: TextEdit }[];
  /** Values of the collector's environment (their ${VAR} references need placeholders). */
  environmentValues: string[];
}

export function planCollectorWork(snapshot: InitSnapshot, choices: InitChoices, project: ComposeProject, work: ServiceWork[], daemon: DaemonPlan, found: Findings): CollectorWork {
  const none: CollectorWork = { changes: [], added: false, removedServices: [], edits: [], removedRanges: [], environmentValues: [] };
  const target = daemon.collector;
  if (!target) {
    if (choices.pipeline === 'collector') found.notes.push({ kind: 'collector-nothing-to-export', services: choices.services });
    return removeOwnCollector(snapshot, project, none, found);
  }
  const out: CollectorWork = { ...none, edits: [], removedRanges: [] };
  const byName = new Map(project.services.map((s) => [s.name, s]));
  const workOf = (service: ComposeService): ServiceWork => {
    let item = work.find((w) => w.service === service);
    if (!item) {
      item = { service, additions: [], replacements: [], removals: [] };
      work.push(item);
    }
    return item;
  };

  // Apps that keep sending X-Ray SDK segments (code obs did not write): the awsxray receiver
  // takes the daemon's place, and their address follows it to the collector.
  const removedDaemon = target.daemon;
  const sdkSenders: ComposeService[] = [];
  for (const service of target.configPath === undefined ? [] : project.services) {
    if (service === removedDaemon || service.name === target.name) continue;
    const address = service.config.environment.get('AWS_XRAY_DAEMON_ADDRESS');
    if (address === undefined) continue;
    const item = work.find((w) => w.service === service);
    if (item?.removals.includes('AWS_XRAY_DAEMON_ADDRESS')) continue;
    sdkSenders.push(service);
    if (removedDaemon && typeof address === 'string' && address.startsWith(`${removedDaemon.name}:`)) {
      workOf(service).replacements.push({ key: 'AWS_XRAY_DAEMON_ADDRESS', value: `${target.name}:2000` });
      found.updated.push({ service: service.name, key: 'AWS_XRAY_DAEMON_ADDRESS' });
    }
  }
  if (sdkSenders.length > 0) found.notes.push({ kind: 'xray-sdk-through-collector', services: sdkSenders.map((s) => s.name), collector: target.name });

  const frontends = choices.services.map((n) => byName.get(n)!).filter((s) => BROWSER_STACKS.has(snapshot.stacks.get(s.name) ?? 'unknown'));
  const rendered = collectorChoices(choices, { frontends, xraySdkSenders: sdkSenders, hints: snapshot.hints });
  for (const { service, published } of rendered.unknownPorts) found.notes.push({ kind: 'cors-port-unknown', service, published });
  // A region the daemon was given literally stays the collector's.
  const daemonRegion = removedDaemon?.config.environment.get('AWS_REGION');
  const environment = collectorEnvironment(rendered.choices).map((e) =>
    e.key === 'AWS_REGION' && typeof daemonRegion === 'string' && /^[a-z0-9-]+$/.test(daemonRegion) ? { ...e, value: daemonRegion } : e,
  );
  out.environmentValues = environment.map((e) => e.value);

  if (target.configPath === undefined) {
    found.notes.push({ kind: 'collector-theirs', service: target.name });
  } else {
    const file = planCollectorConfigFile(snapshot, target.configPath, renderCollectorConfig(rendered.choices));
    if (file) out.changes.push(file);
    else found.notes.push({ kind: 'collector-config-theirs', path: target.configPath });
  }

  // Senders reach the collector by name: it joins their networks.
  // Every chosen server-side app (also one whose own endpoint is kept until --force) and every SDK sender.
  const senders = [...work.filter((w) => choices.services.includes(w.service.name) && !BROWSER_STACKS.has(snapshot.stacks.get(w.service.name) ?? 'unknown')).map((w) => w.service), ...sdkSenders];
  if (target.add) {
    const reach = networksToReach(senders);
    for (const name of reach.unreachable) found.notes.push({ kind: 'network-mode', service: name, daemon: target.name });
    out.added = true;
    out.addSpec = collectorServiceSpec(target, snapshot.projectDir, environment, daemon.browserPort, reach.networks);
  } else if (target.configPath !== undefined) {
    // obs's collector from an earlier run: the variables this run's config reads must reach it.
    const service = byName.get(target.name)!;
    const missing = environment.filter((e) => !service.config.environment.has(e.key));
    if (missing.length > 0) workOf(service).additions.push(...missing);
  }

  if (removedDaemon) {
    // The collector takes the daemon's place in the file, so the diff reads as one swap.
    const file = removedDaemon.definitions[0]!.file;
    const spec = out.addSpec;
    const edit = spec ? replaceServiceEdit(removedDaemon, (st) => collectorServiceLines(spec, st), makeEnvEditContext(file).indentStep) : removeServiceEdit(removedDaemon);
    if (edit) {
      out.edits.push({ file, edit });
      out.removedRanges.push({ file, edit });
      if (spec) out.addSpec = undefined;
      out.removedServices.push(removedDaemon.name);
      for (const service of project.services) {
        if (service === removedDaemon) continue;
        out.edits.push(...renameDependency(service, removedDaemon.name, target.name));
      }
      found.notes.push({ kind: 'daemon-replaced', daemon: removedDaemon.name, collector: target.name });
    } else {
      found.notes.push({ kind: 'daemon-remove-by-hand', daemon: removedDaemon.name, collector: target.name });
    }
  }
  return out;
}

/**
 * Off the collector pipeline (or with nothing to export): the collector obs added goes, while its
 * config file still carries obs's marker (a collector the user took over stays).
 */
function removeOwnCollector(snapshot: InitSnapshot, project: ComposeProject, out: CollectorWork, found: Findings): CollectorWork {
  const recorded = snapshot.previous?.collector;
  const service = recorded && project.services.find((s) => s.name === recorded.service);
  if (!recorded || !service) return out;
  const config = snapshot.collectorConfigs.get(recorded.config);
  if (config && !config.text.includes(MANAGED_MARKER)) return out;
  const edit = removeServiceEdit(service);
  if (!edit) {
    found.notes.push({ kind: 'collector-remove-by-hand', service: service.name, config: recorded.config });
    return out;
  }
  found.notes.push({ kind: 'collector-removed', service: service.name, config: recorded.config });
  const file = service.definitions[0]!.file;
  // obs's config file goes with its service (a file whose marker the user removed stayed above).
  const changes: FileChange[] = config ? [{ path: recorded.config, before: config.text, after: '', remove: true }] : [];
  return { ...out, changes, removedServices: [service.name], edits: [{ file, edit }], removedRanges: [{ file, edit }] };
}
