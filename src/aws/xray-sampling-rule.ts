import { loadXraySdk } from './sdk.js';
import type { SamplingRule, XRayServiceException } from '@aws-sdk/client-xray';
import { UsageError } from '../errors.js';
import { RefusedChange } from './errors.js';
import type { ResourceHandler } from './ensure.js';
import { diffFields, type Difference } from './resource.js';
import { createdTags, differsBeyondTags, parseTags, requestedTags, tagDifferences, tagsToSet } from './tags.js';
import { readXrayTags, setXrayTags } from './xray-tags.js';

export interface DesiredSamplingRule {
  RuleName: string;
  ResourceARN: string;
  Priority: number;
  FixedRate: number;
  ReservoirSize: number;
  ServiceName: string;
  ServiceType: string;
  Host: string;
  HTTPMethod: string;
  URLPath: string;
  Version: number;
  Attributes?: Record<string, string>;
  tags: Map<string, string>;
}

type RuleField = Exclude<keyof DesiredSamplingRule, 'Attributes' | 'tags'>;
interface Limit {
  /** The model shape the bounds come from. */
  shape: string;
  type: 'string' | 'integer' | 'double';
  min?: number;
  max?: number;
}

/**
 * SamplingRule members and their bounds, copied from the model (xray-2016-04-12.json);
 * test/unit/xray-validation.test.ts fails if they drift. Version's max is the service's rule
 * (format 1 is the only one), not the model's.
 */
export const RULE_LIMITS: Record<RuleField, Limit> = {
  RuleName: { shape: 'RuleName', type: 'string', min: 1, max: 32 },
  ResourceARN: { shape: 'ResourceARN', type: 'string', max: 500 },
  Priority: { shape: 'Priority', type: 'integer', min: 1, max: 9999 },
  FixedRate: { shape: 'FixedRate', type: 'double', min: 0, max: 1 },
  ReservoirSize: { shape: 'ReservoirSize', type: 'integer', min: 0 },
  ServiceName: { shape: 'ServiceName', type: 'string', max: 64 },
  ServiceType: { shape: 'ServiceType', type: 'string', max: 64 },
  Host: { shape: 'Host', type: 'string', max: 64 },
  HTTPMethod: { shape: 'HTTPMethod', type: 'string', max: 10 },
  URLPath: { shape: 'URLPath', type: 'string', max: 128 },
  Version: { shape: 'Version', type: 'integer', min: 1, max: 1 },
};
export const ATTRIBUTE_LIMITS = {
  entries: { shape: 'AttributeMap', max: 5 },
  key: { shape: 'AttributeKey', min: 1, max: 32 },
  value: { shape: 'AttributeValue', min: 1, max: 32 },
} as const;
/** The model's `integer` is a Java int. */
const INT_MAX = 2 ** 31 - 1;

const FIELDS = Object.keys(RULE_LIMITS) as RuleField[];

function describe(limit: Limit): string {
  if (limit.type === 'string') return limit.min ? `${limit.min} to ${limit.max} characters` : `at most ${limit.max} characters`;
  if (limit.min === limit.max) return `exactly ${limit.min}`;
  const kind = limit.type === 'integer' ? 'a whole number' : 'a number';
  return limit.max === undefined ? `${kind} of ${limit.min} or more` : `${kind} from ${limit.min} to ${limit.max}`;
}

function fits(limit: Limit, value: unknown): boolean {
  if (limit.type === 'string') return typeof value === 'string' && value.length >= (limit.min ?? 0) && value.length <= limit.max!;
  if (typeof value !== 'number' || !Number.isFinite(value)) return false;
  if (limit.type === 'integer' && (!Number.isInteger(value) || value > INT_MAX)) return false;
  return value >= limit.min! && value <= (limit.max ?? Infinity);
}

function refuse(where: string, limit: Limit, value: unknown): never {
  if (limit.type === 'string' && typeof value === 'string') throw new UsageError(`${where} must be ${describe(limit)}, got ${value.length}`);
  if (limit.type === 'string') throw new UsageError(`${where} must be a string of ${describe(limit)}, got ${JSON.stringify(value)}`);
  throw new UsageError(`${where} must be ${describe(limit)}, got ${JSON.stringify(value)}`);
}

