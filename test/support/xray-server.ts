/**
 * A small local AWS X-Ray control-plane server for tests.
 *
 * moto does not implement X-Ray groups or sampling rules, so this speaks just
 * enough rest-json for @aws-sdk/client-xray: groups, sampling rules, tags, and
 * Transaction Search (the trace segment destination and the indexing rules).
 * Routes and request validation come from the vendored botocore model
 * (./xray-model/xray-2016-04-12.json); only behaviour the model cannot express
 * (reserved names, the Default rule, existence checks) is written by hand.
 *
 * Validation error paths follow AWS (Coral) style: each member name with its
 * first letter lower-cased, joined by '.', list elements as `<n>.member`
 * (1-based): e.g. 'samplingRule.fixedRate', 'tags.1.member.key'.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export const XRAY_ACCOUNT_ID = '123456789012';

/** The operations this server implements; every other model operation is a 404. */
export const XRAY_OPERATIONS = [
  'CreateGroup',
  'GetGroup',
  'GetGroups',
  'UpdateGroup',
  'DeleteGroup',
  'CreateSamplingRule',
  'GetSamplingRules',
  'UpdateSamplingRule',
  'DeleteSamplingRule',
  'TagResource',
  'UntagResource',
  'ListTagsForResource',
  'GetTraceSegmentDestination',
  'UpdateTraceSegmentDestination',
  'GetIndexingRules',
  'UpdateIndexingRule',
] as const;
export type XrayOperation = (typeof XRAY_OPERATIONS)[number];

// ---------------------------------------------------------------------------
// Model
// ---------------------------------------------------------------------------

interface MemberRef {
  shape: string;
}
interface ModelShape {
  type: string;
  members?: Record<string, MemberRef>;
  required?: string[];
  member?: MemberRef;
  key?: MemberRef;
  value?: MemberRef;
  min?: number;
  max?: number;
  enum?: string[];
  pattern?: string;
  union?: boolean;
}
interface ModelOperation {
  name: string;
  http: { method: string; requestUri: string };
  input?: MemberRef;
}
interface ServiceModel {
  operations: Record<string, ModelOperation>;
  shapes: Record<string, ModelShape>;
}

const MODEL_URL = new URL('./xray-model/xray-2016-04-12.json', import.meta.url);
let cachedModel: ServiceModel | undefined;

/** The vendored botocore X-Ray model (parsed once per process). */
export function loadXrayModel(): ServiceModel {
  cachedModel ??= JSON.parse(readFileSync(MODEL_URL, 'utf8')) as ServiceModel;
  return cachedModel;
}

/**
 * Constraints the real service enforces that the model does not declare.
 * Keyed by `Structure.Member`; `like` borrows min/max from another model shape.
 */
const SERVICE_MEMBER_CONSTRAINTS: Record<string, { like?: string; min?: number; max?: number }> = {
  // The update shape's numbers are unconstrained in the model, but the service applies create's ranges.
  'SamplingRuleUpdate.Priority': { like: 'Priority' },
  'SamplingRuleUpdate.FixedRate': { like: 'FixedRate' },
  'SamplingRuleUpdate.ReservoirSize': { like: 'ReservoirSize' },
  // Version 1 is the only sampling rule format.
  'SamplingRule.Version': { max: 1 },
  // A percentage: the console offers 0 to 100.
  'ProbabilisticRuleValueUpdate.DesiredSamplingPercentage': { min: 0, max: 100 },
};
/** Members the service requires although the model marks them optional. */
const SERVICE_REQUIRED_MEMBERS: Record<string, string[]> = {
  // The server never generates rule names.
  SamplingRule: ['RuleName'],
};

// ---------------------------------------------------------------------------
// Validation (driven by the model)
// ---------------------------------------------------------------------------

const lowerFirst = (name: string): string => name.charAt(0).toLowerCase() + name.slice(1);
const joinPath = (path: string, name: string): string => (path ? `${path}.${name}` : name);
const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function renderValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'number' || typeof value === 'boolean') return `'${String(value)}'`;
  return `'${JSON.stringify(value)}'`;
}

function violation(value: unknown, path: string, constraint: string): string {
  return `Value ${renderValue(value)} at '${path}' failed to satisfy constraint: ${constraint}`;
}

