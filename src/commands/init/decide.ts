import type { ComposeProject, ComposeService } from '../../compose/project.js';
import { isInfrastructureImage } from '../../compose/infrastructure.js';
import { isXrayDaemon } from '../../compose/xray-daemon.js';
import { isCollectorImage } from '../../collector/service.js';
import type { ObsConfig, Pipeline } from '../../config/obs-config.js';
import { UsageError } from '../../errors.js';
import { BROWSER_STACKS, type Stack } from '../../stacks/detect.js';
import type { ServiceProfile } from '../../stacks/service-profile.js';
import type { BackendChoice, InitChoices } from '../../backends/choices.js';
import { BACKENDS } from '../../backends/index.js';
import type { Backend, DecideContext } from '../../backends/types.js';
import type { InitOptions } from './options.js';
import type { Prompter } from './prompter.js';

export interface DecideInput {
  options: InitOptions;
  project: ComposeProject;
  composePath: string;
  stacks: Map<string, Stack>;
  /** Built services' profiles: one that only builds assets is not offered as a default. */
  profiles?: ReadonlyMap<string, ServiceProfile>;
  previous?: ObsConfig;
  projectName: string;
  /** Present only when obs may ask (a TTY and not CI, and no --yes). */
  prompter?: Prompter;
}

/** Flags first, then what obs.yaml recorded last time, then the defaults; questions only for the rest. */
export async function decideChoices(input: DecideInput): Promise<InitChoices> {
  const { options, project, previous, prompter } = input;
  const names = project.services.map((s) => s.name);
  requireServices(names, input.composePath);

  let services: string[];
  if (options.services !== undefined) {
    services = parseServicesFlag(options.services, names, input.composePath, project);
  } else {
    // The X-Ray daemon receives traces: it is never instrumented, nor offered.
    // Nor is a collector (obs's or the user's): it receives too.
    const candidates = project.services.filter((s) => !isXrayDaemon(s) && !isCollectorImage(s.config.image));
    const known = new Set(candidates.map((s) => s.name));
    const remembered = previous ? Object.keys(previous.services).filter((s) => known.has(s)) : [];
    const defaults = remembered.length > 0 ? remembered : defaultServices(candidates, input.stacks, input.profiles);
    if (prompter) {
      services = await prompter.services(
        candidates.map((s) => ({ name: s.name, description: describeService(s.name, input.stacks, s.config.image, input.profiles) })),
        defaults,
      );
    } else {
      services = defaults;
    }
    if (services.length === 0) {
      throw new UsageError(`no application service found in ${input.composePath}: every service runs a database, cache or proxy image`, {
        hint: `pass --services NAME[,NAME...] to choose among: ${names.join(', ')}`,
      });
    }
  }

  const ask = async (flag: boolean | undefined, remembered: boolean | undefined, fallback: boolean, question: string, wanted: boolean) =>
    // A flag that only a backend uses (--log-group...) asks for that backend: yes is offered first.
    flag ?? (prompter ? await prompter.confirm(question, wanted || (remembered ?? fallback)) : (remembered ?? fallback));

  const pipeline = await decidePipeline(options, previous, prompter);
  const ctx: DecideContext = {
    options: options as unknown as Record<string, unknown>,
    ...(previous ? { previous } : {}),
    ...(prompter ? { prompter } : {}),
    projectName: input.projectName,
    serverSide: services.some((s) => !BROWSER_STACKS.has(input.stacks.get(s) ?? 'unknown')),
    pipeline,
    xraySdkSender: services.some((s) => input.stacks.get(s) === 'flask' || project.services.find((p) => p.name === s)?.config.environment.has('AWS_XRAY_DAEMON_ADDRESS')),
  };
  // Built in --json order: services, pipeline, each backend, force.
  const choices = { services, pipeline } as InitChoices;
  for (const backend of BACKENDS) {
    const flags = dependentFlags(options, backend);
    const remembered = (previous as Record<string, { enabled?: boolean } | undefined> | undefined)?.[backend.id]?.enabled;
    const enabled = await ask(optionOf(options, backend.id), remembered, backend.enabledByDefault(ctx), backend.question, flags.length > 0);
    requireBackend(backend, enabled, flags, options, previous, prompter);
    choices[backend.id] = (await backend.decide(enabled, ctx)) as BackendChoice;
  }
  choices.force = options.force === true;
  return choices;
}

/**
 * The flag, else what obs.yaml recorded (a file from before the collector pipeline existed was
 * direct: a re-run does not rewire it unasked), else the collector.
 */
async function decidePipeline(options: InitOptions, previous: ObsConfig | undefined, prompter: Prompter | undefined): Promise<Pipeline> {
  if (options.pipeline !== undefined) return options.pipeline;
  const remembered: Pipeline = previous ? (previous.pipeline ?? 'direct') : 'collector';
  return prompter ? prompter.pipeline(remembered) : remembered;
}

/**
 * Every flag given is checked before obs prints or asks anything, whether or not the backend it
 * belongs to ends up enabled: a bad value is a mistake to report, not to ignore.
 */
