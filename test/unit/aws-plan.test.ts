import { describe, expect, it } from 'vitest';
import { logGroupHandler } from '../../src/aws/log-group.js';
import { describeDifference } from '../../src/aws/resource.js';
import { xrayGroupHandler } from '../../src/aws/xray-group.js';
import { samplingRuleHandler, type DesiredSamplingRule } from '../../src/aws/xray-sampling-rule.js';
import { SEED_SAMPLING_RULE } from '../support/seed-rule.js';

/** What a create plan lists: every setting obs will send, and nothing it will not. */
const lines = (change: { action: 'create' | 'update' | 'unchanged'; differences: Parameters<typeof describeDifference>[0][] }) =>
  change.differences.map((d) => describeDifference(d, change.action));
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
      lines(logGroupHandler.plan({ name: '/cruddur', retentionInDays: 30, kmsKeyId: 'arn:aws:kms:us-east-1:1:key/k', tags: new Map([['team', 'core'], ['managed-by', 'obs']]) }, undefined)),
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
    const group = (InsightsEnabled: boolean, NotificationsEnabled: boolean) => ({ GroupName: 'Cruddur', GroupARN: 'arn', FilterExpression: 'f', InsightsConfiguration: { InsightsEnabled, NotificationsEnabled } });
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