/** A shape the model refers to by name; a dangling reference is a broken model, not bad input. */
function shapeNamed(model: ServiceModel, name: string): ModelShape {
  const shape = model.shapes[name];
  if (!shape) throw new Error(`the X-Ray model has no shape ${name}`);
  return shape;
}

/** Resolve a member's effective shape: the model shape plus service-only constraints. */
function memberShape(model: ServiceModel, structureName: string, memberName: string, ref: MemberRef): ModelShape {
  const shape = shapeNamed(model, ref.shape);
  const extra = SERVICE_MEMBER_CONSTRAINTS[`${structureName}.${memberName}`];
  if (!extra) return shape;
  const borrowed = extra.like ? shapeNamed(model, extra.like) : undefined;
  const merged: ModelShape = { ...shape };
  for (const key of ['min', 'max'] as const) {
    const bound = extra[key] ?? borrowed?.[key];
    if (bound !== undefined) merged[key] = bound;
  }
  return merged;
}

function typeViolation(shape: ModelShape, value: unknown): string | undefined {
  const ok: Record<string, (v: unknown) => boolean> = {
    string: (v) => typeof v === 'string',
    blob: (v) => typeof v === 'string',
    boolean: (v) => typeof v === 'boolean',
    integer: (v) => Number.isInteger(v),
    long: (v) => Number.isInteger(v),
    double: (v) => typeof v === 'number' && Number.isFinite(v),
    float: (v) => typeof v === 'number' && Number.isFinite(v),
    timestamp: (v) => typeof v === 'number' || typeof v === 'string',
    structure: isPlainObject,
    map: isPlainObject,
    list: Array.isArray,
  };
  const check = ok[shape.type];
  if (!check) return `Member has unsupported model type ${shape.type}`;
  return check(value) ? undefined : `Member must be of type ${shape.type}`;
}

/** Length/range/enum/pattern constraints of a value already known to have the right type. */
function boundViolations(shape: ModelShape, value: unknown): string[] {
  const out: string[] = [];
  const size = typeof value === 'string' ? value.length : Array.isArray(value) ? value.length : isPlainObject(value) ? Object.keys(value).length : undefined;
  // Coral reports sizes of strings, lists and maps as "length" and numbers as "value".
  const [measure, amount] = size === undefined ? ['value', value as number] : ['length', size];
  if (shape.min !== undefined && amount < shape.min) out.push(`Member must have ${measure} greater than or equal to ${shape.min}`);
  if (shape.max !== undefined && amount > shape.max) out.push(`Member must have ${measure} less than or equal to ${shape.max}`);
  if (shape.enum && !shape.enum.includes(value as string)) out.push(`Member must satisfy enum value set: [${shape.enum.join(', ')}]`);
  if (shape.pattern && !new RegExp(`^(?:${shape.pattern})$`, 'u').test(value as string)) {
    out.push(`Member must satisfy regular expression pattern: ${shape.pattern}`);
  }
  return out;
}

function validateValue(model: ServiceModel, shapeName: string, shape: ModelShape, value: unknown, path: string, errors: string[]): void {
  const typeError = typeViolation(shape, value);
  if (typeError) {
    errors.push(violation(value, path, typeError));
    return;
  }
  for (const constraint of boundViolations(shape, value)) errors.push(violation(value, path, constraint));
  if (shape.type === 'structure') validateStructure(model, shapeName, shape, value as Record<string, unknown>, path, errors);
  if (shape.type === 'list') validateList(model, shape, value as unknown[], path, errors);
  if (shape.type === 'map') validateMap(model, shape, value as Record<string, unknown>, path, errors);
}

