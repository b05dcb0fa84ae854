/**
 * What the phases of init's planner (plan.ts, plan-collector.ts, plan-removals.ts) hand each
 * other: the work per service, the findings reported with the plan, where the apps send.
 */
import type { EnvSetting } from '../../compose/edit-env.js';
import type { ComposeService } from '../../compose/project.js';
import type { InitNote } from './notes.js';
import type { CollectorTarget } from './collector.js';

/**
 * Why a value the user set differs from obs's, as data: a stable `kind` (which `--json` prints)
 * and the facts its sentence needs; report.ts words it (conflictReason).
 */
export type ConflictKind =
  /** OTEL_SERVICE_NAME names other services too: their traces mix. */
  | { kind: 'service-name-shared'; sharedWith: string[] }
  /** OTEL_SERVICE_NAME is not the compose service name. */
  | { kind: 'service-name-differs' }
  /** A key (or a header holding one) references another variable: a deliberate choice. */
  | { kind: 'references-other-variable' }
  /** An OTLP header that references the key but is not the header obs writes (malformed). */
  | { kind: 'header-malformed' }
  /** An OTLP header that does not reference the key variable at all. */
  | { kind: 'header-without-key'; variable: string }
  | { kind: 'differs' }
  /** Through the collector, an app that sends the Honeycomb key itself (its own header). */
  | { kind: 'key-header-through-collector'; collector: string }
  /** A reused X-Ray daemon whose command never reaches /xray as flags. */
  | { kind: 'daemon-command' };

export type Conflict = ConflictKind & {
  service: string;
  key: string;
  current: string | null;
  proposed: string;
  /** true when --force replaced it. */
  replaced: boolean;
  /**
   * The env_file (and line) the current value comes from; --force then sets the value in the
   * service's `environment:`, which wins over it, and leaves the env_file (maybe generated, maybe
   * loaded by other services) alone.
   */
  envFile?: { path: string; line: number };
};

export interface ServiceWork {
  service: ComposeService;
  additions: EnvSetting[];
  replacements: { key: string; value: string }[];
  /** Keys obs wrote earlier, still holding obs's value, that no choice wants now. */
  removals: string[];
  /** Keys among `replacements` that get back the value obs replaced earlier (obs.yaml's record). */
  restores?: string[];
}

/** Findings the phases add to as they go: reported with the plan. */
export interface Findings {
  notes: InitNote[];
  conflicts: Conflict[];
  updated: { service: string; key: string }[];
  removed: { service: string; key: string }[];
  /** Values obs replaced earlier that no choice wants now: given back (obs.yaml's record). */
  restored: { service: string; key: string }[];
}

/**
 * Phase 0: where the apps send. Direct: the X-Ray daemon, reused or to add. Collector: the
 * collector (obs's, the user's, or new), which replaces a daemon the project runs.
 */
export interface DaemonPlan {
  xrayOn: boolean;
  existingDaemon: ComposeService | undefined;
  daemonName: string | undefined;
  collector?: CollectorTarget;
  /** The collector's URL for browser code, when a chosen browser app sends to it. */
  browserUrl?: string;
  browserPort?: number;
}
