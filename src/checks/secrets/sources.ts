import { posix } from 'node:path';
import { dotenvBystanders, projectLookup } from '../project/lib/env.js';
import { referencesIn } from '../../compose/interpolation.js';
import type { CheckResult, DoctorProject } from '../types.js';

/** Where a variable's value was found. `where` is shown to users; the value never is. */
export interface FoundValue {
  name: string;
  value: string;
  /** 'the environment', '.env', 'backend-flask.env' */
  where: string;
  from: 'env' | 'dotenv' | 'env_file' | 'compose';
}

/** The path of the `.env` compose reads, relative to root. */
export function dotenvPath(project: DoctorProject): string {
  return project.dotenv?.path ?? (project.projectDir ? posix.join(project.projectDir, '.env') : '.env');
}

function fromEnv(project: DoctorProject, name: string): FoundValue | undefined {
  const value = project.env[name];
  return value === undefined ? undefined : { name, value, where: 'the environment', from: 'env' };
}

function fromDotenv(project: DoctorProject, name: string): FoundValue | undefined {
  const value = project.dotenv?.values.get(name);
  return value === undefined ? undefined : { name, value, where: dotenvPath(project), from: 'dotenv' };
}

/**
 * A variable as compose would interpolate it: the environment obs runs in wins over `.env`
 * (even when set empty). A `.env` value's own `${...}` are expanded the way compose does
 * (the same lookup as the compose checks, checks/project/lib/env.ts); the environment's values
 * are taken as they are. With `envFiles`, a service env_file that sets it counts too.
 */
export function findValue(project: DoctorProject, name: string, options: { envFiles?: boolean } = {}): FoundValue | undefined {
  const direct = fromEnv(project, name) ?? fromDotenv(project, name);
  if (direct) return direct.from === 'dotenv' ? expanded(project, direct) : direct;
  if (options.envFiles) {
    for (const [path, file] of project.envFiles) {
      const value = file?.values.get(name);
      if (value !== undefined) return { name, value, where: path, from: 'env_file' };
    }
  }
  return undefined;
}

/** A `.env` value with its references filled in; `where` names the variables it came through. */
function expanded(project: DoctorProject, found: FoundValue): FoundValue {
  const names = [...new Set(referencesIn(found.value).map((ref) => ref.name))].filter((n) => n !== found.name);
  if (names.length === 0) return found;
  return { ...found, value: projectLookup(project)(found.name) ?? '', where: `${found.where} (via ${names.join(', ')})` };
}

/** Compose text with YAML comments removed (a `#` at the start or after a blank). */
export function composeTextWithoutComments(project: DoctorProject): string {
  return project.compose
    .map((file) =>
      file.text
        .split(/\r?\n/)
        .map((line) => line.replace(/(^|\s)#.*$/, ''))
        .join('\n'),
    )
    .join('\n');
}

/** Does a compose file (outside comments) or a service env_file name `name`? */
export function composeMentions(project: DoctorProject, name: string | RegExp): boolean {
  const pattern = typeof name === 'string' ? new RegExp(`(?<![A-Za-z0-9_])${name}(?![A-Za-z0-9_])`) : name;
  if (pattern.test(composeTextWithoutComments(project))) return true;
  for (const file of project.envFiles.values()) {
    if (file && [...file.values.keys()].some((key) => pattern.test(key))) return true;
  }
  return false;
}

/** How to set variables (appending to `.env`; `gp env` first on Gitpod), with `...` for every value. */
export function setVariableFix(project: DoctorProject, names: string[]): string {
  const path = dotenvPath(project);
  // A `.env` that services not using these variables load through env_file would hand them the value too.
  const others = dotenvBystanders(project, names);
  if (others.length > 0) {
    const shell = `${names.map((n) => `export ${n}='...'`).join(' && ')} in the shell that runs docker compose (not in ${path}: ${others.join(', ')} ${others.length === 1 ? 'loads' : 'load'} it through env_file)`;
    return project.hints.gitpod ? `gp env ${names.map((n) => `${n}=...`).join(' ')} (kept for new workspaces; eval "$(gp env -e)" loads it in this one), or ${shell}` : shell;
  }
  const echo = names.map((n) => `echo '${n}=...' >> ${path}`).join(' && ');
  if (project.hints.gitpod) return `gp env ${names.map((n) => `${n}=...`).join(' ')} (kept for new workspaces; eval "$(gp env -e)" loads it in this one), or ${echo}`;
  return echo;
}

/** A result without findings; `fix` only when given. */
export function resultOf(meta: { id: string; title: string }, status: CheckResult['status'], detail: string, fix?: string): CheckResult {
  return { id: meta.id, title: meta.title, status, detail, ...(fix ? { fix } : {}) };
}

/** A value a compose service sets literally (`KEY: value`, not `${KEY}`), and in which file. */
export function composeLiteral(project: DoctorProject, name: string): FoundValue | undefined {
  for (const service of project.project?.services ?? []) {
    const value = service.config.environment.get(name);
    if (value === null || value === undefined || value.includes('$')) continue;
    const file = service.definitions[service.definitions.length - 1]?.file.path ?? 'compose';
    return { name, value, where: `${file}, service ${service.name}`, from: 'compose' };
  }
  return undefined;
}

/** `KEY is not set …`, saying so when `.env` exists but could not be parsed (its error text may quote a value). */
export function notSetDetail(project: DoctorProject, name: string): string {
  const broken = project.dotenv?.error ? ` (${dotenvPath(project)} could not be parsed: fix it first)` : '';
  return `${name} is not set in the environment or in .env${broken}`;
}
