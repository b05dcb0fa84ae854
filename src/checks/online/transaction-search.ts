import { createAwsClients } from '../../aws/clients.js';
import { planResource, type Planned } from '../../aws/ensure.js';
import {
  grantsTransactionSearch,
  logsResourcePolicyHandler,
  TRANSACTION_SEARCH_POLICY_NAME,
  transactionSearchPolicy,
  type CurrentLogsPolicies,
  type DesiredLogsPolicy,
} from '../../aws/logs-resource-policy.js';
import type { AwsSettings } from '../../aws/settings.js';
import { DEFAULT_INDEXING_PERCENTAGE, DEFAULT_INDEXING_RULE, indexingRuleHandler, type CurrentIndexingRule, type DesiredIndexingRule } from '../../aws/xray-indexing-rule.js';
import { traceDestinationHandler, type CurrentTraceDestination, type DesiredTraceDestination } from '../../aws/xray-trace-destination.js';
import { OBS_CONFIG_FILE, type ObsConfig } from '../../config/obs-config.js';
import { skip, type Check, type CheckResult, type DoctorProject, type Finding } from '../types.js';
import { collectorXrayExports } from './collector-xray.js';

const META = { id: 'xray-transaction-search', title: "Transaction Search is on for the collector's X-Ray export" };

/** What `obs apply` calls to turn Transaction Search on (README: Transaction Search). */
const IAM_ACTIONS = [
  'xray:GetTraceSegmentDestination',
  'xray:UpdateTraceSegmentDestination',
  'xray:GetIndexingRules',
  'xray:UpdateIndexingRule',
  'logs:DescribeResourcePolicies',
  'logs:PutResourcePolicy',
].join(', ');
const READ_ACTIONS = 'xray:GetTraceSegmentDestination, xray:GetIndexingRules and logs:DescribeResourcePolicies';

/** Who sends to X-Ray's OTLP endpoint, and in which region it must be on. */
interface Sender {
  /** `otel-collector sends spans to X-Ray's OTLP endpoint (otlphttp/xray)`. */
  who: string;
  /** `otel-collector's otlphttp/xray`. */
  short: string;
  collector: string;
  region?: { value: string; from: string };
}

/**
 * X-Ray's OTLP endpoint, where the collector sends spans, takes them only with Transaction
 * Search on in that region: spans go to CloudWatch Logs (the trace segment destination), a Logs
 * resource policy lets X-Ray write aws/spans, and an indexing rule turns a share into trace
 * summaries. Reads all three with the handlers `obs apply` uses; changes nothing.
 */
export const transactionSearch: Check = {
  ...META,
  group: 'online',
  online: true,
  async run(project, options): Promise<CheckResult> {
    const senders = sendersOf(project);
    if (senders.length === 0) return skip(META, "no collector sends spans to X-Ray's OTLP endpoint (an otlphttp exporter signed for xray)");
    // One look-up per region the collectors sign for (usually one).
    const byRegion = new Map<string, Sender[]>();
    for (const s of senders) {
      const key = s.region?.value ?? '';
      byRegion.set(key, [...(byRegion.get(key) ?? []), s]);
    }
    const results = await Promise.all([...byRegion.values()].map((group) => checkRegion(project, group, options.aws, options.progress)));
    if (results.length === 1) return results[0]!;
    const worst = (['fail', 'warn', 'pass'] as const).find((s) => results.some((r) => r.status === s)) ?? 'pass';
    return { ...META, status: worst, detail: results.map((r) => r.detail).join('; '), fix: results.find((r) => r.status === worst)?.fix, findings: results.flatMap((r) => r.findings ?? []) };
  },
};

function sendersOf(project: DoctorProject): Sender[] {
  const exports = collectorXrayExports(project);
  if (exports.length > 0) {
    return exports.map((e) => ({
      who: `${e.collector} sends spans to X-Ray's OTLP endpoint (${e.exporter})`,
      short: `${e.collector}'s ${e.exporter}`,
      collector: e.collector,
      ...(e.region && { region: e.region }),
    }));
  }
  // The collector config is the ground truth; without a readable one, obs.yaml's choice stands in.
  const config = project.obsConfig;
  const readable = [...project.collectorConfigs.values()].some((f) => f !== null);
  if (!readable && config?.pipeline === 'collector' && config.xray?.enabled) {
    return [{ who: `${OBS_CONFIG_FILE} has the collector send spans to X-Ray's OTLP endpoint (pipeline: collector)`, short: 'the collector', collector: 'the collector' }];
  }
  return [];
}

