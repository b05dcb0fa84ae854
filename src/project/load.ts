/**
 * The one project loader: what init, doctor and doctor --fix read from a project folder. Nothing
 * here throws on bad input; each part carries its own load error. init requires the parts (throws
 * the first error, in the order it reads them), doctor reports them through its checks.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { composeLookalikes, discoverComposeFiles, COMPOSE_FILE_NAMES } from '../compose/discover.js';
import { parseComposeText, type ComposeFile } from '../compose/parse.js';
import { buildProject, type ComposeProject } from '../compose/project.js';
import { envFilePath } from '../compose/environment-index.js';
import { OBS_CONFIG_FILE, parseObsConfig, type ObsConfig } from '../config/obs-config.js';
import { dotenvToMap, parseDotenv } from '../dotenv/index.js';
import { UsageError } from '../errors.js';
import { NotRegularFile, readRegularFileSync } from '../io/read-regular.js';
import { decodeBytes, notUtf8Message } from '../io/raw-text.js';
import { ReadLedger } from '../io/read-ledger.js';
import type { TextFile } from './snapshot.js';

/** Why a file could not be used. `unreadable` keeps the system's reason for doctor's wording. */
export type ReadProblem =
  | { kind: 'no-permission'; error: UsageError }
  | { kind: 'not-regular'; error: NotRegularFile }
  | { kind: 'unreadable'; reason: string; error: UsageError }
  | { kind: 'not-utf8'; error: UsageError; line: number; col: number; message: string };

/**
 * One file as read. `file` is there whenever its bytes could be read (also when the permission
 * bits deny reading but the process could read anyway, as root can: doctor reads it, init refuses).
 */
export interface FileRead {
  path: string;
  file?: TextFile;
  problem?: ReadProblem;
  /** A directory stands at the path: no file there for init, a finding for doctor's compose check. */
  directory?: true;
}

/**
 * A file parsed into `value`. A file whose permission bits deny reading is still parsed when the
 * process could read it: init refuses it (read.problem), doctor reads it.
 */
export interface ParsedPart<T> {
  read: FileRead;
  value?: T;
  /** The parser's error (an ObsError naming file and line). */
  parseError?: Error;
}

/** What keeps init from using a part: the reading problem, else the parse error. */
export function partError(part: ParsedPart<unknown>): Error | undefined {
  return part.read.problem?.error ?? part.parseError;
}

export interface ComposePart {
  /** Where the paths came from: -f, obs.yaml's compose.files (doctor only), or discovery in root. */
  paths: string[];
  /** Names discovery passed over because docker compose would too. */
  ignored: string[];
  files: ComposeFile[];
  /** No compose file given or found, a file unreadable or invalid: the first such. */
  error?: Error;
  /** The compose file `error` is about. */
  failedPath?: string;
  /** How that file failed to read (undefined: it failed to parse). */
  failed?: FileRead;
  /** With no compose file found: names in root that look like one (composeLookalikes). */
  lookalikes?: string[];
}

export interface ProjectLoad {
  root: string;
  /** The folder is missing or not a directory. */
  rootError?: UsageError;
  reads: ReadLedger;
  obsConfig: ParsedPart<ObsConfig>;
  compose: ComposePart;
  /** Built from `compose.files` when every compose file parsed. */
  project?: ComposeProject;
  /** Where compose reads `.env` from, relative to root, POSIX ('' = root). */
  projectDir: string;
  dotenv: ParsedPart<Map<string, string | undefined>>;
  dotenvExample: ParsedPart<Map<string, string | undefined>>;
  gitignore: FileRead;
  /** Each service env_file (path relative to root, normalised), in the order services name them. */
  envFiles: Map<string, ParsedPart<Map<string, string | undefined>>>;
  gitpod: FileRead;
  codespaces: boolean;
}

export interface LoadOptions {
  /** -f/--file, already relative to root (explicitComposeFiles). */
  composeFiles?: string[];
  /** Use obs.yaml's compose.files when no -f is given (doctor checks the files obs wired). */
  recordedComposeFiles?: boolean;
  /** Called once the compose paths are known, before they are read: doctor starts git there, to run beside the parsing. */
  onComposePaths?: (paths: string[], projectDir: string) => void;
}

/**
 * Reads a file of the project: missing is no file and no problem; a FIFO or device is never
 * waited on; bytes that are not UTF-8 are kept as they are (raw-text.ts), and a YAML file
 * (`yaml: true`) with them gets a problem, as compose itself refuses them. `reads` records what
 * was read, to check before writing that nothing changed meanwhile.
 */
export function readProjectFile(root: string, path: string, reads: ReadLedger, { yaml = false } = {}): FileRead {
  const full = join(root, path);
  let bytes: Buffer | undefined;
  let noPermission = false;
  try {
    const info = statSync(full);
    if (info.isDirectory()) return { path, directory: true };
    noPermission = (info.mode & 0o444) === 0;
    bytes = readRegularFileSync(full, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      reads.record(full, null);
      return { path };
    }
    if (err instanceof NotRegularFile) return { path, problem: { kind: 'not-regular', error: err } };
    if (noPermission) return { path, problem: permissionProblem(path) };
    const reason = (err as Error).message;
    return { path, problem: { kind: 'unreadable', reason, error: new UsageError(`cannot read the file: ${reason}`, { file: path }) } };
  }
  reads.record(full, bytes ?? null);
  if (bytes === undefined) return { path };
  const { text, invalid } = decodeBytes(bytes);
  const file = { path, text };
  if (noPermission) return { path, file, problem: permissionProblem(path) };
  if (invalid && yaml) {
    const message = notUtf8Message(invalid, bytes);
    return { path, file, problem: { kind: 'not-utf8', line: invalid.line, col: invalid.col, message, error: new UsageError(message, { file: path, line: invalid.line, col: invalid.col }) } };
  }
  return { path, file };
}