function validateStructure(model: ServiceModel, name: string, shape: ModelShape, value: Record<string, unknown>, path: string, errors: string[]): void {
  const members = shape.members ?? {};
  // A union (IndexingRuleValueUpdate) holds exactly one of its members.
  if (shape.union) {
    const set = Object.keys(members).filter((m) => value[m] !== undefined && value[m] !== null);
    if (set.length !== 1) errors.push(violation(value, path, `Union must have exactly one member set, got ${set.length}`));
  }
  const required = new Set([...(shape.required ?? []), ...(SERVICE_REQUIRED_MEMBERS[name] ?? [])]);
  for (const [memberName, ref] of Object.entries(members)) {
    const memberPath = joinPath(path, lowerFirst(memberName));
    const memberValue = value[memberName];
    // JSON null counts as absent, as it does for AWS.
    if (memberValue === undefined || memberValue === null) {
      if (required.has(memberName)) errors.push(violation(null, memberPath, 'Member must not be null'));
      continue;
    }
    validateValue(model, ref.shape, memberShape(model, name, memberName, ref), memberValue, memberPath, errors);
  }
  for (const key of Object.keys(value)) {
    if (!(key in members)) errors.push(violation(value[key], joinPath(path, lowerFirst(key)), `Member is not defined in shape ${name}`));
  }
}

function validateList(model: ServiceModel, shape: ModelShape, value: unknown[], path: string, errors: string[]): void {
  const ref = shape.member!;
  value.forEach((item, index) => {
    const itemPath = `${path}.${index + 1}.member`;
    if (item === null) errors.push(violation(null, itemPath, 'Member must not be null'));
    else validateValue(model, ref.shape, shapeNamed(model, ref.shape), item, itemPath, errors);
  });
}

function validateMap(model: ServiceModel, shape: ModelShape, value: Record<string, unknown>, path: string, errors: string[]): void {
  const keyShape = shapeNamed(model, shape.key!.shape);
  const valueShape = shapeNamed(model, shape.value!.shape);
  for (const [key, item] of Object.entries(value)) {
    // Coral reports map entries against the map itself, with the nested constraints in brackets.
    const keyErrors = boundViolations(keyShape, key);
    if (keyErrors.length) errors.push(violation(key, path, `Map keys must satisfy constraint: [${keyErrors.join(', ')}]`));
    const nested: string[] = [];
    validateValue(model, shape.value!.shape, valueShape, item, joinPath(path, key), nested);
    if (['structure', 'list', 'map'].includes(valueShape.type)) errors.push(...nested);
    else if (nested.length) {
      const constraints = typeViolation(valueShape, item) ?? boundViolations(valueShape, item).join(', ');
      errors.push(violation(item, path, `Map value must satisfy constraint: [${constraints}]`));
    }
  }
}

/**
 * Validate an operation's JSON input against the model. Returns AWS-style
 * violation strings (empty when valid).
 */
export function validateXrayInput(operation: string, input: unknown): string[] {
  const model = loadXrayModel();
  const inputRef = model.operations[operation]?.input;
  if (!inputRef) return [];
  const errors: string[] = [];
  validateValue(model, inputRef.shape, shapeNamed(model, inputRef.shape), input, '', errors);
  return errors;
}

export function validationMessage(errors: string[]): string {
  const noun = errors.length === 1 ? 'error' : 'errors';
  return `${errors.length} validation ${noun} detected: ${errors.join('; ')}`;
}

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/** An error answered as `{"__type": code, ...body}` with `x-amzn-ErrorType: code`. */
export class XrayServerError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string | undefined,
    // Modeled X-Ray exceptions spell it `Message`; gateway-level errors use `message`.
    readonly body: Record<string, unknown> = message === undefined ? {} : { Message: message },
  ) {
    super(message ?? code);
  }
}

const invalidRequest = (message: string) => new XrayServerError(400, 'InvalidRequestException', message);

// ---------------------------------------------------------------------------
// State
// ---------------------------------------------------------------------------

