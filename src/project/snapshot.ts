/**
 * What discovery read from disk (src/project/discover.ts), the input of init's planner and of
 * doctor's fixes. Declared here, below both, so neither imports the other to name it.
 */
import type { HostingHints } from '../aws/xray-url.js';
import type { ComposeFile } from '../compose/parse.js';
import type { ObsConfig } from '../config/obs-config.js';
import type { Stack } from '../stacks/detect.js';
import type { ServiceProfile } from '../stacks/service-profile.js';

/** What a service's build context holds that its planner reads (path relative to the context). */
export type ServiceSources = Map<string, string>;

export interface TextFile {
  path: string;
  text: string;
}

/** What discovery read from disk, already parsed where parsing can fail. */
export interface InitSnapshot {
  compose: ComposeFile[];
  /** Directory compose reads `.env` from, relative to where obs runs ('' for the same one). */
  projectDir: string;
  dotenv?: TextFile;
  dotenvExample?: TextFile;
  gitignore?: TextFile;
  obsConfig?: TextFile;
  /** obs.yaml as parsed: what obs wrote last time, so values it owns can follow new choices. */
  previous?: ObsConfig;
  /**
   * Instrumentation inputs: each chosen service's build-context files its stack's planner reads,
   * and the template loader. Absent: obs writes environment settings only (--no-instrument).
   */
  instrumentation?: {
    sources: Map<string, ServiceSources>;
    template: (stack: string) => (name: string) => string;
    /** Per service: files read that are not UTF-8 (paths as in FileChange.path); obs does not edit them. */
    notUtf8?: Map<string, ReadonlySet<string>>;
  };
  /**
   * Collector config files obs may write or rewrite (obs.yaml's collector.config and the default
   * names), as read, or null when missing: a file without obs's marker line is the user's.
   */
  collectorConfigs: Map<string, TextFile | null>;
  /** Each service `env_file` (path relative to where obs runs) as read, or null when missing. */
  envFiles: Map<string, TextFile | null>;
  hints: HostingHints;
  stacks: Map<string, Stack>;
  /**
   * Per service built here: the folder of its build context holding the app (from the
   * Dockerfile's COPY) and whether it serves requests or only builds assets. Absent: the
   * context itself, an app.
   */
  profiles?: Map<string, ServiceProfile>;
  /** `.env` is ignored by git (or by .gitignore outside a repository). */
  envIgnored: boolean;
  /** `.env` is tracked by git: it must stop being tracked before a secret goes into it. */
  envTracked: boolean;
  projectName: string;
}
