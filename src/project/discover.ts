import { readdir, stat } from 'node:fs/promises';
import { readRegularFileSync } from '../io/read-regular.js';
import { COLLECTOR_CONFIG_NAMES } from '../collector/image.js';
import { dirname, isAbsolute, join, posix, relative, resolve } from 'node:path';
import { discoverComposeFiles, explicitComposeFiles, COMPOSE_FILE_NAMES } from '../compose/discover.js';
import { parseComposeText, type ComposeFile } from '../compose/parse.js';
import { buildProject, type ComposeProject, type ComposeService } from '../compose/project.js';
import { envFilePath } from '../compose/environment-index.js';
import { OBS_CONFIG_FILE, parseObsConfig, type ObsConfig } from '../config/obs-config.js';
import { parseDotenv } from '../dotenv/index.js';
import { UsageError } from '../errors.js';
import { FolderReader } from '../io/folder-reader.js';
import { decodeBytes, notUtf8Message } from '../io/raw-text.js';
import { ReadLedger } from '../io/read-ledger.js';
import { gitignoreCoversDotenv, gitInfo, type GitInfo } from '../io/git.js';
import type { ContextFiles, Stack } from '../stacks/detect.js';
import { profileService, type ServiceProfile } from '../stacks/service-profile.js';
import type { InitSnapshot, TextFile } from './snapshot.js';

export interface Discovered {
  root: string;
  snapshot: InitSnapshot;
  project: ComposeProject;
  previous?: ObsConfig;
  git: GitInfo;
  notes: string[];
  /** Build-context files read so far, shared with the instrumentation planners. */
  folders: FolderReader;
  /** Every file read (content hashes): checked again right before writing. */
  reads: ReadLedger;
}

/**
 * Reads a file, turning "missing" into undefined and anything else into a one-line error.
 * `reads` records what was read, to check before writing that nothing changed meanwhile. Bytes
 * that are not UTF-8 are kept as they are (raw-text.ts) in line-based files obs only appends to;
 * YAML (`yaml: true`) must be UTF-8, as compose itself requires, so it is refused instead.
 */
async function readOptional(root: string, path: string, reads: ReadLedger, { yaml = false } = {}): Promise<TextFile | undefined> {
  let bytes: Buffer;
  try {
    const info = await stat(join(root, path));
    if (info.isDirectory()) return undefined;
    if ((info.mode & 0o444) === 0) throw new UsageError('the file is not readable (no read permission)', { file: path });
    // A FIFO or device here would block obs forever: refused, naming it.
    const read = readRegularFileSync(join(root, path), path);
    reads.record(join(root, path), read ?? null);
    if (read === undefined) return undefined;
    bytes = read;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      reads.record(join(root, path), null);
      return undefined;
    }
    if (err instanceof UsageError) throw err;
    throw new UsageError(`cannot read the file: ${(err as Error).message}`, { file: path });
  }
  const { text, invalid } = decodeBytes(bytes);
  if (invalid && yaml) throw new UsageError(notUtf8Message(invalid, bytes), { file: path, line: invalid.line, col: invalid.col });
  return { path, text };
}

async function readRequired(root: string, path: string, reads: ReadLedger): Promise<TextFile> {
  const file = await readOptional(root, path, reads, { yaml: true });
  if (!file) throw new UsageError('no such file', { file: path, hint: 'check the path given to -f/--file' });
  return file;
}