export interface InsightsConfiguration {
  InsightsEnabled: boolean;
  NotificationsEnabled: boolean;
}
export interface GroupRecord {
  GroupName: string;
  GroupARN: string;
  FilterExpression?: string;
  InsightsConfiguration: InsightsConfiguration;
}
export interface SamplingRule {
  RuleName: string;
  RuleARN: string;
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
  SamplingRateBoost?: { MaxRate: number; CooldownWindowMinutes: number };
}
export interface SamplingRuleRecord {
  SamplingRule: SamplingRule;
  /** Epoch seconds. */
  CreatedAt: number;
  /** Epoch seconds. */
  ModifiedAt: number;
}
export type TraceSegmentDestination = 'XRay' | 'CloudWatchLogs';
export interface IndexingRuleRecord {
  Name: string;
  /** Epoch seconds. */
  ModifiedAt: number;
  Rule: { Probabilistic: { DesiredSamplingPercentage: number; ActualSamplingPercentage?: number } };
}
export interface RegionState {
  region: string;
  /**
   * Where X-Ray stores spans; switching is asynchronous: PENDING until `activeAt`
   * (epoch seconds, the server's clock), then ACTIVE.
   */
  destination: { Destination: TraceSegmentDestination; activeAt: number };
  /** By Name; always holds `Default` (1 %, what AWS indexes for free). */
  indexingRules: Map<string, IndexingRuleRecord>;
  /** By GroupName, in creation order. */
  groups: Map<string, GroupRecord>;
  /** By RuleName, in creation order; always holds `Default`. */
  rules: Map<string, SamplingRuleRecord>;
  /** Tags by resource ARN. */
  tags: Map<string, Map<string, string>>;
}
export interface XrayState {
  accountId: string;
  /** Regions touched so far; data is partitioned by the SigV4 credential scope region. */
  regions: Map<string, RegionState>;
  /** The region's state, created (with its Default rule) on first use. */
  region(name: string): RegionState;
}

export const DEFAULT_RULE_NAME = 'Default';
export const DEFAULT_INDEXING_RULE = 'Default';

function defaultRule(region: string, accountId: string): SamplingRuleRecord {
  return {
    SamplingRule: {
      RuleName: DEFAULT_RULE_NAME,
      RuleARN: ruleArn(region, accountId, DEFAULT_RULE_NAME),
      ResourceARN: '*',
      Priority: 10000,
      FixedRate: 0.05,
      ReservoirSize: 1,
      ServiceName: '*',
      ServiceType: '*',
      Host: '*',
      HTTPMethod: '*',
      URLPath: '*',
      Version: 1,
      Attributes: {},
    },
    CreatedAt: 0,
    ModifiedAt: 0,
  };
}

function createState(accountId: string): XrayState {
  const regions = new Map<string, RegionState>();
  return {
    accountId,
    regions,
    region(name) {
      let state = regions.get(name);
      if (!state) {
        state = { region: name, groups: new Map(), rules: new Map(), tags: new Map(), destination: { Destination: 'XRay', activeAt: 0 }, indexingRules: new Map() };
        state.rules.set(DEFAULT_RULE_NAME, defaultRule(name, accountId));
        state.indexingRules.set(DEFAULT_INDEXING_RULE, { Name: DEFAULT_INDEXING_RULE, ModifiedAt: 0, Rule: { Probabilistic: { DesiredSamplingPercentage: 1, ActualSamplingPercentage: 1 } } });
        regions.set(name, state);
      }
      return state;
    },
  };
}

const ruleArn = (region: string, accountId: string, name: string) => `arn:aws:xray:${region}:${accountId}:sampling-rule/${name}`;

/** 26 characters of base32 (A-Z, 2-7), the shape of the id AWS appends to group ARNs. */
function groupId(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  return [...randomBytes(26)].map((b) => alphabet[b % 32]).join('');
}

// ---------------------------------------------------------------------------
// Operation handlers
// ---------------------------------------------------------------------------

type Input = Record<string, any>;
interface Context {
  region: RegionState;
  accountId: string;
  pageSize: number;
  maxSamplingRules: number;
  maxTagsPerResource: number;
  destinationPendingSeconds: number;
  now: () => number;
}
type Handler = (input: Input, ctx: Context) => object;

function checkInsights(config: InsightsConfiguration): void {
  if (config.NotificationsEnabled && !config.InsightsEnabled) {
    throw invalidRequest('InsightsConfiguration.NotificationsEnabled can only be true when InsightsEnabled is true');
  }
}

function groupView(group: GroupRecord): object {
  const { FilterExpression, ...rest } = group;
  return FilterExpression ? { ...rest, FilterExpression } : rest;
}

