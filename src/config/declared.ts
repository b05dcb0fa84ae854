import type { AwsClients } from '../aws/clients.js';
import { applyPlanned, planResource, type EnsureOptions, type Planned } from '../aws/ensure.js';
import { logGroupHandler } from '../aws/log-group.js';
import { logStreamHandler, type DesiredLogStream } from '../aws/log-stream.js';
import { logsResourcePolicyHandler } from '../aws/logs-resource-policy.js';
import { KIND_LABEL, type ResourceKind, type ResourceOutcome } from '../aws/resource.js';
import { indexingRuleHandler } from '../aws/xray-indexing-rule.js';
import { traceDestinationHandler } from '../aws/xray-trace-destination.js';
import { xrayGroupHandler } from '../aws/xray-group.js';
import { samplingRuleHandler } from '../aws/xray-sampling-rule.js';
import type { DesiredResources } from './desired.js';

type AnyPlanned = Planned<unknown, unknown>;

/** Every lookup at once: nothing is changed while deciding. `obs apply` and `obs doctor --online` share it. */
export async function planDeclared(desired: DesiredResources, clients: AwsClients): Promise<AnyPlanned[]> {
  const ts = desired.transactionSearch;
  return await Promise.all([
    ...desired.groups.map((d) => planResource(xrayGroupHandler, d, clients)),
    ...desired.rules.map((d) => planResource(samplingRuleHandler, d, clients)),
    ...desired.logGroups.map((d) => planResource(logGroupHandler, d, clients)),
    ...desired.logStreams.map((d) => planResource(logStreamHandler, d, clients)),
    ...(ts ? [planResource(logsResourcePolicyHandler, ts.policy, clients), planResource(traceDestinationHandler, ts.destination, clients)] : []),
    ...(ts?.indexingRule ? [planResource(indexingRuleHandler, ts.indexingRule, clients)] : []),
  ]);
}

/**
 * What must be in place first: a stream needs its group; X-Ray may only switch its destination
 * once the Logs policy lets it write aws/spans; the indexing rule applies to the new destination.
 */
const STAGE: Record<ResourceKind, number> = {
  'xray-group': 0,
  'xray-sampling-rule': 0,
  'log-group': 0,
  'logs-resource-policy': 0,
  'log-stream': 1,
  'xray-trace-destination': 1,
  'xray-indexing-rule': 2,
};

function dependsOn(p: AnyPlanned, earlier: ResourceOutcome): boolean {
  switch (p.handler.kind) {
    case 'log-stream':
      return earlier.kind === 'log-group' && earlier.name === (p.desired as DesiredLogStream).logGroup;
    case 'xray-trace-destination':
      return earlier.kind === 'logs-resource-policy';
    case 'xray-indexing-rule':
      return earlier.kind === 'xray-trace-destination';
    default:
      return false;
  }
}

/**
 * Carries out the plan in stages (each in parallel), in the order STAGE gives; a resource whose
 * prerequisite failed is not attempted, and says why. Outcomes come back in the plan's order.
 */
export async function applyInStages(planned: AnyPlanned[], clients: AwsClients, options: EnsureOptions): Promise<ResourceOutcome[]> {
  const outcomes = new Map<AnyPlanned, ResourceOutcome>();
  for (const stage of [...new Set(planned.map((p) => STAGE[p.handler.kind]))].sort()) {
    const now = planned.filter((p) => STAGE[p.handler.kind] === stage);
    const results = await Promise.all(
      now.map(async (p) => {
        const blocker = [...outcomes.values()].find((o) => o.status === 'failed' && dependsOn(p, o));
        if (!blocker) return applyPlanned(p, clients, options);
        const outcome: ResourceOutcome = {
          kind: p.handler.kind,
          name: p.handler.name(p.desired),
          status: 'failed',
          differences: p.change?.differences ?? [],
          error: `not attempted: it needs the ${KIND_LABEL[blocker.kind]} ${blocker.name}, which failed`,
        };
        return outcome;
      }),
    );
    now.forEach((p, i) => outcomes.set(p, results[i]!));
  }
  return planned.map((p) => outcomes.get(p)!);
}
