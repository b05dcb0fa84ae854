import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AwsClients } from '../../src/aws/clients.js';
import { KMS_KEY_ID_MAX, LOG_GROUP_NAME_MAX, LOG_GROUP_NAME_MIN, LOG_GROUP_NAME_PATTERN, logGroupHandler, RETENTION_DAYS, validateLogGroup, type DesiredLogGroup } from '../../src/aws/log-group.js';
import { LOG_STREAM_NAME_MAX, LOG_STREAM_NAME_MIN, LOG_STREAM_NAME_PATTERN } from '../../src/aws/log-stream.js';
import { UsageError } from '../../src/errors.js';

interface Shape {
  type: string;
  min?: number;
  max?: number;
  pattern?: string;
  documentation?: string;
  members?: Record<string, { shape: string }>;
}
const model = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'support', 'logs-model', 'logs-2014-03-28.json'), 'utf8')) as { shapes: Record<string, Shape> };
const shapes = model.shapes;

describe('log group limits match the CloudWatch Logs model', () => {
  it('LogGroupName', () => {
    expect(shapes.CreateLogGroupRequest?.members?.logGroupName?.shape).toBe('LogGroupName');
    expect(shapes.LogGroupName).toMatchObject({ min: LOG_GROUP_NAME_MIN, max: LOG_GROUP_NAME_MAX, pattern: LOG_GROUP_NAME_PATTERN });
  });
  it('LogStreamName', () => {
    expect(shapes.CreateLogStreamRequest?.members?.logStreamName?.shape).toBe('LogStreamName');
    expect(shapes.LogStreamName).toMatchObject({ min: LOG_STREAM_NAME_MIN, max: LOG_STREAM_NAME_MAX, pattern: LOG_STREAM_NAME_PATTERN });
  });
  it('KmsKeyId', () => {
    expect(shapes.CreateLogGroupRequest?.members?.kmsKeyId?.shape).toBe('KmsKeyId');
    expect(shapes.KmsKeyId?.max).toBe(KMS_KEY_ID_MAX);
  });
  it('retention days: the set the Days documentation lists (the model type is a plain integer)', () => {
    expect(shapes.PutRetentionPolicyRequest?.members?.retentionInDays?.shape).toBe('Days');
    const doc = /Possible values are: ([\d, and]+)\./.exec(shapes.Days?.documentation ?? '')![1]!;
    expect(doc.split(/,\s*(?:and\s+)?|\s+and\s+/).map(Number)).toEqual([...RETENTION_DAYS]);
  });
});

const desired = (over: Partial<DesiredLogGroup> = {}): DesiredLogGroup => ({ name: 'app', tags: new Map([['managed-by', 'obs']]), ...over });
const label = (field: string) => `obs.yaml cloudwatch.logGroups[0].${field}`;
const refused = (d: DesiredLogGroup): string => {
  try {
    validateLogGroup(d, label);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error('accepted');
};

const KMS_ARN = 'arn:aws:kms:us-east-1:123456789012:key/';

describe('validateLogGroup', () => {
  it('accepts every character the pattern allows, 512 long, and every retention value', () => {
    expect(() => validateLogGroup(desired({ name: '/ecs/app_1.#-x' }), label)).not.toThrow();
    expect(() => validateLogGroup(desired({ name: 'a'.repeat(512), kmsKeyId: KMS_ARN.padEnd(256, 'k') }), label)).not.toThrow();
    for (const days of RETENTION_DAYS) expect(() => validateLogGroup(desired({ retentionInDays: days }), label)).not.toThrow();
  });
  it('names the field and the rule', () => {
    expect(refused(desired({ name: '' }))).toMatch(/logGroups\[0\]\.name must be 1 to 512/);
    expect(refused(desired({ name: 'a'.repeat(513) }))).toMatch(/\.name must be 1 to 512 characters, got 513/);
    expect(refused(desired({ name: 'bad name!' }))).toMatch(/\.name may contain only/);
    expect(refused(desired({ name: 'aws/lambda/x' }))).toMatch(/\.name cannot start with "aws\/"/);
    expect(refused(desired({ retentionInDays: 2 }))).toMatch(/\.retentionInDays must be one of 1, 3, 5/);
    expect(refused(desired({ retentionInDays: 730 }))).toMatch(/got 730/);
    expect(refused(desired({ kmsKeyId: KMS_ARN.padEnd(257, 'k') }))).toMatch(/\.kmsKeyId must be 1 to 256/);
    expect(refused(desired({ kmsKeyId: 'alias/mine' }))).toMatch(/\.kmsKeyId must be a KMS key ARN/);
  });
});

describe('logGroupHandler', () => {
  const current = { name: 'app', arn: 'arn:aws:logs:us-east-1:123456789012:log-group:app', retentionInDays: 14 };
  it('plans: create, unchanged, retention compared only when given, kms drift reported', () => {
    expect(logGroupHandler.plan(desired(), undefined).action).toBe('create');
    expect(logGroupHandler.plan(desired(), current).action).toBe('unchanged');
    expect(logGroupHandler.plan(desired({ retentionInDays: 14 }), current).action).toBe('unchanged');
    expect(logGroupHandler.plan(desired({ retentionInDays: 30 }), current)).toMatchObject({
      action: 'update',
      arn: current.arn,
      differences: [{ field: 'retentionInDays', before: 14, after: 30 }],
    });
    expect(logGroupHandler.plan(desired({ kmsKeyId: 'arn:k' }), current).differences).toEqual([{ field: 'kmsKeyId', before: undefined, after: 'arn:k' }]);
  });

  it('read follows nextToken until the exact name turns up, and strips :* from arn', async () => {
    const inputs: Record<string, unknown>[] = [];
    const pages = [
      { logGroups: [{ logGroupName: 'app-a' }, { logGroupName: 'app-b' }], nextToken: 't1' },
      { logGroups: [], nextToken: 't2' },
      { logGroups: [{ logGroupName: 'app', arn: 'arn:aws:logs:us-east-1:1:log-group:app:*', retentionInDays: 7 }] },
    ];
    const clients = { logs: async () => ({ send: async (cmd: { input: Record<string, unknown> }) => (inputs.push(cmd.input), pages[inputs.length - 1]) }) } as unknown as AwsClients;
    expect(await logGroupHandler.read(clients, desired())).toEqual({ name: 'app', arn: 'arn:aws:logs:us-east-1:1:log-group:app', retentionInDays: 7, kmsKeyId: undefined });
    expect(inputs).toEqual([
      { logGroupNamePrefix: 'app', nextToken: undefined },
      { logGroupNamePrefix: 'app', nextToken: 't1' },
      { logGroupNamePrefix: 'app', nextToken: 't2' },
    ]);
  });

  it('read: siblings only -> absent', async () => {
    const clients = { logs: async () => ({ send: async () => ({ logGroups: [{ logGroupName: 'app-worker' }] }) }) } as unknown as AwsClients;
    expect(await logGroupHandler.read(clients, desired())).toBeUndefined();
  });
});
