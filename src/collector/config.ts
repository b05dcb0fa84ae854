import { Document } from 'yaml';
import { HONEYCOMB_ENDPOINTS, type HoneycombRegion } from '../config/obs-config.js';
import { validateLogGroup } from '../aws/log-group.js';
import { validateLogStream } from '../aws/log-stream.js';
import { UsageError } from '../errors.js';
import { MANAGED_MARKER } from '../instrument/template.js';
import { COLLECTOR_PORTS } from './image.js';

/** What the collector config is rendered from: the backends chosen and what the project needs. */
export interface CollectorChoices {
  /** dataset: only for classic keys (E&S keys take the dataset from service.name). */
  honeycomb?: { region: HoneycombRegion; dataset?: string; logs?: boolean };
  /** region undefined: the collector's AWS_REGION. */
  xray?: { region?: string };
  /** The group and stream must exist (obs apply creates them); the OTLP logs endpoint does not create them. */
  cloudwatchLogs?: { region?: string; logGroup: string; logStream: string };
  /**
   * An app still sends X-Ray SDK segments (UDP 2000) and asks for sampling rules (TCP 2000):
   * the awsxray receiver takes the daemon's place so it keeps working unchanged.
   */
  xraySdkReceiver: boolean;
  /** Origins of the pages whose browser code sends to the collector (see corsOrigins); none: CORS off. */
  browserOrigins: string[];
  /** Adds the debug exporter (every span and log printed in the collector's output) to every pipeline. */
  debug: boolean;
}

/**
 * The variables that redirect an exporter without editing the file (tests, proxies, private
 * endpoints). Each defaults to the real endpoint. Honeycomb's is a base URL (the exporter adds
 * /v1/traces and /v1/logs); the AWS ones are the full signal URLs AWS documents.
 */
export const ENDPOINT_VARIABLES = {
  honeycomb: 'HONEYCOMB_OTLP_ENDPOINT',
  xray: 'XRAY_OTLP_ENDPOINT',
  cloudwatchLogs: 'CLOUDWATCH_LOGS_OTLP_ENDPOINT',
  /** The awsxray receiver's sampling proxy: the AWS SDKs' own variable for the X-Ray API. */
  xraySampling: 'AWS_ENDPOINT_URL_XRAY',
} as const;

export const HONEYCOMB_KEY_VARIABLE = 'HONEYCOMB_API_KEY';
export const REGION_VARIABLE = 'AWS_REGION';

/** Component ids, so pipelines and their definitions cannot disagree. */
const ID = {
  otlp: 'otlp',
  awsxray: 'awsxray',
  memoryLimiter: 'memory_limiter',
  batch: 'batch',
  honeycomb: 'otlphttp/honeycomb',
  xray: 'otlphttp/xray',
  cloudwatchLogs: 'otlphttp/cloudwatch-logs',
  debug: 'debug',
  health: 'health_check',
  sigv4Xray: 'sigv4auth/xray',
  sigv4Logs: 'sigv4auth/logs',
} as const;

const env = (name: string, fallback?: string): string => (fallback === undefined ? `\${env:${name}}` : `\${env:${name}:-${fallback}}`);

/**
 * A literal region, or the collector's AWS_REGION. The sigv4auth extension takes any string
 * (the collector expands ${env:...} before the extension sees it); left empty, it guesses the
 * region from the endpoint's host, which a local stand-in's host does not carry: obs always sets it.
 */
const regionOf = (region: string | undefined): string => region ?? env(REGION_VARIABLE);

const REGION_RE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

