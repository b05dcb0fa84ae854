import { UnexpectedResponse } from './responses.js';
import { displayUrl } from '../secrets/redact.js';
import { ENDPOINT_VARIABLES, type AwsSettings } from './settings.js';

export type AwsService = 'xray' | 'logs';

const SERVICE_NAMES: Record<AwsService, string> = { xray: 'X-Ray', logs: 'CloudWatch Logs' };

interface SdkError {
  name?: string;
  message?: string;
  code?: string;
  errors?: { code?: string }[];
  $metadata?: { httpStatusCode?: number; requestId?: string; attempts?: number };
  cause?: unknown;
}

export interface ExplainedError {
  /** One sentence: what went wrong and what to do. */
  message: string;
  requestId?: string;
  /** true when the user's input was refused (exit 2 material), not a failure to reach AWS. */
  invalidInput: boolean;
}

/**
 * A failure whose message already says what to do, passed on as it is: a change obs itself
 * declines to make (a KMS key, a rule's Version), which must not read as an AWS call failing
 * since none was sent; or a prerequisite from another service (STS) that the handler's own
 * service's wording would misname.
 */
export class RefusedChange extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RefusedChange';
  }
}

/**
 * Where requests for `service` went, as errors show it (`http://... (from AWS_ENDPOINT_URL_XRAY)`),
 * and what set it: --endpoint-url, the SDK's variable, or nothing (the AWS endpoint itself).
 */
export function endpointOf(settings: AwsSettings, service: AwsService): { where: string; source?: string } {
  if (settings.endpoint) return { where: displayUrl(settings.endpoint), source: '--endpoint-url' };
  const configured = settings.configuredEndpoints?.[service];
  if (configured) return { where: `${displayUrl(configured.url)} (from ${configured.variable})`, source: configured.variable };
  return { where: `the ${SERVICE_NAMES[service]} endpoint${settings.region ? ` in ${settings.region}` : ''}` };
}

/**
 * Turns whatever the AWS SDK threw into a sentence with a fix. `operation` is the API name
 * (CreateGroup), from which the missing IAM action is named.
 */
export function explainAwsError(err: unknown, service: AwsService, operation: string, settings: AwsSettings): ExplainedError {
  const e = (err ?? {}) as SdkError;
  const name = e.name ?? '';
  const message = (e.message ?? String(err)).split('\n')[0]!;
  const requestId = e.$metadata?.requestId;
  const { where, source } = endpointOf(settings, service);
  const networkCode = e.code ?? e.errors?.[0]?.code ?? (e.cause as SdkError | undefined)?.code;
  const out = (text: string, invalidInput = false): ExplainedError => ({ message: text, requestId, invalidInput });

  if (err instanceof RefusedChange) return out(err.message);
  if (err instanceof UnexpectedResponse) {
    const check = source === undefined ? 'check the network (a proxy may be answering in its place)' : `check ${source}`;
    return out(
      `${where} answered ${err.operation} with HTTP ${err.httpStatus ?? '2xx'} but without ${err.missing}, which the ${SERVICE_NAMES[service]} API always returns: it is not the ${SERVICE_NAMES[service]} API, so obs does not trust the answer; ${check}`,
    );
  }
  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(message)) {
    return out('no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or choose a profile with --profile or AWS_PROFILE (aws configure creates one)');
  }
  if (/Region is missing/i.test(message)) {
    return out('no AWS region: pass --region or set AWS_REGION (AWS_DEFAULT_REGION works too)');
  }
  if (/^(AccessDenied|AccessDeniedException|UnauthorizedOperation|UnauthorizedException)$/.test(name) || (e.$metadata?.httpStatusCode === 403 && !/Signature|Token|ClientException/.test(name))) {
    return out(`access denied: the credentials may not call ${service}:${operation}; add that action to their IAM policy (${message})`);
  }
  if (/^(UnrecognizedClientException|InvalidClientTokenId|InvalidSignatureException|SignatureDoesNotMatch|ExpiredToken|ExpiredTokenException|MissingAuthenticationTokenException)$/.test(name)) {
    return out(`AWS refused the credentials (${name}): check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or refresh the session token`);
  }
  if (/^(ThrottledException|ThrottlingException|TooManyRequestsException|RequestLimitExceeded)$/.test(name) || e.$metadata?.httpStatusCode === 429) {
    const attempts = e.$metadata?.attempts;
    return out(`AWS throttled ${operation}${attempts ? ` even after ${attempts} attempts (the SDK retries with backoff)` : ''}; wait a minute and run again, or raise AWS_MAX_ATTEMPTS`);
  }
  if (networkCode && /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ECONNRESET|EPIPE)$/.test(networkCode)) {
    return out(`cannot reach ${where} (${networkCode}); check --endpoint-url, ${ENDPOINT_VARIABLES[service]}, AWS_ENDPOINT_URL and the network`);
  }
  if (/^(TimeoutError|RequestTimeout|RequestTimeoutException)$/.test(name) || networkCode === 'ETIMEDOUT' || /timed? ?out/i.test(message)) {
    return out(`${operation} to ${where} timed out; check the network or try again`);
  }
  if (name === 'SyntaxError' && e.$metadata?.httpStatusCode !== undefined) {
    const check =
      source === undefined
        ? 'check the network (a proxy may be answering in its place)'
        : source === 'AWS_ENDPOINT_URL'
          ? `check AWS_ENDPOINT_URL, or set ${ENDPOINT_VARIABLES[service]} to send ${SERVICE_NAMES[service]} elsewhere`
          : `check ${source}`;
    return out(`${where} answered HTTP ${e.$metadata.httpStatusCode} with something that is not the ${SERVICE_NAMES[service]} API; ${check}`);
  }
  if (/^(InvalidRequestException|InvalidParameterException|ValidationException)$/.test(name)) {
    return out(`${SERVICE_NAMES[service]} refused the request: ${message}`, true);
  }
  if ((e as { $fault?: string }).$fault === 'server' || (e.$metadata?.httpStatusCode ?? 0) >= 500) {
    // The SDK already retried these; the service is having trouble, not the request.
    const attempts = e.$metadata?.attempts;
    const status = e.$metadata?.httpStatusCode;
    return out(
      `${where} had an internal error (${name || 'no error name'}${status ? `, HTTP ${status}` : ''}) on ${operation}${attempts && attempts > 1 ? ` even after ${attempts} attempts` : ''}; try again in a minute (the AWS Health Dashboard shows outages)`,
    );
  }
  if (name === 'RuleLimitExceededException') {
    return out('the account has reached its quota of X-Ray sampling rules; delete unused rules or ask AWS for a higher quota');
  }
  if (name === 'LimitExceededException') {
    return out(`${SERVICE_NAMES[service]} quota reached (${message}); delete unused resources or raise the quota in Service Quotas`);
  }
  return out(`${operation} failed: ${name ? `${name}: ` : ''}${message}`);
}
