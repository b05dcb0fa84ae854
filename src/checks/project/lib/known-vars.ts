/**
 * Variable names tracing and error reporting read. A name one or two edits away from one of
 * these is almost always a typo, and a typo switches the feature off without any error.
 */

const SIGNALS = ['TRACES', 'METRICS', 'LOGS'];
const OTLP_SETTINGS = ['ENDPOINT', 'HEADERS', 'PROTOCOL', 'TIMEOUT', 'COMPRESSION', 'CERTIFICATE', 'CLIENT_KEY', 'CLIENT_CERTIFICATE', 'INSECURE'];

const OTLP = OTLP_SETTINGS.flatMap((s) => [`OTEL_EXPORTER_OTLP_${s}`, ...SIGNALS.map((sig) => `OTEL_EXPORTER_OTLP_${sig}_${s}`)]);

/** From the OpenTelemetry specification (sdk-environment-variables, exporter.md) and common SDK extras. */
const OTEL = [
  'OTEL_SDK_DISABLED',
  'OTEL_RESOURCE_ATTRIBUTES',
  'OTEL_SERVICE_NAME',
  'OTEL_LOG_LEVEL',
  'OTEL_PROPAGATORS',
  'OTEL_TRACES_SAMPLER',
  'OTEL_TRACES_SAMPLER_ARG',
  'OTEL_TRACES_EXPORTER',
  'OTEL_METRICS_EXPORTER',
  'OTEL_LOGS_EXPORTER',
  'OTEL_BSP_SCHEDULE_DELAY',
  'OTEL_BSP_EXPORT_TIMEOUT',
  'OTEL_BSP_MAX_QUEUE_SIZE',
  'OTEL_BSP_MAX_EXPORT_BATCH_SIZE',
  'OTEL_BLRP_SCHEDULE_DELAY',
  'OTEL_BLRP_EXPORT_TIMEOUT',
  'OTEL_BLRP_MAX_QUEUE_SIZE',
  'OTEL_BLRP_MAX_EXPORT_BATCH_SIZE',
  'OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT',
  'OTEL_ATTRIBUTE_COUNT_LIMIT',
  'OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT',
  'OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT',
  'OTEL_SPAN_EVENT_COUNT_LIMIT',
  'OTEL_SPAN_LINK_COUNT_LIMIT',
  'OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT',
  'OTEL_LINK_ATTRIBUTE_COUNT_LIMIT',
  'OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT',
  'OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT',
  'OTEL_METRIC_EXPORT_INTERVAL',
  'OTEL_METRIC_EXPORT_TIMEOUT',
  'OTEL_METRICS_EXEMPLAR_FILTER',
  'OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE',
  'OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION',
  'OTEL_EXPORTER_ZIPKIN_ENDPOINT',
  'OTEL_EXPORTER_ZIPKIN_TIMEOUT',
  'OTEL_EXPORTER_PROMETHEUS_HOST',
  'OTEL_EXPORTER_PROMETHEUS_PORT',
  'OTEL_EXPORTER_JAEGER_ENDPOINT',
  'OTEL_EXPORTER_JAEGER_AGENT_HOST',
  'OTEL_EXPORTER_JAEGER_AGENT_PORT',
  'OTEL_EXPORTER_JAEGER_USER',
  'OTEL_EXPORTER_JAEGER_PASSWORD',
  'OTEL_EXPORTER_JAEGER_TIMEOUT',
  'OTEL_CONFIG_FILE',
  'OTEL_EXPERIMENTAL_CONFIG_FILE',
  'OTEL_SEMCONV_STABILITY_OPT_IN',
  'OTEL_NODE_RESOURCE_DETECTORS',
  'OTEL_NODE_ENABLED_INSTRUMENTATIONS',
  'OTEL_NODE_DISABLED_INSTRUMENTATIONS',
  'OTEL_PYTHON_LOG_CORRELATION',
  'OTEL_PYTHON_LOG_LEVEL',
  'OTEL_PYTHON_EXCLUDED_URLS',
  'OTEL_PYTHON_DISABLED_INSTRUMENTATIONS',
  'OTEL_PYTHON_FLASK_EXCLUDED_URLS',
  'OTEL_RUBY_INSTRUMENTATION_RAILS_ENABLED',
  ...OTLP,
];

