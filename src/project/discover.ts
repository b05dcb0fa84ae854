import { defaultDockerfileName } from '../stacks/dockerfile.js';
import { COLLECTOR_CONFIG_NAMES } from '../collector/image.js';
import { isAbsolute, posix, resolve } from 'node:path';
import { explicitComposeFiles } from '../compose/discover.js';
import type { ComposeProject, ComposeService } from '../compose/project.js';
import type { ObsConfig } from '../config/obs-config.js';
import { FolderReader } from '../io/folder-reader.js';
import type { ReadLedger } from '../io/read-ledger.js';
import { loadProject, partError, readProjectFile, type ParsedPart } from './load.js';
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
 * Loads the project for init (and doctor --fix): the shared loader (load.ts), with every part
 * required. The first problem, in the order init has always read the files, is thrown.
 */
export async function discover(root: string, explicitFiles: string[] | undefined): Promise<Discovered> {
  const notes: string[] = [];
  const explicit = explicitFiles && explicitFiles.length > 0 ? explicitComposeFiles(root, explicitFiles) : undefined;
  // git runs in child processes while this process parses the compose file.
  let gitPending: Promise<GitInfo> | undefined;
  const load = loadProject(root, { ...(explicit ? { composeFiles: explicit.files } : {}), onComposePaths: () => void (gitPending = gitInfo(root)) });
  if (load.rootError) throw load.rootError;
  if (explicit) notes.push(...explicit.notes);
  if (load.compose.error) throw load.compose.error;
  if (load.compose.ignored.length > 0) notes.push(`found several compose files; using ${load.compose.paths.join(' + ')} like docker compose, not ${load.compose.ignored.join(', ')}`);
  const compose = load.compose.files;
  const project = load.project!;
  const { reads } = load;
  const projectDir = load.projectDir === '' ? '.' : load.projectDir;
  const inProject = (name: string) => (projectDir === '.' ? name : posix.join(projectDir, name));

  const dotenv = required(load.dotenv);
  const dotenvExample = required(load.dotenvExample);
  if (load.gitignore.problem) throw load.gitignore.problem.error;
  const gitignore = load.gitignore.file;
  const obsConfigFile = required(load.obsConfig);
  const previous = load.obsConfig.value;

  const folders = new FolderReader(reads);
  const stacks = new Map<string, Stack>();
  const profiles = new Map<string, ServiceProfile>();
  for (const service of project.services) {
    if (service.config.buildContext === undefined) continue;
    const profile = profileOf(folders, resolve(root, projectDir, service.config.buildContext), service.config);
    stacks.set(service.name, profile.stack);
    profiles.set(service.name, profile);
  }

  const envFiles = new Map<string, TextFile | null>();
  for (const [path, part] of load.envFiles) envFiles.set(path, required(part) ?? null);

  const collectorConfigs = new Map<string, TextFile | null>();
  for (const path of [previous?.collector?.config, ...COLLECTOR_CONFIG_NAMES.map(inProject)]) {
    if (path === undefined || collectorConfigs.has(path)) continue;
    const read = readProjectFile(root, path, reads, { yaml: true });
    if (read.problem) throw read.problem.error;
    collectorConfigs.set(path, read.file ?? null);
  }

  const git = await gitPending!;
  const envPath = inProject('.env');
  const envIgnored = git.isRepo ? await git.isIgnored(envPath) : gitignoreCoversDotenv(gitignore?.text);
  const envTracked = git.isRepo ? await git.isTracked(envPath) : false;
  if (load.gitpod.problem) throw load.gitpod.problem.error;
  const hints = { gitpod: load.gitpod.file !== undefined, codespaces: load.codespaces };
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
      projectDir: load.projectDir,
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

/** The part's file, or its reading or parsing error thrown. */
function required(part: ParsedPart<unknown>): TextFile | undefined {
  const error = partError(part);
  if (error) throw error;
  return part.read.file;
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
  const dockerfile = config.dockerfile && !isAbsolute(config.dockerfile) ? folders.read(context, config.dockerfile.split('\\').join('/')) : files.get(defaultDockerfileName(folders.list(context)));
  const command = config.command === undefined || config.command === null ? undefined : Array.isArray(config.command) ? config.command.map(String).join(' ') : String(config.command);
  return profileService({
    files,
    ...(dockerfile !== undefined ? { dockerfile } : {}),
    ...(config.buildTarget !== undefined ? { target: config.buildTarget } : {}),
    ...(command !== undefined ? { command } : {}),
  });
}

function baseName(path: string): string {
  return path.split(/[\\/]/).filter(Boolean).pop() ?? 'app';
}

/** compose's project-name normalisation: lowercase, [a-z0-9_-] only, no leading _ or -. */
export function sanitizeProjectName(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9_-]/g, '')
      .replace(/^[_-]+/, '') || 'app'
  );
}
