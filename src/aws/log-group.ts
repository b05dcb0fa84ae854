import { loadLogsSdk } from './sdk.js';
import { RETENTION_DAYS } from './retention.js';
import { UsageError } from '../errors.js';
import { RefusedChange } from './errors.js';
import { UnexpectedResponse } from './responses.js';
import type { ResourceHandler } from './ensure.js';
import { diffFields, type ResourceChange } from './resource.js';
import { createdTags, during, requestedTags, tagDifferences, tagsToSet } from './tags.js';

export interface DesiredLogGroup {
  name: string;
  /** undefined: leave the group's retention alone (not compared). */
  retentionInDays?: number;
  /** undefined: leave the group's key alone (not compared). */
  kmsKeyId?: string;
  tags: Map<string, string>;
}

export interface CurrentLogGroup {
  name: string;
  /** Without the trailing `:*`: the form TagResource and ListTagsForResource need. */
  arn: string;
  retentionInDays?: number;
  kmsKeyId?: string;
  /** Read only when the user asked for tags (one more request otherwise wasted). */
  tags?: Record<string, string>;
}

/**
 * Limits from the CloudWatch Logs model (shapes LogGroupName and KmsKeyId); neither the SDK nor
 * moto enforces them, so obs does. test/unit/log-group-validation.test.ts checks them against
 * the vendored model so they cannot drift.
 */
export const LOG_GROUP_NAME_MIN = 1;
export const LOG_GROUP_NAME_MAX = 512;
export const LOG_GROUP_NAME_PATTERN = '[\\.\\-_/#A-Za-z0-9]+';
export const KMS_KEY_ID_MAX = 256;
/** Documented, not in the pattern: AWS reserves names under aws/. */
export const RESERVED_PREFIX = 'aws/';
export { RETENTION_DAYS };

const NAME_RE = new RegExp(`^(?:${LOG_GROUP_NAME_PATTERN})$`);

export function validateLogGroup(desired: DesiredLogGroup, label: (field: 'name' | 'retentionInDays' | 'kmsKeyId') => string): void {
  const { name, retentionInDays, kmsKeyId } = desired;
  if (name.length < LOG_GROUP_NAME_MIN || name.length > LOG_GROUP_NAME_MAX) {
    throw new UsageError(`${label('name')} must be ${LOG_GROUP_NAME_MIN} to ${LOG_GROUP_NAME_MAX} characters, got ${name.length}`);
  }
  if (!NAME_RE.test(name)) throw new UsageError(`${label('name')} may contain only letters, digits and . - _ / #: ${JSON.stringify(name)}`);
  if (name.startsWith(RESERVED_PREFIX)) throw new UsageError(`${label('name')} cannot start with "${RESERVED_PREFIX}": AWS reserves that prefix`);
  if (retentionInDays !== undefined && !(RETENTION_DAYS as readonly number[]).includes(retentionInDays)) {
    throw new UsageError(`${label('retentionInDays')} must be one of ${RETENTION_DAYS.join(', ')} (days), got ${JSON.stringify(retentionInDays)}`);
  }
  if (kmsKeyId !== undefined && (kmsKeyId.length < 1 || kmsKeyId.length > KMS_KEY_ID_MAX)) {
    throw new UsageError(`${label('kmsKeyId')} must be 1 to ${KMS_KEY_ID_MAX} characters, got ${kmsKeyId.length}`);
  }
  // CloudWatch Logs takes a key ARN only (not a key id or alias), and says so only after a round trip.
  if (kmsKeyId !== undefined && !/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/.test(kmsKeyId)) {
    throw new UsageError(`${label('kmsKeyId')} must be a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/KEY-ID), got ${JSON.stringify(kmsKeyId)}`);
  }
}

/** ListTagsForResource takes the ARN without `:*`. */
async function readLogGroupTags(clients: Parameters<typeof logGroupHandler.read>[0], arn: string): Promise<Record<string, string>> {
  const { ListTagsForResourceCommand } = await loadLogsSdk();
  const client = await clients.logs();
  const out = await during('ListTagsForResource', client.send(new ListTagsForResourceCommand({ resourceArn: arn })));
  return out.tags ?? {};
}

/** `arn:...:log-group:NAME:*` -> `arn:...:log-group:NAME`. */
function stripWildcard(arn: string): string {
  return arn.endsWith(':*') ? arn.slice(0, -2) : arn;
}

