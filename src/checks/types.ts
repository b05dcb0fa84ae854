import type { ComposeFile } from '../compose/parse.js';
import type { ComposeProject } from '../compose/project.js';
import type { ObsConfig } from '../config/obs-config.js';
import type { AwsSettings } from '../aws/settings.js';

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

/** One problem a check found, where it is, and how to fix it. Never holds a secret's value. */
export interface Finding {
  file?: string;
  line?: number;
  /** Column on that line, when known (invalid YAML). */
  col?: number;
  message: string;
  /** A command to run or a line to write. */
  fix?: string;
}

export interface CheckResult {
  id: string;
  title: string;
  status: CheckStatus;
  /** One line: what was checked and what was found. */
  detail: string;
  fix?: string;
  findings?: Finding[];
}

export type CheckGroup = 'project' | 'compose' | 'otel' | 'xray' | 'rollbar' | 'collector' | 'secrets' | 'online';

export const GROUP_TITLES: Record<CheckGroup, string> = {
  project: 'Project',
  compose: 'Compose',
  otel: 'OpenTelemetry and Honeycomb',
  xray: 'AWS X-Ray',
  rollbar: 'Rollbar',
  collector: 'OpenTelemetry Collector',
  secrets: 'Keys and secrets',
  online: 'Online',
};

/** A text file as read, for checks that scan content. */
export interface LoadedFile {
  path: string;
  text: string;
}

/**
 * Everything offline checks look at, loaded once. Loading never throws for a broken project:
 * what could not be read is recorded, and the checks report it.
 */
export interface DoctorProject {
  root: string;
  /** Paths of the compose files in use (relative to root). */
  composePaths: string[];
  /** Parsed compose files; empty when one failed to parse (see composeError). */
  compose: ComposeFile[];
  composeError?: { file: string; line?: number; col?: number; message: string };
  /** No compose file found: names in the folder that look like one (`Docker-compose.yml`, `docker-compose.dev.yml`). */
  composeLookalikes?: string[];
  project?: ComposeProject;
  /** Where compose reads `.env` from, relative to root ('' = root). */
  projectDir: string;
  obsConfig?: ObsConfig;
  obsConfigError?: { line?: number; message: string };
  dotenv?: LoadedFile & { values: Map<string, string | undefined>; error?: string };
  dotenvExample?: LoadedFile;
  gitignore?: LoadedFile;
  /** Each collector config file a compose collector service mounts (path relative to root), as read, or null when missing. */
  collectorConfigs: Map<string, LoadedFile | null>;
  /** Each service env_file (path relative to root) as read, or null when missing. */
  envFiles: Map<string, (LoadedFile & { values: Map<string, string | undefined> }) | null>;
  hints: { gitpod: boolean; codespaces: boolean };
  git: { isRepo: boolean; envTracked: boolean; envIgnored: boolean; trackedFiles: string[] };
  /** The environment obs runs in (compose interpolates from it before .env). */
  env: NodeJS.ProcessEnv;
  /** Files left unread because they are not regular files (a FIFO named .env would block): said on stderr. */
  skipped?: string[];
}

export interface DoctorOptions {
  online: boolean;
  sendTestSpan: boolean;
  /** Overrides for testing and for private endpoints. */
  honeycombApiUrl?: string;
  /**
   * Hosts (`host` or `host:port`) --send-test-span may send the configured headers (the key) to
   * although they are not Honeycomb over https: --allow-endpoint, or a yes at the prompt.
   */
  allowedEndpoints?: string[];
  aws: AwsSettings;
  /** Hears what the online checks wait for and each retry, one line each (stderr). */
  progress?: (line: string) => void;
}

export interface Check {
  id: string;
  title: string;
  /** The heading it is listed under; a backend module may bring a group of its own (then with groupTitle). */
  group: CheckGroup | (string & Record<never, never>);
  /** The heading of a group not in GROUP_TITLES. */
  groupTitle?: string;
  /** Online checks run only with --online. */
  online?: boolean;
  run(project: DoctorProject, options: DoctorOptions): CheckResult | Promise<CheckResult>;
}

/** Builds a result from findings: fail (or warn) when there are any, pass otherwise. */
export function resultFrom(check: Pick<Check, 'id' | 'title'>, findings: Finding[], options: { failAs?: 'fail' | 'warn'; pass: string; problem?: (n: number) => string; fix?: string }): CheckResult {
  if (findings.length === 0) return { id: check.id, title: check.title, status: 'pass', detail: options.pass };
  return {
    id: check.id,
    title: check.title,
    status: options.failAs ?? 'fail',
    detail: options.problem ? options.problem(findings.length) : findings[0]!.message,
    fix: options.fix ?? findings[0]!.fix,
    findings,
  };
}

export function skip(check: Pick<Check, 'id' | 'title'>, why: string): CheckResult {
  return { id: check.id, title: check.title, status: 'skip', detail: why };
}
