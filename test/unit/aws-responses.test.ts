import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { attemptOf, attemptTimeoutMs, DEFAULT_TIMEOUTS, describeFailedAttempt, isLookup, operationOfRequest } from '../../src/aws/attempts.js';
import { missingMember, REQUIRED_MEMBERS, type AwsApi } from '../../src/aws/responses.js';

interface Model {
  operations: Record<string, { output?: { shape: string } }>;
  shapes: Record<string, { type: string; members?: Record<string, { shape: string }>; member?: { shape: string } }>;
}
const models: Partial<Record<AwsApi, Model>> = {
  xray: JSON.parse(readFileSync(new URL('../support/xray-model/xray-2016-04-12.json', import.meta.url), 'utf8')) as Model,
  logs: JSON.parse(readFileSync(new URL('../support/logs-model/logs-2014-03-28.json', import.meta.url), 'utf8')) as Model,
};

/** Follows `Groups[].GroupARN` through the model's output shape; returns what does not exist. */
function unknownPath(model: Model, operation: string, path: string): string | undefined {
  const output = model.operations[operation]?.output?.shape;
  if (!output) return `${operation} has no output`;
  let shape = model.shapes[output]!;
  for (const part of path.split('.')) {
    const list = part.endsWith('[]');
    const name = list ? part.slice(0, -2) : part;
    const member = shape.members?.[name];
    if (!member) return `${operation}: ${path} (no ${name})`;
    shape = model.shapes[member.shape]!;
    if (list) {
      if (shape.type !== 'list') return `${operation}: ${path} (${name} is not a list)`;
      shape = model.shapes[shape.member!.shape]!;
    }
  }
  return undefined;
}

describe('REQUIRED_MEMBERS: what obs demands of an answer', () => {
  it('names only members the X-Ray and CloudWatch Logs models define, on the operations obs calls', () => {
    const problems: string[] = [];
    for (const api of ['xray', 'logs'] as const) {
      for (const [operation, paths] of Object.entries(REQUIRED_MEMBERS[api])) {
        for (const path of paths) {
          const problem = unknownPath(models[api]!, operation, path);
          if (problem) problems.push(`${api} ${problem}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('includes every member the X-Ray model itself requires of a SamplingRule', () => {
    const required = (models.xray!.shapes.SamplingRule as { required?: string[] }).required!;
    for (const member of required) expect(REQUIRED_MEMBERS.xray.GetSamplingRules).toContain(`SamplingRuleRecords[].SamplingRule.${member}`);
  });

  it('finds the first missing member, with the item index', () => {
    expect(missingMember('xray', 'GetGroups', { $metadata: {} })).toBe('Groups');
    expect(missingMember('xray', 'GetGroups', { Groups: [] })).toBeUndefined();
    expect(missingMember('xray', 'GetGroups', { Groups: [{ GroupName: 'a', GroupARN: 'arn:1' }, { GroupName: 'b' }] })).toBe('Groups[1].GroupARN');
    expect(missingMember('xray', 'GetGroups', { Groups: 'x' })).toBe('Groups (a list)');
    expect(missingMember('xray', 'CreateGroup', { Group: {} })).toBe('Group.GroupName');
    expect(missingMember('logs', 'DescribeLogGroups', { logGroups: [{ logGroupName: '/a', arn: 'arn:a:*' }] })).toBeUndefined();
    expect(missingMember('logs', 'CreateLogGroup', {})).toBeUndefined(); // an empty answer is CreateLogGroup's
    expect(missingMember('sts', 'GetCallerIdentity', { Account: '1', Arn: 'arn:x' })).toBe('UserId');
  });
});

describe('attempt timeouts', () => {
  it('look-ups wait 5 s first, then 15 s; writes 30 s every time', () => {
    expect([1, 2, 3].map((n) => attemptTimeoutMs(DEFAULT_TIMEOUTS, 'DescribeLogGroups', n))).toEqual([5_000, 15_000, 15_000]);
    expect([1, 2].map((n) => attemptTimeoutMs(DEFAULT_TIMEOUTS, 'CreateGroup', n))).toEqual([30_000, 30_000]);
    expect(['GetGroups', 'GetSamplingRules', 'ListTagsForResource', 'GetCallerIdentity', 'Groups'].every(isLookup)).toBe(true);
    expect(['CreateGroup', 'UpdateSamplingRule', 'PutRetentionPolicy', 'TagResource'].some(isLookup)).toBe(false);
  });

  it('reads the operation from a signed request in each protocol obs uses, and the attempt from amz-sdk-request', () => {
    expect(operationOfRequest({ headers: { 'x-amz-target': 'Logs_20140328.DescribeLogGroups' }, path: '/' })).toBe('DescribeLogGroups');
    expect(operationOfRequest({ headers: {}, path: '/', body: 'Action=GetCallerIdentity&Version=2011-06-15' })).toBe('GetCallerIdentity');
    expect(operationOfRequest({ headers: {}, path: '/Groups' })).toBe('Groups');
    expect(operationOfRequest({ headers: {}, path: '/CreateSamplingRule' })).toBe('CreateSamplingRule');
    expect(attemptOf({ 'amz-sdk-request': 'attempt=2; max=3' })).toEqual([2, 3]);
    expect(attemptOf({})).toEqual([1, 1]);
  });

  it('says why an attempt failed', () => {
    expect(describeFailedAttempt(Object.assign(new Error('x'), { name: 'TimeoutError' }), 5_000)).toBe('got no answer within 5 s');
    expect(describeFailedAttempt(Object.assign(new Error('x'), { code: 'ECONNRESET' }), 5_000)).toBe('could not connect (ECONNRESET)');
    expect(describeFailedAttempt(Object.assign(new Error('x'), { name: 'ServiceUnavailableException', $metadata: { httpStatusCode: 503 } }), 5_000)).toBe(
      'failed (ServiceUnavailableException, HTTP 503)',
    );
  });
});
