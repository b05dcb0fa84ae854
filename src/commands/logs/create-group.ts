import { say, type Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import { createAwsClients } from '../../aws/clients.js';
import { applyPlanned, planResource } from '../../aws/ensure.js';
import { logGroupHandler, validateLogGroup, type DesiredLogGroup } from '../../aws/log-group.js';
import type { AwsOptions } from '../../aws/options.js';
import { reportOutcomes } from '../../aws/render.js';
import { assertProfileExists } from '../../aws/profile.js';
import { resolveAwsSettings } from '../../aws/settings.js';
import { parseTags } from '../../aws/tags.js';

export interface LogsCreateGroupOptions extends AwsOptions {
  name: string;
  retention?: string;
  kmsKeyId?: string;
  tag?: string[];
}

const FLAGS = { name: '--name', retentionInDays: '--retention', kmsKeyId: '--kms-key-id' } as const;

/** `obs logs create-group`: create the log group, or bring its retention in line. */
export async function runLogsCreateGroup(ctx: Context, options: LogsCreateGroupOptions): Promise<number> {
  // Every input is checked before the first request: a typo must not half-create anything.
  const desired: DesiredLogGroup = {
    name: options.name,
    retentionInDays: options.retention === undefined ? undefined : parseDays(options.retention),
    kmsKeyId: options.kmsKeyId,
    tags: parseTags(options.tag),
  };
  validateLogGroup(desired, (field) => FLAGS[field]);
  const settings = resolveAwsSettings(options, ctx.env);
  await assertProfileExists(settings, ctx.env);

  const clients = createAwsClients(settings, (line) => say(ctx, line));
  const planned = await planResource(logGroupHandler, desired, clients);
  const outcome = await applyPlanned(planned, clients, { dryRun: options.dryRun === true, update: options.update !== false });
  return reportOutcomes(ctx, 'logs create-group', [outcome], await clients.region(), options);
}

/** Digits only: Number() would take '', ' 14', '1e1' and '0x0e'. */
function parseDays(value: string): number {
  if (!/^\d+$/.test(value)) throw new UsageError(`--retention must be a whole number of days (1, 3, 5, 7, 14, 30, ...), got ${JSON.stringify(value)}`);
  return Number(value);
}