export function validateFlags(options: InitOptions, serviceNames: string[], composePath: string, project?: ComposeProject): void {
  if (options.services !== undefined) parseServicesFlag(options.services, serviceNames, composePath, project);
  for (const backend of BACKENDS) backend.validateFlags(options as unknown as Record<string, unknown>);
  // A backend flag that contradicts a flag only that backend uses: known before anything is asked.
  for (const backend of BACKENDS) {
    if (optionOf(options, backend.id) === false) requireBackend(backend, false, dependentFlags(options, backend), options, undefined, undefined);
  }
}

/** `--otlp-http` / `--no-otlp-http` as commander keys it: `otlpHttp`. */
function optionOf(options: InitOptions, id: string): boolean | undefined {
  return (options as unknown as Record<string, boolean | undefined>)[id.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())];
}

/** The flags given that only `backend` uses. */
function dependentFlags(options: InitOptions, backend: Backend): string[] {
  const given = options as unknown as Record<string, unknown>;
  return backend.flags.filter((f) => given[f.key] !== undefined).map((f) => f.flags.split(' ')[0]!);
}

/**
 * A setting for a backend that ends up off would be ignored: that is a usage error naming the
 * flag and what turned the backend off (its --no- flag, obs.yaml, the answer to its question,
 * or the default), with the way out.
 */
function requireBackend(backend: Backend, enabled: boolean, flags: string[], options: InitOptions, previous: ObsConfig | undefined, prompter: Prompter | undefined): void {
  if (enabled || flags.length === 0) return;
  const flag = flags[0]!;
  const { label, id } = backend;
  const on = `--${id}`;
  if (optionOf(options, id) === false) throw new UsageError(`${flag} needs ${label}, which --no-${id} turns off: drop one of the two`);
  if (prompter) throw new UsageError(`${flag} needs ${label}, which you answered no to: drop ${flag} or answer yes`);
  // obs.yaml, when there is one, decides before the defaults do.
  if (previous) throw new UsageError(`${flag} needs ${label}, which obs.yaml has off: add ${on}`);
  throw new UsageError(`${flag} needs ${label}: add ${on}`);
}

/** Said before any service question or flag check, so the message is not about databases or an empty list. */
function requireServices(names: string[], composePath: string): void {
  if (names.length > 0) return;
  throw new UsageError('no services are defined in it', { file: composePath, hint: 'add your services under `services:` and run obs again' });
}

function parseServicesFlag(value: string, names: string[], composePath: string, project?: ComposeProject): string[] {
  requireServices(names, composePath);
  const services = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const known = new Set(names);
  const unknown = services.filter((s) => !known.has(s));
  if (unknown.length > 0) {
    throw new UsageError(`--services names ${unknown.map((s) => JSON.stringify(s)).join(', ')}, not in ${composePath} (services: ${names.join(', ')})`);
  }
  if (services.length === 0) throw new UsageError('--services needs at least one service name');
  const twice = services.find((s, i) => services.indexOf(s) !== i);
  if (twice !== undefined) throw new UsageError(`--services names ${JSON.stringify(twice)} twice; name each service once`);
  const daemon = project?.services.find((s) => services.includes(s.name) && isXrayDaemon(s));
  if (daemon) {
    throw new UsageError(`--services names ${JSON.stringify(daemon.name)}, which runs the X-Ray daemon (${daemon.config.image}): obs does not instrument the daemon; leave it out`);
  }
  return services;
}

/**
 * Services built from this repository, except those that only build front-end assets or run a
 * test suite (they serve no requests) and infrastructure built FROM its stock image with no app of a known
 * stack in it (an nginx proxy with its config copied in); failing that, those whose image is
 * not infrastructure or a tool.
 */
function defaultServices(candidates: ComposeService[], stacks: ReadonlyMap<string, Stack>, profiles?: ReadonlyMap<string, ServiceProfile>): string[] {
  const built = candidates.filter((s) => s.config.buildContext !== undefined && (profiles?.get(s.name)?.role ?? 'app') === 'app' && !builtInfrastructure(s.name, stacks, profiles));
  const chosen = built.length > 0 ? built : candidates.filter((s) => s.config.image !== undefined && !isInfrastructureImage(s.config.image));
  return chosen.map((s) => s.name);
}

/** Built here FROM an infrastructure image (nginx, haproxy, ...) with no app obs knows in it. */
export function builtInfrastructure(name: string, stacks: ReadonlyMap<string, Stack>, profiles?: ReadonlyMap<string, ServiceProfile>): boolean {
  const stack = stacks.get(name);
  return (stack === undefined || stack === 'unknown') && isInfrastructureImage(profiles?.get(name)?.baseImage);
}

function describeService(name: string, stacks: Map<string, Stack>, image: string | undefined, profiles?: ReadonlyMap<string, ServiceProfile>): string {
  const stack = stacks.get(name);
  if (profiles?.get(name)?.role === 'assets') return `built here, builds assets: ${profiles.get(name)!.assetCommand}`;
  if (profiles?.get(name)?.role === 'tests') return `built here, runs tests: ${profiles.get(name)!.testRunner}`;
  if (builtInfrastructure(name, stacks, profiles)) return `built here from ${profiles!.get(name)!.baseImage}`;
  if (stack) return stack === 'unknown' ? 'built here' : `built here, ${stack}`;
  return image ? `image ${image}` : 'no build or image';
}
