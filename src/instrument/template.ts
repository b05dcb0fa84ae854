/**
 * Templates are plain files under templates/<stack>/ with a few `{{NAME}}` placeholders. The
 * planners get them through a loader function, so planning itself stays pure (no fs).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FileChange } from '../plan/file-change.js';

export type Pipeline = 'direct' | 'collector';

/** What a stack planner needs to instrument one compose service. */
export interface InstrumentInput {
  /** The service's build context, relative to where obs runs, posix ('' or '.' for the same folder). */
  serviceDir: string;
  /** OTEL_SERVICE_NAME obs gives the service (its compose name). */
  serviceName: string;
  backends: { honeycomb: boolean; xray: boolean; cloudwatch: boolean; rollbar: boolean };
  /** The CloudWatch log group from obs.yaml, when CloudWatch was chosen. */
  logGroup?: string;
  /**
   * Files of the build context as read (path relative to serviceDir, posix -> text); absent
   * files are simply not in the map. Flask: requirements.txt, pyproject.toml, app.py, wsgi.py,
   * Dockerfile, observability.py, plus any file a `-r` line names. Rails: Gemfile and
   * config/initializers/*.rb. Lock files (uv.lock, yarn.lock, ...) are in the map with empty
   * text: only their presence is read.
   */
  files: ReadonlyMap<string, string>;
  /** Loads templates/<stack>/<name>, e.g. templateLoader('flask'). */
  template: (name: string) => string;
  /** The compose `command` of the service, as one string, when it sets one (debug reloader check). */
  command?: string;
  /** compose `build.target`: the Dockerfile stage the image is (else its last). */
  buildTarget?: string;
  /**
   * How telemetry leaves the app. 'direct' (the default): each app sends to each backend
   * (Honeycomb over OTLP, the X-Ray SDK to the daemon, watchtower to CloudWatch Logs).
   * 'collector': OpenTelemetry only, traces and logs over OTLP/HTTP to the collector at
   * OTEL_EXPORTER_OTLP_ENDPOINT, which forwards to every chosen backend.
   */
  pipeline?: Pipeline;
  /** What the service's container is given, env_file included (FLASK_DEBUG for the debug reloader check, NODE_OPTIONS). */
  environment?: ReadonlyMap<string, string | null>;
  /** Where bind mounts show the app's folder in the container (absolute paths; appMountTargets): its files are there whatever the image copies. */
  appMountedAt?: readonly string[];
  /** obs.yaml's record of the packages obs added to a manifest with no place for its marker (pyproject.toml): path relative to where obs runs -> entries as written. */
  addedPackages?: Readonly<Record<string, readonly string[]>>;
}

export interface InstrumentPlan {
  /** Paths relative to where obs runs. Unchanged files are left out. */
  changes: FileChange[];
  /** Warnings and copy-paste instructions, one per entry (may span indented lines). */
  notes: string[];
  /** When the plan adds packages to a manifest: what to run so they reach the container (init's next steps). */
  install?: InstallStep;
  /** The app runs a language version no OpenTelemetry release obs writes supports: left alone, it sends nothing (the notes say why). */
  oldRuntime?: true;
}

/** The commands that install what obs added to a manifest: the lock step of the app's package manager, then the image rebuild. */
export interface InstallStep {
  /** npm, yarn, pnpm, bun, pip, uv, poetry, pipenv, bundler. */
  manager: string;
  /** The manifest obs edited (path relative to where obs runs). */
  manifest: string;
  packages: string[];
  /** Packages obs added earlier that no choice needs now, taken out of the manifest (as written). */
  dropped?: string[];
  commands: string[];
}

/**
 * The first lines of a file obs generated carry this phrase: while it is there, obs keeps the
 * file up to date; a user who deletes the line owns the file and obs leaves it alone.
 */
export const MANAGED_MARKER = 'Written by `obs init`';

/**
 * For the OpenTelemetry-only stacks (Node, Rails, browser): whether they send traces, and the
 * chosen backends their code does not reach. Direct: traces go to Honeycomb only. Through a
 * collector, OpenTelemetry traces reach Honeycomb and X-Ray alike.
 */
export function otelOnlyTargets(input: Pick<InstrumentInput, 'backends' | 'pipeline'>): { traces: boolean; unreached: string[] } {
  const { backends } = input;
  const collector = input.pipeline === 'collector';
  const unreached = [!collector && backends.xray && 'X-Ray', backends.cloudwatch && 'CloudWatch Logs', backends.rollbar && 'Rollbar'].filter((x): x is string => Boolean(x));
  return { traces: backends.honeycomb || (collector && backends.xray), unreached };
}

const PLACEHOLDER = /\{\{([A-Za-z_][A-Za-z0-9_]*)\}\}/g;

/** Replaces every `{{NAME}}` with values[NAME]; a placeholder without a value is a bug in obs. */
export function renderTemplate(text: string, values: Record<string, string>): string {
  return text.replace(PLACEHOLDER, (_whole, name: string) => {
    if (!Object.hasOwn(values, name)) throw new Error(`template placeholder {{${name}}} has no value`);
    return values[name]!;
  });
}

let root: string | undefined;

/**
 * Absolute path of templates/<parts...>, found from this module's location: the nearest
 * ancestor folder holding package.json and templates/ (src/instrument under vitest, dist/ when
 * bundled, node_modules/obs-init/dist when installed).
 */
export function templatePath(...parts: string[]): string {
  root ??= findPackageRoot(dirname(fileURLToPath(import.meta.url)));
  return join(root, 'templates', ...parts);
}

function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'templates'))) return dir;
    if (dirname(dir) === dir) throw new Error(`obs cannot find its templates/ folder above ${start}`);
  }
}

/** A loader for InstrumentInput.template: reads templates/<stack>/<name>. */
export function templateLoader(stack: string): (name: string) => string {
  return (name) => readFileSync(templatePath(stack, name), 'utf8');
}

/** `dir/name` in posix form, with '' and '.' meaning the folder obs runs in. */
export function servicePath(serviceDir: string, name: string): string {
  const dir = serviceDir
    .replace(/\\/g, '/')
    .replace(/^(\.\/)+/, '')
    .replace(/\/+$/, '');
  return dir === '' || dir === '.' ? name : `${dir}/${name}`;
}

/** A change, or nothing when the text stays the same. */
export function changeOf(path: string, before: string | null, after: string): FileChange[] {
  return before === after ? [] : [{ path, before, after }];
}

/** A string literal valid in Python (JSON's escapes are a subset of Python's). */
export function pythonString(value: string): string {
  return JSON.stringify(value);
}

/** A double-quoted Ruby string literal: JSON's escapes, plus `#` escaped so `#{` never interpolates. */
export function rubyString(value: string): string {
  return JSON.stringify(value).replace(/#/g, '\\#');
}
