import { loadXraySdk } from './sdk.js';
import type { GroupSummary, XRayServiceException } from '@aws-sdk/client-xray';
import { UsageError } from '../errors.js';
import type { ResourceHandler } from './ensure.js';
import { diffFields } from './resource.js';
import { createdTags, differsBeyondTags, requestedTags, tagDifferences, tagsToSet } from './tags.js';
import { readXrayTags, setXrayTags } from './xray-tags.js';

/** The group as found; tags only when the user asked for some (one more request otherwise wasted). */
export type CurrentGroup = GroupSummary & { tags?: Record<string, string> };

export interface DesiredGroup {
  name: string;
  /** undefined: leave whatever the group has. */
  filterExpression?: string;
  insights?: boolean;
  notifications?: boolean;
  tags: Map<string, string>;
}

/** GroupName limits from the model (shape GroupName); test/unit/xray-validation.test.ts keeps them in step. */
export const GROUP_NAME_LIMITS = { shape: 'GroupName', min: 1, max: 32 } as const;

/** GroupName: model 1-32; the console allows letters, digits and dashes; `Default` is reserved. */
export function validateGroup(d: DesiredGroup, label: (field: 'name' | 'filterExpression' | 'notifications') => string): void {
  const { min, max } = GROUP_NAME_LIMITS;
  if (d.name.length < min || d.name.length > max) throw new UsageError(`${label('name')} must be ${min} to ${max} characters, got ${d.name.length}`);
  if (!/^[A-Za-z0-9-]+$/.test(d.name)) throw new UsageError(`${label('name')} may contain only letters, digits and dashes: ${JSON.stringify(d.name)}`);
  if (d.name === 'Default') throw new UsageError(`${label('name')} cannot be "Default": X-Ray reserves that name`);
  if (d.filterExpression !== undefined) {
    const problem = filterProblem(d.filterExpression);
    if (problem) throw new UsageError(`${label('filterExpression')} ${problem}: ${d.filterExpression}`);
  }
  if (d.notifications && !d.insights) throw new UsageError(`${label('notifications')} needs insights enabled too (X-Ray sends notifications only for Insights)`);
}

/**
 * Catches what shell quoting does to filter expressions before X-Ray sees them (the Cruddur
 * journals have `service(\"x\")` in single quotes and unterminated `"service(\"x\")`).
 */