function findGroup(input: Input, ctx: Context): GroupRecord {
  const { GroupName, GroupARN } = input;
  if (GroupName === undefined && GroupARN === undefined) throw invalidRequest('Either GroupName or GroupARN must be specified');
  const group = GroupARN !== undefined ? [...ctx.region.groups.values()].find((g) => g.GroupARN === GroupARN) : ctx.region.groups.get(GroupName);
  if (!group || (GroupName !== undefined && group.GroupName !== GroupName)) throw invalidRequest('Group not found');
  return group;
}

function findRule(input: Input, ctx: Context): SamplingRuleRecord {
  const { RuleName, RuleARN } = input;
  if (RuleName === undefined && RuleARN === undefined) throw invalidRequest('Either RuleName or RuleARN must be specified');
  const record = RuleARN !== undefined ? [...ctx.region.rules.values()].find((r) => r.SamplingRule.RuleARN === RuleARN) : ctx.region.rules.get(RuleName);
  if (!record || (RuleName !== undefined && record.SamplingRule.RuleName !== RuleName)) {
    throw invalidRequest('Sampling rule does not exist');
  }
  return record;
}

function resourceExists(arn: string, ctx: Context): boolean {
  const { groups, rules } = ctx.region;
  return [...groups.values()].some((g) => g.GroupARN === arn) || [...rules.values()].some((r) => r.SamplingRule.RuleARN === arn);
}

function applyTags(arn: string, tags: Array<{ Key: string; Value: string }> | undefined, ctx: Context): void {
  const current = new Map(ctx.region.tags.get(arn));
  for (const { Key, Value } of tags ?? []) current.set(Key, Value);
  if (current.size > ctx.maxTagsPerResource) {
    throw new XrayServerError(400, 'TooManyTagsException', `Resource has more than ${ctx.maxTagsPerResource} tags`, {
      Message: `Resource has more than ${ctx.maxTagsPerResource} tags`,
      ResourceName: arn,
    });
  }
  if (current.size) ctx.region.tags.set(arn, current);
}

function taggedResource(arn: string, ctx: Context): string {
  if (!resourceExists(arn, ctx)) {
    throw new XrayServerError(404, 'ResourceNotFoundException', 'Resource not found', {
      Message: 'Resource not found',
      ResourceName: arn,
    });
  }
  return arn;
}

/** Opaque page tokens: base64 of the operation and the next offset. */
function paginate<T>(operation: string, items: T[], token: string | undefined, pageSize: number): { page: T[]; NextToken?: string } {
  let offset = 0;
  if (token !== undefined) {
    try {
      const decoded = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
      if (decoded.op !== operation || !Number.isInteger(decoded.offset) || decoded.offset < 0) throw new Error('bad token');
      offset = decoded.offset;
    } catch {
      throw invalidRequest('Invalid NextToken');
    }
  }
  const end = offset + pageSize;
  const NextToken = end < items.length ? Buffer.from(JSON.stringify({ op: operation, offset: end })).toString('base64') : undefined;
  return { page: items.slice(offset, end), ...(NextToken ? { NextToken } : {}) };
}

const RULE_UPDATABLE_ON_DEFAULT = new Set(['RuleName', 'RuleARN', 'FixedRate', 'ReservoirSize']);

