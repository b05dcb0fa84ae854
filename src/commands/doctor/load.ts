import { readdirSync, statSync } from 'node:fs';
import { NotRegularFile, readRegularFileSync } from '../../io/read-regular.js';
import { join, posix, relative, resolve } from 'node:path';
import { discoverComposeFiles } from '../../compose/discover.js';
import { parseComposeText, type ComposeFile } from '../../compose/parse.js';
import { buildProject } from '../../compose/project.js';
import { envFilePath } from '../../compose/environment-index.js';
import { findCollectors } from '../../collector/service.js';
import { OBS_CONFIG_FILE, parseObsConfig } from '../../config/obs-config.js';
import { dotenvToMap, parseDotenv } from '../../dotenv/index.js';
import { ObsError } from '../../errors.js';
import { gitignoreCoversDotenv, gitSnapshot } from '../../io/git.js';
import { decodeBytes, notUtf8Message } from '../../io/raw-text.js';
import type { DoctorProject, LoadedFile } from '../../checks/types.js';

/** Bytes that are not UTF-8 are kept (raw-text.ts); YAML readers report them (notUtf8). */
function decodedFile(path: string, bytes: Buffer): LoadedFile & { notUtf8?: { line: number; col: number; message: string } } {
  const { text, invalid } = decodeBytes(bytes);
  return { path, text, ...(invalid ? { notUtf8: { line: invalid.line, col: invalid.col, message: notUtf8Message(invalid, bytes) } } : {}) };
}

/**
 * Synchronous on purpose: a handful of small local files, read while git runs in its own
 * processes; promises and the thread pool would only add start-up time.
 */
function readText(root: string, path: string, skipped?: string[]): ReturnType<typeof decodedFile> | undefined {
  try {
    const bytes = readRegularFileSync(join(root, path), path);
    return bytes === undefined ? undefined : decodedFile(path, bytes);
  } catch (err) {
    // A FIFO or device would block doctor forever: left unread, and said so.
    if (err instanceof NotRegularFile && !err.kind.includes('directory')) skipped?.push(`${path} is ${err.kind}, not a regular file: not read`);
    return undefined;
  }
}

/** Loads what the offline checks read. A broken file is recorded for a check to report, never thrown. */
export async function loadDoctorProject(root: string, env: NodeJS.ProcessEnv, explicitFiles?: string[]): Promise<DoctorProject> {
  const skipped: string[] = [];
  const obsText = readText(root, OBS_CONFIG_FILE, skipped);
  let obsConfig: DoctorProject['obsConfig'];
  let obsConfigError: DoctorProject['obsConfigError'];
  if (obsText) {
    try {
      obsConfig = parseObsConfig(obsText.text, OBS_CONFIG_FILE);
    } catch (err) {
      obsConfigError = { line: (err as ObsError).line, message: (err as Error).message };
    }
  }

  let composePaths: string[];
  if (explicitFiles && explicitFiles.length > 0) composePaths = explicitFiles.map((f) => relative(root, resolve(root, f)).split('\\').join('/'));
  else if (obsConfig && obsConfig.compose.files.length > 0) composePaths = obsConfig.compose.files;
  else composePaths = discoverComposeFiles(new Set(readdirOrEmpty(root)))?.files ?? [];

  // git runs in child processes while this process reads and parses the project.
  const earlyProjectDir = composePaths.length > 0 ? posix.dirname(composePaths[0]!).replace(/^\.$/, '') : '';
  const gitPending = gitSnapshot(root, earlyProjectDir === '' ? '.env' : posix.join(earlyProjectDir, '.env'));

  const compose: ComposeFile[] = [];
  let composeError: DoctorProject['composeError'];
  for (const path of composePaths) {
    let file: ReturnType<typeof decodedFile> | undefined;
    try {
      const bytes = readRegularFileSync(join(root, path), path);
      file = bytes === undefined ? undefined : decodedFile(path, bytes);
    } catch (err) {
      composeError = { file: path, message: err instanceof NotRegularFile ? err.message : `cannot read it: ${(err as Error).message}` };
      break;
    }
    if (!file) {
      composeError = { file: path, message: 'no such file' };
      break;
    }
    if (file.notUtf8) {
      composeError = { file: path, ...file.notUtf8 };
      break;
    }
    try {
      compose.push(parseComposeText(path, file.text));
    } catch (err) {
      const e = err as ObsError;
      composeError = { file: path, line: e.line, col: e.col, message: e.message };
      break;
    }
  }
  const parsed = composeError ? [] : compose;
  const project = parsed.length > 0 ? buildProject(parsed) : undefined;
  const projectDir = composePaths.length > 0 ? posix.dirname(composePaths[0]!).replace(/^\.$/, '') : '';
  const inProject = (name: string) => (projectDir === '' ? name : posix.join(projectDir, name));

  const dotenvFile = readText(root, inProject('.env'), skipped);
  let dotenv: DoctorProject['dotenv'];
  if (dotenvFile) {
    try {
      dotenv = { ...dotenvFile, values: dotenvToMap(parseDotenv(dotenvFile.text, dotenvFile.path)) };
    } catch (err) {
      dotenv = { ...dotenvFile, values: new Map(), error: (err as Error).message };
    }
  }
  const envFiles: DoctorProject['envFiles'] = new Map();
  for (const service of project?.services ?? []) {
    for (const entry of service.config.envFiles) {
      const path = envFilePath(projectDir, entry.path);
      if (envFiles.has(path)) continue;
      const file = readText(root, path, skipped);
      let values = new Map<string, string | undefined>();
      try {
        if (file) values = dotenvToMap(parseDotenv(file.text, file.path));
      } catch {
        // a broken env_file is compose's error to report; doctor reads what it can
      }
      envFiles.set(path, file ? { ...file, values } : null);
    }
  }

  // The collector's config is found through the project's volumes; `${VAR}` in a bind source
  // is interpolated as compose does (shell first, then .env; the checks do the same).
  const collectorConfigs: DoctorProject['collectorConfigs'] = new Map();
  if (project) {
    const lookup = (name: string) => env[name] ?? dotenv?.values.get(name) ?? (name === 'PWD' ? root : undefined);
    for (const collector of findCollectors(project, lookup, projectDir, root)) {
      const path = collector.mount?.path;
      if (path !== undefined && !collectorConfigs.has(path)) collectorConfigs.set(path, readText(root, path, skipped) ?? null);
    }
  }

  const gitignore = readText(root, '.gitignore', skipped);
  const envPath = inProject('.env');
  const git = await gitPending;
  const isRepo = git.trackedFiles !== undefined;
  return {
    root,
    composePaths,
    compose: parsed,
    composeError,
    project,
    projectDir,
    obsConfig,
    obsConfigError,
    dotenv,
    dotenvExample: readText(root, inProject('.env.example'), skipped),
    gitignore,
    envFiles,
    collectorConfigs,
    hints: {
      gitpod: readText(root, '.gitpod.yml') !== undefined,
      codespaces: isDirectory(join(root, '.devcontainer')),
    },
    git: {
      isRepo,
      envTracked: git.trackedFiles?.includes(envPath) ?? false,
      envIgnored: isRepo ? git.ignored : gitignoreCoversDotenv(gitignore?.text),
      trackedFiles: git.trackedFiles ?? [],
    },
    env,
    skipped,
  };
}


function readdirOrEmpty(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
