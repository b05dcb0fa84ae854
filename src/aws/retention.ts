/** CloudWatch Logs accepts only these retention periods (PutRetentionPolicy). */
export const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/** What `obs init` records in obs.yaml when nobody chose a retention. */
export const DEFAULT_RETENTION_DAYS = 14;
