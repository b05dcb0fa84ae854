import type { HoneycombRegion } from '../config/obs-config.js';

/** Everything `obs init` asks; each answer also has a flag. */
export interface InitChoices {
  services: string[];
  honeycomb: { enabled: boolean; region: HoneycombRegion; dataset?: string };
  xray: { enabled: boolean; group: string };
  cloudwatch: { enabled: boolean; logGroup: string; retentionInDays: number };
  rollbar: { enabled: boolean };
  /** Overwrite values the user set that differ from what obs would write. */
  force: boolean;
}