function filterProblem(expr: string): string | undefined {
  if (expr.trim() === '') return 'is empty';
  let inString = false;
  const open: string[] = [];
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i]!;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '\\') return 'has a backslash outside a quoted string (shell quoting left \\" in it?)';
    else if (c === '(' || c === '{') {
      // Unescaped quotes inside "..." in a shell leave service(backend-flask), which X-Ray refuses.
      const fn = /\b(service|edge)\s*$/.exec(expr.slice(0, i))?.[1];
      if (fn && c === '(' && !/^\s*([")\\]|id\s*\()/.test(expr.slice(i + 1))) return `needs the name in ${fn}(...) double-quoted, e.g. ${fn}("api")`;
      open.push(c === '(' ? ')' : '}');
    } else if ((c === ')' || c === '}') && open.pop() !== c) return `has an unmatched "${c}"`;
  }
  if (inString) return 'has an unterminated double-quoted string';
  if (open.length) return `is missing a closing "${open.at(-1)}"`;
  return undefined;
}

/**
 * `service("backend-flask") {fault OR error}`. A URL becomes its host[:port]: that is the name
 * X-Ray SDKs give segments (the Cruddur seeds pass the whole $FLASK_ADDRESS, scheme included).
 */
export function serviceFilter(nameOrUrl: string, errorsOnly: boolean): string {
  let name = nameOrUrl.trim();
  if (name.includes('://')) {
    try {
      name = new URL(name).host;
    } catch {
      throw new UsageError(`--service is neither a service name nor a valid URL: ${JSON.stringify(nameOrUrl)}`);
    }
  }
  if (name === '') throw new UsageError('--service must not be empty');
  const quoted = `"${name.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
  return `service(${quoted})${errorsOnly ? ' {fault OR error}' : ''}`;
}

/** The fields obs compares, flattened so differences read `InsightsEnabled: false -> true`. */
function comparable(g: { FilterExpression?: string; InsightsConfiguration?: { InsightsEnabled?: boolean; NotificationsEnabled?: boolean } }) {
  return {
    FilterExpression: g.FilterExpression,
    InsightsEnabled: g.InsightsConfiguration?.InsightsEnabled,
    NotificationsEnabled: g.InsightsConfiguration?.NotificationsEnabled,
  };
}

/**
 * What to set: what the user gave, and notifications off with Insights turned off when they are
 * on (X-Ray sends notifications only for Insights, and refuses notifications without it).
 */
function wanted(d: DesiredGroup, current?: CurrentGroup): { insights?: boolean; notifications?: boolean } {
  const notificationsOn = current?.InsightsConfiguration?.NotificationsEnabled === true;
  return { insights: d.insights, notifications: d.notifications ?? (d.insights === false && notificationsOn ? false : undefined) };
}

function desiredFields(d: DesiredGroup, current?: CurrentGroup) {
  const w = wanted(d, current);
  return { FilterExpression: d.filterExpression, InsightsEnabled: w.insights, NotificationsEnabled: w.notifications };
}

/** Only what the user gave (see wanted); UpdateGroup leaves the rest as it is. */
function insightsConfiguration(d: DesiredGroup, current?: CurrentGroup) {
  const { insights, notifications } = wanted(d, current);
  if (insights === undefined && notifications === undefined) return undefined;
  return { ...(insights !== undefined && { InsightsEnabled: insights }), ...(notifications !== undefined && { NotificationsEnabled: notifications }) };
}

export const xrayGroupHandler: ResourceHandler<DesiredGroup, CurrentGroup> = {
  kind: 'xray-group',
  service: 'xray',
  name: (d) => d.name,
  operations: { read: 'GetGroups', create: 'CreateGroup', update: 'UpdateGroup' },

  // GetGroups, not GetGroup: a missing group is an InvalidRequestException indistinguishable by type.
  async read(clients, d) {
    const client = await clients.xray();
    const { paginateGetGroups } = await loadXraySdk();
    for await (const page of paginateGetGroups({ client }, {})) {
      const found = page.Groups?.find((g) => g.GroupName === d.name);
      if (found) return requestedTags(d.tags).size && found.GroupARN ? { ...found, tags: await readXrayTags(clients, found.GroupARN) } : found;
    }
    return undefined;
  },

  plan(d, current) {
    const base = { kind: 'xray-group' as const, name: d.name };
    if (!current) return { ...base, action: 'create', differences: [...diffFields({}, desiredFields(d)), ...createdTags(d.tags)] };
    const differences = [...diffFields(comparable(current), desiredFields(d, current)), ...tagDifferences(requestedTags(d.tags), current.tags)];
    return { ...base, action: differences.length ? 'update' : 'unchanged', differences, arn: current.GroupARN };
  },

  async create(clients, d) {
    const client = await clients.xray();
    const { CreateGroupCommand } = await loadXraySdk();
    const out = await client.send(
      new CreateGroupCommand({
        GroupName: d.name,
        FilterExpression: d.filterExpression,
        InsightsConfiguration: insightsConfiguration(d),
        Tags: [...d.tags].map(([Key, Value]) => ({ Key, Value })),
      }),
    );
    return { arn: out.Group?.GroupARN };
  },

  async update(clients, d, change, current) {
    if (differsBeyondTags(change.differences)) {
      const client = await clients.xray();
      const { UpdateGroupCommand } = await loadXraySdk();
      await client.send(new UpdateGroupCommand({ GroupARN: current.GroupARN, FilterExpression: d.filterExpression, InsightsConfiguration: insightsConfiguration(d, current) }));
    }
    await setXrayTags(clients, current.GroupARN!, tagsToSet(change.differences));
    return { arn: current.GroupARN };
  },

  // X-Ray has no AlreadyExists error; AWS's own CloudFormation handler matches this text too.
  isAlreadyExists(err) {
    const e = err as XRayServiceException | undefined;
    return e?.name === 'InvalidRequestException' && /already exist/i.test(e.message ?? '');
  },
};