export const logGroupHandler: ResourceHandler<DesiredLogGroup, CurrentLogGroup> = {
  kind: 'log-group',
  service: 'logs',
  name: (desired) => desired.name,
  operations: { read: 'DescribeLogGroups', create: 'CreateLogGroup', update: 'PutRetentionPolicy' },

  async read(clients, desired) {
    const { DescribeLogGroupsCommand } = await loadLogsSdk();
    const client = await clients.logs();
    // There is no GetLogGroup: the prefix also matches siblings (app, app-worker), so compare
    // names exactly, and follow every page rather than trusting the sort order.
    let nextToken: string | undefined;
    do {
      const page = await client.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: desired.name, nextToken }));
      const found = page.logGroups?.find((g) => g.logGroupName === desired.name);
      if (found) {
        const arn = found.logGroupArn ?? stripWildcard(found.arn ?? '');
        const tags = requestedTags(desired.tags).size ? await readLogGroupTags(clients, arn) : undefined;
        return { name: desired.name, arn, retentionInDays: found.retentionInDays, kmsKeyId: found.kmsKeyId, ...(tags && { tags }) };
      }
      nextToken = page.nextToken || undefined;
    } while (nextToken);
    return undefined;
  },

  plan(desired, current): ResourceChange {
    const base = { kind: 'log-group' as const, name: desired.name };
    // What the create sends: retention (a second call), the key and the tags.
    if (!current) return { ...base, action: 'create', differences: [...diffFields({}, { retentionInDays: desired.retentionInDays, kmsKeyId: desired.kmsKeyId }), ...createdTags(desired.tags)] };
    const differences = diffFields({ retentionInDays: current.retentionInDays, kmsKeyId: current.kmsKeyId }, { retentionInDays: desired.retentionInDays, kmsKeyId: desired.kmsKeyId }).concat(
      tagDifferences(requestedTags(desired.tags), current.tags),
    );
    return { ...base, action: differences.length ? 'update' : 'unchanged', differences, arn: current.arn };
  },

  async create(clients, desired) {
    const { CreateLogGroupCommand, PutRetentionPolicyCommand } = await loadLogsSdk();
    const client = await clients.logs();
    await client.send(
      new CreateLogGroupCommand({
        logGroupName: desired.name,
        kmsKeyId: desired.kmsKeyId,
        // The model's Tags map has min 1: an empty map is refused, so leave it out instead.
        tags: desired.tags.size ? Object.fromEntries(desired.tags) : undefined,
      }),
    );
    // New groups never expire, so retention is a separate call; CreateLogGroup returns nothing, so
    // the ARN is read back (we do not know the account id). Both only need the group to exist:
    // they go out together. A failed read-back only costs the ARN in the report.
    const [, created] = await Promise.all([
      desired.retentionInDays === undefined ? undefined : client.send(new PutRetentionPolicyCommand({ logGroupName: desired.name, retentionInDays: desired.retentionInDays })),
      // Without tags: the ARN is all this read-back is for.
      // An answer that is not the service's own is not a missing ARN: it fails the create.
      logGroupHandler.read(clients, { ...desired, tags: new Map() }).catch((err: unknown) => {
        if (err instanceof UnexpectedResponse) throw err;
        return undefined;
      }),
    ]);
    return { arn: created?.arn };
  },

  async update(clients, desired, change, current) {
    // obs does not call AssociateKmsKey (moto 5.2.1 does not implement it, so it cannot be
    // tested); refuse before changing anything rather than half-apply the plan.
    const kms = change.differences.find((d) => d.field === 'kmsKeyId');
    if (kms) {
      throw new RefusedChange(
        `the log group's KMS key is ${kms.before === undefined ? 'not set' : JSON.stringify(kms.before)}, not ${JSON.stringify(kms.after)}, and obs does not change an existing group's key: ` +
          `run aws logs associate-kms-key --log-group-name ${desired.name} --kms-key-id ${String(kms.after)}, or leave the key out`,
      );
    }
    const { PutRetentionPolicyCommand, TagResourceCommand } = await loadLogsSdk();
    const client = await clients.logs();
    const tags = tagsToSet(change.differences);
    await Promise.all([
      change.differences.some((d) => d.field === 'retentionInDays') ? client.send(new PutRetentionPolicyCommand({ logGroupName: desired.name, retentionInDays: desired.retentionInDays })) : undefined,
      Object.keys(tags).length ? during('TagResource', client.send(new TagResourceCommand({ resourceArn: current.arn, tags }))) : undefined,
    ]);
    return {};
  },

  isAlreadyExists: (err) => (err as { name?: string } | null)?.name === 'ResourceAlreadyExistsException',
};