export async function discover(root: string, explicitFiles: string[] | undefined): Promise<Discovered> {
  const notes: string[] = [];
  const reads = new ReadLedger();
  const rootInfo = await stat(root).catch(() => undefined);
  if (!rootInfo?.isDirectory()) throw new UsageError(`no such directory: ${root}`);
  // git runs in child processes while this process parses the compose file.
  const gitPending = gitInfo(root);

  let composePaths: string[];
  if (explicitFiles && explicitFiles.length > 0) {
    const explicit = explicitComposeFiles(root, explicitFiles);
    composePaths = explicit.files;
    notes.push(...explicit.notes);
  } else {
    const names = new Set(await readdir(root));
    const found = discoverComposeFiles(names);
    if (!found) {
      throw new UsageError(`no compose file in ${root} (looked for ${COMPOSE_FILE_NAMES.join(', ')})`, {
        hint: 'run obs in the folder with your compose file, or pass --dir or -f/--file',
      });
    }
    composePaths = found.files;
    if (found.ignored.length > 0) notes.push(`found several compose files; using ${found.files.join(' + ')} like docker compose, not ${found.ignored.join(', ')}`);
  }
  const compose: ComposeFile[] = [];
  for (const path of composePaths) {
    const file = await readRequired(root, path, reads);
    compose.push(parseComposeText(path, file.text));
  }
  const project = buildProject(compose);
  const projectDir = toPosix(dirname(composePaths[0]!));
  const inProject = (name: string) => (projectDir === '.' ? name : posix.join(projectDir, name));

  const dotenv = await readOptional(root, inProject('.env'), reads);
  if (dotenv) parseDotenv(dotenv.text, dotenv.path); // fail early, naming the line
  const dotenvExample = await readOptional(root, inProject('.env.example'), reads);
  if (dotenvExample) parseDotenv(dotenvExample.text, dotenvExample.path);
  const gitignore = await readOptional(root, '.gitignore', reads);
  const obsConfigFile = await readOptional(root, OBS_CONFIG_FILE, reads, { yaml: true });
  const previous = obsConfigFile ? parseObsConfig(obsConfigFile.text, obsConfigFile.path) : undefined;

  const folders = new FolderReader(reads);
  const stacks = new Map<string, Stack>();
  const profiles = new Map<string, ServiceProfile>();
  for (const service of project.services) {
    if (service.config.buildContext === undefined) continue;
    const profile = profileOf(folders, resolve(root, projectDir, service.config.buildContext), service.config);
    stacks.set(service.name, profile.stack);
    profiles.set(service.name, profile);
  }

  // env_file values count as set by the user: compose's `environment` would silently override them.
  const envFiles = new Map<string, TextFile | null>();
  for (const service of project.services) {
    for (const entry of service.config.envFiles) {
      const path = envFilePath(projectDir, entry.path);
      if (envFiles.has(path)) continue;
      const file = await readOptional(root, path, reads);
      if (file) parseDotenv(file.text, file.path);
      envFiles.set(path, file ?? null);
    }
  }

  const collectorConfigs = new Map<string, TextFile | null>();
  for (const path of [previous?.collector?.config, ...COLLECTOR_CONFIG_NAMES.map(inProject)]) {
    if (path === undefined || collectorConfigs.has(path)) continue;
    collectorConfigs.set(path, (await readOptional(root, path, reads, { yaml: true })) ?? null);
  }

  const git = await gitPending;
  const envPath = inProject('.env');
  const envIgnored = git.isRepo ? await git.isIgnored(envPath) : gitignoreCoversDotenv(gitignore?.text);
  const envTracked = git.isRepo ? await git.isTracked(envPath) : false;
  const hints = {
    gitpod: (await readOptional(root, '.gitpod.yml', reads)) !== undefined,
    codespaces: (await stat(join(root, '.devcontainer')).catch(() => undefined))?.isDirectory() ?? false,
  };
  const projectName = sanitizeProjectName(project.name ?? baseName(resolve(root, projectDir)));

  return {
    root,
    project,
    previous,
    git,
    notes,
    folders,
    reads,
    snapshot: {
      compose,
      projectDir: projectDir === '.' ? '' : projectDir,
      dotenv,
      dotenvExample,
      gitignore,
      obsConfig: obsConfigFile,
      previous,
      envFiles,
      collectorConfigs,
      hints,
      stacks,
      profiles,
      envIgnored,
      envTracked,
      projectName,
    },
  };
}

/**
 * The files of a build context as stack detection asks for them: a file is read only when
 * detection needs its text, and counts as present only when it can be read.
 */
function contextFiles(folders: FolderReader, context: string): ContextFiles {
  return {
    has: (name) => folders.read(context, name) !== undefined,
    get: (name) => folders.read(context, name),
  };
}

/** What a built service runs: its Dockerfile (compose's `dockerfile`, else `Dockerfile`) and command read with the context's files. */
export function profileOf(folders: FolderReader, context: string, config: ComposeService['config']): ServiceProfile {
  const files = contextFiles(folders, context);
  const dockerfile = config.dockerfile && !isAbsolute(config.dockerfile) ? folders.read(context, config.dockerfile.split('\\').join('/')) : files.get('Dockerfile');
  const command = config.command === undefined || config.command === null ? undefined : Array.isArray(config.command) ? config.command.map(String).join(' ') : String(config.command);
  return profileService({
    files,
    ...(dockerfile !== undefined ? { dockerfile } : {}),
    ...(config.buildTarget !== undefined ? { target: config.buildTarget } : {}),
    ...(command !== undefined ? { command } : {}),
  });
}

function toPosix(path: string): string {
  return path.split('\\').join('/');
}

function baseName(path: string): string {
  return path.split(/[\\/]/).filter(Boolean).pop() ?? 'app';
}

/** compose's project-name normalisation: lowercase, [a-z0-9_-] only, no leading _ or -. */
export function sanitizeProjectName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9_-]/g, '').replace(/^[_-]+/, '') || 'app';
}