const handlers: Record<XrayOperation, Handler> = {
  CreateGroup(input, ctx) {
    const name: string = input.GroupName;
    if (name === 'Default') throw invalidRequest('Group name Default is reserved');
    if (ctx.region.groups.has(name)) throw invalidRequest('Group already exists');
    const group: GroupRecord = {
      GroupName: name,
      GroupARN: `arn:aws:xray:${ctx.region.region}:${ctx.accountId}:group/${name}/${groupId()}`,
      InsightsConfiguration: { InsightsEnabled: false, NotificationsEnabled: false, ...input.InsightsConfiguration },
    };
    if (input.FilterExpression) group.FilterExpression = input.FilterExpression;
    checkInsights(group.InsightsConfiguration);
    applyTags(group.GroupARN, input.Tags, ctx);
    ctx.region.groups.set(name, group);
    return { Group: groupView(group) };
  },

  GetGroup(input, ctx) {
    return { Group: groupView(findGroup(input, ctx)) };
  },

  GetGroups(input, ctx) {
    const { page, NextToken } = paginate('GetGroups', [...ctx.region.groups.values()], input.NextToken, ctx.pageSize);
    return { Groups: page.map(groupView), NextToken };
  },

  UpdateGroup(input, ctx) {
    const group = findGroup(input, ctx);
    const insights = { ...group.InsightsConfiguration, ...input.InsightsConfiguration };
    checkInsights(insights);
    group.InsightsConfiguration = insights;
    // An empty FilterExpression clears it.
    if (input.FilterExpression !== undefined) group.FilterExpression = input.FilterExpression || undefined;
    return { Group: groupView(group) };
  },

  DeleteGroup(input, ctx) {
    const group = findGroup(input, ctx);
    ctx.region.groups.delete(group.GroupName);
    ctx.region.tags.delete(group.GroupARN);
    return {};
  },

  CreateSamplingRule(input, ctx) {
    const { RuleARN: _ignored, ...fields } = input.SamplingRule as SamplingRule;
    if (ctx.region.rules.has(fields.RuleName)) throw invalidRequest('Sampling rule already exists');
    if (ctx.region.rules.size - 1 >= ctx.maxSamplingRules) {
      throw new XrayServerError(400, 'RuleLimitExceededException', 'Sampling rule limit exceeded');
    }
    const now = ctx.now();
    const record: SamplingRuleRecord = {
      SamplingRule: { Attributes: {}, ...fields, RuleARN: ruleArn(ctx.region.region, ctx.accountId, fields.RuleName) },
      CreatedAt: now,
      ModifiedAt: now,
    };
    applyTags(record.SamplingRule.RuleARN, input.Tags, ctx);
    ctx.region.rules.set(fields.RuleName, record);
    return { SamplingRuleRecord: record };
  },

  GetSamplingRules(input, ctx) {
    const { page, NextToken } = paginate('GetSamplingRules', [...ctx.region.rules.values()], input.NextToken, ctx.pageSize);
    return { SamplingRuleRecords: page, NextToken };
  },

  UpdateSamplingRule(input, ctx) {
    const update: Input = input.SamplingRuleUpdate;
    const record = findRule(update, ctx);
    const isDefault = record.SamplingRule.RuleName === DEFAULT_RULE_NAME;
    if (isDefault && Object.keys(update).some((key) => !RULE_UPDATABLE_ON_DEFAULT.has(key))) {
      throw invalidRequest('Invalid update request for default sampling rule');
    }
    const { RuleName: _name, RuleARN: _arn, ...changes } = update;
    record.SamplingRule = { ...record.SamplingRule, ...changes };
    record.ModifiedAt = ctx.now();
    return { SamplingRuleRecord: record };
  },

  DeleteSamplingRule(input, ctx) {
    const record = findRule(input, ctx);
    if (record.SamplingRule.RuleName === DEFAULT_RULE_NAME) throw invalidRequest('Cannot delete the default sampling rule');
    ctx.region.rules.delete(record.SamplingRule.RuleName);
    ctx.region.tags.delete(record.SamplingRule.RuleARN);
    return { SamplingRuleRecord: record };
  },

  TagResource(input, ctx) {
    applyTags(taggedResource(input.ResourceARN, ctx), input.Tags, ctx);
    return {};
  },

  UntagResource(input, ctx) {
    const tags = ctx.region.tags.get(taggedResource(input.ResourceARN, ctx));
    for (const key of input.TagKeys as string[]) tags?.delete(key);
    return {};
  },

  ListTagsForResource(input, ctx) {
    const tags = ctx.region.tags.get(taggedResource(input.ResourceARN, ctx)) ?? new Map();
    return { Tags: [...tags].map(([Key, Value]) => ({ Key, Value })) };
  },

  GetTraceSegmentDestination(_input, ctx) {
    return destinationView(ctx);
  },

  // Switching takes a while (AWS: minutes): PENDING until then. Asking for the current
  // destination again changes nothing and does not restart the switch.
  UpdateTraceSegmentDestination(input, ctx) {
    const destination = ctx.region.destination;
    if (input.Destination !== undefined && input.Destination !== destination.Destination) {
      destination.Destination = input.Destination;
      destination.activeAt = ctx.now() + ctx.destinationPendingSeconds;
    }
    return destinationView(ctx);
  },

  GetIndexingRules(input, ctx) {
    const { page, NextToken } = paginate('GetIndexingRules', [...ctx.region.indexingRules.values()], input.NextToken, ctx.pageSize);
    return { IndexingRules: page, NextToken };
  },

  UpdateIndexingRule(input, ctx) {
    const record = ctx.region.indexingRules.get(input.Name);
    if (!record) throw new XrayServerError(404, 'ResourceNotFoundException', `Indexing rule ${input.Name} not found`, { Message: `Indexing rule ${input.Name} not found`, ResourceName: input.Name });
    const desired = input.Rule.Probabilistic.DesiredSamplingPercentage as number;
    record.Rule = { Probabilistic: { DesiredSamplingPercentage: desired, ActualSamplingPercentage: desired } };
    record.ModifiedAt = ctx.now();
    return { IndexingRule: record };
  },
};