const XRAY = [
  'AWS_XRAY_DAEMON_ADDRESS',
  'AWS_XRAY_URL',
  'AWS_XRAY_TRACING_NAME',
  'AWS_XRAY_SDK_ENABLED',
  'AWS_XRAY_CONTEXT_MISSING',
  'AWS_XRAY_LOG_LEVEL',
  'AWS_XRAY_DEBUG_MODE',
  'AWS_XRAY_NOOP_ID',
  'AWS_XRAY_COLLECT_SQL_QUERIES',
];

const HONEYCOMB = [
  'HONEYCOMB_API_KEY',
  'HONEYCOMB_TRACES_APIKEY',
  'HONEYCOMB_METRICS_APIKEY',
  'HONEYCOMB_LOGS_APIKEY',
  'HONEYCOMB_API_ENDPOINT',
  'HONEYCOMB_TRACES_ENDPOINT',
  'HONEYCOMB_METRICS_ENDPOINT',
  'HONEYCOMB_LOGS_ENDPOINT',
  'HONEYCOMB_DATASET',
  'HONEYCOMB_METRICS_DATASET',
  'HONEYCOMB_ENABLE_LOCAL_VISUALIZATIONS',
  'HONEYCOMB_WRITEKEY',
];

const ROLLBAR = ['ROLLBAR_ACCESS_TOKEN', 'ROLLBAR_ENV', 'ROLLBAR_ENVIRONMENT', 'ROLLBAR_ENABLED', 'ROLLBAR_CODE_VERSION'];

export const KNOWN_VARIABLES: ReadonlySet<string> = new Set([...OTEL, ...XRAY, ...HONEYCOMB, ...ROLLBAR]);

/**
 * Optimal string alignment distance: insertions, deletions, substitutions and adjacent
 * transpositions. With `max`, stops as soon as the distance must exceed it and returns max + 1
 * (suggestName compares every unknown name with every known one, and only cares about <= 2).
 */
export function editDistance(a: string, b: string, max = Infinity): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const cols = b.length + 1;
  // Three rolling rows: two rows back for transpositions, the previous one, the current one.
  let before = new Array<number>(cols).fill(0);
  let previous = Array.from({ length: cols }, (_, j) => j);
  let current = new Array<number>(cols).fill(0);
  let previousMin = 0;
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    let rowMin = i;
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, before[j - 2]! + 1);
      current[j] = best;
      if (best < rowMin) rowMin = best;
    }
    // A later cell comes from this row (cost >= 0) or, by a transposition (cost 1), from the
    // previous row: none can be smaller than this bound, so past it the answer is "over max".
    if (Math.min(rowMin, previousMin + 1) > max) return max + 1;
    previousMin = rowMin;
    [before, previous, current] = [previous, current, before];
  }
  return Math.min(previous[b.length]!, max + 1);
}

const sorted = (s: string) => [...s].sort().join('');

export interface Suggestion {
  name: string;
  why: 'case' | 'typo' | 'scrambled';
}

/**
 * The known name an unknown one was probably meant to be: same letters in another case,
 * at most two edits away, or the same letters scrambled (`EXPOROTEL_TER_OTLP_HEADERS`).
 */
export function suggestName(name: string): Suggestion | undefined {
  if (KNOWN_VARIABLES.has(name) || name.length < 8) return undefined;
  const upper = name.toUpperCase();
  if (upper !== name && KNOWN_VARIABLES.has(upper)) return { name: upper, why: 'case' };
  let best: { name: string; distance: number } | undefined;
  for (const known of KNOWN_VARIABLES) {
    if (Math.abs(known.length - upper.length) > 2) continue;
    const distance = editDistance(upper, known, 2);
    if (distance <= 2 && (!best || distance < best.distance)) best = { name: known, distance };
  }
  if (best) return { name: best.name, why: 'typo' };
  if (upper.length >= 12) {
    const letters = sorted(upper);
    for (const known of KNOWN_VARIABLES) if (known.length === upper.length && sorted(known) === letters) return { name: known, why: 'scrambled' };
  }
  return undefined;
}
