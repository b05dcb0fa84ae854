import { loadXraySdk } from './sdk.js';
import { UsageError } from '../errors.js';
import type { ResourceHandler } from './ensure.js';
import { diffFields, type ResourceChange } from './resource.js';

/**
 * The share of spans Transaction Search indexes as trace summaries (what X-Ray's trace map
 * and trace search see). AWS indexes 1 % for free; every span is stored in aws/spans anyway.
 */
export interface DesiredIndexingRule {
  name: string;
  percentage: number;
}

export interface CurrentIndexingRule {
  percentage?: number;
}

export const DEFAULT_INDEXING_RULE = 'Default';
export const DEFAULT_INDEXING_PERCENTAGE = 1;

/** A percentage: the model's type is a bare double, the console's range 0-100. */
export function validateIndexingRule(desired: DesiredIndexingRule, label: (field: 'percentage') => string): void {
  const p = desired.percentage;
  if (!Number.isFinite(p) || p < 0 || p > 100) throw new UsageError(`${label('percentage')} must be a percentage from 0 to 100, got ${JSON.stringify(p)}`);
}

export const indexingRuleHandler: ResourceHandler<DesiredIndexingRule, CurrentIndexingRule> = {
  kind: 'xray-indexing-rule',
  service: 'xray',
  name: (d) => d.name,
  operations: { read: 'GetIndexingRules', create: 'UpdateIndexingRule', update: 'UpdateIndexingRule' },

  async read(clients, desired) {
    const client = await clients.xray();
    const { GetIndexingRulesCommand } = await loadXraySdk();
    let NextToken: string | undefined;
    do {
      const page = await client.send(new GetIndexingRulesCommand({ NextToken }));
      const found = page.IndexingRules?.find((r) => r.Name === desired.name);
      if (found) return { percentage: found.Rule?.Probabilistic?.DesiredSamplingPercentage };
      NextToken = page.NextToken || undefined;
    } while (NextToken);
    return undefined;
  },

  plan(desired, current): ResourceChange {
    const base = { kind: 'xray-indexing-rule' as const, name: desired.name };
    const wanted = { DesiredSamplingPercentage: desired.percentage };
    // X-Ray has no CreateIndexingRule: a missing rule is planned as a create, which UpdateIndexingRule
    // then answers (ResourceNotFoundException names the action to take).
    if (!current) return { ...base, action: 'create', differences: diffFields({}, wanted) };
    const differences = diffFields({ DesiredSamplingPercentage: current.percentage }, wanted);
    return { ...base, action: differences.length ? 'update' : 'unchanged', differences };
  },

  create: (clients, desired) => setPercentage(clients, desired),
  update: (clients, desired) => setPercentage(clients, desired),

  isAlreadyExists: () => false,
};

async function setPercentage(clients: Parameters<typeof indexingRuleHandler.read>[0], desired: DesiredIndexingRule) {
  const client = await clients.xray();
  const { UpdateIndexingRuleCommand } = await loadXraySdk();
  await client.send(new UpdateIndexingRuleCommand({ Name: desired.name, Rule: { Probabilistic: { DesiredSamplingPercentage: desired.percentage } } }));
  return {};
}
