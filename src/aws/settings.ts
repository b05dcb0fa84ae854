import { UsageError } from '../errors.js';

export interface AwsSettings {
  /** undefined: left to the SDK, which reads it from the profile in ~/.aws/config. */
  region?: string;
  profile?: string;
  endpoint?: string;
  /** Where the region came from, for messages. */
  regionSource: string;
  /** Per-attempt limits; defaults in clients.ts. Tests shorten them. */
  timeouts?: { connectMs: number; requestMs: number };
}

/**
 * Region precedence: --region, AWS_REGION, AWS_DEFAULT_REGION (the AWS CLI reads it, the SDK
 * does not), then the profile. Endpoint: --endpoint-url; the SDK itself honours
 * AWS_ENDPOINT_URL_XRAY, AWS_ENDPOINT_URL_CLOUDWATCH_LOGS and AWS_ENDPOINT_URL.
 */
export function resolveAwsSettings(options: { region?: string; profile?: string; endpointUrl?: string }, env: NodeJS.ProcessEnv): AwsSettings {
  const candidates: [string | undefined, string][] = [
    [options.region, '--region'],
    [env.AWS_REGION, 'AWS_REGION'],
    [env.AWS_DEFAULT_REGION, 'AWS_DEFAULT_REGION'],
  ];
  let region: string | undefined;
  let regionSource = 'the AWS profile';
  for (const [value, source] of candidates) {
    if (value === undefined || value.trim() === '') continue;
    region = value.trim();
    regionSource = source;
    break;
  }
  if (region !== undefined && !/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(region)) {
    throw new UsageError(`${regionSource} is not a valid AWS region name: ${JSON.stringify(region)}`, { hint: 'use a region such as us-east-1' });
  }
  let endpoint: string | undefined;
  if (options.endpointUrl !== undefined) {
    try {
      const url = new URL(options.endpointUrl);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('scheme');
    } catch {
      throw new UsageError(`--endpoint-url must be an http(s) URL, got ${JSON.stringify(options.endpointUrl)}`);
    }
    endpoint = options.endpointUrl;
  }
  const profile = options.profile ?? (env.AWS_PROFILE?.trim() || undefined);
  return { region, profile, endpoint, regionSource };
}
