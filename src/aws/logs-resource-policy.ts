import { loadLogsSdk } from './sdk.js';
import type { CallerIdentity } from './clients.js';
import type { ResourceHandler } from './ensure.js';
import { RefusedChange } from './errors.js';
import { diffFields, type Difference, type ResourceChange } from './resource.js';

/**
 * The CloudWatch Logs resource policy Transaction Search needs: it lets X-Ray write the spans
 * it receives into aws/spans (and Application Signals data), for this account's X-Ray only.
 * Account-wide per region; an account has at most 10 such policies per region, so a policy
 * that already grants this (the console's, say) is used instead of adding one.
 */
export interface DesiredLogsPolicy {
  name: string;
}

export interface CurrentLogsPolicies {
  identity: CallerIdentity;
  region: string;
  policies: { name: string; document?: string }[];
}

export const TRANSACTION_SEARCH_POLICY_NAME = 'obs-transaction-search';
const SID = 'TransactionSearchXRayAccess';
const XRAY_PRINCIPAL = 'xray.amazonaws.com';
const ACTION = 'logs:PutLogEvents';

interface Statement {
  Sid?: string;
  Effect?: string;
  Principal?: { Service?: string | string[] } | string;
  Action?: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string>>;
}

/** The policy document (AWS's Enable-TransactionSearch page), for one account and region. */
export function transactionSearchPolicy({ partition, account }: CallerIdentity, region: string): { Version: string; Statement: Statement[] } {
  const logGroup = (name: string) => `arn:${partition}:logs:${region}:${account}:log-group:${name}:*`;
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: SID,
        Effect: 'Allow',
        Principal: { Service: XRAY_PRINCIPAL },
        Action: ACTION,
        Resource: [logGroup('aws/spans'), logGroup('/aws/application-signals/data')],
        Condition: {
          ArnLike: { 'aws:SourceArn': `arn:${partition}:xray:${region}:${account}:*` },
          StringEquals: { 'aws:SourceAccount': account },
        },
      },
    ],
  };
}

const list = (value: string | string[] | undefined): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

function statementsOf(document: string | undefined): Statement[] | undefined {
  try {
    const parsed = JSON.parse(document ?? '') as { Statement?: Statement | Statement[] };
    return parsed.Statement === undefined ? [] : Array.isArray(parsed.Statement) ? parsed.Statement : [parsed.Statement];
  } catch {
    return undefined;
  }
}

/** Does this policy already let X-Ray put log events into every group Transaction Search writes? */
export function grantsTransactionSearch(document: string | undefined, wanted: Statement): boolean {
  const needed = list(wanted.Resource);
  return (statementsOf(document) ?? []).some((s) => {
    if (s.Effect !== 'Allow' || typeof s.Principal !== 'object' || !list(s.Principal.Service).includes(XRAY_PRINCIPAL)) return false;
    if (!list(s.Action).some((a) => a === ACTION || a === 'logs:*' || a === '*')) return false;
    const resources = list(s.Resource);
    return resources.includes('*') || needed.every((r) => resources.includes(r));
  });
}

/** Key order and spacing do not make two policies different. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** What the plan shows: the statement's parts, so a change reads `Resource: [...] -> [...]`. */
function shown(s: Statement | undefined): Record<string, unknown> {
  const principal = typeof s?.Principal === 'object' ? s.Principal.Service : s?.Principal;
  return { Principal: principal, Action: s?.Action, Resource: s?.Resource, Condition: s?.Condition };
}

export const logsResourcePolicyHandler: ResourceHandler<DesiredLogsPolicy, CurrentLogsPolicies> = {
  kind: 'logs-resource-policy',
  service: 'logs',
  name: (d) => d.name,
  operations: { read: 'DescribeResourcePolicies', create: 'PutResourcePolicy', update: 'PutResourcePolicy' },

  // Always "found": the answer is the list of the region's policies, with who is asking.
  async read(clients) {
    const { DescribeResourcePoliciesCommand } = await loadLogsSdk();
    const client = await clients.logs();
    const policies: CurrentLogsPolicies['policies'] = [];
    let nextToken: string | undefined;
    do {
      const page = await client.send(new DescribeResourcePoliciesCommand({ nextToken }));
      for (const p of page.resourcePolicies ?? []) if (p.policyName) policies.push({ name: p.policyName, document: p.policyDocument });
      nextToken = page.nextToken || undefined;
    } while (nextToken);
    const [identity, region] = await Promise.all([callerIdentity(clients), clients.region()]);
    return { identity, region: region ?? '', policies };
  },

  plan(desired, current): ResourceChange {
    const base = { kind: 'logs-resource-policy' as const, name: desired.name };
    if (!current) return { ...base, action: 'create', differences: [] };
    const wanted = transactionSearchPolicy(current.identity, current.region);
    const statement = wanted.Statement[0]!;
    const ours = current.policies.find((p) => p.name === desired.name);
    if (!ours) {
      const other = current.policies.find((p) => grantsTransactionSearch(p.document, statement));
      if (other) return { ...base, action: 'unchanged', differences: [], detail: `not needed: resource policy ${JSON.stringify(other.name)} already lets X-Ray write aws/spans` };
      return { ...base, action: 'create', differences: diffFields({}, shown(statement)) };
    }
    const parsed = (() => {
      try {
        return JSON.parse(ours.document ?? '') as unknown;
      } catch {
        return undefined;
      }
    })();
    if (parsed !== undefined && canonical(parsed) === canonical(wanted)) return { ...base, action: 'unchanged', differences: [] };
    const before = (statementsOf(ours.document) ?? []).find((s) => s.Sid === SID) ?? statementsOf(ours.document)?.[0];
    const differences: Difference[] = diffFields(shown(before), shown(statement));
    // Something outside the statement differs (another statement, the Version): show the whole document.
    if (!differences.length) differences.push({ field: 'policyDocument', before: ours.document, after: JSON.stringify(wanted) });
    return { ...base, action: 'update', differences };
  },

  create: (clients, desired) => putPolicy(clients, desired),
  update: (clients, desired, _change, current) => putPolicy(clients, desired, current),

  isAlreadyExists: () => false,
};

async function putPolicy(clients: Parameters<typeof logsResourcePolicyHandler.read>[0], desired: DesiredLogsPolicy, current?: CurrentLogsPolicies) {
  const { PutResourcePolicyCommand } = await loadLogsSdk();
  const client = await clients.logs();
  const identity = current?.identity ?? (await callerIdentity(clients));
  const region = current?.region || ((await clients.region()) ?? '');
  await client.send(new PutResourcePolicyCommand({ policyName: desired.name, policyDocument: JSON.stringify(transactionSearchPolicy(identity, region)) }));
  return {};
}

/**
 * The account id, from STS. Its own endpoint and its own failure: left to the Logs error
 * wording, a dead STS endpoint would read as "cannot reach" the Logs endpoint. Credential
 * errors are the same for every service and keep their usual explanation.
 */
async function callerIdentity(clients: Parameters<typeof logsResourcePolicyHandler.read>[0]): Promise<CallerIdentity> {
  try {
    return await clients.identity();
  } catch (err) {
    const e = (err ?? {}) as { name?: string; message?: string };
    if (e.name === 'CredentialsProviderError' || /credentials/i.test(e.message ?? '')) throw err;
    const why = (e.message ?? String(err)).split('\n')[0];
    throw new RefusedChange(
      `STS GetCallerIdentity failed (${e.name ? `${e.name}: ` : ''}${why}), and the policy needs the account id it gives; check --endpoint-url, AWS_ENDPOINT_URL_STS and AWS_ENDPOINT_URL`,
    );
  }
}
