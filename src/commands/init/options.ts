/** The flags of `obs init` as commander hands them over. */
export interface InitOptions {
  dir: string;
  file?: string[];
  services?: string;
  pipeline?: 'collector' | 'direct';
  honeycomb?: boolean;
  honeycombRegion?: 'us' | 'eu';
  honeycombDataset?: string;
  xray?: boolean;
  xrayGroup?: string;
  cloudwatch?: boolean;
  logGroup?: string;
  retention?: string;
  rollbar?: boolean;
  /** false with --no-instrument: environment settings only, no code or dependencies. */
  instrument?: boolean;
  yes?: boolean;
  dryRun?: boolean;
  force?: boolean;
  json?: boolean;
}