function validate(choices: CollectorChoices): void {
  for (const [what, region] of [
    ['xray.region', choices.xray?.region],
    ['cloudwatchLogs.region', choices.cloudwatchLogs?.region],
  ] as const) {
    if (region !== undefined && !REGION_RE.test(region)) throw new UsageError(`collector ${what} is not a valid AWS region name: ${JSON.stringify(region)}`);
  }
  const logs = choices.cloudwatchLogs;
  if (logs) {
    validateLogGroup({ name: logs.logGroup, tags: new Map() }, () => 'the collector log group');
    validateLogStream({ logGroup: logs.logGroup, name: logs.logStream }, () => 'the collector log stream');
  }
  if (!choices.honeycomb && !choices.xray && !choices.cloudwatchLogs) {
    throw new UsageError('the collector has nowhere to send anything: choose Honeycomb, X-Ray or CloudWatch Logs');
  }
  if (choices.xraySdkReceiver && !choices.honeycomb && !choices.xray) {
    throw new UsageError('X-Ray SDK segments need a traces backend: choose X-Ray or Honeycomb');
  }
}

/**
 * Which exporters carry each signal; a signal without a backend gets no pipeline (the receiver
 * then refuses it, so apps should not send it). Honeycomb takes logs too unless `logs: false`:
 * they land in the service's dataset next to its traces.
 */
export function collectorPipelines(choices: CollectorChoices): { traces: string[]; logs: string[] } {
  const withDebug = (ids: string[]) => (ids.length && choices.debug ? [...ids, ID.debug] : ids);
  return {
    traces: withDebug([...(choices.honeycomb ? [ID.honeycomb] : []), ...(choices.xray ? [ID.xray] : [])]),
    logs: withDebug([...(choices.honeycomb && choices.honeycomb.logs !== false ? [ID.honeycomb] : []), ...(choices.cloudwatchLogs ? [ID.cloudwatchLogs] : [])]),
  };
}

/**
 * The variables the rendered config reads, for the collector's compose `environment`:
 * `required` ones must reach the container; `redirects` only when set (tests, proxies).
 * AWS credentials come from the default chain (env vars or a mounted profile), as for the daemon.
 */
export function collectorVariables(choices: CollectorChoices): { required: string[]; redirects: string[] } {
  const aws = Boolean(choices.xray || choices.cloudwatchLogs || choices.xraySdkReceiver);
  const regionFromEnv =
    (choices.xray && choices.xray.region === undefined) || (choices.cloudwatchLogs && choices.cloudwatchLogs.region === undefined) || (choices.xraySdkReceiver && choices.xray?.region === undefined);
  const required = [...(choices.honeycomb ? [HONEYCOMB_KEY_VARIABLE] : []), ...(aws && regionFromEnv ? [REGION_VARIABLE] : [])];
  const redirects: string[] = (['honeycomb', 'xray', 'cloudwatchLogs'] as const).filter((b) => choices[b]).map((b) => ENDPOINT_VARIABLES[b]);
  if (choices.xraySdkReceiver) redirects.push(ENDPOINT_VARIABLES.xraySampling);
  return { required, redirects };
}

