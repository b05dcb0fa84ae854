import { displayUrl } from '../secrets/redact.js';
import { UsageError } from '../errors.js';
import type { AttemptTimeouts } from './attempts.js';

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
  /** Per-attempt limits; DEFAULT_TIMEOUTS (attempts.ts) when not given. Tests shorten them. */
  timeouts?: AttemptTimeouts;
  /**
   * Keys taken from the project's .env (the environment had none and no profile was named): given
   * to the SDK explicitly, since it reads only the process environment. Never printed.
   */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Where the credentials come from, for messages, when obs knows it ('.env'). */
  credentialsSource?: string;
}

/** The project's `.env` as read (values with their references expanded), when obs has one. */
export type DotenvValues = ReadonlyMap<string, string | undefined>;

const nonEmpty = (value: string | undefined): value is string => value !== undefined && value.trim() !== '';

/**
 * The environment obs resolves AWS settings from: the process environment, then the project's
 * `.env` for what it lacks — the same place compose takes the keys from for the containers, and
 * where obs init tells users to put them. A region comes from .env only when the environment sets
 * neither AWS_REGION nor AWS_DEFAULT_REGION; keys only as a pair, when the environment has neither
 * key nor an AWS_PROFILE (a profile wins over keys, as in the SDK). obs apply, the xray/logs
 * commands and doctor (offline and online) all resolve through here.
 */
export function awsEnvironment(env: NodeJS.ProcessEnv, dotenv: DotenvValues | undefined): { env: NodeJS.ProcessEnv; fromDotenv: string[] } {
  if (!dotenv) return { env, fromDotenv: [] };
  const merged: NodeJS.ProcessEnv = { ...env };
  const fromDotenv: string[] = [];
  const take = (name: string): void => {
    const value = dotenv.get(name);
    if (nonEmpty(value)) {
      merged[name] = value;
      fromDotenv.push(name);
    }
  };
  if (!nonEmpty(env.AWS_REGION) && !nonEmpty(env.AWS_DEFAULT_REGION)) ['AWS_REGION', 'AWS_DEFAULT_REGION'].forEach(take);
  const envHasCredentials = nonEmpty(env.AWS_ACCESS_KEY_ID) || nonEmpty(env.AWS_SECRET_ACCESS_KEY) || nonEmpty(env.AWS_PROFILE);
  if (!envHasCredentials && nonEmpty(dotenv.get('AWS_ACCESS_KEY_ID')) && nonEmpty(dotenv.get('AWS_SECRET_ACCESS_KEY'))) {
    ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'].forEach(take);
  }
  return { env: merged, fromDotenv };
}

/**
 * Region precedence: --region, AWS_REGION, AWS_DEFAULT_REGION (the AWS CLI reads it, the SDK
 * does not), then the profile. Endpoint: --endpoint-url; the SDK itself honours
 * AWS_ENDPOINT_URL_XRAY, AWS_ENDPOINT_URL_CLOUDWATCH_LOGS and AWS_ENDPOINT_URL.
 */
export function resolveAwsSettings(options: { region?: string; profile?: string; endpointUrl?: string }, processEnv: NodeJS.ProcessEnv, dotenv?: DotenvValues): AwsSettings {
  const { env, fromDotenv } = awsEnvironment(processEnv, dotenv);
  const inDotenv = (name: string): string => (fromDotenv.includes(name) ? `${name} in .env` : name);
  const candidates: [string | undefined, string][] = [
    [options.region, '--region'],
    [env.AWS_REGION, inDotenv('AWS_REGION')],
    [env.AWS_DEFAULT_REGION, inDotenv('AWS_DEFAULT_REGION')],
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
      throw new UsageError(`--endpoint-url must be an http(s) URL, got ${JSON.stringify(displayUrl(options.endpointUrl))}`);
    }
    endpoint = options.endpointUrl;
  }
  const profile = options.profile ?? (env.AWS_PROFILE?.trim() || undefined);
  const profileSource = profile === undefined ? undefined : options.profile !== undefined ? '--profile' : 'AWS_PROFILE';
  // Keys from .env reach the SDK only through its config; a --profile still wins over them.
  const credentials =
    fromDotenv.includes('AWS_ACCESS_KEY_ID') && options.profile === undefined
      ? { accessKeyId: env.AWS_ACCESS_KEY_ID!.trim(), secretAccessKey: env.AWS_SECRET_ACCESS_KEY!.trim(), ...(nonEmpty(env.AWS_SESSION_TOKEN) ? { sessionToken: env.AWS_SESSION_TOKEN.trim() } : {}) }
      : undefined;
  return {
    region,
    profile,
    profileSource,
    endpoint,
    regionSource,
    configuredEndpoints: configuredEndpoints(processEnv),
    ...(credentials ? { credentials, credentialsSource: '.env' } : {}),
  };
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
