export interface RemoveOptions {
  dir?: string;
  /** Compose files (-f/--file); default: the ones obs.yaml names. */
  file?: string[];
  yes?: boolean;
  dryRun?: boolean;
  json?: boolean;
}
