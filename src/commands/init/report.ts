import { composeCommand } from '../../compose/discover.js';
import { isInfrastructureImage } from '../../compose/infrastructure.js';
import { referencesIn } from '../../compose/interpolation.js';
import { listing } from '../../text/listing.js';
import type { ComposeProject, ComposeService } from '../../compose/project.js';
import type { ServiceProfile } from '../../stacks/service-profile.js';
import { OTHER_LANGUAGES, type Stack } from '../../stacks/detect.js';
import type { InitChoices } from '../../backends/choices.js';
import { BACKENDS, isEnabled, settingsOf } from '../../backends/index.js';
import { xray } from '../../backends/xray.js';
import { isCollectorImage } from '../../collector/service.js';
import { OBS_CONFIG_FILE } from '../../config/obs-config.js';
import type { InitNote } from './notes.js';
import type { Conflict, InitPlan } from './plan.js';
export { changeAction, painter, renderDiffs, type Painter } from '../../io/paint.js';

/** `removed`: the services this run takes out (obs's daemon or collector, a daemon the collector replaces). */
export function describeSetup(project: ComposeProject, choices: InitChoices, stacks: Map<string, Stack>, profiles?: ReadonlyMap<string, ServiceProfile>, removed: readonly string[] = []): string[] {
  const lines: string[] = [];
  lines.push(`Services to instrument: ${choices.services.map((s) => `${s} (${stacks.get(s) ?? 'image'})`).join(', ')}`);
  const chosen = new Set(choices.services);
  const others = project.services.filter((s) => !chosen.has(s.name) && !removed.includes(s.name));
  const about = (s: ComposeService) => {
    const profile = profiles?.get(s.name);
    if (profile?.role === 'assets') return `${s.name} (builds assets)`;
    if (profile?.role === 'tests') return `${s.name} (runs tests)`;
    if (s.config.image) return `${s.name} (${s.config.image})`;
    return s.config.buildContext !== undefined && profile?.baseImage && isInfrastructureImage(profile.baseImage) ? `${s.name} (built from ${profile.baseImage})` : s.name;
  };
  if (others.length > 0) lines.push(`Left alone: ${others.map(about).join(', ')}`);
  const xrayOn = settingsOf(choices, xray).enabled;
  // Only two kinds of service are ever taken out: an X-Ray daemon, or obs's own collector.
  const why = (name: string) => {
    if (isCollectorImage(project.services.find((s) => s.name === name)?.config.image)) return `${name} (obs's collector: the apps send directly)`;
    return `${name} (the X-Ray daemon: ${!xrayOn ? 'X-Ray is off' : choices.pipeline === 'collector' ? 'the collector sends to X-Ray' : 'not needed'})`;
  };
  if (removed.length > 0) lines.push(`Taken out: ${removed.map(why).join(', ')}`);
  const backends = BACKENDS.filter((b) => isEnabled(choices, b)).map((b) => b.describe(settingsOf(choices, b)));
  lines.push(`Backends: ${backends.length > 0 ? backends.join(', ') : 'none'}`);
  return lines;
}

export function findingsLines(plan: InitPlan): string[] {
  const lines: string[] = [];
  for (const u of plan.updated) lines.push(`- ${u.service}: ${u.key} follows your new choice (obs wrote the old value)`);
  for (const r of plan.restored) lines.push(`- ${r.service}: ${r.key} gets back the value it had before obs replaced it (no choice needs obs's now)`);
  for (const moved of plan.movedSecrets) {
    const after = moved.replacedWith
      ? `, and --force sets ${moved.key} to ${moved.replacedWith}: put the key it should use in ${referencesIn(moved.replacedWith)[0]?.name ?? 'the variable it references'}`
      : ` and the compose file references \${${moved.envVar}}`;
    lines.push(`! ${moved.file}:${moved.line}: ${moved.service} had a secret written in ${moved.key}; it moves to .env as ${moved.envVar}${after}. Rotate that credential: it was in a shared file.`);
  }
  for (const c of plan.conflicts) {
    const replaced = c.envFile ? `replaced (--force) in the service environment, which wins over ${c.envFile.path}` : 'replaced (--force)';
    const action = c.replaced ? replaced : 'kept; run with --force to replace it';
    const where = c.envFile ? ` (in ${c.envFile.path}:${c.envFile.line})` : '';
    lines.push(`! ${c.service}: ${c.key} ${conflictReason(c)}${where}; ${action}`);
  }
  // Install commands are next steps, listed there.
  for (const note of plan.notes) if (note.kind !== 'install') lines.push(`${note.kind === 'sends-nothing' || note.kind === 'secret-not-moved' ? '!' : '-'} ${noteText(note)}`);
  if (plan.untrack.length > 0)
    lines.push(`! ${plan.untrack.join(', ')} is tracked by git; obs stops tracking it (git rm --cached, the file stays): secrets belong in .env, never in a file git tracks.`);
  return lines;
}

