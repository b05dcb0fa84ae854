import { Document, isMap, isScalar, isSeq, parse as parseYamlLoose, parseDocument } from 'yaml';
import { UsageError } from '../errors.js';
import { lineColOf } from '../text/edits.js';

/** obs.yaml: the choices `obs init` made, read by `obs apply` and `obs doctor`. Holds no secrets. */
export const OBS_CONFIG_FILE = 'obs.yaml';

export type HoneycombRegion = 'us' | 'eu';

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

export interface ObsConfig {
  version: 1;
  compose: { files: string[] };
  services: Record<string, { serviceName: string; stack: string }>;
  honeycomb: { enabled: boolean; region: HoneycombRegion; endpoint: string; dataset?: string };
  xray: { enabled: boolean; daemonService?: string; groups: XrayGroupConfig[]; samplingRules: SamplingRuleConfig[]; transactionSearch?: TransactionSearchConfig };
  cloudwatch: { enabled: boolean; logGroups: LogGroupConfig[] };
  rollbar: { enabled: boolean };
  /** The section of a backend module this file does not know (src/backends/), kept as written. */
  readonly [backend: string]: unknown;
}

const HEADER = [
  ' obs.yaml: what `obs init` set up. `obs apply` creates the AWS resources listed here',
  ' and `obs doctor` checks the project against it. No secrets belong in this file.',
].join('\n');

export function renderObsConfig(config: ObsConfig): string {
  // The services map grows with the project (thousands of nodes for yaml to build and print);
  // when every entry is plain words, it is written directly, exactly as yaml would write it.
  const services = Object.entries(config.services);
  if (services.length > 0 && services.every(([name, entry]) => isPlainWord(name) && isPlainEntry(entry))) {
    const rest = renderWithYaml({ ...config, services: {} });
    const empty = '\nservices: {}\n';
    const at = rest.indexOf(empty);
    if (at !== -1 && rest.indexOf(empty, at + 1) === -1) {
      const lines = services.map(([name, { serviceName, stack }]) => `  ${name}:\n    serviceName: ${serviceName}\n    stack: ${stack}\n`);
      return `${rest.slice(0, at)}\nservices:\n${lines.join('')}${rest.slice(at + empty.length)}`;
    }
  }
  return renderWithYaml(config);
}

export function renderWithYaml(config: ObsConfig): string {
  const doc = new Document(withoutUndefined(config));
  doc.commentBefore = HEADER;
  return doc.toString({ lineWidth: 0 });
}

/**
 * A string yaml prints plain, as key or value: a letter or `_` then letters, digits, `_ . -`
 * (no indicator, no `: ` or ` #`), not so long that yaml would write an explicit `? ` key, and
 * not a word the YAML core schema reads as null or a boolean (numbers start with a digit, dot or sign).
 */
function isPlainWord(value: unknown): boolean {
  return typeof value === 'string' && value.length <= 200 && /^[A-Za-z_][A-Za-z0-9_.-]*$/.test(value) && !/^(?:null|Null|NULL|true|True|TRUE|false|False|FALSE)$/.test(value);
}

function isPlainEntry(entry: unknown): boolean {
  if (!entry || typeof entry !== 'object') return false;
  const keys = Object.keys(entry);
  const { serviceName, stack } = entry as Record<string, unknown>;
  return keys.length === 2 && keys[0] === 'serviceName' && keys[1] === 'stack' && isPlainWord(serviceName) && isPlainWord(stack);
}

