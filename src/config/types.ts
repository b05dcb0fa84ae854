/** The shape of obs.yaml (version 1), apart from the code that reads and writes it. */

export type HoneycombRegion = 'us' | 'eu';

/**
 * How telemetry leaves the apps: through one OpenTelemetry Collector service that holds the keys
 * and exports to every backend ('collector', the default for new setups), or straight from each
 * app to each backend with the X-Ray daemon ('direct'). An obs.yaml without `pipeline` was
 * written before the collector existed: direct.
 */
export type Pipeline = 'collector' | 'direct';
export const PIPELINES: readonly Pipeline[] = ['collector', 'direct'];

/** The collector service obs added and the config file it owns. */
export interface CollectorConfigSection {
  service: string;
  config: string;
}

export const HONEYCOMB_ENDPOINTS: Record<HoneycombRegion, string> = {
  us: 'https://api.honeycomb.io',
  eu: 'https://api.eu1.honeycomb.io',
};

export interface XrayGroupConfig {
  name: string;
  filterExpression: string;
  insights?: boolean;
}

export interface SamplingRuleConfig {
  ruleName: string;
  priority: number;
  fixedRate: number;
  reservoirSize: number;
  serviceName: string;
  serviceType: string;
  host: string;
  httpMethod: string;
  urlPath: string;
  resourceArn: string;
}

export interface LogGroupConfig {
  name: string;
  retentionInDays: number;
  /** Streams obs creates in the group: the collector's CloudWatch Logs exporter writes to one. */
  logStreams?: string[];
}

/**
 * Transaction Search (spans into CloudWatch Logs, which X-Ray's OTLP endpoint needs).
 * indexingPercentage left out: obs leaves the Default indexing rule as it is (1 % on a new account).
 */
export interface TransactionSearchConfig {
  indexingPercentage?: number;
}

/**
 * What `obs init` changed (src/config/changes.ts): per compose file and service, the environment
 * keys it added and the values it replaced; per pyproject.toml, the dependencies it added (a file
 * with no place for obs's marker). Absent in files written before the record existed: obs then
 * tells its values from the user's by value.
 */
export interface ChangesRecord {
  environment: Record<string, Record<string, { added?: string[]; replaced?: Record<string, string | null> }>>;
  /** Manifest path (relative to where obs runs) -> the requirement strings obs added, as written. */
  packages?: Record<string, string[]>;
}

export interface ObsConfig {
  version: 1;
  /** Absent in files written before the collector pipeline: read as 'direct'. */
  pipeline?: Pipeline;
  compose: { files: string[] };
  /** With pipeline collector: the service and the config file obs wrote. */
  collector?: CollectorConfigSection;
  services: Record<string, { serviceName: string; stack: string }>;
  honeycomb: { enabled: boolean; region: HoneycombRegion; endpoint: string; dataset?: string };
  xray: { enabled: boolean; daemonService?: string; groups: XrayGroupConfig[]; samplingRules: SamplingRuleConfig[]; transactionSearch?: boolean | TransactionSearchConfig };
  cloudwatch: { enabled: boolean; logGroups: LogGroupConfig[] };
  rollbar: { enabled: boolean };
  /** What init changed, written by obs (see ChangesRecord). */
  changes?: ChangesRecord;
  /** The section of a backend module this file does not know (src/backends/), kept as written. */
  readonly [backend: string]: unknown;
}
