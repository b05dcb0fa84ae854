/**
 * A backend is one module (src/backends/<id>.ts) that says everything obs knows about it: its
 * flags, its question, how its settings are decided and validated, the environment it wants on
 * each service per stack and pipeline, the .env placeholders, its obs.yaml section, its line in
 * init's summary and its doctor checks. src/backends/index.ts lists them; that list drives the
 * CLI, decide, plan, obs.yaml, the report and the check registry.
 */
import type { HostingHints } from '../aws/xray-url.js';
import type { Check } from '../checks/types.js';
import type { EnvSetting } from '../compose/edit-env.js';
import type { ComposeService } from '../compose/project.js';
import type { ObsConfig } from '../config/obs-config.js';
import type { Stack } from '../stacks/detect.js';

/** What every backend's settings have; each backend adds its own (region, group, ...). */
export interface BackendSettings {
  enabled: boolean;
}

import type { Pipeline } from '../config/types.js';
export type { Pipeline } from '../config/types.js';

/** A flag that sets one of a backend's settings; given while the backend is off, it is a usage error. */
export interface BackendFlag {
  /** As commander takes it: `--honeycomb-region <region>`. */
  flags: string;
  /** The option's key in commander's result: `honeycombRegion`. */
  key: string;
  description: string;
  /** The only values accepted, when there is a closed list. */
  choices?: readonly string[];
}

/** The questions a backend may ask (src/commands/init/prompter.ts implements them on a terminal). */
export interface BackendPrompter {
  confirm(message: string, defaultValue: boolean): Promise<boolean>;
  region(defaultValue: 'us' | 'eu'): Promise<'us' | 'eu'>;
  text(message: string, defaultValue: string, validate: (value: string) => true | string): Promise<string>;
  retention(defaultValue: number, allowed: readonly number[]): Promise<number>;
}

export interface DecideContext {
  /** The flags of `obs init`, by commander key. */
  options: Readonly<Record<string, unknown>>;
  /** obs.yaml as obs wrote it last time. */
  previous?: ObsConfig;
  /** Present only when obs may ask. */
  prompter?: BackendPrompter;
  projectName: string;
  /** At least one chosen service runs on a server (not a browser bundle). */
  serverSide: boolean;
  /** Decided before the backends: what an app can reach depends on it. */
  pipeline: Pipeline;
  /**
   * Directly (no collector), some chosen service can send X-Ray segments: obs writes X-Ray SDK
   * code for it (Flask) or it already sends to a daemon (AWS_XRAY_DAEMON_ADDRESS).
   */
  xraySdkSender: boolean;
}

export interface EnvironmentInput<S extends BackendSettings> {
  service: ComposeService;
  stack: Stack;
  settings: S;
  pipeline: Pipeline;
  hints: HostingHints;
  /** The X-Ray daemon service, when there is or will be one (direct pipeline). */
  daemonService: string | undefined;
}

export interface ConfigInput<S extends BackendSettings> {
  settings: S;
  /** Chosen services that run on a server: the ones that send traces. */
  traced: string[];
  daemonService: string | undefined;
  pipeline: Pipeline;
}

export interface Backend<S extends BackendSettings = BackendSettings> {
  /** Key in obs.yaml and in init's choices, and the name of its on/off flag (`--<id>`, `--no-<id>`). */
  id: string;
  /** As people call it: `CloudWatch Logs`. */
  label: string;
  /** Help texts of `--<id>` and `--no-<id>`. */
  help: { on: string; off: string };
  /** Flags of this backend's settings, in --help order. */
  flags: readonly BackendFlag[];
  /** The yes/no question of `obs init`. */
  question: string;
  /** Without a flag or obs.yaml. */
  enabledByDefault(ctx: DecideContext): boolean;
  /** Checks every flag of this backend that was given, whether or not the backend ends up on. */
  validateFlags(options: Readonly<Record<string, unknown>>): void;
  /** The settings, once on/off is known: flags, then obs.yaml, then defaults, asking for the rest. */
  decide(enabled: boolean, ctx: DecideContext): Promise<S>;
  /** Its part of init's `Backends:` line (only called when enabled). */
  describe(settings: S): string;
  /**
   * Variables this backend wants on one instrumented service. Through the collector, apps only
   * need the collector's address (set once for all backends, see environment.ts): most backends
   * want nothing more there.
   */
  environment(input: EnvironmentInput<S>): EnvSetting[];
  /** `.env.example` placeholders with their one-line comment, for variables its environment references. */
  placeholders: Readonly<Record<string, string>>;
  /** Its obs.yaml section. */
  configSection(input: ConfigInput<S>): object;
  /** The settings an obs.yaml recorded (doctor --fix and re-runs plan from them). */
  settingsFromConfig(config: ObsConfig): S;
  /** Its doctor checks, by where they are listed. */
  checks: { project?: readonly Check[]; secrets?: readonly Check[]; online?: readonly Check[] };
}
