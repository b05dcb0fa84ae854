/**
 * Stand-ins for the CloudWatch OTLP endpoints a collector exports to, on 127.0.0.1 (random port):
 *
 * - X-Ray: `POST /v1/traces`, as `https://xray.<region>.amazonaws.com/v1/traces`.
 * - CloudWatch Logs: `POST /v1/logs`, as `https://logs.<region>.amazonaws.com/v1/logs`; it also
 *   wants the `x-aws-log-group` and `x-aws-log-stream` headers (400 without them, as AWS answers).
 *
 * Both accept a request only when its SigV4 signature, recomputed from the request with the test
 * credentials (sigv4-verify.ts), is valid for their service (`xray` / `logs`) and region; others
 * are answered 403 and recorded with the reason. Every request's check is kept in `request.auth`
 * and on each span or log record (`auth`), so tests assert on the signature itself.
 * Built on otlp-receiver.ts, which decodes the OTLP bodies (protobuf or JSON, gzip or not).
 */
import { headerOf } from './http-request.js';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedRequest } from './otlp-receiver.js';
import { verifySigV4, type AwsTestCredentials, type SigV4Result } from './sigv4-verify.js';

/** Fixed test credentials: give them to the collector as AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY. */
export const TEST_AWS_CREDENTIALS: AwsTestCredentials = {
  accessKeyId: 'AKIAOBSTESTCOLLECTOR1',
  secretAccessKey: 'obsTestSecret/For+The+Collector0000000000',
};

export interface AwsOtlpServerOptions {
  /** The region the signature must name. */
  region: string;
  credentials?: AwsTestCredentials;
}

export interface AwsOtlpServer extends OtlpReceiver {
  service: 'xray' | 'logs';
  region: string;
  /** The SigV4 check of every request, in order. */
  signatures(): SigV4Result[];
}

async function startAwsOtlpServer(service: 'xray' | 'logs', path: string, options: AwsOtlpServerOptions, extra?: (request: ReceivedRequest) => string | undefined): Promise<AwsOtlpServer> {
  const credentials = options.credentials ?? TEST_AWS_CREDENTIALS;
  const receiver = await startOtlpReceiver({
    paths: [path],
    async authorize(request) {
      const auth = await verifySigV4({ method: request.method, url: request.url, headers: request.headers, body: request.rawBody }, { credentials, service, region: options.region });
      if (!auth.valid) return { auth, refuse: { status: 403, message: `The request signature we calculated does not match the signature you provided (${auth.reason})` } };
      const problem = extra?.(request);
      return problem ? { auth, refuse: { status: 400, message: problem } } : { auth };
    },
  });
  return {
    ...receiver,
    service,
    region: options.region,
    signatures: () => receiver.requests.map((r) => r.auth as SigV4Result).filter(Boolean),
  };
}

/** The X-Ray OTLP traces endpoint. */
export function startXrayOtlpServer(options: AwsOtlpServerOptions): Promise<AwsOtlpServer> {
  return startAwsOtlpServer('xray', '/v1/traces', options);
}

/** The CloudWatch Logs OTLP logs endpoint. */
export function startCloudWatchLogsOtlpServer(options: AwsOtlpServerOptions): Promise<AwsOtlpServer> {
  return startAwsOtlpServer('logs', '/v1/logs', options, (request) => {
    const missing = ['x-aws-log-group', 'x-aws-log-stream'].filter((name) => !headerOf(request.headers, name)?.trim());
    return missing.length ? `missing required header(s): ${missing.join(', ')}` : undefined;
  });
}

/**
 * The environment a collector needs for its sigv4auth extensions: the test credentials and the
 * region. `otelcol validate` needs it too (sigv4auth fetches credentials when it validates).
 */
export function testAwsEnv(region: string, credentials: AwsTestCredentials = TEST_AWS_CREDENTIALS): Record<string, string> {
  return { AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey, AWS_REGION: region };
}
