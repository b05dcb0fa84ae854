import { describe, expect, it } from 'vitest';
import { logGroupHandler } from '../../src/aws/log-group.js';
import { logStreamHandler } from '../../src/aws/log-stream.js';
import { grantsTransactionSearch, logsResourcePolicyHandler, transactionSearchPolicy } from '../../src/aws/logs-resource-policy.js';
import { indexingRuleHandler } from '../../src/aws/xray-indexing-rule.js';
import { traceDestinationHandler } from '../../src/aws/xray-trace-destination.js';
import { describeDifference } from '../../src/aws/resource.js';
import { xrayGroupHandler } from '../../src/aws/xray-group.js';
import { samplingRuleHandler, type DesiredSamplingRule } from '../../src/aws/xray-sampling-rule.js';
import { SEED_SAMPLING_RULE } from '../support/seed-rule.js';

/** What a create plan lists: every setting obs will send, and nothing it will not. */
const lines = (change: { action: 'create' | 'update' | 'unchanged'; differences: Parameters<typeof describeDifference>[0][] }) => change.differences.map((d) => describeDifference(d, change.action));
const managed = () => new Map([['managed-by', 'obs']]);

const rule = (over: Partial<DesiredSamplingRule> = {}): DesiredSamplingRule => ({ ...SEED_SAMPLING_RULE, tags: managed(), ...over });

describe('create plans show what will really be set', () => {
  it('a sampling rule without attributes lists no Attributes, and no "null ->" before values that never existed', () => {
    expect(lines(samplingRuleHandler.plan(rule(), undefined))).toEqual([
      'ResourceARN: "*"',
      'Priority: 9000',
      'FixedRate: 0.1',
      'ReservoirSize: 5',
      'ServiceName: "backend-flask"',
      'ServiceType: "*"',
      'Host: "*"',
      'HTTPMethod: "*"',
      'URLPath: "*"',
      'tag managed-by: "obs"',
    ]);
  });

  it('a sampling rule with attributes lists them', () => {
    expect(lines(samplingRuleHandler.plan(rule({ Attributes: { team: 'core' } }), undefined))).toContain('Attributes: {"team":"core"}');
  });

  it('a log group lists its retention, KMS key and tags', () => {
    expect(lines(logGroupHandler.plan({ name: '/cruddur', retentionInDays: 14, tags: managed() }, undefined))).toEqual(['retentionInDays: 14', 'tag managed-by: "obs"']);
    expect(
      lines(
        logGroupHandler.plan(
          {
            name: '/cruddur',
            retentionInDays: 30,
            kmsKeyId: 'arn:aws:kms:us-east-1:1:key/k',
            tags: new Map([
              ['team', 'core'],
              ['managed-by', 'obs'],
            ]),
          },
          undefined,
        ),
      ),
    ).toEqual(['retentionInDays: 30', 'kmsKeyId: "arn:aws:kms:us-east-1:1:key/k"', 'tag team: "core"', 'tag managed-by: "obs"']);
    // Without --retention the group never expires: nothing is set, nothing is listed.
    expect(lines(logGroupHandler.plan({ name: '/cruddur', tags: managed() }, undefined))).toEqual(['tag managed-by: "obs"']);
  });

  it('an X-Ray group lists its filter, Insights settings and tags', () => {
    expect(lines(xrayGroupHandler.plan({ name: 'Cruddur', filterExpression: 'service("api")', insights: true, tags: managed() }, undefined))).toEqual([
      'FilterExpression: "service(\\"api\\")"',
      'InsightsEnabled: true',
      'tag managed-by: "obs"',
    ]);
  });

  it('insights: false turns notifications off too (X-Ray sends them only for Insights), and only when they are on', () => {
    const group = (InsightsEnabled: boolean, NotificationsEnabled: boolean) => ({
      GroupName: 'Cruddur',
      GroupARN: 'arn',
      FilterExpression: 'f',
      InsightsConfiguration: { InsightsEnabled, NotificationsEnabled },
    });
    const off = { name: 'Cruddur', insights: false, tags: managed() };
    expect(lines(xrayGroupHandler.plan(off, group(true, true)))).toEqual(['InsightsEnabled: true -> false', 'NotificationsEnabled: true -> false']);
    expect(lines(xrayGroupHandler.plan(off, group(true, false)))).toEqual(['InsightsEnabled: true -> false']);
    expect(xrayGroupHandler.plan(off, group(false, false)).action).toBe('unchanged');
    // Not given: not compared.
    expect(xrayGroupHandler.plan({ name: 'Cruddur', tags: managed() }, group(true, true)).action).toBe('unchanged');
  });

  it('an update still shows before -> after', () => {
    const change = logGroupHandler.plan({ name: '/cruddur', retentionInDays: 30, tags: managed() }, { name: '/cruddur', arn: 'arn', retentionInDays: 14 });
    expect(lines(change)).toEqual(['retentionInDays: 14 -> 30']);
  });
});

