import { posix, relative, resolve } from 'node:path';
import { findCollectors } from '../../collector/service.js';
import type { ObsError } from '../../errors.js';
import { gitignoreCoversDotenv, gitSnapshot } from '../../io/git.js';
import { NotRegularFile } from '../../io/read-regular.js';
import { loadProject, readProjectFile, type ComposePart, type FileRead } from '../../project/load.js';
import type { DoctorProject, LoadedFile } from '../../checks/types.js';

/** A FIFO or device would block doctor forever: left unread, and said so. */
function skipNote(read: FileRead): string | undefined {
  const problem = read.problem;
  return problem?.kind === 'not-regular' && !problem.error.kind.includes('directory') ? `${read.path} is ${problem.error.kind}, not a regular file: not read` : undefined;
}

/** What doctor reads of a file: its text when the bytes could be read, else nothing (the checks see it missing). */
function fileOf(read: FileRead): LoadedFile | undefined {
  return read.file && (!read.problem || read.problem.kind === 'no-permission' || read.problem.kind === 'not-utf8') ? read.file : undefined;
}

/** Why the compose file that stopped loading failed, as the compose check words it. */
function composeErrorOf(compose: ComposePart): DoctorProject['composeError'] {
  const error = compose.error as ObsError | undefined;
  // No compose file at all is not a load error for doctor: its compose check says so.
  if (!error || compose.failedPath === undefined) return undefined;
  const read = compose.failed;
  if (!read) return { file: compose.failedPath, line: error.line, col: error.col, message: error.message };
  const problem = read.problem;
  if (read.directory) return { file: read.path, message: new NotRegularFile(read.path, 'a directory').message };
  if (!problem) return { file: read.path, message: 'no such file' };
  if (problem.kind === 'not-utf8') return { file: read.path, line: problem.line, col: problem.col, message: problem.message };
  if (problem.kind === 'unreadable') return { file: read.path, message: `cannot read it: ${problem.reason}` };
  return { file: read.path, message: problem.error.message };
}

/** Loads what the offline checks read (the shared loader, load.ts). A broken file is recorded for a check to report, never thrown. */
export async function loadDoctorProject(root: string, env: NodeJS.ProcessEnv, explicitFiles?: string[]): Promise<DoctorProject> {
  const composeFiles = explicitFiles && explicitFiles.length > 0 ? explicitFiles.map((f) => relative(root, resolve(root, f)).split('\\').join('/')) : undefined;
  // git runs in child processes while this process reads and parses the project.
  let gitPending: ReturnType<typeof gitSnapshot> | undefined;
  const load = loadProject(root, {
    ...(composeFiles ? { composeFiles } : {}),
    recordedComposeFiles: true,
    onComposePaths: (_paths, projectDir) => {
      gitPending = gitSnapshot(root, projectDir === '' ? '.env' : posix.join(projectDir, '.env'));
    },
  });
  const { project, projectDir } = load;
  const inProject = (name: string) => (projectDir === '' ? name : posix.join(projectDir, name));
  const skipped: string[] = [];
  const skip = (read: FileRead) => {
    const note = skipNote(read);
    if (note) skipped.push(note);
  };

  skip(load.obsConfig.read);
  const obsConfigError = load.obsConfig.parseError as ObsError | undefined;
  const composeError = composeErrorOf(load.compose);

  skip(load.dotenv.read);
  const dotenvFile = fileOf(load.dotenv.read);
  let dotenv: DoctorProject['dotenv'];
  if (dotenvFile) dotenv = { ...dotenvFile, values: load.dotenv.value ?? new Map<string, string | undefined>(), ...(load.dotenv.parseError ? { error: load.dotenv.parseError.message } : {}) };

  const envFiles: DoctorProject['envFiles'] = new Map();
  for (const [path, part] of load.envFiles) {
    skip(part.read);
    const file = fileOf(part.read);
    // a broken env_file is compose's error to report; doctor reads what it can
    envFiles.set(path, file ? { ...file, values: part.value ?? new Map<string, string | undefined>() } : null);
  }

  // The collector's config is found through the project's volumes; `${VAR}` in a bind source
  // is interpolated as compose does (shell first, then .env; the checks do the same).
  const collectorConfigs: DoctorProject['collectorConfigs'] = new Map();
  if (project) {
    const lookup = (name: string) => env[name] ?? dotenv?.values.get(name) ?? (name === 'PWD' ? root : undefined);
    for (const collector of findCollectors(project, lookup, projectDir, root)) {
      const path = collector.mount?.path;
      if (path === undefined || collectorConfigs.has(path)) continue;
      const read = readProjectFile(root, path, load.reads);
      skip(read);
      collectorConfigs.set(path, fileOf(read) ?? null);
    }
  }

  skip(load.gitignore);
  const gitignore = fileOf(load.gitignore);
  skip(load.dotenvExample.read);
  const envPath = inProject('.env');
  const git = await (gitPending ?? gitSnapshot(root, envPath));
  const isRepo = git.trackedFiles !== undefined;
  return {
    root,
    composePaths: load.compose.paths,
    compose: composeError ? [] : load.compose.files,
    composeError,
    ...(load.compose.lookalikes?.length ? { composeLookalikes: load.compose.lookalikes } : {}),
    project,
    projectDir,
    obsConfig: load.obsConfig.value,
    obsConfigError: obsConfigError && { line: obsConfigError.line, message: obsConfigError.message },
    dotenv,
    dotenvExample: fileOf(load.dotenvExample.read),
    gitignore,
    envFiles,
    collectorConfigs,
    hints: { gitpod: fileOf(load.gitpod) !== undefined, codespaces: load.codespaces },
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