interface Lookups {
  destination: Planned<DesiredTraceDestination, CurrentTraceDestination>;
  policy: Planned<DesiredLogsPolicy, CurrentLogsPolicies>;
  indexing: Planned<DesiredIndexingRule, CurrentIndexingRule>;
}

async function checkRegion(project: DoctorProject, senders: Sender[], aws: AwsSettings, progress?: (line: string) => void): Promise<CheckResult> {
  const first = senders[0]!;
  // The region the collector signs for wins over the shell's: that is where X-Ray must have it on.
  const settings: AwsSettings = first.region ? { ...aws, region: first.region.value, regionSource: first.region.from } : aws;
  const clients = createAwsClients(settings, progress);
  const declared = declaredTransactionSearch(project.obsConfig);
  const [destination, policy, indexing] = await Promise.all([
    planResource(traceDestinationHandler, { destination: 'CloudWatchLogs' as const }, clients),
    planResource(logsResourcePolicyHandler, { name: TRANSACTION_SEARCH_POLICY_NAME }, clients),
    planResource(indexingRuleHandler, { name: DEFAULT_INDEXING_RULE, percentage: declared.percentage ?? DEFAULT_INDEXING_PERCENTAGE }, clients),
  ]);
  const region = settings.region ?? (await clients.region()) ?? 'the region of the AWS profile';
  return verdict({ destination, policy, indexing }, { senders, region, regionFrom: settings.region ? settings.regionSource : undefined, declared });
}

/** What obs.yaml says about Transaction Search: whether `obs apply` would turn it on, and the percentage it sets. */
interface Declared {
  /** 'on': obs apply turns it on; 'off': obs.yaml has X-Ray but not transactionSearch; 'xray-off' / 'none': no X-Ray section on / no obs.yaml. */
  state: 'on' | 'off' | 'xray-off' | 'none';
  percentage?: number;
}

function declaredTransactionSearch(config: ObsConfig | undefined): Declared {
  if (!config) return { state: 'none' };
  if (!config.xray?.enabled) return { state: 'xray-off' };
  const ts = config.xray.transactionSearch;
  if (ts === undefined || ts === null || ts === false) return { state: 'off' };
  const percentage = typeof ts === 'object' && typeof ts.indexingPercentage === 'number' ? ts.indexingPercentage : undefined;
  return { state: 'on', ...(percentage !== undefined && { percentage }) };
}

function turnOnFix(declared: Declared): string {
  const needs = `it needs the IAM actions ${IAM_ACTIONS}`;
  switch (declared.state) {
    case 'on':
      return `obs apply (${OBS_CONFIG_FILE} has xray.transactionSearch); ${needs}`;
    case 'off':
      return `add "transactionSearch: true" under xray: in ${OBS_CONFIG_FILE}, then run obs apply; ${needs}`;
    case 'xray-off':
      return `set xray.enabled: true and xray.transactionSearch: true in ${OBS_CONFIG_FILE}, then run obs apply; ${needs}`;
    case 'none':
      return `run obs init (it writes ${OBS_CONFIG_FILE}), set xray.transactionSearch: true there, then run obs apply; ${needs}`;
  }
}

