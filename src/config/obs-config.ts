import { isAbsolute, posix, win32 } from 'node:path';
import { Document, isMap, isNode, isScalar, isSeq, parse as parseYamlLoose, parseDocument, type Pair } from 'yaml';
import { UsageError } from '../errors.js';
import { lineColOf } from '../text/edits.js';
import { closest } from '../aws/xray-sampling-rule.js';
import { lineIn, recordSource } from './lines.js';
import { desiredFromConfig } from './desired.js';

export { obsConfigLine } from './lines.js';

/** obs.yaml: the choices `obs init` made, read by `obs apply` and `obs doctor`. Holds no secrets. */
export const OBS_CONFIG_FILE = 'obs.yaml';

export {
  HONEYCOMB_ENDPOINTS,
  PIPELINES,
  type CollectorConfigSection,
  type HoneycombRegion,
  type Pipeline,
  type LogGroupConfig,
  type ObsConfig,
  type SamplingRuleConfig,
  type TransactionSearchConfig,
  type XrayGroupConfig,
} from './types.js';
import { HONEYCOMB_ENDPOINTS, PIPELINES, type ObsConfig } from './types.js';

const HEADER = [' obs.yaml: what `obs init` set up. `obs apply` creates the AWS resources listed here', ' and `obs doctor` checks the project against it. No secrets belong in this file.'].join('\n');

export function renderObsConfig(config: ObsConfig): string {
  // The record of what init changed grows with the project too, and is written last: when it is
  // plain words (added keys only), it is written directly after the rest, as yaml would write it.
  const changes = config.changes && plainChanges(config.changes);
  if (changes !== undefined) {
    const { changes: _written, ...rest } = config;
    return `${renderObsConfig(rest)}\n${CHANGES_COMMENT.replace(/^/gm, '#')}\n${changes}`;
  }
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
  commentChanges(doc);
  return doc.toString({ lineWidth: 0 });
}

const CHANGES_COMMENT = [
  ' What obs init changed in the compose files, kept by obs for `obs remove` and later runs: per file',
  ' and service, the keys it added and the values it replaced (as written; a secret is never recorded).',
].join('\n');

/** `changes:` as yaml writes it, when every name is a plain word and only added keys are recorded; else undefined. */
function plainChanges(changes: NonNullable<ObsConfig['changes']>): string | undefined {
  const files = Object.entries(changes.environment);
  if (Object.keys(changes).length !== 1 || files.length === 0) return undefined;
  const lines = ['changes:', '  environment:'];
  for (const [file, services] of files) {
    const entries = Object.entries(services);
    if (!isPlainWord(file) || entries.length === 0) return undefined;
    lines.push(`    ${file}:`);
    for (const [name, change] of entries) {
      const added = change.added;
      if (!isPlainWord(name) || Object.keys(change).join() !== 'added' || !added || added.length === 0 || !added.every(isPlainWord)) return undefined;
      lines.push(`      ${name}:`, '        added:', ...added.map((key) => `          - ${key}`));
    }
  }
  return `${lines.join('\n')}\n`;
}

/** The `changes:` section says what it is (and that obs writes it) over its key, and its `packages:` what they are. */
function commentChanges(doc: Document): void {
  if (!isMap(doc.contents)) return;
  const pair = doc.contents.items.find((p) => isScalar(p.key) && p.key.value === 'changes');
  if (pair && isScalar(pair.key) && !pair.key.commentBefore) {
    pair.key.commentBefore = CHANGES_COMMENT;
    pair.key.spaceBefore = true;
  }
  const packages = pair && isMap(pair.value) ? pair.value.items.find((p) => isScalar(p.key) && p.key.value === 'packages') : undefined;
  if (packages && isScalar(packages.key) && !packages.key.commentBefore) packages.key.commentBefore = PACKAGES_COMMENT;
}

const PACKAGES_COMMENT = " The packages obs init added to each pyproject.toml (it has no place for obs's marker comment), as written.";

