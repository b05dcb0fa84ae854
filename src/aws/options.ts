/** Flags every AWS command takes, like the AWS CLI's. */
export interface AwsOptions {
  region?: string;
  profile?: string;
  endpointUrl?: string;
  json?: boolean;
  dryRun?: boolean;
  /** false with --no-update: report drift (exit 1) instead of changing a resource. */
  update?: boolean;
  verbose?: boolean;
}
