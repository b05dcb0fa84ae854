import {
  CreateGroupCommand,
  CreateSamplingRuleCommand,
  DeleteGroupCommand,
  DeleteSamplingRuleCommand,
  GetGroupCommand,
  GetIndexingRulesCommand,
  GetTraceSegmentDestinationCommand,
  GetSamplingRulesCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateGroupCommand,
  UpdateIndexingRuleCommand,
  UpdateSamplingRuleCommand,
  UpdateTraceSegmentDestinationCommand,
  XRayClient,
  paginateGetGroups,
  type CreateSamplingRuleCommandInput,
} from '@aws-sdk/client-xray';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startXrayServer, validateXrayInput, type XrayServer } from '../support/xray-server.js';
import { SEED_SAMPLING_RULE } from '../support/seed-rule.js';

let server: XrayServer;

function client(opts: { maxAttempts?: number; region?: string } = {}): XRayClient {
  return new XRayClient({
    endpoint: server.url,
    region: opts.region ?? 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: opts.maxAttempts ?? 1,
  });
}

/** Run an SDK call expected to fail and return the error for assertions. */
async function failure(promise: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

// The rule file the seeds ship for the Cruddur example (aws xray create-sampling-rule --cli-input-json).
const SEED_RULE: CreateSamplingRuleCommandInput = { SamplingRule: { ...SEED_SAMPLING_RULE } };

const rule = (overrides: Record<string, unknown> = {}) => ({ SamplingRule: { ...SEED_RULE.SamplingRule, ...overrides } }) as CreateSamplingRuleCommandInput;

beforeAll(async () => {
  server = await startXrayServer();
});
afterEach(() => server.control.reset());
afterAll(async () => {
  await server.close();
});

describe('groups', () => {
  it('creates, gets, updates and deletes a group', async () => {
    const xray = client();
    const created = await xray.send(
      new CreateGroupCommand({
        GroupName: 'Cruddur',
        FilterExpression: 'service("backend-flask")',
        Tags: [{ Key: 'managed-by', Value: 'obs' }],
      }),
    );
    const arn = created.Group!.GroupARN!;
    expect(arn).toMatch(/^arn:aws:xray:us-east-1:123456789012:group\/Cruddur\/[A-Z2-7]{26}$/);
    expect(created.Group!.InsightsConfiguration).toEqual({ InsightsEnabled: false, NotificationsEnabled: false });

    const byName = await xray.send(new GetGroupCommand({ GroupName: 'Cruddur' }));
    expect(byName.Group).toEqual(created.Group);
    const byArn = await xray.send(new GetGroupCommand({ GroupARN: arn }));
    expect(byArn.Group!.GroupName).toBe('Cruddur');

    const tags = await xray.send(new ListTagsForResourceCommand({ ResourceARN: arn }));
    expect(tags.Tags).toEqual([{ Key: 'managed-by', Value: 'obs' }]);

    const updated = await xray.send(
      new UpdateGroupCommand({
        GroupName: 'Cruddur',
        FilterExpression: 'service("frontend")',
        InsightsConfiguration: { InsightsEnabled: true, NotificationsEnabled: true },
      }),
    );
    expect(updated.Group).toMatchObject({
      GroupARN: arn,
      FilterExpression: 'service("frontend")',
      InsightsConfiguration: { InsightsEnabled: true, NotificationsEnabled: true },
    });

    await xray.send(new DeleteGroupCommand({ GroupName: 'Cruddur' }));
    const missing = await failure(xray.send(new GetGroupCommand({ GroupName: 'Cruddur' })));
    expect(missing.name).toBe('InvalidRequestException');
    expect(missing.message).toBe('Group not found');
  });

  it('rejects a duplicate group name and the reserved Default name', async () => {
    const xray = client();
    await xray.send(new CreateGroupCommand({ GroupName: 'Cruddur' }));
    const duplicate = await failure(xray.send(new CreateGroupCommand({ GroupName: 'Cruddur' })));
    expect(duplicate.name).toBe('InvalidRequestException');
    expect(duplicate.message).toBe('Group already exists');
    expect(duplicate.$metadata?.httpStatusCode).toBe(400);

    const reserved = await failure(xray.send(new CreateGroupCommand({ GroupName: 'Default' })));
    expect(reserved.name).toBe('InvalidRequestException');
  });

  it('rejects a 33-character group name with an AWS-style validation message', async () => {
    const name = 'g'.repeat(33);
    const error = await failure(client().send(new CreateGroupCommand({ GroupName: name })));
    expect(error.name).toBe('InvalidRequestException');
    expect(error.message).toBe(`1 validation error detected: Value '${name}' at 'groupName' failed to satisfy constraint: Member must have length less than or equal to 32`);
  });

  it('requires InsightsEnabled for notifications', async () => {
    const error = await failure(client().send(new CreateGroupCommand({ GroupName: 'g', InsightsConfiguration: { NotificationsEnabled: true } })));
    expect(error.name).toBe('InvalidRequestException');
  });

  it('walks 5 groups in 3 pages with paginateGetGroups', async () => {
    const xray = client();
    for (const n of [1, 2, 3, 4, 5]) await xray.send(new CreateGroupCommand({ GroupName: `group-${n}` }));
    const pages: string[][] = [];
    for await (const page of paginateGetGroups({ client: xray }, {})) {
      pages.push(page.Groups!.map((g) => g.GroupName!));
    }
    expect(pages).toEqual([['group-1', 'group-2'], ['group-3', 'group-4'], ['group-5']]);
    expect(server.control.requests.filter((r) => r.operation === 'GetGroups')).toHaveLength(3);
  });

  it('rejects an invalid NextToken', async () => {
    const response = await client()
      .send(new GetSamplingRulesCommand({ NextToken: 'bm90LWEtdG9rZW4=' }))
      .catch((e) => e);
    expect(response.name).toBe('InvalidRequestException');
    expect(response.message).toBe('Invalid NextToken');
  });

  it('partitions data by the region in the credential scope', async () => {
    await client().send(new CreateGroupCommand({ GroupName: 'east' }));
    const west = await failure(client({ region: 'us-west-2' }).send(new GetGroupCommand({ GroupName: 'east' })));
    expect(west.message).toBe('Group not found');
    expect(server.state.region('us-east-1').groups.has('east')).toBe(true);
  });
});

describe('sampling rules', () => {
  it('accepts the seeds rule file and lists it with the Default rule', async () => {
    const xray = client();
    const created = await xray.send(new CreateSamplingRuleCommand(SEED_RULE));
    const record = created.SamplingRuleRecord!;
    expect(record.SamplingRule).toMatchObject({
      ...SEED_RULE.SamplingRule,
      RuleARN: 'arn:aws:xray:us-east-1:123456789012:sampling-rule/Cruddur',
    });
    expect(record.CreatedAt).toBeInstanceOf(Date);

    const rules = await xray.send(new GetSamplingRulesCommand({}));
    const names = rules.SamplingRuleRecords!.map((r) => r.SamplingRule!.RuleName);
    expect(names).toEqual(['Default', 'Cruddur']);
    const defaultRule = rules.SamplingRuleRecords![0];
    expect(defaultRule?.SamplingRule).toMatchObject({
      Priority: 10000,
      FixedRate: 0.05,
      ReservoirSize: 1,
      ServiceName: '*',
      URLPath: '*',
      Version: 1,
    });
    expect(defaultRule?.CreatedAt?.getTime()).toBe(0);
  });

  it('rejects a duplicate rule name', async () => {
    const xray = client();
    await xray.send(new CreateSamplingRuleCommand(SEED_RULE));
    const error = await failure(xray.send(new CreateSamplingRuleCommand(SEED_RULE)));
    expect(error.name).toBe('InvalidRequestException');
    expect(error.message).toMatch(/exists/);
  });

  it('rejects FixedRate 1.5', async () => {
    const error = await failure(client().send(new CreateSamplingRuleCommand(rule({ FixedRate: 1.5 }))));
    expect(error.name).toBe('InvalidRequestException');
    expect(error.message).toBe("1 validation error detected: Value '1.5' at 'samplingRule.fixedRate' failed to satisfy constraint: Member must have value less than or equal to 1");
  });

  it('rejects Priority 0', async () => {
    const error = await failure(client().send(new CreateSamplingRuleCommand(rule({ Priority: 0 }))));
    expect(error.message).toContain("at 'samplingRule.priority' failed to satisfy constraint: Member must have value greater than or equal to 1");
  });

  it('rejects a missing required member and a missing RuleName', async () => {
    const { ServiceName: _s, RuleName: _r, ...incomplete } = SEED_RULE.SamplingRule!;
    const error = await failure(client().send(new CreateSamplingRuleCommand({ SamplingRule: incomplete } as CreateSamplingRuleCommandInput)));
    expect(error.name).toBe('InvalidRequestException');
    expect(error.message).toBe(
      '2 validation errors detected: ' +
        "Value null at 'samplingRule.ruleName' failed to satisfy constraint: Member must not be null; " +
        "Value null at 'samplingRule.serviceName' failed to satisfy constraint: Member must not be null",
    );
  });

  it('rejects Version 2 and more than 5 attributes', async () => {
    const attributes = Object.fromEntries(['a', 'b', 'c', 'd', 'e', 'f'].map((k) => [k, 'v']));
    const error = await failure(client().send(new CreateSamplingRuleCommand(rule({ Version: 2, Attributes: attributes }))));
    expect(error.message).toMatch(/^2 validation errors detected: /);
    expect(error.message).toContain("at 'samplingRule.version' failed to satisfy constraint: Member must have value less than or equal to 1");
    expect(error.message).toContain("at 'samplingRule.attributes' failed to satisfy constraint: Member must have length less than or equal to 5");
  });

  it('applies create-time ranges to updates', async () => {
    const xray = client();
    await xray.send(new CreateSamplingRuleCommand(SEED_RULE));
    const error = await failure(xray.send(new UpdateSamplingRuleCommand({ SamplingRuleUpdate: { RuleName: 'Cruddur', FixedRate: 2, Priority: 0, ReservoirSize: -1 } })));
    expect(error.message).toMatch(/^3 validation errors detected: /);
    expect(error.message).toContain("'samplingRuleUpdate.fixedRate'");

    const updated = await xray.send(new UpdateSamplingRuleCommand({ SamplingRuleUpdate: { RuleName: 'Cruddur', FixedRate: 0.5, URLPath: '/api/*' } }));
    expect(updated.SamplingRuleRecord!.SamplingRule).toMatchObject({ FixedRate: 0.5, URLPath: '/api/*', Priority: 9000 });
  });

  it('allows only FixedRate and ReservoirSize on the Default rule', async () => {
    const xray = client();
    const ok = await xray.send(new UpdateSamplingRuleCommand({ SamplingRuleUpdate: { RuleName: 'Default', FixedRate: 0.1, ReservoirSize: 2 } }));
    expect(ok.SamplingRuleRecord!.SamplingRule).toMatchObject({ FixedRate: 0.1, ReservoirSize: 2, Priority: 10000 });
    const error = await failure(xray.send(new UpdateSamplingRuleCommand({ SamplingRuleUpdate: { RuleName: 'Default', Host: 'x' } })));
    expect(error.message).toBe('Invalid update request for default sampling rule');
    await expect(xray.send(new DeleteSamplingRuleCommand({ RuleName: 'Default' }))).rejects.toThrow();
  });

  it('reports a missing rule and deletes by ARN', async () => {
    const xray = client();
    const missing = await failure(xray.send(new DeleteSamplingRuleCommand({ RuleName: 'nope' })));
    expect(missing.message).toBe('Sampling rule does not exist');

    const created = await xray.send(new CreateSamplingRuleCommand(SEED_RULE));
    const deleted = await xray.send(new DeleteSamplingRuleCommand({ RuleARN: created.SamplingRuleRecord!.SamplingRule!.RuleARN }));
    expect(deleted.SamplingRuleRecord!.SamplingRule!.RuleName).toBe('Cruddur');
  });
});

describe('tags', () => {
  it('tags, lists and untags a rule; unknown ARNs are ResourceNotFoundException', async () => {
    const xray = client();
    const created = await xray.send(new CreateSamplingRuleCommand({ ...SEED_RULE, Tags: [{ Key: 'managed-by', Value: 'obs' }] }));
    const arn = created.SamplingRuleRecord!.SamplingRule!.RuleARN!;
    await xray.send(new TagResourceCommand({ ResourceARN: arn, Tags: [{ Key: 'env', Value: 'dev' }] }));
    await xray.send(new UntagResourceCommand({ ResourceARN: arn, TagKeys: ['managed-by'] }));
    const listed = await xray.send(new ListTagsForResourceCommand({ ResourceARN: arn }));
    expect(listed.Tags).toEqual([{ Key: 'env', Value: 'dev' }]);

    const missing = await failure(xray.send(new ListTagsForResourceCommand({ ResourceARN: `${arn}-gone` })));
    expect(missing.name).toBe('ResourceNotFoundException');
  });
});

describe('Transaction Search', () => {
  it('switches the trace segment destination: PENDING until the switch completes, then ACTIVE', async () => {
    let clock = 1_000;
    const own = await startXrayServer({ now: () => clock, destinationPendingSeconds: 120 });
    try {
      const xray = new XRayClient({ endpoint: own.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
      expect(await xray.send(new GetTraceSegmentDestinationCommand({}))).toMatchObject({ Destination: 'XRay', Status: 'ACTIVE' });
      expect(await xray.send(new UpdateTraceSegmentDestinationCommand({ Destination: 'CloudWatchLogs' }))).toMatchObject({ Destination: 'CloudWatchLogs', Status: 'PENDING' });
      clock += 60;
      // Asking again does not restart the switch.
      expect(await xray.send(new UpdateTraceSegmentDestinationCommand({ Destination: 'CloudWatchLogs' }))).toMatchObject({ Status: 'PENDING' });
      clock += 60;
      expect(await xray.send(new GetTraceSegmentDestinationCommand({}))).toMatchObject({ Destination: 'CloudWatchLogs', Status: 'ACTIVE' });
      // Per region, as everything else.
      const other = new XRayClient({ endpoint: own.url, region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
      expect(await other.send(new GetTraceSegmentDestinationCommand({}))).toMatchObject({ Destination: 'XRay' });
      const refused = await failure(xray.send(new UpdateTraceSegmentDestinationCommand({ Destination: 'S3' as never })));
      expect(refused.message).toBe("1 validation error detected: Value 'S3' at 'destination' failed to satisfy constraint: Member must satisfy enum value set: [XRay, CloudWatchLogs]");
    } finally {
      await own.close();
    }
  });

  it('lists the Default indexing rule at 1 % and updates its percentage', async () => {
    const xray = client();
    const listed = await xray.send(new GetIndexingRulesCommand({}));
    expect(listed.IndexingRules).toEqual([{ Name: 'Default', ModifiedAt: new Date(0), Rule: { Probabilistic: { DesiredSamplingPercentage: 1, ActualSamplingPercentage: 1 } } }]);
    const updated = await xray.send(new UpdateIndexingRuleCommand({ Name: 'Default', Rule: { Probabilistic: { DesiredSamplingPercentage: 5 } } }));
    expect(updated.IndexingRule?.Rule).toEqual({ Probabilistic: { DesiredSamplingPercentage: 5, ActualSamplingPercentage: 5 } });
    expect((await xray.send(new GetIndexingRulesCommand({}))).IndexingRules?.[0]?.Rule).toEqual(updated.IndexingRule?.Rule);
  });

  it('refuses an unknown rule, a percentage over 100 and an empty rule', async () => {
    const xray = client();
    const missing = await failure(xray.send(new UpdateIndexingRuleCommand({ Name: 'Nope', Rule: { Probabilistic: { DesiredSamplingPercentage: 5 } } })));
    expect(missing.name).toBe('ResourceNotFoundException');
    const tooMuch = await failure(xray.send(new UpdateIndexingRuleCommand({ Name: 'Default', Rule: { Probabilistic: { DesiredSamplingPercentage: 150 } } })));
    expect(tooMuch.message).toBe(
      "1 validation error detected: Value '150' at 'rule.probabilistic.desiredSamplingPercentage' failed to satisfy constraint: Member must have value less than or equal to 100",
    );
    expect(validateXrayInput('UpdateIndexingRule', { Name: 'Default', Rule: {} })).toEqual(["Value '{}' at 'rule' failed to satisfy constraint: Union must have exactly one member set, got 0"]);
    expect(validateXrayInput('UpdateIndexingRule', { Name: 'Default', Rule: { Probabilistic: {} } })).toEqual([
      "Value null at 'rule.probabilistic.desiredSamplingPercentage' failed to satisfy constraint: Member must not be null",
    ]);
  });
});

describe('control and protocol', () => {
  it('throttles with maxAttempts 1 and recovers through SDK retries', async () => {
    server.control.failNext(1, 'throttle');
    const throttled = await failure(client().send(new GetSamplingRulesCommand({})));
    expect(throttled.name).toBe('ThrottledException');
    expect(throttled.$metadata?.httpStatusCode).toBe(429);

    server.control.reset();
    server.control.failNext(2, 'throttle');
    const rules = await client({ maxAttempts: 3 }).send(new GetSamplingRulesCommand({}));
    expect(rules.SamplingRuleRecords).toHaveLength(1);
    expect(server.control.requests.map((r) => r.status)).toEqual([429, 429, 200]);
  });

  it("injects 500 InternalFailure with kind 'error'", async () => {
    server.control.failNext(1, 'error');
    const error = await failure(client().send(new GetSamplingRulesCommand({})));
    expect(error.name).toBe('InternalFailure');
    expect(error.$metadata?.httpStatusCode).toBe(500);
  });

  it('records requests with their SigV4 headers', async () => {
    await client().send(new CreateGroupCommand({ GroupName: 'recorded' }));
    const [request] = server.control.requests;
    expect(request).toMatchObject({ operation: 'CreateGroup', method: 'POST', path: '/CreateGroup', body: { GroupName: 'recorded' } });
    expect(request?.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=test\/\d{8}\/us-east-1\/xray\/aws4_request/);
  });

  it('answers an unsigned fetch with 403 and an unknown route with 404', async () => {
    const unsigned = await fetch(`${server.url}/Groups`, { method: 'POST', body: '{}' });
    expect(unsigned.status).toBe(403);
    expect(unsigned.headers.get('content-type')).toBe('application/json');
    expect(unsigned.headers.get('x-amzn-requestid')).toBeTruthy();
    expect(await unsigned.json()).toMatchObject({ __type: 'MissingAuthenticationTokenException' });

    const wrongService = await fetch(`${server.url}/Groups`, {
      method: 'POST',
      body: '{}',
      headers: {
        authorization: `AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/logs/aws4_request, SignedHeaders=host, Signature=${'0'.repeat(64)}`,
      },
    });
    expect(wrongService.status).toBe(403);
    expect((await wrongService.json()).__type).toBe('InvalidSignatureException');

    const unknown = await fetch(`${server.url}/GetTraceSummaries`, { method: 'POST', body: '{}' });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
  });
});

describe('model-driven validation', () => {
  it('rejects unknown members and wrong types', () => {
    expect(validateXrayInput('CreateGroup', { GroupName: 'g', Bogus: 1 })).toEqual(["Value '1' at 'bogus' failed to satisfy constraint: Member is not defined in shape CreateGroupRequest"]);
    expect(validateXrayInput('CreateSamplingRule', rule({ Priority: 'high' }))).toEqual(["Value 'high' at 'samplingRule.priority' failed to satisfy constraint: Member must be of type integer"]);
    expect(validateXrayInput('TagResource', { ResourceARN: 'a', Tags: [{ Key: '', Value: 'v' }] })).toEqual([
      "Value '' at 'tags.1.member.key' failed to satisfy constraint: Member must have length greater than or equal to 1",
    ]);
    expect(validateXrayInput('CreateSamplingRule', rule({ Attributes: { k: 'x'.repeat(33) } }))).toEqual([
      `Value '${'x'.repeat(33)}' at 'samplingRule.attributes' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 32]`,
    ]);
  });
});