export function nextSteps(plan: InitPlan, gitpod: boolean): string[] {
  const steps: string[] = [];
  const vars = plan.requiredVariables;
  const shared = plan.notes.find((n) => n.kind === 'dotenv-loaded-by-others');
  // With -f when compose would not find the project's files itself (docker-compose.prod.yml).
  const compose = composeCommand(plan.config.compose.files);
  if (vars.length > 0) {
    steps.push(
      gitpod
        ? `Set ${vars.join(', ')}: gp env ${vars.map((v) => `${v}=...`).join(' ')}  (and export them in open terminals)`
        : shared
          ? `Set ${vars.join(', ')} in your shell before ${compose} up (not in ${shared.path}: ${shared.services.join(', ')} ${shared.services.length === 1 ? 'loads' : 'load'} it)`
          : `Set ${vars.join(', ')} in .env (git-ignored) or in your shell before ${compose} up`,
    );
  }
  for (const note of plan.notes) if (note.kind === 'install') steps.push(installText(note, plan.notes, compose));
  const resources = declaredResources(plan.config);
  // One resolution for apply and doctor: the shell, then .env, then the AWS profile (src/aws/settings.ts).
  if (resources.length > 0) steps.push(`Run obs apply to create ${listing(resources)} in AWS (AWS keys and region from your shell, else .env, else your AWS profile)`);
  steps.push('Run obs doctor to check the setup');
  return steps;
}

/**
 * `Install what obs added to pyproject.toml: uv lock (updates uv.lock), then docker compose
 * build web worker` -- every service built from that folder runs the new packages only once
 * its image is rebuilt.
 */
function installText(note: Extract<InitNote, { kind: 'install' }>, notes: readonly InitNote[], compose: string): string {
  const sharing = notes.filter((n): n is Extract<InitNote, { kind: 'shared-build-context' }> => n.kind === 'shared-build-context' && n.first === note.service).map((n) => n.service);
  const build = `docker compose build ${note.service}`;
  // Every docker compose command names the files as compose needs them (-f docker-compose.prod.yml).
  const commands = note.commands.map((c) =>
    c === build ? `${compose} build ${[note.service, ...sharing].join(' ')}` : c.startsWith('docker compose ') ? `${compose}${c.slice('docker compose'.length)}` : c,
  );
  return `Install what obs added to ${note.manifest} (${note.manager}): ${commands.join(', then ')}`;
}

/** What obs apply would create, by kind and name: `the X-Ray group cruddur`, `the log groups /a and /b`. */
function declaredResources({ xray, cloudwatch }: InitPlan['config']): string[] {
  const search =
    xray.enabled && xray.transactionSearch !== undefined && xray.transactionSearch !== false ? ['Transaction Search (X-Ray spans into CloudWatch Logs, which the X-Ray OTLP endpoint needs)'] : [];
  const kinds: [string, string[]][] = [
    ['X-Ray group', xray.enabled ? xray.groups.map((g) => g.name) : []],
    ['X-Ray sampling rule', xray.enabled ? xray.samplingRules.map((r) => r.ruleName) : []],
    ['log group', cloudwatch.enabled ? cloudwatch.logGroups.map((g) => g.name) : []],
    ['log stream', cloudwatch.enabled ? cloudwatch.logGroups.flatMap((g) => (g.logStreams ?? []).map((s) => `${g.name}:${s}`)) : []],
  ];
  return [...kinds.filter(([, names]) => names.length > 0).map(([kind, names]) => `the ${kind}${names.length > 1 ? 's' : ''} ${listing(names)}`), ...search];
}