describe('Transaction Search plans', () => {
  const identity = { account: '111122223333', partition: 'aws' };
  const policy = transactionSearchPolicy(identity, 'eu-west-1');

  it("the Logs resource policy lets only this account's X-Ray write aws/spans and Application Signals data", () => {
    expect(policy).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'TransactionSearchXRayAccess',
          Effect: 'Allow',
          Principal: { Service: 'xray.amazonaws.com' },
          Action: 'logs:PutLogEvents',
          Resource: ['arn:aws:logs:eu-west-1:111122223333:log-group:aws/spans:*', 'arn:aws:logs:eu-west-1:111122223333:log-group:/aws/application-signals/data:*'],
          Condition: {
            ArnLike: { 'aws:SourceArn': 'arn:aws:xray:eu-west-1:111122223333:*' },
            StringEquals: { 'aws:SourceAccount': '111122223333' },
          },
        },
      ],
    });
    expect(transactionSearchPolicy({ account: '1', partition: 'aws-cn' }, 'cn-north-1').Statement[0]!.Resource).toEqual([
      'arn:aws-cn:logs:cn-north-1:1:log-group:aws/spans:*',
      'arn:aws-cn:logs:cn-north-1:1:log-group:/aws/application-signals/data:*',
    ]);
  });

  it('creates the policy, finds it unchanged whatever its key order, and shows what differs', () => {
    const desired = { name: 'obs-transaction-search' };
    const current = (policies: { name: string; document?: string }[]) => ({ identity, region: 'eu-west-1', policies });
    const created = logsResourcePolicyHandler.plan(desired, current([]));
    expect(created.action).toBe('create');
    expect(lines(created)[0]).toBe('Principal: "xray.amazonaws.com"');
    const reordered = JSON.stringify({ Statement: policy.Statement, Version: policy.Version });
    expect(logsResourcePolicyHandler.plan(desired, current([{ name: 'obs-transaction-search', document: reordered }])).action).toBe('unchanged');
    const otherRegion = JSON.stringify(transactionSearchPolicy(identity, 'us-east-1'));
    const update = logsResourcePolicyHandler.plan(desired, current([{ name: 'obs-transaction-search', document: otherRegion }]));
    expect(update.action).toBe('update');
    expect(update.differences.map((d) => d.field)).toEqual(['Resource', 'Condition']);
  });

  it("uses a policy that already grants it (the console's) instead of adding one", () => {
    const consoles = JSON.stringify({ Version: '2012-10-17', Statement: [{ ...policy.Statement[0], Sid: 'TransactionSearchXRayAccess' }] });
    const plan = logsResourcePolicyHandler.plan({ name: 'obs-transaction-search' }, { identity, region: 'eu-west-1', policies: [{ name: 'TransactionSearchXRayAccess', document: consoles }] });
    expect(plan).toMatchObject({ action: 'unchanged', detail: 'not needed: resource policy "TransactionSearchXRayAccess" already lets X-Ray write aws/spans' });
    const onlySpans = JSON.stringify({
      Statement: { Effect: 'Allow', Principal: { Service: ['xray.amazonaws.com'] }, Action: ['logs:PutLogEvents'], Resource: 'arn:aws:logs:eu-west-1:111122223333:log-group:aws/spans:*' },
    });
    expect(grantsTransactionSearch(onlySpans, policy.Statement[0]!)).toBe(false);
    expect(grantsTransactionSearch('not json', policy.Statement[0]!)).toBe(false);
  });

  it('the destination: an update from XRay, the status shown when it is already CloudWatchLogs', () => {
    const desired = { destination: 'CloudWatchLogs' as const };
    expect(lines(traceDestinationHandler.plan(desired, { destination: 'XRay', status: 'ACTIVE' }))).toEqual(['Destination: "XRay" -> "CloudWatchLogs"']);
    expect(traceDestinationHandler.plan(desired, { destination: 'CloudWatchLogs', status: 'PENDING' })).toMatchObject({
      action: 'unchanged',
      detail: 'status PENDING: X-Ray is switching (usually minutes); spans reach Transaction Search once it is ACTIVE',
    });
    expect(traceDestinationHandler.plan(desired, { destination: 'CloudWatchLogs', status: 'ACTIVE' }).detail).toBe('status ACTIVE');
  });

  it('the indexing rule compares the desired percentage; a stream is created or left alone', () => {
    expect(lines(indexingRuleHandler.plan({ name: 'Default', percentage: 1 }, { percentage: 5 }))).toEqual(['DesiredSamplingPercentage: 5 -> 1']);
    expect(indexingRuleHandler.plan({ name: 'Default', percentage: 1 }, { percentage: 1 }).action).toBe('unchanged');
    expect(logStreamHandler.plan({ logGroup: '/app', name: 'collector' }, undefined)).toEqual({ kind: 'log-stream', name: '/app:collector', action: 'create', differences: [] });
  });
});