/** Every bound the model and the service documentation set, checked before any AWS call. */
export function validateSamplingRule(d: DesiredSamplingRule, label: (field: string) => string): void {
  for (const field of FIELDS) if (!fits(RULE_LIMITS[field], d[field])) refuse(label(field), RULE_LIMITS[field], d[field]);
  // obs never manages the built-in rule: X-Ray lets only its rate and reservoir change.
  if (d.RuleName === 'Default') throw new UsageError(`${label('RuleName')} cannot be "Default": X-Ray reserves that name for its built-in rule`);
  const attributes = Object.entries(d.Attributes ?? {});
  const { entries, key, value } = ATTRIBUTE_LIMITS;
  if (attributes.length > entries.max) throw new UsageError(`${label('Attributes')} can have at most ${entries.max} attributes, got ${attributes.length}`);
  for (const [k, v] of attributes) {
    if (k.length < key.min || k.length > key.max) throw new UsageError(`${label('Attributes')} key ${JSON.stringify(k)} must be ${key.min} to ${key.max} characters`);
    if (typeof v !== 'string' || v.length < value.min || v.length > value.max) {
      throw new UsageError(`${label('Attributes')} value of ${JSON.stringify(k)} must be ${value.min} to ${value.max} characters, got ${JSON.stringify(v)}`);
    }
  }
}

/** A flag's number, strictly: `--fixed-rate abc` or `--priority 1e3x` is refused, not NaN. */
export function parseRuleNumber(raw: string, field: 'Priority' | 'FixedRate' | 'ReservoirSize', flag: string): number {
  const limit = RULE_LIMITS[field];
  // Plain decimal only: Number() would also take ' 10 ', '0x10', '1e3' and '+5'.
  const pattern = limit.type === 'integer' ? /^\d+$/ : /^(\d+(\.\d*)?|\.\d+)$/;
  if (!pattern.test(raw)) throw new UsageError(`${flag} must be ${describe(limit)}, got ${JSON.stringify(raw)}`);
  return Number(raw);
}

// ---------------------------------------------------------------------------
// --file
// ---------------------------------------------------------------------------

type FileRule = Omit<DesiredSamplingRule, 'tags'> & { tags?: Map<string, string> };
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Parses --file content: AWS CLI input `{"SamplingRule": {...}}` or a bare rule. Every problem is
 * one line naming the file and the JSON path, so a typo'd key is caught here, not by X-Ray.
 */
export function parseSamplingRuleFile(text: string, file: string): FileRule {
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw jsonSyntaxError(text.replace(/^\uFEFF/, ''), file, (err as Error).message);
  }
  const expected = 'expected {"SamplingRule": {...}} as aws xray create-sampling-rule --cli-input-json takes';
  if (!isObject(doc)) throw new UsageError(`${file}: not an X-Ray sampling rule (the top level is not a JSON object); ${expected}`);
  const wrapped = 'SamplingRule' in doc;
  const rule = wrapped ? doc.SamplingRule : doc;
  const prefix = wrapped ? 'SamplingRule.' : '';
  const at = (path: string) => `${file}: ${prefix}${path}`;
  if (wrapped) {
    for (const key of Object.keys(doc)) if (key !== 'SamplingRule' && key !== 'Tags') throw new UsageError(`${file}: ${key} is not a create-sampling-rule member (SamplingRule, Tags)`);
    if (!isObject(rule)) throw new UsageError(`${file}: SamplingRule must be an object, got ${JSON.stringify(rule)}`);
  } else if (!Object.keys(doc).some((k) => k in RULE_LIMITS)) {
    throw new UsageError(
      `${file}: not an X-Ray sampling rule (found ${
        Object.keys(doc)
          .slice(0, 3)
          .map((k) => JSON.stringify(k))
          .join(', ') || 'an empty object'
      }); ${expected}`,
    );
  }
  const r = rule as Record<string, unknown>;
  for (const key of Object.keys(r)) {
    if (key in RULE_LIMITS || key === 'Attributes' || key === 'RuleARN') continue;
    if (key === 'SamplingRateBoost') throw new UsageError(`${at(key)} is not supported by obs yet; remove it, or set it with aws xray update-sampling-rule`);
    const guess = closest(key, [...FIELDS, 'Attributes']);
    throw new UsageError(`${at(key)} is not a sampling rule field${guess ? ` (did you mean ${guess}?)` : ''}`);
  }
  const out: Record<string, unknown> = {};
  for (const field of FIELDS) {
    const value = r[field];
    // JSON null means absent, as it does to AWS.
    if (value === undefined || value === null) throw new UsageError(`${at(field)} is missing; X-Ray requires it (${describe(RULE_LIMITS[field])})`);
    const type = RULE_LIMITS[field].type;
    if (type === 'string' ? typeof value !== 'string' : typeof value !== 'number') refuse(at(field), RULE_LIMITS[field], value);
    out[field] = value;
  }
  if (r.Attributes !== undefined && r.Attributes !== null) {
    if (!isObject(r.Attributes)) throw new UsageError(`${at('Attributes')} must be an object of "key": "value", got ${JSON.stringify(r.Attributes)}`);
    for (const [k, v] of Object.entries(r.Attributes)) if (typeof v !== 'string') throw new UsageError(`${at(`Attributes.${k}`)} must be a string, got ${JSON.stringify(v)}`);
    out.Attributes = r.Attributes;
  }
  const parsed = out as FileRule;
  if (wrapped && doc.Tags !== undefined && doc.Tags !== null) parsed.tags = fileTags(doc.Tags, file);
  validateSamplingRule({ ...parsed, tags: new Map() }, at);
  return parsed;
}