function destinationView(ctx: Context): object {
  const { Destination, activeAt } = ctx.region.destination;
  return { Destination, Status: ctx.now() < activeAt ? 'PENDING' : 'ACTIVE' };
}

// ---------------------------------------------------------------------------
// HTTP
// ---------------------------------------------------------------------------

/** `METHOD /path` -> operation, for the implemented operations only, from the model's http traits. */
function buildRoutes(model: ServiceModel): Map<string, XrayOperation> {
  const routes = new Map<string, XrayOperation>();
  for (const name of XRAY_OPERATIONS) {
    const operation = model.operations[name];
    if (!operation) throw new Error(`the X-Ray model has no operation ${name}`);
    const { method, requestUri } = operation.http;
    routes.set(`${method} ${requestUri.split('?')[0]}`, name);
  }
  return routes;
}

const SIGV4 = /^AWS4-HMAC-SHA256 Credential=([^/\s,]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request,\s*SignedHeaders=[a-z0-9;-]+,\s*Signature=[0-9a-f]{64}$/;

/** Check the SigV4 header's shape (not the signature) and return the credential scope region. */
function authenticate(authorization: string | undefined): string {
  if (!authorization) {
    throw new XrayServerError(403, 'MissingAuthenticationTokenException', undefined, { message: 'Missing Authentication Token' });
  }
  const match = SIGV4.exec(authorization);
  if (!match) {
    const message = 'Authorization header is not a valid AWS4-HMAC-SHA256 signature (Credential, SignedHeaders, Signature)';
    throw new XrayServerError(403, 'InvalidSignatureException', undefined, { message });
  }
  if (match[4] !== 'xray') {
    throw new XrayServerError(403, 'InvalidSignatureException', undefined, { message: "Credential should be scoped to correct service: 'xray'." });
  }
  return match[3]!; // the pattern has no optional groups
}

function parseBody(raw: string): Input {
  if (raw.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw invalidRequest('Request body is not valid JSON');
  }
  if (!isPlainObject(parsed)) throw invalidRequest('Request body must be a JSON object');
  return parsed;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: http.ServerResponse, status: number, body: object, errorType?: string): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
    'x-amzn-RequestId': randomUUID(),
    ...(errorType ? { 'x-amzn-ErrorType': errorType } : {}),
  });
  res.end(payload);
}

// ---------------------------------------------------------------------------
// Control
// ---------------------------------------------------------------------------

export type FailureKind = 'throttle' | 'error';

export interface RecordedRequest {
  /** null when the route matched no implemented operation. */
  operation: XrayOperation | null;
  method: string;
  path: string;
  /** Parsed JSON body; the raw string when it was not JSON; {} when empty. */
  body: unknown;
  headers: http.IncomingHttpHeaders;
  /** HTTP status the server answered with. */
  status?: number;
}

export interface XrayControl {
  /** Every request received, in order (including rejected ones). */
  readonly requests: RecordedRequest[];
  /**
   * Fail the next `n` authenticated requests to implemented operations:
   * 'throttle' -> 429 ThrottledException, 'error' -> 500 {"__type":"InternalFailure"}.
   * Calls accumulate in order.
   */
  failNext: (n: number, kind?: FailureKind) => void;
  /** Forget recorded requests and pending failures and wipe all regions' data. */
  reset: () => void;
}

