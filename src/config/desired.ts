import type { ObsConfig } from './types.js';
import { obsConfigLine } from './lines.js';
import { UsageError } from '../errors.js';
import { MANAGED_TAG } from '../aws/tags.js';
import { validateGroup, type DesiredGroup } from '../aws/xray-group.js';
import { closest, validateSamplingRule, type DesiredSamplingRule } from '../aws/xray-sampling-rule.js';
import { validateLogGroup, type DesiredLogGroup } from '../aws/log-group.js';
import { validateLogStream, type DesiredLogStream } from '../aws/log-stream.js';
import { TRANSACTION_SEARCH_POLICY_NAME, type DesiredLogsPolicy } from '../aws/logs-resource-policy.js';
import { DEFAULT_INDEXING_RULE, validateIndexingRule, type DesiredIndexingRule } from '../aws/xray-indexing-rule.js';
import type { DesiredTraceDestination } from '../aws/xray-trace-destination.js';

export interface DesiredResources {
  groups: DesiredGroup[];
  rules: DesiredSamplingRule[];
  logGroups: DesiredLogGroup[];
  logStreams: DesiredLogStream[];
  /** When obs.yaml turns it on: the Logs policy, the destination switch, and the indexing rule if a percentage is given. */
  transactionSearch?: { policy: DesiredLogsPolicy; destination: DesiredTraceDestination; indexingRule?: DesiredIndexingRule };
}

/** How many resources obs.yaml declares, for "nothing to do" and the doctor's summary. */
export function countDeclared(d: DesiredResources): number {
  const ts = d.transactionSearch ? 2 + (d.transactionSearch.indexingRule ? 1 : 0) : 0;
  return d.groups.length + d.rules.length + d.logGroups.length + d.logStreams.length + ts;
}

const managed = () => new Map<string, string>([[MANAGED_TAG.key, MANAGED_TAG.value]]);

/**
 * What obs.yaml declares, checked like the flags of the single commands: a bad value is one
 * line naming `obs.yaml:LINE` and its place in obs.yaml (exit 2), before any AWS call.
 */