/** The sentence for a note of the planner (the same words --json carries as `message`). */
export function noteText(note: InitNote): string {
  switch (note.kind) {
    case 'node-options-kept':
      return `${note.service}: NODE_OPTIONS keeps your options; obs adds ${note.added} after them`;
    case 'add-by-hand':
      return `${note.service} has no settings in ${note.file}; add by hand: ${note.settings.join(' ')}`;
    case 'shared-environment':
      return (
        `${note.service}: its environment is shared through a YAML anchor with ${note.sharedWith.join(', ')}, which obs leaves alone; ` +
        `add these lines to ${note.service} by hand: ${note.settings.join(' ')}`
      );
    case 'daemon-command-by-hand':
      return note.text;
    case 'network-mode':
      return `${note.service} has a network_mode, so it cannot reach ${note.daemon} by name; set its AWS_XRAY_DAEMON_ADDRESS to an address it can reach`;
    case 'xray-browser-only':
      return (
        `X-Ray is on, but ${note.services.join(', ')} ${note.services.length === 1 ? 'is a browser frontend' : 'are browser frontends'} and browser code sends no X-Ray segments: ` +
        'obs.yaml declares no X-Ray group or sampling rule (instrument a server-side service to get them)'
      );
    case 'shared-build-context':
      return `${note.service} is built from the same folder as ${note.first}; its instrumentation code is written once`;
    case 'environment-copied': {
      const list = note.from ? `${note.from}'s list` : 'a shared list';
      const how = note.via === 'merge' ? 'merged in through `<<:`; YAML cannot extend a merged list' : 'read through an alias; YAML cannot extend an aliased list';
      const secrets = note.references.length > 0 ? ` (${note.references.join(', ')} as the \${VAR} references obs moved to .env)` : '';
      const source = note.from ?? 'the shared list';
      return (
        `${note.service}: its environment is ${list}, ${how}, so obs gave ${note.service} its own copy of the ${note.entries} entries with its own settings${secrets}. ` +
        `A change to ${note.from ? `${source}'s list` : source} no longer reaches ${note.service}; \`obs remove\` puts the shared list back`
      );
    }
    case 'dotenv-loaded-by-others':
      return (
        `${note.path} is also loaded through env_file by ${note.services.join(', ')}, which ${note.services.length === 1 ? 'does' : 'do'} not use them: ` +
        `obs did not add ${note.variables.join(', ')} to it, or they would reach those containers`
      );
    case 'secret-not-moved':
      return (
        `${note.file}:${note.line}: ${note.service} has a secret written in ${note.key}; obs did not move it to .env, which ${note.loadedBy.join(', ')} also ` +
        `${note.loadedBy.length === 1 ? 'loads' : 'load'} through env_file: export ${note.envVar}='...' in the shell that runs docker compose, ` +
        `write \${${note.envVar}} in its place, and rotate it (it is in a shared file)`
      );
    case 'env-file-missing':
      return `${note.service}: env_file ${note.path} is missing (generated by a script?); settings obs adds to environment take precedence over it`;
    case 'obs-yaml-kept':
      return `${OBS_CONFIG_FILE} ${note.path}: kept ${JSON.stringify(note.user)} (obs would write ${JSON.stringify(note.obs)}); run with --force to replace`;
    case 'obs-yaml-replaced':
      return `${OBS_CONFIG_FILE} ${note.path}: replaced ${JSON.stringify(note.user)} with ${JSON.stringify(note.obs)} (--force)`;
    case 'collector-nothing-to-export':
      return `the collector pipeline has no backend to export to (choose Honeycomb, X-Ray or CloudWatch Logs): obs adds no collector for ${note.services.join(', ')}`;
    case 'xray-sdk-through-collector':
      return (
        `${note.services.join(', ')} ${note.services.length > 1 ? 'send' : 'sends'} X-Ray SDK segments: the collector ${note.collector} receives them on UDP 2000 (awsxray receiver) ` +
        `and forwards them with everything else. Once the app's OpenTelemetry spans cover what you need, its X-Ray SDK code, AWS_XRAY_DAEMON_ADDRESS and aws-xray-sdk can go`
      );
    case 'cors-port-unknown':
      return `${note.service} publishes ${note.published}, which compose alone resolves: add its page's origin (http://localhost:PORT) to the collector's cors.allowed_origins by hand`;
    case 'collector-theirs':
      return `${note.service} already runs an OpenTelemetry Collector: obs points the apps at it and leaves its config to you (obs doctor checks it)`;
    case 'collector-config-theirs':
      return `${note.path} has no "Written by \`obs init\`" line any more, so it is yours: obs leaves it as it is`;
    case 'daemon-replaced':
      return `the X-Ray daemon ${note.daemon} goes: ${note.collector} exports to X-Ray through its OTLP endpoint (run obs apply to turn on Transaction Search, which that endpoint needs)`;
    case 'daemon-remove-by-hand':
      return `remove the X-Ray daemon ${note.daemon} by hand (obs cannot take it out of this file as text): ${note.collector} takes its place`;
    case 'collector-removed':
      return `the collector ${note.service} goes (the apps send directly now), and ${note.config} with it`;
    case 'collector-remove-by-hand':
      return `remove the collector ${note.service} and ${note.config} by hand (obs cannot take the service out of this file as text): the apps send directly now`;
    case 'xray-daemon-removed':
      return `the X-Ray daemon ${note.daemon} obs added goes (X-Ray is off)${note.dependents.length > 0 ? `, and ${listing(note.dependents)} no longer ${note.dependents.length > 1 ? 'depend' : 'depends'} on it` : ''}`;
    case 'xray-daemon-kept':
      return note.reason === 'yours'
        ? `X-Ray is off: ${note.daemon} is not a service obs added, so it stays; remove it if nothing sends to it`
        : `X-Ray is off, but ${listing(note.services)} still ${note.services.length > 1 ? 'send' : 'sends'} to ${note.daemon} (AWS_XRAY_DAEMON_ADDRESS): the daemon stays; remove it once nothing sends to it`;
    case 'xray-daemon-remove-by-hand':
      return `X-Ray is off: remove the X-Ray daemon ${note.daemon} by hand${note.dependents.length > 0 ? `, and the depends_on entries naming it in ${listing(note.dependents)}` : ''} (obs cannot take it out of this file as text)`;
    case 'kept-user-values': {
      const one = note.keys.length === 1;
      return `${note.service}: ${note.keys.join(', ')} ${one ? 'is not the value' : 'are not the values'} obs wrote, so ${one ? 'it stays' : 'they stay'} although no choice needs ${one ? 'it' : 'them'} now; remove ${one ? 'it' : 'them'} if nothing uses ${one ? 'it' : 'them'}`;
    }
    case 'remove-by-hand':
      return `${note.service}: obs wrote ${note.keys.join(', ')}, which no choice needs any more; remove ${note.keys.length > 1 ? 'them' : 'it'} by hand`;
    case 'sends-nothing':
      return sendsNothingText(note);
    case 'install':
      return `${note.service}: ${note.manifest} now lists ${note.packages.join(', ')}; run ${note.commands.join(', then ')}`;
    case 'write-through-link':
    case 'instrumentation':
      return note.text;
  }
}