function permissionProblem(path: string): ReadProblem {
  return { kind: 'no-permission', error: new UsageError('the file is not readable (no read permission)', { file: path }) };
}

function parsed<T>(read: FileRead, parse: (file: TextFile) => T): ParsedPart<T> {
  if (!read.file) return { read };
  try {
    return { read, value: parse(read.file) };
  } catch (err) {
    return { read, parseError: err as Error };
  }
}

function dotenvValues(file: TextFile): Map<string, string | undefined> {
  return dotenvToMap(parseDotenv(file.text, file.path));
}

/** Reads and parses the project in `root`; never throws for what is in the folder. */
export function loadProject(root: string, options: LoadOptions = {}): ProjectLoad {
  const reads = new ReadLedger();
  const rootInfo = statOrUndefined(root);
  if (!rootInfo?.isDirectory()) return emptyLoad(root, reads, new UsageError(`no such directory: ${root}`));
  const obsConfig = parsed(readProjectFile(root, OBS_CONFIG_FILE, reads, { yaml: true }), (f) => parseObsConfig(f.text, f.path));

  const compose = loadCompose(root, reads, options, obsConfig.value);
  const project = compose.files.length > 0 && !compose.error ? buildProject(compose.files) : undefined;
  const projectDir = projectDirOf(compose.paths);
  const inProject = (name: string) => (projectDir === '' ? name : posix.join(projectDir, name));

  const dotenv = parsed(readProjectFile(root, inProject('.env'), reads), dotenvValues);
  const dotenvExample = parsed(readProjectFile(root, inProject('.env.example'), reads), dotenvValues);
  const gitignore = readProjectFile(root, '.gitignore', reads);

  // env_file values count as set by the user: compose's `environment` would silently override them.
  const envFiles = new Map<string, ParsedPart<Map<string, string | undefined>>>();
  for (const service of project?.services ?? []) {
    for (const entry of service.config.envFiles) {
      const path = envFilePath(projectDir, entry.path);
      if (!envFiles.has(path)) envFiles.set(path, parsed(readProjectFile(root, path, reads), dotenvValues));
    }
  }

  return {
    root,
    reads,
    obsConfig,
    compose,
    ...(project ? { project } : {}),
    projectDir,
    dotenv,
    dotenvExample,
    gitignore,
    envFiles,
    gitpod: readProjectFile(root, '.gitpod.yml', reads),
    codespaces: statOrUndefined(join(root, '.devcontainer'))?.isDirectory() ?? false,
  };
}

function loadCompose(root: string, reads: ReadLedger, options: LoadOptions, obsConfig: ObsConfig | undefined): ComposePart {
  let paths: string[];
  let ignored: string[] = [];
  if (options.composeFiles && options.composeFiles.length > 0) paths = options.composeFiles;
  else if (options.recordedComposeFiles && obsConfig && obsConfig.compose.files.length > 0) paths = obsConfig.compose.files;
  else {
    const names = new Set(readdirOrEmpty(root));
    const found = discoverComposeFiles(names);
    if (!found) {
      const lookalikes = composeLookalikes(names);
      const error = new UsageError(`no compose file in ${root} (looked for ${COMPOSE_FILE_NAMES.join(', ')})`, {
        hint:
          lookalikes.length > 0
            ? `${lookalikes.join(', ')} ${lookalikes.length === 1 ? 'is' : 'are'} here but not a name compose reads by itself: pass -f ${lookalikes[0]} (docker compose needs it too), or rename it`
            : 'run obs in the folder with your compose file, or pass --dir or -f/--file',
      });
      options.onComposePaths?.([], '');
      return { paths: [], ignored, files: [], error, lookalikes };
    }
    paths = found.files;
    ignored = found.ignored;
  }
  options.onComposePaths?.(paths, projectDirOf(paths));
  const files: ComposeFile[] = [];
  for (const path of paths) {
    const read = readProjectFile(root, path, reads, { yaml: true });
    if (read.problem) return { paths, ignored, files, error: read.problem.error, failedPath: path, failed: read };
    if (!read.file) return { paths, ignored, files, error: new UsageError('no such file', { file: path, hint: 'check the path given to -f/--file' }), failedPath: path, failed: read };
    try {
      files.push(parseComposeText(path, read.file.text));
    } catch (err) {
      return { paths, ignored, files, error: err as Error, failedPath: path };
    }
  }
  return { paths, ignored, files };
}

/** Nothing to read: the folder itself is missing. */
function emptyLoad(root: string, reads: ReadLedger, rootError: UsageError): ProjectLoad {
  const none = (path: string) => ({ read: { path } });
  return {
    root,
    rootError,
    reads,
    obsConfig: none(OBS_CONFIG_FILE),
    compose: { paths: [], ignored: [], files: [] },
    projectDir: '',
    dotenv: none('.env'),
    dotenvExample: none('.env.example'),
    gitignore: { path: '.gitignore' },
    envFiles: new Map(),
    gitpod: { path: '.gitpod.yml' },
    codespaces: false,
  };
}

function projectDirOf(composePaths: string[]): string {
  return composePaths.length > 0 ? posix.dirname(composePaths[0]!).replace(/^\.$/, '') : '';
}

function statOrUndefined(path: string) {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function readdirOrEmpty(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