export function desiredFromConfig(config: ObsConfig, file: string, options: { all?: boolean } = {}): DesiredResources {
  const refuse = (path: string, text: string) => new UsageError(`${path} ${text}`, { file, line: obsConfigLine(config, path) });
  /** The validators of src/aws name the field through `label` as they throw: that path gets the line. */
  const checked = (label: (field: string) => string, validate: (label: (field: string) => string) => void): void => {
    let named: string | undefined;
    try {
      validate((field) => (named = label(field)));
    } catch (err) {
      if (err instanceof UsageError && named !== undefined && err.file === undefined) throw new UsageError(err.message, { file, line: obsConfigLine(config, named), hint: err.hint });
      throw err;
    }
  };
  const str = (value: unknown, path: string): string => {
    if (typeof value !== 'string') throw refuse(path, `must be a string, got ${JSON.stringify(value ?? null)}`);
    return value;
  };
  const num = (value: unknown, path: string): number => {
    if (typeof value !== 'number' || !Number.isFinite(value)) throw refuse(path, `must be a number, got ${JSON.stringify(value ?? null)}`);
    return value;
  };
  const bool = (value: unknown, path: string): boolean => {
    if (typeof value !== 'boolean') throw refuse(path, `must be true or false, got ${JSON.stringify(value)}`);
    return value;
  };
  // `all`: check the entries of a backend switched off too (parseObsConfig), not only those apply sends.
  const xrayOn = bool(config.xray.enabled, 'xray.enabled') || options.all === true;
  const cloudwatchOn = bool(config.cloudwatch.enabled, 'cloudwatch.enabled') || options.all === true;
  const groups = xrayOn
    ? entries(config.xray.groups, 'xray.groups', GROUP_KEYS, 'an X-Ray group', refuse).map((g, i) => {
        const desired: DesiredGroup = {
          name: str(g.name, `xray.groups[${i}].name`),
          filterExpression: g.filterExpression === undefined ? undefined : str(g.filterExpression, `xray.groups[${i}].filterExpression`),
          insights: g.insights === undefined ? undefined : bool(g.insights, `xray.groups[${i}].insights`),
          tags: managed(),
        };
        checked(
          (field) => `xray.groups[${i}].${field}`,
          (label) => validateGroup(desired, label),
        );
        return desired;
      })
    : [];
  const rules = xrayOn
    ? entries(config.xray.samplingRules, 'xray.samplingRules', RULE_KEYS, 'a sampling rule', refuse).map((r, i) => {
        const p = (field: string) => `xray.samplingRules[${i}].${field}`;
        const desired: DesiredSamplingRule = {
          RuleName: str(r.ruleName, p('ruleName')),
          ResourceARN: str(r.resourceArn ?? '*', p('resourceArn')),
          Priority: num(r.priority, p('priority')),
          FixedRate: num(r.fixedRate, p('fixedRate')),
          ReservoirSize: num(r.reservoirSize, p('reservoirSize')),
          ServiceName: str(r.serviceName ?? '*', p('serviceName')),
          ServiceType: str(r.serviceType ?? '*', p('serviceType')),
          Host: str(r.host ?? '*', p('host')),
          HTTPMethod: str(r.httpMethod ?? '*', p('httpMethod')),
          URLPath: str(r.urlPath ?? '*', p('urlPath')),
          Version: 1,
          tags: managed(),
        };
        checked(
          (field) => p(camel(field)),
          (label) => validateSamplingRule(desired, label),
        );
        return desired;
      })
    : [];
  const logGroups = cloudwatchOn
    ? entries(config.cloudwatch.logGroups, 'cloudwatch.logGroups', LOG_GROUP_KEYS, 'a log group', refuse).map((l, i) => {
        const desired: DesiredLogGroup = {
          name: str(l.name, `cloudwatch.logGroups[${i}].name`),
          retentionInDays: l.retentionInDays === undefined ? undefined : num(l.retentionInDays, `cloudwatch.logGroups[${i}].retentionInDays`),
          tags: managed(),
        };
        checked(
          (field) => `cloudwatch.logGroups[${i}].${field}`,
          (label) => validateLogGroup(desired, label),
        );
        return desired;
      })
    : [];
  const logStreams = cloudwatchOn
    ? config.cloudwatch.logGroups.flatMap((l, i) => {
        const path = `cloudwatch.logGroups[${i}].logStreams`;
        const names: unknown = l.logStreams;
        if (names === undefined || names === null) return [];
        if (!Array.isArray(names)) throw refuse(path, `must be a list of stream names (- collector), got ${describeValue(names)}`);
        const streams = names.map((name, j) => {
          const desired: DesiredLogStream = { logGroup: l.name, name: str(name, `${path}[${j}]`) };
          checked(
            () => `${path}[${j}]`,
            (label) => validateLogStream(desired, label),
          );
          return desired;
        });
        unique(
          streams.map((s) => s.name),
          path,
          '',
          'log stream',
          refuse,
        );
        return streams;
      })
    : [];
  const transactionSearch = xrayOn ? transactionSearchFrom(config.xray.transactionSearch, refuse, checked) : undefined;
  unique(
    groups.map((g) => g.name),
    'xray.groups',
    'name',
    'X-Ray group',
    refuse,
  );
  unique(
    rules.map((r) => r.RuleName),
    'xray.samplingRules',
    'ruleName',
    'sampling rule',
    refuse,
  );
  unique(
    logGroups.map((l) => l.name),
    'cloudwatch.logGroups',
    'name',
    'log group',
    refuse,
  );
  return { groups, rules, logGroups, logStreams, ...(transactionSearch && { transactionSearch }) };
}

const TRANSACTION_SEARCH_KEYS = ['indexingPercentage'];

