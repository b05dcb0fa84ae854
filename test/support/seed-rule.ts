/**
 * The sampling rule of the seeds' xray.json (the Cruddur write-up's `aws xray
 * create-sampling-rule --cli-input-json file://xray.json`), in the API's field names.
 */
export const SEED_SAMPLING_RULE = {
  RuleName: 'Cruddur',
  ResourceARN: '*',
  Priority: 9000,
  FixedRate: 0.1,
  ReservoirSize: 5,
  ServiceName: 'backend-flask',
  ServiceType: '*',
  Host: '*',
  HTTPMethod: '*',
  URLPath: '*',
  Version: 1,
} as const;
