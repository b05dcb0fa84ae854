import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { say, type Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import { createAwsClients } from '../../aws/clients.js';
import { applyPlanned, planResource } from '../../aws/ensure.js';
import type { AwsOptions } from '../../aws/options.js';
import { reportOutcomes } from '../../aws/render.js';
import { assertProfileExists } from '../../aws/profile.js';
import { resolveAwsSettings } from '../../aws/settings.js';
import { parseTags } from '../../aws/tags.js';
import { parseRuleNumber, parseSamplingRuleFile, samplingRuleHandler, validateSamplingRule, type DesiredSamplingRule } from '../../aws/xray-sampling-rule.js';

export interface XrayCreateSamplingRuleOptions extends AwsOptions {
  file?: string;
  name?: string;
  serviceName?: string;
  fixedRate?: string;
  reservoirSize?: string;
  priority?: string;
  host?: string;
  httpMethod?: string;
  urlPath?: string;
  serviceType?: string;
  resourceArn?: string;
  attribute?: string[];
  tag?: string[];
}

/** Rule field -> the flag that sets it, for messages and for --file exclusivity. */
const FLAGS = {
  RuleName: ['name', '--name'],
  ServiceName: ['serviceName', '--service-name'],
  FixedRate: ['fixedRate', '--fixed-rate'],
  ReservoirSize: ['reservoirSize', '--reservoir-size'],
  Priority: ['priority', '--priority'],
  Host: ['host', '--host'],
  HTTPMethod: ['httpMethod', '--http-method'],
  URLPath: ['urlPath', '--url-path'],
  ServiceType: ['serviceType', '--service-type'],
  ResourceARN: ['resourceArn', '--resource-arn'],
  Attributes: ['attribute', '--attribute'],
} as const satisfies Record<string, [keyof XrayCreateSamplingRuleOptions, string]>;

/** `obs xray create-sampling-rule`: every input is checked before the first AWS call (exit 2, nothing sent). */
export async function runXrayCreateSamplingRule(ctx: Context, options: XrayCreateSamplingRuleOptions): Promise<number> {
  const desired = options.file !== undefined ? await fromFile(ctx, options) : fromFlags(options);
  const settings = resolveAwsSettings(options, ctx.env);
  await assertProfileExists(settings, ctx.env);
  const clients = createAwsClients(settings, (line) => say(ctx, line));
  const planned = await planResource(samplingRuleHandler, desired, clients);
  const outcome = await applyPlanned(planned, clients, { dryRun: options.dryRun === true, update: options.update !== false });
  return reportOutcomes(ctx, 'xray create-sampling-rule', [outcome], await clients.region(), options);
}

async function fromFile(ctx: Context, options: XrayCreateSamplingRuleOptions): Promise<DesiredSamplingRule> {
  const file = options.file!;
  for (const [key, flag] of Object.values(FLAGS)) {
    if (options[key] !== undefined) throw new UsageError(`--file and ${flag} cannot be used together: put the field in the file, or drop --file`);
  }
  let text: string;
  try {
    text = await readFile(resolve(ctx.cwd, file), 'utf8');
  } catch (err) {
    throw new UsageError(`--file ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const rule = parseSamplingRuleFile(text, file);
  // Tags in the file first, then --tag (which wins), then managed-by=obs.
  const tags = parseTags([...(rule.tags ?? [])].map(([k, v]) => `${k}=${v}`).concat(options.tag ?? []));
  return { ...rule, tags };
}

function fromFlags(options: XrayCreateSamplingRuleOptions): DesiredSamplingRule {
  if (options.name === undefined) throw new UsageError('--name is required (or give the whole rule with --file)');
  if (options.serviceName === undefined)
    throw new UsageError('--service-name is required (or give the whole rule with --file)', { hint: 'the name your X-Ray SDK gives segments, e.g. backend-flask' });
  const number = (field: 'Priority' | 'FixedRate' | 'ReservoirSize', fallback: number) => {
    const [key, flag] = FLAGS[field];
    return options[key] === undefined ? fallback : parseRuleNumber(options[key], field, flag);
  };
  const desired: DesiredSamplingRule = {
    RuleName: options.name,
    ResourceARN: options.resourceArn ?? '*',
    Priority: number('Priority', 1000),
    FixedRate: number('FixedRate', 0.05),
    ReservoirSize: number('ReservoirSize', 1),
    ServiceName: options.serviceName,
    ServiceType: options.serviceType ?? '*',
    Host: options.host ?? '*',
    HTTPMethod: options.httpMethod ?? '*',
    URLPath: options.urlPath ?? '*',
    Version: 1,
    ...(options.attribute && { Attributes: parseAttributes(options.attribute) }),
    tags: parseTags(options.tag),
  };
  validateSamplingRule(desired, (field) => (field in FLAGS ? FLAGS[field as keyof typeof FLAGS][1] : field));
  return desired;
}

function parseAttributes(values: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of values) {
    const eq = raw.indexOf('=');
    if (eq <= 0) throw new UsageError(`--attribute takes KEY=VALUE, got ${JSON.stringify(raw)}`);
    const key = raw.slice(0, eq);
    if (key in out) throw new UsageError(`--attribute ${key} is given twice`);
    out[key] = raw.slice(eq + 1);
  }
  return out;
}
