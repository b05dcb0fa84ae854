/**
 * What the phases of init's planner (plan.ts, plan-collector.ts, plan-removals.ts) hand each
 * other: the work per service, the findings reported with the plan, where the apps send.
 */
import type { EnvSetting } from '../../compose/edit-env.js';
import type { ComposeService } from '../../compose/project.js';
import type { InitNote } from './notes.js';
import type { CollectorTarget } from './collector.js';

export interface Conflict {
  service: string;
  key: string;
  current: string | null;
  proposed: string;
  /** true when --force replaced it. */
  replaced: boolean;
  reason: string;
  /**
   * The env_file (and line) the current value comes from; --force then sets the value in the
   * service's `environment:`, which wins over it, and leaves the env_file (maybe generated, maybe
   * loaded by other services) alone.
   */
  envFile?: { path: string; line: number };
}

export interface ServiceWork {
  service: ComposeService;
  additions: EnvSetting[];
  replacements: { key: string; value: string }[];
  /** Keys obs wrote earlier, still holding obs's value, that no choice wants now. */
  removals: string[];
}

/** Findings the phases add to as they go: reported with the plan. */
export interface Findings {
  notes: InitNote[];
  conflicts: Conflict[];
  updated: { service: string; key: string }[];
  removed: { service: string; key: string }[];
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