/** `transactionSearch: true`, or a mapping with indexingPercentage; false turns it off. */
function transactionSearchFrom(
  value: unknown,
  refuse: Refuse,
  checked: (label: (field: string) => string, validate: (label: (field: string) => string) => void) => void,
): DesiredResources['transactionSearch'] {
  const path = 'xray.transactionSearch';
  if (value === undefined || value === null || value === false) return undefined;
  if (value !== true && (typeof value !== 'object' || Array.isArray(value))) throw refuse(path, `must be true, false or a mapping (indexingPercentage: 1), got ${describeValue(value)}`);
  const settings = value === true ? {} : (value as Record<string, unknown>);
  for (const key of Object.keys(settings)) {
    if (TRANSACTION_SEARCH_KEYS.includes(key)) continue;
    const guess = closest(key, TRANSACTION_SEARCH_KEYS);
    throw refuse(`${path}.${key}`, `is not a Transaction Search setting${guess ? ` (did you mean ${guess}?)` : ` (${TRANSACTION_SEARCH_KEYS.join(', ')})`}`);
  }
  let indexingRule: DesiredIndexingRule | undefined;
  if (settings.indexingPercentage !== undefined) {
    const percentage = settings.indexingPercentage;
    if (typeof percentage !== 'number') throw refuse(`${path}.indexingPercentage`, `must be a number, got ${JSON.stringify(percentage)}`);
    indexingRule = { name: DEFAULT_INDEXING_RULE, percentage };
    checked(
      () => `${path}.indexingPercentage`,
      (label) => validateIndexingRule(indexingRule!, label),
    );
  }
  return { policy: { name: TRANSACTION_SEARCH_POLICY_NAME }, destination: { destination: 'CloudWatchLogs' }, ...(indexingRule && { indexingRule }) };
}

/** The settings obs.yaml may give each resource; anything else is a typo obs would silently drop. */
const GROUP_KEYS = ['name', 'filterExpression', 'insights'];
const RULE_KEYS = ['ruleName', 'priority', 'fixedRate', 'reservoirSize', 'serviceName', 'serviceType', 'host', 'httpMethod', 'urlPath', 'resourceArn'];
const LOG_GROUP_KEYS = ['name', 'retentionInDays', 'logStreams'];

type Refuse = (path: string, text: string) => UsageError;

/** A list of mappings with known keys, or one line naming where it is not (hand edits break this). */
function entries<T>(value: T[], path: string, keys: string[], what: string, refuse: Refuse): T[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw refuse(path, `must be a list (- name: ...), got ${describeValue(value)}`);
  value.forEach((entry, i) => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw refuse(`${path}[${i}]`, `must be a mapping (name: ...), got ${describeValue(entry)}`);
    for (const key of Object.keys(entry)) {
      if (keys.includes(key)) continue;
      const guess = closest(key, keys);
      throw refuse(`${path}[${i}].${key}`, `is not ${what} setting${guess ? ` (did you mean ${guess}?)` : ` (${keys.join(', ')})`}`);
    }
  });
  return value;
}

/** Two entries with one name would each undo the other on every run: apply never settles. */
function unique(names: string[], path: string, key: string, what: string, refuse: Refuse): void {
  const first = new Map<string, number>();
  names.forEach((name, i) => {
    const earlier = first.get(name);
    if (earlier !== undefined) throw refuse(`${path}[${i}]${key ? `.${key}` : ''}`, `${JSON.stringify(name)} is already used by ${path}[${earlier}]: give each ${what} its own name`);
    first.set(name, i);
  });
}

function describeValue(value: unknown): string {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? 'a mapping' : JSON.stringify(value);
}

/** obs.yaml spells sampling-rule fields in camelCase; the API in PascalCase (HTTPMethod -> httpMethod). */
function camel(field: string): string {
  const special: Record<string, string> = { HTTPMethod: 'httpMethod', URLPath: 'urlPath', ResourceARN: 'resourceArn', RuleName: 'ruleName' };
  return special[field] ?? field.charAt(0).toLowerCase() + field.slice(1);
}
