/**
 * What an answer must hold before obs believes it. The SDK turns any 200 with a JSON body into
 * an output object, so an endpoint that answers `200 {}` to everything (a proxy, a stub, the
 * wrong port) made `obs apply` print "created" with no ARN. The AWS models mark almost no
 * output member as required, but the services always return these: a list obs reads (even
 * when empty), and the name and ARN of every resource in it. An answer without one is not the
 * service's answer, and obs says so instead of trusting it.
 *
 * Paths: `Groups` (present), `Groups[].GroupARN` (present on every item). Each member name is
 * checked against the vendored API models by test/unit/aws-responses.test.ts.
 */
export type AwsApi = 'xray' | 'logs' | 'sts';

const SAMPLING_RULE = ['RuleName', 'RuleARN', 'ResourceARN', 'Priority', 'FixedRate', 'ReservoirSize', 'ServiceName', 'ServiceType', 'Host', 'HTTPMethod', 'URLPath', 'Version'];

export const REQUIRED_MEMBERS: Record<AwsApi, Record<string, readonly string[]>> = {
  xray: {
    GetGroups: ['Groups', 'Groups[].GroupName', 'Groups[].GroupARN'],
    CreateGroup: ['Group', 'Group.GroupName', 'Group.GroupARN'],
    UpdateGroup: ['Group', 'Group.GroupName', 'Group.GroupARN'],
    GetSamplingRules: ['SamplingRuleRecords', 'SamplingRuleRecords[].SamplingRule', ...SAMPLING_RULE.map((m) => `SamplingRuleRecords[].SamplingRule.${m}`)],
    CreateSamplingRule: ['SamplingRuleRecord', 'SamplingRuleRecord.SamplingRule', ...SAMPLING_RULE.map((m) => `SamplingRuleRecord.SamplingRule.${m}`)],
    UpdateSamplingRule: ['SamplingRuleRecord', 'SamplingRuleRecord.SamplingRule', ...SAMPLING_RULE.map((m) => `SamplingRuleRecord.SamplingRule.${m}`)],
    ListTagsForResource: ['Tags', 'Tags[].Key', 'Tags[].Value'],
    // TagResource answers an empty body.
  },
  logs: {
    DescribeLogGroups: ['logGroups', 'logGroups[].logGroupName', 'logGroups[].arn'],
    // CreateLogGroup, PutRetentionPolicy and TagResource answer an empty body; ListTagsForResource
    // leaves `tags` out when there are none.
  },
  sts: {
    GetCallerIdentity: ['Account', 'Arn', 'UserId'],
  },
};

/** The first required member `output` lacks, as its path (`Groups[0].GroupARN`), or undefined. */
export function missingMember(api: AwsApi, operation: string, output: unknown): string | undefined {
  for (const path of REQUIRED_MEMBERS[api][operation] ?? []) {
    const missing = missingAt(output, path.split('.'), '');
    if (missing !== undefined) return missing;
  }
  return undefined;
}

function missingAt(value: unknown, parts: string[], shown: string): string | undefined {
  if (parts.length === 0) return undefined;
  const [head, ...rest] = parts as [string, ...string[]];
  const list = head.endsWith('[]');
  const name = list ? head.slice(0, -2) : head;
  const here = shown ? `${shown}.${name}` : name;
  const member = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[name] : undefined;
  if (member === undefined || member === null) return here;
  if (!list) return missingAt(member, rest, here);
  if (!Array.isArray(member)) return `${here} (a list)`;
  for (let i = 0; i < member.length; i++) {
    const missing = missingAt(member[i], rest, `${here}[${i}]`);
    if (missing !== undefined) return missing;
  }
  return undefined;
}

/** An answer that lacks what the real service always returns: the endpoint is not that service. */
export class UnexpectedResponse extends Error {
  constructor(
    readonly operation: string,
    readonly missing: string,
    readonly httpStatus: number | undefined,
  ) {
    super(`${operation} answered without ${missing}`);
    this.name = 'UnexpectedResponse';
  }
}

interface MiddlewareClient {
  middlewareStack: {
    add(
      middleware: (next: (args: unknown) => Promise<{ output: unknown }>, context: { commandName?: string }) => (args: unknown) => Promise<{ output: unknown }>,
      options: { step: 'initialize'; name: string },
    ): void;
  };
}

/** Checks every answer `client` gets (all its commands) against REQUIRED_MEMBERS. */
export function checkResponses<C>(client: C, api: AwsApi): C {
  (client as unknown as MiddlewareClient).middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const operation = (context.commandName ?? '').replace(/Command$/, '');
      const missing = missingMember(api, operation, result.output);
      if (missing !== undefined) {
        const status = (result.output as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
        throw new UnexpectedResponse(operation, missing, status);
      }
      return result;
    },
    { step: 'initialize', name: 'obsCheckResponse' },
  );
  return client;
}
