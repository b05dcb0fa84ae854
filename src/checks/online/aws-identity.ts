import { DEFAULT_TIMEOUTS, patientClient } from '../../aws/attempts.js';
import { requestHandlerOptions } from '../../aws/clients.js';
import { checkResponses, UnexpectedResponse } from '../../aws/responses.js';
import { loadStsSdk } from '../../aws/sdk.js';
import type { AwsSettings } from '../../aws/settings.js';
import type { Check, CheckResult } from '../types.js';
import { displayUrl } from './honeycomb.js';

const META = { id: 'aws-identity', title: 'AWS credentials work (STS GetCallerIdentity)' };

/**
 * Asks STS who the credentials belong to: the account and ARN, never the keys. obs's AwsClients
 * has no STS client, so this builds one with the same settings (region, profile, endpoint,
 * timeouts). STS answers for any valid credentials: no IAM permission is needed.
 */
export const awsIdentity: Check = {
  ...META,
  group: 'online',
  online: true,
  async run(project, options): Promise<CheckResult> {
    const settings = options.aws;
    // As in src/aws/clients.ts: obs pins an SDK that runs on Node 20; the user's own setting wins.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    const { STSClient, GetCallerIdentityCommand } = await loadStsSdk();
    const endpointShown = settings.endpoint ?? configuredEndpoint(project.env) ?? `the STS endpoint${settings.region ? ` in ${settings.region}` : ''}`;
    const sts = new STSClient({
      ...(settings.region ? { region: settings.region } : {}),
      ...(settings.profile ? { profile: settings.profile } : {}),
      ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
      ...(settings.credentials ? { credentials: settings.credentials } : {}),
      requestHandler: requestHandlerOptions(settings.timeouts),
    });
    const client = checkResponses(patientClient(sts, settings.timeouts ?? DEFAULT_TIMEOUTS, endpointShown, options.progress), 'sts');
    try {
      const out = await client.send(new GetCallerIdentityCommand({}));
      return { ...META, status: 'pass', detail: `account ${out.Account}, ${out.Arn} (${where(settings, project.env)})` };
    } catch (err) {
      const explained = explainStsError(err, settings, configuredEndpoint(project.env));
      return { ...META, status: 'fail', detail: explained.message, fix: explained.fix };
    } finally {
      client.destroy();
    }
  },
};

function where(settings: AwsSettings, env: NodeJS.ProcessEnv): string {
  const region = settings.region ? `region ${settings.region} from ${settings.regionSource}` : 'region from the AWS profile';
  const fromEnv = configuredEndpoint(env);
  const endpoint = settings.endpoint ? `, endpoint ${displayUrl(settings.endpoint)}` : fromEnv ? `, endpoint ${fromEnv}` : '';
  const credentials = settings.credentialsSource ? `, credentials from ${settings.credentialsSource}` : '';
  return `${region}${settings.profile ? `, profile ${settings.profile}` : ''}${credentials}${endpoint}`;
}

/**
 * `http://127.0.0.1:5000 from AWS_ENDPOINT_URL_STS`: the SDK reads these itself when --endpoint-url
 * is not given; saying so keeps a local fake from passing unnoticed.
 */
function configuredEndpoint(env: NodeJS.ProcessEnv): string | undefined {
  if (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?.toLowerCase() === 'true') return undefined;
  const variable = ['AWS_ENDPOINT_URL_STS', 'AWS_ENDPOINT_URL'].find((v) => env[v]?.trim());
  return variable ? `${displayUrl(env[variable]!.trim())} from ${variable}` : undefined;
}

interface SdkError {
  name?: string;
  message?: string;
  code?: string;
  errors?: { code?: string }[];
  cause?: { code?: string };
  $metadata?: { httpStatusCode?: number; requestId?: string };
}

/**
 * explainAwsError (src/aws/errors.ts) speaks of X-Ray and CloudWatch Logs; STS needs its own
 * sentences. Each names what went wrong and what to do, never a credential's value.
 */
export function explainStsError(err: unknown, settings: AwsSettings, envEndpoint?: string): { message: string; fix?: string } {
  const e = (err ?? {}) as SdkError;
  const name = e.name ?? '';
  const message = (e.message ?? String(err)).split('\n')[0]!;
  const networkCode = e.code ?? e.errors?.[0]?.code ?? e.cause?.code;
  const endpoint = (settings.endpoint && displayUrl(settings.endpoint)) ?? envEndpoint ?? `the STS endpoint${settings.region ? ` in ${settings.region}` : ''}`;
  const requestId = e.$metadata?.requestId ? ` (request id ${e.$metadata.requestId})` : '';
  if (err instanceof UnexpectedResponse) {
    return {
      message: `${endpoint} answered GetCallerIdentity with HTTP ${err.httpStatus ?? '2xx'} but without ${err.missing}, which STS always returns: it is not the STS API, so obs does not trust the answer`,
      fix: 'check --endpoint-url, AWS_ENDPOINT_URL_STS and AWS_ENDPOINT_URL',
    };
  }
  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(message)) {
    return {
      message: 'no AWS credentials found',
      fix: 'set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or choose a profile with --profile or AWS_PROFILE (aws configure creates one)',
    };
  }
  if (/Region is missing/i.test(message)) return { message: 'no AWS region', fix: 'pass --region or set AWS_REGION (AWS_DEFAULT_REGION works too)' };
  if (/^(InvalidClientTokenId|SignatureDoesNotMatch|ExpiredToken|ExpiredTokenException|UnrecognizedClientException|InvalidSignatureException|MissingAuthenticationToken)$/.test(name)) {
    return {
      message: `AWS refused the credentials (${name})${requestId}`,
      fix: name.startsWith('Expired') ? 'refresh the session (aws sso login, or new temporary credentials)' : "check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or the profile's keys)",
    };
  }
  if (/^(AccessDenied|AccessDeniedException)$/.test(name) || e.$metadata?.httpStatusCode === 403) {
    return {
      message: `STS denied GetCallerIdentity (${name || 'HTTP 403'}: ${message})${requestId}`,
      fix: 'a service control policy or a region that is not enabled may block STS; check with your AWS administrator',
    };
  }
  if (networkCode && /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ECONNRESET|EPIPE)$/.test(networkCode)) {
    return { message: `cannot reach ${endpoint} (${networkCode})`, fix: 'check --endpoint-url, AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL and the network' };
  }
  if (/^(TimeoutError|RequestTimeout|RequestTimeoutException)$/.test(name) || networkCode === 'ETIMEDOUT' || /timed? ?out/i.test(message)) {
    return { message: `GetCallerIdentity to ${endpoint} timed out`, fix: 'check the network or try again' };
  }
  // STS answers XML: a body the SDK cannot parse (JSON `{}`, an HTML page) is not STS talking.
  if ((name === 'SyntaxError' && e.$metadata?.httpStatusCode !== undefined) || /XML parse error/i.test(message)) {
    const status = e.$metadata?.httpStatusCode;
    return { message: `${endpoint} answered${status ? ` HTTP ${status}` : ''} with something that is not the STS API`, fix: 'check --endpoint-url, AWS_ENDPOINT_URL_STS and AWS_ENDPOINT_URL' };
  }
  return { message: `GetCallerIdentity failed: ${name ? `${name}: ` : ''}${message}${requestId}` };
}
