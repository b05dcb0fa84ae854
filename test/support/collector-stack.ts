/**
 * The collector obs writes in collector mode, run by the real collector binary with every
 * backend chosen, and its exporters pointed at the stand-ins only through the variables obs
 * documents (HONEYCOMB_OTLP_ENDPOINT, XRAY_OTLP_ENDPOINT, CLOUDWATCH_LOGS_OTLP_ENDPOINT,
 * AWS_ENDPOINT_URL_XRAY). The Honeycomb key and the AWS credentials are given to the collector
 * alone: apps get only appEnvironment().
 */
import { renderCollectorConfig } from '../../src/collector/config.js';
import { startCloudWatchLogsOtlpServer, startXrayOtlpServer, testAwsEnv, type AwsOtlpServer } from './aws-otlp-servers.js';
import { startCollector, writeCollectorConfig, type RunningCollector } from './collector.js';
import { startHoneycombServer, type HoneycombServer } from './honeycomb-server.js';
import { scratchDir } from './run-obs.js';
import { startXrayServer, type XrayServer } from './xray-server.js';

export const STACK_REGION = 'eu-central-1';
export const STACK_HONEYCOMB_KEY = 'hcaik_01jcollectore2etestkey00000000000000000000000000000000';
export const STACK_LOG_GROUP = '/cruddur/backend-flask';
export const STACK_LOG_STREAM = 'collector';
/** The user-agent of the test collector's exporters (its description in test/support/otelcol/main.go): what reached a stand-in came through the collector. */
export const COLLECTOR_USER_AGENT = /^OpenTelemetry Collector with the components obs writes \(tests only\)\/0\.\d+\.\d+ /;

export interface CollectorStack {
  honeycomb: HoneycombServer;
  xray: AwsOtlpServer;
  logs: AwsOtlpServer;
  xrayApi: XrayServer;
  collector: RunningCollector;
  /** The collector's OTLP/HTTP base URL (what obs writes as http://<collector>:4318). */
  url: string;
  /** The config file as obs renders it. */
  config: string;
  close(): Promise<void>;
}

export async function startCollectorStack(options: { xraySdkReceiver: boolean; browserOrigins: string[] }): Promise<CollectorStack> {
  const [honeycomb, xray, logs, xrayApi] = await Promise.all([
    startHoneycombServer({ keys: { [STACK_HONEYCOMB_KEY]: { team: 'Obs Test', environment: 'test' } } }),
    startXrayOtlpServer({ region: STACK_REGION }),
    startCloudWatchLogsOtlpServer({ region: STACK_REGION }),
    startXrayServer(),
  ]);
  const config = renderCollectorConfig({
    honeycomb: { region: 'us' },
    xray: {},
    cloudwatchLogs: { logGroup: STACK_LOG_GROUP, logStream: STACK_LOG_STREAM },
    xraySdkReceiver: options.xraySdkReceiver,
    browserOrigins: options.browserOrigins,
    debug: false,
  });
  const closeServers = () => Promise.all([honeycomb.close(), xray.close(), logs.close(), xrayApi.close()]);
  let collector: RunningCollector;
  try {
    collector = await startCollector({
      config: writeCollectorConfig(await scratchDir('obs-collector-e2e-'), config),
      env: {
        ...testAwsEnv(STACK_REGION),
        HONEYCOMB_API_KEY: STACK_HONEYCOMB_KEY,
        HONEYCOMB_OTLP_ENDPOINT: honeycomb.url,
        XRAY_OTLP_ENDPOINT: `${xray.url}/v1/traces`,
        CLOUDWATCH_LOGS_OTLP_ENDPOINT: `${logs.url}/v1/logs`,
        AWS_ENDPOINT_URL_XRAY: xrayApi.url,
      },
    });
  } catch (err) {
    await closeServers();
    throw err;
  }
  return {
    honeycomb,
    xray,
    logs,
    xrayApi,
    collector,
    url: collector.otlpHttpUrl!,
    config,
    async close() {
      await collector.stop();
      await closeServers();
    },
  };
}

/**
 * What an app gets in collector mode: its name and the collector's URL. No Honeycomb key,
 * no OTLP headers, no AWS credentials or region. PATH and HOME so interpreters start.
 */
export function appEnvironment(stack: CollectorStack, service: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    OTEL_SERVICE_NAME: service,
    OTEL_EXPORTER_OTLP_ENDPOINT: stack.url,
    ...extra,
  };
}

/** Variables that would let an app reach a backend itself: none may be in an app's environment. */
export function backendSecretsIn(env: Record<string, string>): string[] {
  return Object.keys(env).filter((k) => /^HONEYCOMB_|^OTEL_EXPORTER_OTLP_(?:\w+_)?HEADERS$|^AWS_(?:ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN|PROFILE|REGION|DEFAULT_REGION)$/.test(k));
}
