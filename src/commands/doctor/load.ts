import { readFile, readdir, stat } from 'node:fs/promises';
import { join, posix, relative, resolve } from 'node:path';
import { discoverComposeFiles } from '../../compose/discover.js';
import { parseComposeText, type ComposeFile } from '../../compose/parse.js';
import { buildProject } from '../../compose/project.js';
import { OBS_CONFIG_FILE, parseObsConfig } from '../../config/obs-config.js';
import { dotenvToMap, parseDotenv } from '../../dotenv/index.js';
import { ObsError } from '../../errors.js';
import { gitignoreCoversDotenv, gitSnapshot } from '../../io/git.js';
import type { DoctorProject, LoadedFile } from '../../checks/types.js';

async function readText(root: string, path: string): Promise<LoadedFile | undefined> {
  try {
    const info = await stat(join(root, path));
    if (!info.isFile()) return undefined;
    return { path, text: await readFile(join(root, path), 'utf8') };
  } catch {
    return undefined;
  }
}

/** Loads what the offline checks read. A broken file is recorded for a check to report, never thrown. */
export async function loadDoctorProject(root: string, env: NodeJS.ProcessEnv, explicitFiles?: string[]): Promise<DoctorProject> {
  const obsText = await readText(root, OBS_CONFIG_FILE);
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
  else composePaths = discoverComposeFiles(new Set(await readdir(root).catch(() => [] as string[])))?.files ?? [];

  // git runs in child processes while this process reads and parses the project.
  const earlyProjectDir = composePaths.length > 0 ? posix.dirname(composePaths[0]!).replace(/^\.$/, '') : '';
  const gitPending = gitSnapshot(root, earlyProjectDir === '' ? '.env' : posix.join(earlyProjectDir, '.env'));

  const compose: ComposeFile[] = [];
  let composeError: DoctorProject['composeError'];
  for (const path of composePaths) {
    const file = await readText(root, path);
    if (!file) {
      composeError = { file: path, message: 'no such file' };
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

  const dotenvFile = await readText(root, inProject('.env'));
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
      const path = inProject(entry.path).replace(/^\.\//, '');
      if (envFiles.has(path)) continue;
      const file = await readText(root, path);
      let values = new Map<string, string | undefined>();
      try {
        if (file) values = dotenvToMap(parseDotenv(file.text, file.path));
      } catch {
        // a broken env_file is compose's error to report; doctor reads what it can
      }
      envFiles.set(path, file ? { ...file, values } : null);
    }
  }

  const gitignore = await readText(root, '.gitignore');
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
    dotenvExample: await readText(root, inProject('.env.example')),
    gitignore,
    envFiles,
    hints: {
      gitpod: (await readText(root, '.gitpod.yml')) !== undefined,
      codespaces: (await stat(join(root, '.devcontainer')).catch(() => undefined))?.isDirectory() ?? false,
    },
    git: {
      isRepo,
      envTracked: git.trackedFiles?.includes(envPath) ?? false,
      envIgnored: isRepo ? git.ignored : gitignoreCoversDotenv(gitignore?.text),
      trackedFiles: git.trackedFiles ?? [],
    },
    env,
  };
}