/** `"Tags": [{"Key": "k", "Value": "v"}]`, checked with the same rules as --tag. */
function fileTags(value: unknown, file: string): Map<string, string> {
  if (!Array.isArray(value)) throw new UsageError(`${file}: Tags must be a list of {"Key": ..., "Value": ...}, got ${JSON.stringify(value)}`);
  const tags = new Map<string, string>();
  value.forEach((tag, i) => {
    const where = `${file}: Tags[${i}]`;
    if (!isObject(tag) || typeof tag.Key !== 'string' || typeof tag.Value !== 'string') throw new UsageError(`${where} must be {"Key": "...", "Value": "..."}, got ${JSON.stringify(tag)}`);
    if (tag.Key.includes('=')) throw new UsageError(`${where}.Key cannot contain "=" in obs: ${JSON.stringify(tag.Key)}`);
    parseTags([`${tag.Key}=${tag.Value}`], where);
    tags.set(tag.Key, tag.Value);
  });
  return tags;
}

function jsonSyntaxError(text: string, file: string, message: string): UsageError {
  const explicit = /at position (\d+)/.exec(message);
  const offset = explicit ? Number(explicit[1]) : failingOffset(text);
  const before = text.slice(0, offset).split('\n');
  const reason = offset >= text.trimEnd().length ? 'the file ends before the JSON does' : message.replace(/ in JSON at position \d+.*$/s, '').replace(/, (\.\.\.)?".*is not valid JSON$/s, '');
  return new UsageError(`invalid JSON: ${reason}`, { file, line: before.length, col: before.at(-1)!.length + 1 });
}

/** V8 leaves the offset out of "Unexpected token" errors: find the shortest prefix that already fails. */
function failingOffset(text: string): number {
  const fails = (n: number) => {
    try {
      JSON.parse(text.slice(0, n));
      return false;
    } catch (err) {
      const m = (err as Error).message;
      const at = /at position (\d+)/.exec(m);
      return !/Unexpected end of JSON input/.test(m) && !(at && Number(at[1]) >= n);
    }
  };
  if (!fails(text.length)) return text.length;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (fails(mid)) hi = mid;
    else lo = mid + 1;
  }
  return Math.max(0, lo - 1);
}

/** The known field a typo most likely meant (ResevoirSize -> ReservoirSize), if any is close. */
export function closest(word: string, candidates: string[]): string | undefined {
  const distance = (a: string, b: string): number => {
    let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      const row = [i];
      for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = row;
    }
    return prev[b.length]!;
  };
  let best: [string, number] | undefined;
  for (const c of candidates) {
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d <= 3 && (!best || d < best[1])) best = [c, d];
  }
  return best?.[0];
}

