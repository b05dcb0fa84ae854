import { say, type Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import { createAwsClients } from '../../aws/clients.js';
import { applyPlanned, planResource } from '../../aws/ensure.js';
import type { AwsOptions } from '../../aws/options.js';
import { reportOutcomes } from '../../aws/render.js';
import { assertProfileExists } from '../../aws/profile.js';
import { resolveAwsSettings } from '../../aws/settings.js';
import { parseTags } from '../../aws/tags.js';
import { serviceFilter, validateGroup, xrayGroupHandler, type DesiredGroup } from '../../aws/xray-group.js';

export interface XrayCreateGroupOptions extends AwsOptions {
  name: string;
  filterExpression?: string;
  service?: string;
  errorsOnly?: boolean;
  insights?: boolean;
  notifications?: boolean;
  tag?: string[];
}

/** `obs xray create-group`: every input is checked before the first AWS call (exit 2, nothing sent). */
export async function runXrayCreateGroup(ctx: Context, options: XrayCreateGroupOptions): Promise<number> {
  const desired = desiredGroup(options);
  const settings = resolveAwsSettings(options, ctx.env);
  await assertProfileExists(settings, ctx.env);
  const clients = createAwsClients(settings, (line) => say(ctx, line));
  const planned = await planResource(xrayGroupHandler, desired, clients);
  const outcome = await applyPlanned(planned, clients, { dryRun: options.dryRun === true, update: options.update !== false });
  return reportOutcomes(ctx, 'xray create-group', [outcome], await clients.region(), options);
}

function desiredGroup(options: XrayCreateGroupOptions): DesiredGroup {
  const { filterExpression, service } = options;
  if (filterExpression !== undefined && service !== undefined) throw new UsageError('--filter-expression and --service cannot be used together: give one');
  if (filterExpression === undefined && service === undefined) {
    throw new UsageError('give --service NAME (builds service("NAME")) or --filter-expression EXPR', { hint: 'e.g. obs xray create-group --name Cruddur --service backend-flask --errors-only' });
  }
  if (options.errorsOnly && service === undefined) throw new UsageError('--errors-only works with --service; with --filter-expression write {fault OR error} yourself');
  const desired: DesiredGroup = {
    name: options.name,
    filterExpression: service !== undefined ? serviceFilter(service, options.errorsOnly === true) : filterExpression,
    insights: options.insights,
    notifications: options.notifications,
    tags: parseTags(options.tag),
  };
  const flags = { name: '--name', filterExpression: service !== undefined ? '--service' : '--filter-expression', notifications: '--notifications' };
  validateGroup(desired, (field) => flags[field]);
  return desired;
}
