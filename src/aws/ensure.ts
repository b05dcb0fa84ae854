import type { AwsClients } from './clients.js';
import { explainAwsError, type AwsService } from './errors.js';
import type { ResourceChange, ResourceKind, ResourceOutcome } from './resource.js';

/**
 * How obs handles one kind of AWS resource. Reading and planning are separate from changing,
 * so `--dry-run` and `obs apply`'s plan use the same code as the real run.
 */
export interface ResourceHandler<Desired, Current> {
  kind: ResourceKind;
  service: AwsService;
  name(desired: Desired): string;
  /** Looks the resource up (following every page); undefined when it does not exist. */
  read(clients: AwsClients, desired: Desired): Promise<Current | undefined>;
  /** Pure: what would change. */
  plan(desired: Desired, current: Current | undefined): ResourceChange;
  create(clients: AwsClients, desired: Desired): Promise<ApplyResult>;
  update(clients: AwsClients, desired: Desired, change: ResourceChange, current: Current): Promise<ApplyResult>;
  /** The error a create gets when another creator won the race. */
  isAlreadyExists(err: unknown): boolean;
  /** API operation names, for naming the IAM action in errors. */
  operations: { read: string; create: string; update: string };
}

/** What a create or update learned: the ARN, and a state worth a line (`status PENDING`). */
export interface ApplyResult {
  arn?: string;
  detail?: string;
}

export interface EnsureOptions {
  dryRun: boolean;
  /** false: report drift instead of updating. */
  update: boolean;
}

export interface Planned<Desired, Current> {
  handler: ResourceHandler<Desired, Current>;
  desired: Desired;
  current?: Current;
  change?: ResourceChange;
  /** Set when the lookup itself failed. */
  failure?: ResourceOutcome;
}

/** Step 1: look the resource up and plan. A failed lookup becomes a `failed` outcome, not a throw. */
export async function planResource<D, C>(handler: ResourceHandler<D, C>, desired: D, clients: AwsClients): Promise<Planned<D, C>> {
  try {
    const current = await handler.read(clients, desired);
    return { handler, desired, current, change: handler.plan(desired, current) };
  } catch (err) {
    return { handler, desired, failure: failed(handler, desired, err, handler.operations.read, clients) };
  }
}

/** Step 2: carry out the plan. Idempotent: unchanged resources are left alone. */
export async function applyPlanned<D, C>(planned: Planned<D, C>, clients: AwsClients, options: EnsureOptions): Promise<ResourceOutcome> {
  const { handler, desired } = planned;
  if (planned.failure) return planned.failure;
  const change = planned.change!;
  const base = { kind: handler.kind, name: handler.name(desired), differences: change.differences, arn: change.arn, ...(change.detail !== undefined && { detail: change.detail }) };
  if (change.action === 'unchanged') return { ...base, status: 'unchanged' };
  // Drift under --no-update is drift in a dry run too: `--dry-run --no-update` is a read-only drift check.
  if (change.action === 'update' && !options.update) return { ...base, status: 'drift' };
  if (options.dryRun) return { ...base, status: 'planned', action: change.action };
  if (change.action === 'update') {
    try {
      const { arn, detail } = await handler.update(clients, desired, change, planned.current as C);
      return { ...base, status: 'updated', arn: arn ?? base.arn, ...(detail !== undefined && { detail }) };
    } catch (err) {
      return failed(handler, desired, err, handler.operations.update, clients);
    }
  }
  try {
    const { arn, detail } = await handler.create(clients, desired);
    return { ...base, status: 'created', arn, ...(detail !== undefined && { detail }) };
  } catch (err) {
    if (!handler.isAlreadyExists(err)) return failed(handler, desired, err, handler.operations.create, clients);
    // Someone created it between our lookup and our create: treat it as found.
    const again = await planResource(handler, desired, clients);
    if (again.failure || again.change?.action === 'create') return again.failure ?? failed(handler, desired, err, handler.operations.create, clients);
    return applyPlanned(again, clients, options);
  }
}

function failed<D>(handler: ResourceHandler<D, unknown>, desired: D, err: unknown, operation: string, clients: AwsClients): ResourceOutcome {
  // A tag call names its own operation (during() in tags.ts): that is the IAM action to add.
  const explained = explainAwsError(err, handler.service, (err as { obsOperation?: string } | null)?.obsOperation ?? operation, clients.settings);
  return { kind: handler.kind, name: handler.name(desired), status: 'failed', differences: [], error: explained.message, requestId: explained.requestId };
}