export function parseObsConfig(text: string, file = OBS_CONFIG_FILE): ObsConfig {
  const doc = parseDocument(text);
  const problem = doc.errors[0];
  if (problem) {
    const { line, col } = lineColOf(text, problem.pos[0]);
    throw new UsageError(`invalid YAML: ${problem.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`, { file, line, col });
  }
  if (!isMap(doc.contents)) throw new UsageError('obs.yaml must be a mapping (see `obs init`)', { file, line: 1 });
  const raw = doc.toJS() as Partial<ObsConfig> & Record<string, unknown>;
  if (raw.version !== 1) {
    throw new UsageError(`unsupported obs.yaml version ${JSON.stringify(raw.version)}; this obs reads version 1`, {
      file,
      line: lineIn(doc, text, 'version'),
    });
  }
  const region = raw.honeycomb?.region ?? 'us';
  if (region !== 'us' && region !== 'eu') {
    throw new UsageError(`honeycomb.region must be "us" or "eu", not ${JSON.stringify(region)}`, { file, line: lineIn(doc, text, 'honeycomb.region') });
  }
  const config: ObsConfig = {
    version: 1,
    compose: { files: raw.compose?.files ?? [] },
    services: raw.services ?? {},
    honeycomb: {
      enabled: raw.honeycomb?.enabled ?? false,
      region,
      endpoint: raw.honeycomb?.endpoint ?? HONEYCOMB_ENDPOINTS[region],
      ...(raw.honeycomb?.dataset ? { dataset: raw.honeycomb.dataset } : {}),
    },
    xray: {
      enabled: raw.xray?.enabled ?? false,
      ...(raw.xray?.daemonService ? { daemonService: raw.xray.daemonService } : {}),
      groups: raw.xray?.groups ?? [],
      samplingRules: raw.xray?.samplingRules ?? [],
      // Passed on as written: obs apply checks it (with its line) before any AWS call.
      ...(raw.xray?.transactionSearch !== undefined && raw.xray.transactionSearch !== null ? { transactionSearch: raw.xray.transactionSearch } : {}),
    },
    cloudwatch: { enabled: raw.cloudwatch?.enabled ?? false, logGroups: raw.cloudwatch?.logGroups ?? [] },
    rollbar: { enabled: raw.rollbar?.enabled ?? false },
  };
  // Sections of other backend modules pass through; each module reads its own.
  for (const [key, value] of Object.entries(raw)) {
    if (!(key in config) && value !== null && typeof value === 'object' && !Array.isArray(value)) (config as Record<string, unknown>)[key] = value;
  }
  sources.set(config, { doc, text });
  return config;
}

/** The parsed document behind each config parseObsConfig returned, so later checks can name lines. */
const sources = new WeakMap<ObsConfig, { doc: ReturnType<typeof parseDocument>; text: string }>();

/**
 * The line of `path` (`xray.samplingRules[0].fixedRate`) in the obs.yaml this config was parsed
 * from: the line of its key, or of the nearest enclosing entry when the setting is absent.
 * undefined for a config that was not parsed from text.
 */
export function obsConfigLine(config: ObsConfig, path: string): number | undefined {
  const source = sources.get(config);
  return source ? lineIn(source.doc, source.text, path) : undefined;
}

function lineIn(doc: ReturnType<typeof parseDocument>, text: string, path: string): number {
  const segments = [...path.matchAll(/\[(\d+)\]|[^.[\]]+/g)].map((m) => (m[1] !== undefined ? Number(m[1]) : m[0]));
  let node: unknown = doc.contents;
  let offset = (node as { range?: number[] } | null)?.range?.[0] ?? 0;
  for (const segment of segments) {
    let next: { range?: number[] } | undefined;
    let at: number | undefined;
    if (isMap(node) && typeof segment === 'string') {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === segment);
      if (!pair) break;
      at = (pair.key as { range?: number[] }).range?.[0];
      next = pair.value as { range?: number[] } | undefined;
    } else if (isSeq(node) && typeof segment === 'number') {
      next = node.items[segment] as { range?: number[] } | undefined;
      at = next?.range?.[0];
      if (!next) break;
    } else break;
    if (at !== undefined) offset = at;
    node = next;
  }
  return lineColOf(text, offset).line;
}

function withoutUndefined<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** Whether two obs.yaml texts say the same (comments and layout aside), so an unchanged one is not rewritten. */
export function sameObsConfig(before: string | null, after: string): boolean {
  if (before === null) return false;
  try {
    return JSON.stringify(parseYamlLoose(before)) === JSON.stringify(parseYamlLoose(after));
  } catch {
    return false;
  }
}
