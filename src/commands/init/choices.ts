import type { HoneycombRegion } from '../../config/obs-config.js';

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

/** CloudWatch Logs accepts only these retention periods (PutRetentionPolicy). */
export const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

export const DEFAULT_RETENTION_DAYS = 14;
