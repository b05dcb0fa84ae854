import { UsageError } from '../errors.js';

export interface AwsSettings {
  /** undefined: left to the SDK, which reads it from the profile in ~/.aws/config. */
  region?: string;
  profile?: string;
  /** Where the profile name came from, for messages: `--profile` or `AWS_PROFILE`. */
  profileSource?: '--profile' | 'AWS_PROFILE';
  endpoint?: string;
  /** Where the region came from, for messages. */
  regionSource: string;
  /**
   * The endpoint the SDK takes from the environment when --endpoint-url is not given, and the
   * variable it came from, so errors name where obs really went and what to change.
   */
  configuredEndpoints?: Partial<Record<'xray' | 'logs', ConfiguredEndpoint>>;
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
  const profileSource = profile === undefined ? undefined : options.profile !== undefined ? '--profile' : 'AWS_PROFILE';
  return { region, profile, profileSource, endpoint, regionSource, configuredEndpoints: configuredEndpoints(env) };
}

/** The service variables the SDK reads (AWS_ENDPOINT_URL_<SERVICE ID>), then AWS_ENDPOINT_URL. */
export const ENDPOINT_VARIABLES = { xray: 'AWS_ENDPOINT_URL_XRAY', logs: 'AWS_ENDPOINT_URL_CLOUDWATCH_LOGS' } as const;

export interface ConfiguredEndpoint {
  url: string;
  /** AWS_ENDPOINT_URL_XRAY, AWS_ENDPOINT_URL_CLOUDWATCH_LOGS or AWS_ENDPOINT_URL. */
  variable: string;
}

function configuredEndpoints(env: NodeJS.ProcessEnv): Partial<Record<'xray' | 'logs', ConfiguredEndpoint>> {
  if (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?.trim().toLowerCase() === 'true') return {};
  const out: Partial<Record<'xray' | 'logs', ConfiguredEndpoint>> = {};
  for (const service of ['xray', 'logs'] as const) {
    const variable = [ENDPOINT_VARIABLES[service], 'AWS_ENDPOINT_URL'].find((v) => env[v]?.trim());
    if (variable) out[service] = { url: env[variable]!.trim(), variable };
  }
  return out;
}