/** Pure: the lookups' answers as a result. */
export function verdict(lookups: Lookups, context: { senders: Sender[]; region: string; regionFrom?: string; declared: Declared }): CheckResult {
  const { senders, region, regionFrom, declared } = context;
  const where = `${region}${regionFrom ? ` (region from ${regionFrom})` : ''}`;
  const who = senders.map((s) => s.who).join(', and ');

  const failed = [lookups.destination, lookups.policy, lookups.indexing].filter((p) => p.failure);
  if (failed.length === 3 && failed.every((p) => p.failure!.error === failed[0]!.failure!.error)) {
    return { ...META, status: 'fail', detail: `could not check Transaction Search in ${where}: ${failed[0]!.failure!.error}`, fix: `obs doctor --online reads it with ${READ_ACTIONS}` };
  }
  // In the order of the parts (destination, policy, indexing); `off` marks what keeps spans out.
  const findings: (Finding & { off?: boolean })[] = [];
  const off = (message: string) => findings.push({ message, fix: turnOnFix(declared), off: true });
  const lookupFailed = (what: string, p: Planned<unknown, unknown>) =>
    findings.push({ message: `could not look up the ${what}: ${p.failure!.error ?? 'unknown error'}`, fix: `obs doctor --online reads it with ${READ_ACTIONS}` });

  // The destination: CloudWatchLogs (ACTIVE), or switching (PENDING), or XRay (off).
  const dest = lookups.destination.current;
  let pending = false;
  if (lookups.destination.failure) lookupFailed('trace segment destination', lookups.destination);
  else if (dest?.destination !== 'CloudWatchLogs') off(`the trace segment destination is ${dest?.destination ?? 'not set'}, not CloudWatchLogs (GetTraceSegmentDestination)`);
  else pending = dest.status === 'PENDING';

  // The resource policy: any policy of the region that lets X-Ray write aws/spans will do (the console's, say).
  let grantedBy: string | undefined;
  const policies = lookups.policy.current;
  if (lookups.policy.failure) lookupFailed('CloudWatch Logs resource policies', lookups.policy);
  else if (policies) {
    const statement = transactionSearchPolicy(policies.identity, policies.region).Statement[0]!;
    grantedBy =
      policies.policies.find((p) => p.name === TRANSACTION_SEARCH_POLICY_NAME && grantsTransactionSearch(p.document, statement))?.name ??
      policies.policies.find((p) => grantsTransactionSearch(p.document, statement))?.name;
    if (!grantedBy) off('no CloudWatch Logs resource policy lets xray.amazonaws.com write aws/spans (DescribeResourcePolicies)');
  }

  // The indexing rule: present; at obs.yaml's percentage when it gives one.
  const rule = lookups.indexing.current;
  let percentage: number | undefined;
  if (lookups.indexing.failure) lookupFailed('indexing rules', lookups.indexing);
  else if (!rule) findings.push({ message: `no indexing rule ${DEFAULT_INDEXING_RULE} (GetIndexingRules): no span becomes a trace summary`, fix: turnOnFix(declared) });
  else {
    percentage = rule.percentage;
    if (declared.percentage !== undefined && percentage !== declared.percentage) {
      findings.push({
        message: `indexing rule ${DEFAULT_INDEXING_RULE} indexes ${percentage ?? 'an unknown share'} % of spans; ${OBS_CONFIG_FILE} asks for ${declared.percentage} % (GetIndexingRules)`,
        fix: 'obs apply',
      });
    }
  }

  const shown = findings.map(({ off: _, ...f }) => f);
  if (findings.some((f) => f.off)) {
    return { ...META, status: 'fail', detail: `Transaction Search is off in ${where}, and ${who}, which accepts them only with it on`, fix: turnOnFix(declared), findings: shown };
  }
  if (findings.length > 0) {
    return { ...META, status: 'fail', detail: `Transaction Search in ${where}: ${findings[0]!.message}`, fix: findings[0]!.fix, findings: shown };
  }
  if (pending) {
    return {
      ...META,
      status: 'warn',
      detail: `Transaction Search in ${region} is switching (status PENDING): X-Ray's OTLP endpoint takes ${senders.map((s) => s.collector).join(' and ')}'s spans once it is ACTIVE, usually within minutes`,
      fix: 'run obs doctor --online again in a few minutes',
    };
  }
  if (percentage === 0) {
    return {
      ...META,
      status: 'warn',
      detail: `indexing rule ${DEFAULT_INDEXING_RULE} in ${region} indexes 0 % of spans: they are stored in aws/spans, but none becomes a trace summary, so X-Ray's trace map and trace search show nothing`,
      fix: `set xray.transactionSearch.indexingPercentage in ${OBS_CONFIG_FILE} (1 % is free), then run obs apply`,
    };
  }
  return {
    ...META,
    status: 'pass',
    detail: `on in ${where} for ${senders.map((s) => s.short).join(', ')}: trace segment destination CloudWatchLogs (${dest?.status ?? 'status unknown'}), resource policy ${grantedBy} lets X-Ray write aws/spans, indexing rule ${DEFAULT_INDEXING_RULE} at ${percentage} %`,
  };
}