/** The collector config YAML obs writes (marker line first; `${env:...}` references, never a value). */
export function renderCollectorConfig(choices: CollectorChoices): string {
  validate(choices);
  const pipelines = collectorPipelines(choices);
  const processors = [ID.memoryLimiter, ID.batch];
  const http: Record<string, unknown> = { endpoint: `0.0.0.0:${COLLECTOR_PORTS.otlpHttp}` };
  if (choices.browserOrigins.length) {
    // The origin list is the boundary; headers are not, and "*" spares a preflight failure when
    // an exporter version adds one.
    http.cors = { allowed_origins: [...choices.browserOrigins], allowed_headers: ['*'] };
  }
  const receivers: Record<string, unknown> = { [ID.otlp]: { protocols: { grpc: { endpoint: `0.0.0.0:${COLLECTOR_PORTS.otlpGrpc}` }, http } } };
  if (choices.xraySdkReceiver) {
    const region = choices.xray?.region;
    receivers[ID.awsxray] = {
      endpoint: `0.0.0.0:${COLLECTOR_PORTS.xray}`,
      transport: 'udp',
      proxy_server: {
        endpoint: `0.0.0.0:${COLLECTOR_PORTS.xray}`,
        region: regionOf(region),
        aws_endpoint: env(ENDPOINT_VARIABLES.xraySampling, `https://xray.${regionOf(region)}.amazonaws.com`),
        // Not on EC2/ECS: do not ask the instance metadata endpoint for the region.
        local_mode: true,
      },
    };
  }

  const exporters: Record<string, unknown> = {};
  const extensions: Record<string, unknown> = { [ID.health]: { endpoint: `0.0.0.0:${COLLECTOR_PORTS.health}` } };
  if (choices.honeycomb) {
    const { region, dataset } = choices.honeycomb;
    exporters[ID.honeycomb] = {
      endpoint: env(ENDPOINT_VARIABLES.honeycomb, HONEYCOMB_ENDPOINTS[region]),
      headers: { 'x-honeycomb-team': env(HONEYCOMB_KEY_VARIABLE), ...(dataset !== undefined && { 'x-honeycomb-dataset': dataset }) },
    };
  }
  if (choices.xray) {
    const region = regionOf(choices.xray.region);
    exporters[ID.xray] = { traces_endpoint: env(ENDPOINT_VARIABLES.xray, `https://xray.${region}.amazonaws.com/v1/traces`), auth: { authenticator: ID.sigv4Xray } };
    extensions[ID.sigv4Xray] = { region, service: 'xray' };
  }
  if (choices.cloudwatchLogs) {
    const { logGroup, logStream } = choices.cloudwatchLogs;
    const region = regionOf(choices.cloudwatchLogs.region);
    exporters[ID.cloudwatchLogs] = {
      logs_endpoint: env(ENDPOINT_VARIABLES.cloudwatchLogs, `https://logs.${region}.amazonaws.com/v1/logs`),
      headers: { 'x-aws-log-group': logGroup, 'x-aws-log-stream': logStream },
      auth: { authenticator: ID.sigv4Logs },
    };
    extensions[ID.sigv4Logs] = { region, service: 'logs' };
  }
  if (choices.debug) exporters[ID.debug] = { verbosity: 'detailed' };

  const doc = new Document();
  // Lists of component ids read best on one line: `exporters: [otlphttp/honeycomb, debug]`.
  const ids = (list: string[]) => Object.assign(doc.createNode([...list]), { flow: true });
  const servicePipelines: Record<string, unknown> = {};
  if (pipelines.traces.length) {
    servicePipelines.traces = { receivers: ids([ID.otlp, ...(choices.xraySdkReceiver ? [ID.awsxray] : [])]), processors: ids(processors), exporters: ids(pipelines.traces) };
  }
  if (pipelines.logs.length) servicePipelines.logs = { receivers: ids([ID.otlp]), processors: ids(processors), exporters: ids(pipelines.logs) };
  const service = { extensions: ids(Object.keys(extensions)), pipelines: servicePipelines };

  doc.contents = doc.createNode({
    receivers,
    processors: {
      // Fixed sizes, not limit_percentage: percentages are of the container's memory limit, and a
      // compose service has none unless it sets one, so on a laptop they would be a share of all
      // the machine's memory. The collector idles near 100 MiB; above 384 MiB (limit - spike) it
      // refuses data (apps' exporters retry) and at 512 MiB it forces a GC.
      [ID.memoryLimiter]: { check_interval: '1s', limit_mib: 512, spike_limit_mib: 128 },
      // X-Ray takes at most 10,000 spans and 5 MB (uncompressed) per request: 1,024 spans leave
      // about 5 KB each. The default 200 ms timeout keeps spans showing up quickly while you work.
      [ID.batch]: { send_batch_size: 512, send_batch_max_size: 1024 },
    },
    exporters,
    extensions,
    service,
  });
  const { redirects } = collectorVariables(choices);
  doc.commentBefore = [
    ` ${MANAGED_MARKER}, which updates this file while this line is here; delete the line to keep your edits.`,
    ' OpenTelemetry Collector config: apps send OTLP here; the collector adds the keys and forwards it.',
    " Values come from the collector's environment as ${env:NAME}: no key is written in this file.",
    ` Endpoints can be redirected (a proxy, a test stand-in) with ${redirects.join(', ')}.`,
  ].join('\n');
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}
