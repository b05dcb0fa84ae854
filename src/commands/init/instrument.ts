/**
 * Instrumentation code for each chosen service, from templates/<stack>/: which files to read
 * (I/O, here) and which planner turns them into file changes (pure, in src/instrument/).
 */
import type { ComposeService } from '../../compose/project.js';
import { planFlask } from '../../instrument/flask.js';
import { planNode } from '../../instrument/node.js';
import { planRails } from '../../instrument/rails.js';
import { planReact } from '../../instrument/react.js';
import { templateLoader, type InstallStep, type InstrumentInput } from '../../instrument/template.js';
import type { FileChange } from '../../plan/file-change.js';
import type { Stack } from '../../stacks/detect.js';
import type { ServiceProfile } from '../../stacks/service-profile.js';
import { composeDockerfileOf, readServiceSources } from '../../project/app-sources.js';
import type { InitChoices } from '../../backends/choices.js';
import { cloudwatch } from '../../backends/cloudwatch.js';
import { honeycomb } from '../../backends/honeycomb.js';
import { settingsOf } from '../../backends/index.js';
import { rollbar } from '../../backends/rollbar.js';
import { xray } from '../../backends/xray.js';
import type { Discovered } from '../../project/discover.js';
import type { InitSnapshot, ServiceSources } from '../../project/snapshot.js';

export interface InstrumentResult {
  changes: FileChange[];
  notes: string[];
  /** The commands that install the packages obs added (init's next steps). */
  install?: InstallStep;
  /** The app runs a language version no OpenTelemetry release obs writes supports (InstrumentPlan.oldRuntime). */
  oldRuntime?: true;
  /** Compose variables the instrumentation needs (NODE_OPTIONS=--require ./tracing.cjs). */
  environment: { key: string; value: string }[];
}

export { serviceDirOf } from '../../project/service-dir.js';
import { serviceDirOf } from '../../project/service-dir.js';

/**
 * Why obs writes no code for a chosen service, so the report can say plainly that it will send
 * nothing: it runs an image, it only builds front-end assets, or obs knows no framework in it.
 * undefined when obs instruments it.
 */
export function whyNoCode(service: ComposeService, stack: Stack, profile: ServiceProfile | undefined, serviceDir: string | undefined): SendsNothing['reason'] | undefined {
  if (service.config.buildContext === undefined) return 'image';
  if (serviceDir === undefined) return 'remote-context';
  if (profile?.role === 'assets') return 'assets';
  if (profile?.role === 'tests') return 'tests';
  if (!INSTRUMENTED_STACKS.has(stack)) return 'no-framework';
  return undefined;
}

export interface SendsNothing {
  reason: 'image' | 'remote-context' | 'assets' | 'tests' | 'no-framework';
}

/**
 * What the planners of the chosen services read: each one's build-context files, and the
 * templates, each read once however many services use it.
 */
export function readInstrumentation(found: Discovered, chosen: readonly string[]): NonNullable<InitSnapshot['instrumentation']> {
  const { snapshot, project } = found;
  const byName = new Map(project.services.map((s) => [s.name, s]));
  const sources = new Map<string, ServiceSources>();
  const notUtf8 = new Map<string, Set<string>>();
  for (const name of chosen) {
    const service = byName.get(name)!;
    const stack = snapshot.stacks.get(name) ?? 'unknown';
    const profile = snapshot.profiles?.get(name);
    const dir = serviceDirOf(snapshot.projectDir, service, profile);
    if (dir === undefined || !INSTRUMENTED_STACKS.has(stack) || (profile?.role ?? 'app') !== 'app') continue;
    const odd = new Set<string>();
    sources.set(name, readServiceSources(found.folders, found.root, dir, stack, odd, service, composeDockerfileOf(service, profile?.appDir)));
    if (odd.size > 0) notUtf8.set(name, odd);
  }
  const templates = new Map<string, string>();
  const template = (stack: string) => (name: string) => {
    const key = `${stack}/${name}`;
    if (!templates.has(key)) templates.set(key, templateLoader(stack)(name));
    return templates.get(key)!;
  };
  return { sources, template, notUtf8 };
}

export const INSTRUMENTED_STACKS: ReadonlySet<Stack> = new Set(['flask', 'rails', 'node', 'react']);

/** Pure: the planner for the stack, fed with what discovery read. */
export function planServiceInstrumentation(
  service: ComposeService,
  stack: Stack,
  serviceDir: string,
  sources: ServiceSources,
  choices: InitChoices,
  template: (stack: string) => (name: string) => string,
  /** What the container is given (env_file included), from the environment index. */
  environment: ReadonlyMap<string, string | null> = service.config.environment,
  profile?: ServiceProfile,
  /** The collector's URL as the browser reaches it (collector pipeline with a published port). */
  browserCollectorUrl?: string,
  /** Where bind mounts show the app's folder in the container (appMountTargets). */
  appMountedAt: readonly string[] = [],
  /** obs.yaml's record of the packages obs added to pyproject.toml files. */
  addedPackages: Readonly<Record<string, readonly string[]>> = {},
): InstrumentResult {
  const command = service.config.command;
  const input: InstrumentInput = {
    serviceDir,
    serviceName: service.name,
    backends: {
      honeycomb: settingsOf(choices, honeycomb).enabled,
      xray: settingsOf(choices, xray).enabled,
      cloudwatch: settingsOf(choices, cloudwatch).enabled,
      rollbar: settingsOf(choices, rollbar).enabled,
    },
    ...(settingsOf(choices, cloudwatch).enabled ? { logGroup: settingsOf(choices, cloudwatch).logGroup } : {}),
    files: sources,
    template: template(stack),
    pipeline: choices.pipeline ?? 'direct',
    ...(command !== undefined ? { command: Array.isArray(command) ? command.map(String).join(' ') : String(command) } : {}),
    ...(service.config.buildTarget !== undefined ? { buildTarget: service.config.buildTarget } : {}),
    environment,
    ...(appMountedAt.length > 0 ? { appMountedAt } : {}),
    addedPackages,
  };
  switch (stack) {
    case 'flask':
      return { ...planFlask(input), environment: [] };
    case 'rails':
      return { ...planRails(input), environment: [] };
    case 'node': {
      const planned = planNode(input);
      // The app sits in a folder of the build context: NODE_OPTIONS names tracing.cjs where the image puts that folder.
      const inImage = profile?.appPathInImage;
      if (inImage === undefined || inImage === '.') return planned;
      const path = inImage.startsWith('/') ? `${inImage}/tracing.cjs` : `./${inImage}/tracing.cjs`;
      return { ...planned, environment: planned.environment.map((e) => (e.key === 'NODE_OPTIONS' ? { ...e, value: e.value.replace('./tracing.cjs', path) } : e)) };
    }
    case 'react': {
      const apiUrl = [...environment.entries()].find(([k, v]) => /BACKEND_URL|API_URL/.test(k) && v && !v.includes('$'))?.[1] ?? undefined;
      const planned = planReact({ ...input, ...(apiUrl ? { apiUrl } : {}), ...(browserCollectorUrl ? { collectorUrl: browserCollectorUrl } : {}) });
      return { ...planned, environment: planned.environment ?? [] };
    }
    default:
      return { changes: [], notes: [], environment: [] };
  }
}