/** Said plainly: environment variables alone send nothing. */
function sendsNothingText(note: Extract<InitNote, { kind: 'sends-nothing' }>): string {
  const tail = 'obs sets its environment but writes no code, so it sends nothing';
  switch (note.reason) {
    case 'image':
      return `${note.service} runs the image ${note.image ?? '(none)'}: ${tail} unless that image starts an OpenTelemetry SDK itself`;
    case 'remote-context':
      return `${note.service} is built from a URL, not from this project: ${tail}; instrument its code where it lives`;
    case 'assets':
      return `${note.service} only builds front-end assets (\`${note.command ?? ''}\`) and serves no requests: ${tail}; leave it out with --services`;
    case 'tests':
      return `${note.service} runs a test suite (${note.command ?? ''}) and serves no requests: ${tail}; leave it out with --services`;
    case 'old-runtime':
      // The planner's sentence says which runtime and what to do; it ends with the consequence.
      return `${note.detail ?? `${note.service} runs a runtime no OpenTelemetry release supports`}; until then it sends nothing`;
    case 'no-framework': {
      const language = OTHER_LANGUAGES[note.stack as Stack];
      if (language) {
        return `${note.service} is a ${language.name} app (stack: ${note.stack}): obs sets its environment but writes no ${language.name} code, so it sends nothing; set up ${language.sdk} in it by hand (it reads the OTEL_ variables obs sets)`;
      }
      return `${note.service}: obs found no Flask, Rails, Node or React app in its build context (stack: ${note.stack}): ${tail}; set up an OpenTelemetry SDK in it by hand`;
    }
  }
}

/** A note as --json prints it: its data, with the sentence as `message`. */
export function noteJson(note: InitNote): InitNote & { message: string } {
  return { ...note, message: noteText(note) };
}

/** Why a value differs from obs's, as a phrase after its key (the same words --json carries as `reason`). */
export function conflictReason(c: Conflict): string {
  switch (c.kind) {
    case 'service-name-shared':
      return `the name "${c.current}" is also used by ${c.sharedWith.join(', ')}`;
    case 'service-name-differs':
      return `set to "${c.current}" instead of the compose service name`;
    case 'references-other-variable':
      return 'references a different variable';
    case 'header-malformed':
      return `is not the header obs writes: ${c.proposed}`;
    case 'header-without-key':
      return `does not reference \${${c.variable}}; obs writes ${c.proposed}`;
    case 'differs':
      return 'differs from what obs would write';
    case 'key-header-through-collector':
      return `sends the Honeycomb key from the app; through ${c.collector} only the collector holds it`;
    case 'daemon-command':
      return `${c.current} does not reach the daemon as flags (the image's entrypoint is already /xray); obs would write ${c.proposed}`;
  }
}

/** A conflict as --json prints it: its kind and data, with the phrase as `reason`. */
export function conflictJson(c: Conflict): { service: string; key: string; kind: Conflict['kind']; reason: string; replaced: boolean } & Record<string, unknown> {
  // current is left out as before (the reason quotes what may be shown), envFile too.
  const { service, key, kind, current: _current, proposed: _proposed, replaced, envFile: _envFile, ...data } = c;
  return { service, key, kind, ...data, reason: conflictReason(c), replaced };
}