function createControl(state: XrayState): XrayControl & { takeFailure(): FailureKind | undefined } {
  const pending: FailureKind[] = [];
  const requests: RecordedRequest[] = [];
  return {
    requests,
    failNext(n, kind = 'throttle') {
      for (let i = 0; i < n; i++) pending.push(kind);
    },
    reset() {
      requests.length = 0;
      pending.length = 0;
      state.regions.clear();
    },
    takeFailure: () => pending.shift(),
  };
}

function injectedFailure(kind: FailureKind): XrayServerError {
  return kind === 'throttle' ? new XrayServerError(429, 'ThrottledException', 'Rate exceeded') : new XrayServerError(500, 'InternalFailure', undefined, {});
}

// ---------------------------------------------------------------------------
// Server
// ---------------------------------------------------------------------------

export interface XrayServerOptions {
  /** Listen port; default 0 (random). Always binds 127.0.0.1. */
  port?: number;
  /** Items per page for GetGroups and GetSamplingRules; default 2. */
  pageSize?: number;
  /** Account id used in ARNs; default 123456789012. */
  accountId?: string;
  /** Custom sampling rules allowed per region (Default excluded); default 25, as AWS. */
  maxSamplingRules?: number;
  /** Tags allowed per resource; default 50, as AWS. */
  maxTagsPerResource?: number;
  /** Clock for CreatedAt/ModifiedAt and the destination switch, in epoch seconds; default Date.now() / 1000. */
  now?: () => number;
  /** How long a trace segment destination stays PENDING after a switch; default 60 s. */
  destinationPendingSeconds?: number;
}

export interface XrayServer {
  /** e.g. http://127.0.0.1:54321 — pass as the SDK client's `endpoint`. */
  url: string;
  port: number;
  state: XrayState;
  control: XrayControl;
  close(): Promise<void>;
}

export async function startXrayServer(options: XrayServerOptions = {}): Promise<XrayServer> {
  const model = loadXrayModel();
  const routes = buildRoutes(model);
  const accountId = options.accountId ?? XRAY_ACCOUNT_ID;
  const state = createState(accountId);
  const control = createControl(state);
  const settings = {
    pageSize: options.pageSize ?? 2,
    maxSamplingRules: options.maxSamplingRules ?? 25,
    maxTagsPerResource: options.maxTagsPerResource ?? 50,
    destinationPendingSeconds: options.destinationPendingSeconds ?? 60,
    now: options.now ?? (() => Date.now() / 1000),
  };

  async function respond(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const operation = routes.get(`${req.method} ${path}`) ?? null;
    const record: RecordedRequest = { operation, method: req.method ?? '', path, body: recordableBody(raw), headers: req.headers };
    control.requests.push(record);
    try {
      if (!operation) {
        throw new XrayServerError(404, 'UnknownOperationException', undefined, { message: `No operation for ${req.method} ${path}` });
      }
      const region = authenticate(req.headers.authorization);
      const failure = control.takeFailure();
      if (failure) throw injectedFailure(failure);
      const input = parseBody(raw);
      const errors = validateXrayInput(operation, input);
      if (errors.length) throw invalidRequest(validationMessage(errors));
      const ctx: Context = { region: state.region(region), accountId, ...settings };
      const output = handlers[operation](withoutNulls(input) as Input, ctx);
      record.status = 200;
      send(res, 200, output);
    } catch (error) {
      const failure = error instanceof XrayServerError ? error : new XrayServerError(500, 'InternalFailure', undefined, { message: String(error) });
      record.status = failure.status;
      send(res, failure.status, { __type: failure.code, ...failure.body }, failure.code);
    }
  }

  const server = http.createServer((req, res) => {
    respond(req, res).catch((error) => {
      res.destroy(error as Error);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    state,
    control: { requests: control.requests, failNext: control.failNext, reset: control.reset },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // SDK clients keep connections alive; drop them so close() does not hang.
        server.closeAllConnections();
      }),
  };
}

/** AWS treats JSON null members as absent; dropping them keeps handlers simple. */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (!isPlainObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => [k, withoutNulls(v)]),
  );
}

function recordableBody(raw: string): unknown {
  if (raw.trim() === '') return {};
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}
