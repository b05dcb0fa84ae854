/** Cloud changes as data: planned first, shown, then applied, like file changes. */
export type ResourceKind = 'xray-group' | 'xray-sampling-rule' | 'log-group' | 'log-stream' | 'logs-resource-policy' | 'xray-trace-destination' | 'xray-indexing-rule';

export const KIND_LABEL: Record<ResourceKind, string> = {
  'xray-group': 'X-Ray group',
  'xray-sampling-rule': 'X-Ray sampling rule',
  'log-group': 'log group',
  'log-stream': 'log stream',
  'logs-resource-policy': 'CloudWatch Logs resource policy',
  'xray-trace-destination': 'X-Ray trace segment destination',
  'xray-indexing-rule': 'X-Ray indexing rule',
};

export interface Difference {
  field: string;
  before: unknown;
  after: unknown;
}

export interface ResourceChange {
  kind: ResourceKind;
  name: string;
  action: 'create' | 'update' | 'unchanged';
  differences: Difference[];
  /** Known when the resource exists. */
  arn?: string;
  /** One line about the resource's state that is not a difference (`status PENDING`). */
  detail?: string;
}

export type OutcomeStatus = 'created' | 'updated' | 'unchanged' | 'drift' | 'failed' | 'planned';

export interface ResourceOutcome {
  kind: ResourceKind;
  name: string;
  status: OutcomeStatus;
  /** For `planned` (dry run): what a real run would do. */
  action?: 'create' | 'update';
  arn?: string;
  differences: Difference[];
  /** See ResourceChange.detail. */
  detail?: string;
  /** One sentence with the fix, for `failed`. */
  error?: string;
  requestId?: string;
}

/** Compares desired fields with current ones; fields the user did not set are not compared. */
export function diffFields(current: Record<string, unknown>, desired: Record<string, unknown>): Difference[] {
  const differences: Difference[] = [];
  for (const [field, after] of Object.entries(desired)) {
    if (after === undefined) continue;
    const before = current[field];
    if (JSON.stringify(normalise(before)) !== JSON.stringify(normalise(after))) differences.push({ field, before, after });
  }
  return differences;
}

function normalise(value: unknown): unknown {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => a.localeCompare(b)),
    );
  }
  return value;
}

/** `retentionInDays: 14 -> 30`; in a create, where nothing was before, just what is set: `retentionInDays: 14`. */
export function describeDifference(d: Difference, action?: ResourceChange['action']): string {
  if (action === 'create') return `${d.field}: ${JSON.stringify(d.after)}`;
  return `${d.field}: ${JSON.stringify(d.before ?? null)} -> ${JSON.stringify(d.after)}`;
}