/**
 * `config` written over the obs.yaml text it replaces, through that file's YAML document: values
 * that stay the same keep their text, and every comment, quote style and blank line the user
 * wrote is kept; only changed values are rewritten.
 */
export function renderObsConfigOver(previousText: string, config: ObsConfig): string {
  const doc = parseDocument(previousText);
  if (doc.errors.length > 0 || !isMap(doc.contents)) return renderObsConfig(config);
  doc.contents = syncNode(doc, doc.contents, withoutUndefined(config)) as typeof doc.contents;
  commentChanges(doc);
  return doc.toString({ lineWidth: 0 });
}

/** `node` made to hold `value`, reusing the node (and its comments) wherever it can. */
function syncNode(doc: Document, node: unknown, value: unknown): unknown {
  if (isNode(node) && JSON.stringify(node.toJS(doc)) === JSON.stringify(value)) return node;
  if (isMap(node) && typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const entries = value as Record<string, unknown>;
    const byKey = new Map<string, Pair>();
    for (const pair of node.items) if (isScalar(pair.key)) byKey.set(String(pair.key.value), pair);
    node.items = node.items.filter((pair) => isScalar(pair.key) && Object.hasOwn(entries, String(pair.key.value)));
    for (const [key, child] of Object.entries(entries)) {
      const pair = byKey.get(key);
      if (pair) pair.value = syncNode(doc, pair.value, child);
      else node.items.push(doc.createPair(key, child));
    }
    return node;
  }
  if (isSeq(node) && Array.isArray(value)) {
    node.items = value.map((child, i) => (i < node.items.length ? syncNode(doc, node.items[i], child) : doc.createNode(child)));
    return node;
  }
  if (isScalar(node) && (value === null || typeof value !== 'object')) {
    node.value = value;
    // A quote style chosen for the old value may not suit the new one: yaml picks again.
    if (typeof value !== 'string') node.type = undefined;
    return node;
  }
  return doc.createNode(value);
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

/**
 * The one reading of obs.yaml every command uses (init, apply, doctor): YAML, then every key and
 * type against the documented layout (a misspelt key is refused with a guess, never dropped), then
 * the values as AWS would check them, then where compose.files point. A problem is one UsageError
 * naming obs.yaml:LINE (exit 2).
 */
export function parseObsConfig(text: string, file = OBS_CONFIG_FILE): ObsConfig {
  const doc = parseDocument(text);
  const problem = doc.errors[0];
  if (problem) {
    const { line, col } = lineColOf(text, problem.pos[0]);
    throw new UsageError(`invalid YAML: ${problem.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`, { file, line, col });
  }
  if (!isMap(doc.contents)) throw new UsageError('obs.yaml must be a mapping (see `obs init`)', { file, line: 1 });
  let raw: Partial<ObsConfig> & Record<string, unknown>;
  try {
    raw = doc.toJS({ maxAliasCount: 100 }) as Partial<ObsConfig> & Record<string, unknown>;
  } catch (err) {
    throw new UsageError(`invalid YAML: ${(err as Error).message}`, { file, line: 1 });
  }
  const refuse = (path: string, message: string) => new UsageError(`${path} ${message}`, { file, line: lineIn(doc, text, path) });
  if (raw.version !== 1) {
    throw new UsageError(`unsupported obs.yaml version ${JSON.stringify(raw.version)}; this obs reads version 1`, {
      file,
      line: lineIn(doc, text, 'version'),
    });
  }
  checkShape(raw, OBS_YAML, '', refuse);
  const region = raw.honeycomb?.region ?? 'us';
  const config: ObsConfig = {
    version: 1,
    ...(raw.pipeline ? { pipeline: raw.pipeline } : {}),
    compose: { files: raw.compose?.files ?? [] },
    ...(raw.collector ? { collector: { service: raw.collector.service, config: raw.collector.config } } : {}),
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
    ...(raw.changes ? { changes: { environment: raw.changes.environment ?? {}, ...(raw.changes.packages ? { packages: raw.changes.packages } : {}) } } : {}),
  };
  // Sections of other backend modules pass through; each module reads its own.
  for (const [key, value] of Object.entries(raw)) {
    if (!(key in config) && value !== null && typeof value === 'object' && !Array.isArray(value)) (config as Record<string, unknown>)[key] = value;
  }
  if (config.collector) {
    for (const key of ['service', 'config'] as const) {
      if (typeof config.collector[key] !== 'string' || config.collector[key] === '') throw refuse(`collector.${key}`, 'must be set: the collector service and its config file, as obs init wrote them');
    }
    if (!insideProject(config.collector.config)) throw refuse('collector.config', `${JSON.stringify(config.collector.config)} is outside the project`);
  }
  if (!isHttpUrl(config.honeycomb.endpoint)) throw refuse('honeycomb.endpoint', `must be an http(s) URL, got ${JSON.stringify(config.honeycomb.endpoint)}`);
  config.compose.files.forEach((path, i) => {
    if (!insideProject(path)) throw refuse(`compose.files[${i}]`, `${JSON.stringify(path)} is outside the project: obs reads and edits compose files under its folder only`);
  });
  recordSource(config, doc, text);
  // Values as `obs apply` sends them, switched on or not: what one command refuses, all refuse.
  desiredFromConfig(config, file, { all: true });
  return config;
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

/** A relative path that stays under the project folder (`../x`, `/etc/x`, `C:\\x` do not). */
function insideProject(path: string): boolean {
  if (path === '' || path.includes('\0') || isAbsolute(path) || win32.isAbsolute(path)) return false;
  const normal = posix.normalize(path.replace(/\\/g, '/'));
  return normal !== '..' && !normal.startsWith('../') && normal !== '.';
}

// ---------------------------------------------------------------------------
// The documented layout: every key obs.yaml may hold, and the type of its value.
// ---------------------------------------------------------------------------

type Shape =
  /** `sections`: an unknown key holding a mapping is another backend module's section (passed through). */
  | { kind: 'map'; what: string; keys: Record<string, Shape>; sections?: true }
  | { kind: 'dict'; what: string; value: Shape }
  | { kind: 'list'; item: Shape }
  | { kind: 'string' }
  | { kind: 'boolean' }
  | { kind: 'number' }
  | { kind: 'enum'; values: readonly string[] }
  /** A mapping of names to strings, or to nothing (`KEY:`, null). */
  | { kind: 'strings'; what: string }
  /** A setting desiredFromConfig checks in full (forms, values, messages), called at the end of parseObsConfig. */
  | { kind: 'desired' };

const str: Shape = { kind: 'string' };
const bool: Shape = { kind: 'boolean' };
const num: Shape = { kind: 'number' };
const desired: Shape = { kind: 'desired' };
const OBS_YAML: Shape = {
  kind: 'map',
  what: 'an obs.yaml section',
  sections: true,
  keys: {
    version: num,
    pipeline: { kind: 'enum', values: PIPELINES },
    collector: { kind: 'map', what: 'a collector setting', keys: { service: str, config: str } },
    compose: { kind: 'map', what: 'a compose setting', keys: { files: { kind: 'list', item: str } } },
    services: { kind: 'dict', what: 'a service', value: { kind: 'map', what: 'a service setting', keys: { serviceName: str, stack: str } } },
    honeycomb: { kind: 'map', what: 'a honeycomb setting', keys: { enabled: bool, region: { kind: 'enum', values: ['us', 'eu'] }, endpoint: str, dataset: str } },
    xray: {
      kind: 'map',
      what: 'an xray setting',
      keys: {
        enabled: bool,
        daemonService: str,
        groups: { kind: 'list', item: { kind: 'map', what: 'an X-Ray group setting', keys: { name: str, filterExpression: str, insights: bool } } },
        samplingRules: {
          kind: 'list',
          item: {
            kind: 'map',
            what: 'a sampling rule setting',
            keys: { ruleName: str, priority: num, fixedRate: num, reservoirSize: num, serviceName: str, serviceType: str, host: str, httpMethod: str, urlPath: str, resourceArn: str },
          },
        },
        // true, false or { indexingPercentage }: src/config/desired.ts (transactionSearchFrom).
        transactionSearch: desired,
      },
    },
    cloudwatch: {
      kind: 'map',
      what: 'a cloudwatch setting',
      keys: { enabled: bool, logGroups: { kind: 'list', item: { kind: 'map', what: 'a log group setting', keys: { name: str, retentionInDays: num, logStreams: desired } } } },
    },
    rollbar: { kind: 'map', what: 'a rollbar setting', keys: { enabled: bool } },
    changes: {
      kind: 'map',
      what: 'a changes section',
      keys: {
        environment: {
          kind: 'dict',
          what: 'a compose file',
          value: {
            kind: 'dict',
            what: 'a service',
            value: { kind: 'map', what: 'a change', keys: { added: { kind: 'list', item: str }, replaced: { kind: 'strings', what: 'KEY: previous value' } } },
          },
        },
        packages: { kind: 'dict', what: 'a manifest', value: { kind: 'list', item: str } },
      },
    },
  },
};

/** Walks `value` along `shape`; an empty value (`key:`) counts as absent, as obs always read it. */
function checkShape(value: unknown, shape: Shape, path: string, refuse: (path: string, message: string) => UsageError): void {
  if (value === null || value === undefined) return;
  const at = (key: string | number) => (typeof key === 'number' ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`);
  const got = describe(value);
  switch (shape.kind) {
    case 'map':
    case 'dict':
      if (typeof value !== 'object' || Array.isArray(value)) throw refuse(path, `must be a mapping (${example(shape)}), got ${got}`);
      for (const [key, child] of Object.entries(value)) {
        if (shape.kind === 'dict') {
          checkShape(child, shape.value, at(key), refuse);
          // checkShape lets an empty value pass (an absent setting); an entry of a dict must hold one.
          if (child === null)
            throw refuse(at(key), shape.value.kind === 'list' ? `must be a list (- ${example(shape.value.item)}), got null` : `must be a mapping (${example(shape.value)}), got null`);
          continue;
        }
        const known = Object.keys(shape.keys);
        if (!known.includes(key)) {
          const guess = closest(key, known);
          // A backend module's own section (read by that module); a near miss of a known one is a typo.
          if (shape.sections && !guess && child !== null && typeof child === 'object' && !Array.isArray(child)) continue;
          throw refuse(at(key), `is not ${shape.what}${guess ? ` (did you mean ${guess}?)` : ` (${known.join(', ')})`}`);
        }
        checkShape(child, shape.keys[key]!, at(key), refuse);
      }
      return;
    case 'list':
      if (!Array.isArray(value)) throw refuse(path, `must be a list (- ${example(shape.item)}), got ${got}`);
      value.forEach((item, i) => {
        if (item === null) throw refuse(at(i), 'is empty');
        checkShape(item, shape.item, at(i), refuse);
      });
      return;
    case 'string':
      if (typeof value !== 'string') throw refuse(path, `must be a string, got ${got}`);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') throw refuse(path, `must be true or false, got ${got}`);
      return;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw refuse(path, `must be a number, got ${got}`);
      return;
    case 'enum':
      if (typeof value !== 'string' || !shape.values.includes(value)) throw refuse(path, `must be ${shape.values.map((v) => JSON.stringify(v)).join(' or ')}, got ${got}`);
      return;
    case 'strings':
      if (typeof value !== 'object' || Array.isArray(value)) throw refuse(path, `must be a mapping (${shape.what}), got ${got}`);
      for (const [key, child] of Object.entries(value)) {
        if (child !== null && typeof child !== 'string') throw refuse(at(key), `must be a string, got ${describe(child)}`);
      }
      return;
    case 'desired':
      return;
  }
}

/** How an entry of `shape` starts, for messages: `name: ...`. */
function example(shape: Shape): string {
  if (shape.kind === 'map') return `${Object.keys(shape.keys)[0]}: ...`;
  if (shape.kind === 'dict') return 'NAME: ...';
  return '...';
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object' && value !== null) return 'a mapping';
  return JSON.stringify(value) ?? String(value);
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