// ---------------------------------------------------------------------------
// Handler
// ---------------------------------------------------------------------------

/** Every field but Version (cannot change) and RuleARN; no Attributes means none. */
function comparable(r: Partial<SamplingRule> | DesiredSamplingRule): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of FIELDS) if (field !== 'RuleName' && field !== 'Version') out[field] = r[field];
  out.Attributes = r.Attributes ?? {};
  return out;
}

/** The rule as found; tags only when the user asked for some. */
export type CurrentSamplingRule = SamplingRule & { tags?: Record<string, string> };

export const samplingRuleHandler: ResourceHandler<DesiredSamplingRule, CurrentSamplingRule> = {
  kind: 'xray-sampling-rule',
  service: 'xray',
  name: (d) => d.RuleName,
  operations: { read: 'GetSamplingRules', create: 'CreateSamplingRule', update: 'UpdateSamplingRule' },

  async read(clients, d) {
    const client = await clients.xray();
    const { paginateGetSamplingRules } = await loadXraySdk();
    for await (const page of paginateGetSamplingRules({ client }, {})) {
      const found = page.SamplingRuleRecords?.find((r) => r.SamplingRule?.RuleName === d.RuleName);
      const rule = found?.SamplingRule;
      if (rule) return requestedTags(d.tags).size && rule.RuleARN ? { ...rule, tags: await readXrayTags(clients, rule.RuleARN) } : rule;
    }
    return undefined;
  },

  plan(d, current) {
    const base = { kind: 'xray-sampling-rule' as const, name: d.RuleName };
    if (!current) {
      // What CreateSamplingRule sends: no Attributes at all when there are none (not `{}`).
      const attributes = d.Attributes && Object.keys(d.Attributes).length > 0 ? d.Attributes : undefined;
      return { ...base, action: 'create', differences: [...diffFields({}, { ...comparable(d), Attributes: attributes }), ...createdTags(d.tags)] };
    }
    const differences: Difference[] = diffFields(comparable(current), comparable(d));
    // Reported, not fixed: changing it means deleting the rule, which obs does not do on its own.
    if (current.Version !== d.Version) differences.push({ field: 'Version (cannot be updated: delete the rule to recreate it)', before: current.Version, after: d.Version });
    differences.push(...tagDifferences(requestedTags(d.tags), current.tags));
    return { ...base, action: differences.length ? 'update' : 'unchanged', differences, arn: current.RuleARN };
  },

  async create(clients, d) {
    const client = await clients.xray();
    const { CreateSamplingRuleCommand } = await loadXraySdk();
    const { tags, ...rule } = d;
    const out = await client.send(new CreateSamplingRuleCommand({ SamplingRule: rule, Tags: [...tags].map(([Key, Value]) => ({ Key, Value })) }));
    return { arn: out.SamplingRuleRecord?.SamplingRule?.RuleARN };
  },

  async update(clients, d, change, current) {
    if (differsBeyondTags(change.differences)) {
      const client = await clients.xray();
      const { UpdateSamplingRuleCommand } = await loadXraySdk();
      const { tags: _tags, Version: _version, RuleName: _name, ...fields } = d;
      await client.send(new UpdateSamplingRuleCommand({ SamplingRuleUpdate: { RuleARN: current.RuleARN, ...fields, Attributes: d.Attributes ?? {} } }));
    }
    await setXrayTags(clients, current.RuleARN!, tagsToSet(change.differences));
    if (current.Version !== d.Version) {
      // The other fields are updated; say plainly that Version is not (exit 1 via a failed outcome).
      throw new RefusedChange(
        `the rule's other fields are updated, but its Version is ${current.Version}, not ${d.Version}, and X-Ray cannot update it; delete the rule (aws xray delete-sampling-rule --rule-name ${d.RuleName}) and run obs again`,
      );
    }
    return { arn: current.RuleARN };
  },

  // No AlreadyExists error in X-Ray; AWS's CloudFormation handler matches "EXISTS" in the message too.
  isAlreadyExists(err) {
    const e = err as XRayServiceException | undefined;
    return e?.name === 'InvalidRequestException' && /exists/i.test(e.message ?? '');
  },
};
