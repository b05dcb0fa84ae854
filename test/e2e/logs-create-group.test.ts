import { CloudWatchLogsClient, CreateLogGroupCommand, DescribeLogGroupsCommand, ListTagsForResourceCommand, PutRetentionPolicyCommand, type LogGroup } from '@aws-sdk/client-cloudwatch-logs';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { freePort } from '../support/moto.js';
import { runObs } from '../support/run-obs.js';

/**
 * `obs logs create-group` end to end: the built binary against moto_server (started once by
 * test/support/global-setup.ts), checked afterwards with the real SDK client.
 */
const motoUrl = inject('motoUrl');
let home: string;
const env = (over: Record<string, string | undefined> = {}): Record<string, string> => {
  const all: Record<string, string | undefined> = {
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    // A fresh HOME: no ~/.aws from the machine running the tests.
    HOME: home,
    ...over,
  };
  return Object.fromEntries(Object.entries(all).filter((e): e is [string, string] => e[1] !== undefined));
};
const obs = (args: string[], over: Record<string, string | undefined> = {}, endpoint = motoUrl) => runObs(['logs', 'create-group', ...args, '--endpoint-url', endpoint], { env: env(over) });

/** moto keeps state for the whole run (other files use it too): every test gets its own name. */
const unique = (label: string) => `obs-e2e/${label}-${randomUUID().slice(0, 8)}`;

const sdk = (region = 'us-east-1') => new CloudWatchLogsClient({ region, endpoint: motoUrl, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
async function describeGroup(name: string, region?: string): Promise<LogGroup | undefined> {
  const out = await sdk(region).send(new DescribeLogGroupsCommand({ logGroupNamePrefix: name }));
  return out.logGroups?.find((g) => g.logGroupName === name);
}

/** Stands in for AWS: records every request; answers with `respond` (default HTTP 500). */
interface Fake {
  url: string;
  requests: { target: string; body: Record<string, unknown> }[];
  respond?: (target: string, body: Record<string, unknown>) => unknown;
}
const fake: Fake = { url: '', requests: [] };
let fakeServer: Server;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'obs-home-'));
  fakeServer = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '').replace(/^Logs_20140328\./, '');
      const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      fake.requests.push({ target, body });
      const answer = fake.respond?.(target, body);
      res.writeHead(answer === undefined ? 500 : 200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify(answer ?? { __type: 'InternalFailure', message: 'fake server: unexpected request' }));
    });
  });
  await new Promise<void>((resolve) => fakeServer.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(fakeServer.address() as { port: number }).port}`;
});
beforeEach(() => {
  fake.requests = [];
  fake.respond = undefined;
});
afterAll(async () => {
  await new Promise<void>((resolve) => fakeServer.close(() => resolve()));
  await rm(home, { recursive: true, force: true });
});

describe('obs logs create-group against moto', () => {
  it('creates the group with retention and tags, then leaves it alone on a re-run', async () => {
    const name = unique('create');
    const first = await obs(['--name', name, '--retention', '14', '--tag', 'team=core']);
    expect(first.exitCode, first.stderr).toBe(0);
    const line = new RegExp(`^created {6}log group ${name}  (arn:aws:logs:us-east-1:\\d{12}:log-group:${name})$`, 'm').exec(first.stdout);
    expect(line, first.stderr).not.toBeNull();
    const arn = line![1]!;

    const group = await describeGroup(name);
    expect(group?.retentionInDays).toBe(14);
    expect(group?.logGroupArn).toBe(arn);
    const { tags } = await sdk().send(new ListTagsForResourceCommand({ resourceArn: arn }));
    expect(tags).toEqual({ 'managed-by': 'obs', team: 'core' });

    const again = await obs(['--name', name, '--retention', '14']);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout).toMatch(new RegExp(`^unchanged {4}log group ${name}  ${arn}$`, 'm'));
  });

  it('updates a different retention and shows the difference', async () => {
    const name = unique('update');
    expect((await obs(['--name', name, '--retention', '14'])).exitCode).toBe(0);
    const run = await obs(['--name', name, '--retention', '30']);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^updated {6}log group ${name}  arn:`, 'm'));
    expect(run.stdout).toContain('retentionInDays: 14 -> 30');
    expect((await describeGroup(name))?.retentionInDays).toBe(30);
  });

  it('--no-update reports drift (exit 1) and changes nothing', async () => {
    const name = unique('drift');
    expect((await obs(['--name', name, '--retention', '14'])).exitCode).toBe(0);
    const run = await obs(['--name', name, '--retention', '30', '--no-update']);
    expect(run.exitCode, run.stderr).toBe(1);
    expect(run.stdout).toMatch(new RegExp(`^drift {8}log group ${name}`, 'm'));
    expect(run.stdout).toContain('retentionInDays: 14 -> 30');
    expect((await describeGroup(name))?.retentionInDays).toBe(14);
  });

  it('--dry-run --no-update is a read-only drift check: drift exits 1, nothing changes', async () => {
    const name = unique('dry-drift');
    expect((await obs(['--name', name, '--retention', '14'])).exitCode).toBe(0);
    const run = await obs(['--name', name, '--retention', '60', '--no-update', '--dry-run', '--json']);
    expect(run.exitCode, run.stderr).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`^drift {8}log group ${name}`, 'm'));
    expect(run.stderr).toContain('retentionInDays: 14 -> 60');
    expect(JSON.parse(run.stdout)).toMatchObject({ dryRun: true, ok: false, resources: [{ name, status: 'drift' }] });
    expect((await describeGroup(name))?.retentionInDays).toBe(14);
    // No drift: still exit 0; a missing group would still be created, so a dry run says so and exits 0.
    expect((await obs(['--name', name, '--retention', '14', '--no-update', '--dry-run'])).exitCode).toBe(0);
    const missing = await obs(['--name', unique('dry-missing'), '--no-update', '--dry-run']);
    expect(missing.exitCode, missing.stderr).toBe(0);
    expect(missing.stdout).toMatch(/^would create log group /m);
  });

  it('--dry-run says what it would do and creates nothing', async () => {
    const name = unique('dry');
    const run = await obs(['--name', name, '--retention', '7', '--dry-run']);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^would create log group ${name}$`, 'm'));
    expect(await describeGroup(name)).toBeUndefined();
  });

  it('--json prints one JSON document on stdout', async () => {
    const name = unique('json');
    const run = await obs(['--name', name, '--json']);
    expect(run.exitCode, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout);
    expect(doc).toMatchObject({ command: 'logs create-group', region: 'us-east-1', dryRun: false, ok: true });
    expect(doc.resources).toHaveLength(1);
    expect(doc.resources[0]).toMatchObject({ kind: 'log-group', name, status: 'created' });
  });

  it('takes the region from AWS_DEFAULT_REGION when AWS_REGION is not set', async () => {
    const name = unique('default-region');
    const run = await obs(['--name', name], { AWS_REGION: undefined, AWS_DEFAULT_REGION: 'us-west-2' });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toContain(':us-west-2:');
    expect(await describeGroup(name, 'us-west-2')).toBeDefined();
    expect(await describeGroup(name, 'us-east-1')).toBeUndefined();
  });

  it('adopts a group that already exists (created without obs)', async () => {
    const name = unique('adopt');
    await sdk().send(new CreateLogGroupCommand({ logGroupName: name }));
    await sdk().send(new PutRetentionPolicyCommand({ logGroupName: name, retentionInDays: 7 }));
    const same = await obs(['--name', name, '--retention', '7']);
    expect(same.exitCode, same.stderr).toBe(0);
    expect(same.stdout).toMatch(/^unchanged /m);
    const noRetention = await obs(['--name', name]);
    expect(noRetention.stdout).toMatch(/^unchanged /m);
    const changed = await obs(['--name', name, '--retention', '90']);
    expect(changed.exitCode, changed.stderr).toBe(0);
    expect(changed.stdout).toMatch(/^updated /m);
    expect((await describeGroup(name))?.retentionInDays).toBe(90);
  });

  it('adds a --tag to a group that already exists instead of calling it unchanged', async () => {
    const name = unique('tag');
    expect((await obs(['--name', name, '--retention', '14'])).exitCode).toBe(0);
    const run = await obs(['--name', name, '--retention', '14', '--tag', 'team=core']);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^updated {6}log group ${name}  `, 'm'));
    expect(run.stdout).toContain('tag team: null -> "core"');
    const arn = (await describeGroup(name))!.logGroupArn!;
    expect((await sdk().send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags).toEqual({ 'managed-by': 'obs', team: 'core' });
    const again = await obs(['--name', name, '--retention', '14', '--tag', 'team=core']);
    expect(again.stdout).toMatch(/^unchanged /m);
  });

  it('reports a different KMS key as a difference but does not change it', async () => {
    const name = unique('kms');
    expect((await obs(['--name', name])).exitCode).toBe(0);
    const drift = await obs(['--name', name, '--kms-key-id', 'arn:aws:kms:us-east-1:123456789012:key/abc', '--no-update']);
    expect(drift.exitCode).toBe(1);
    expect(drift.stdout).toContain('kmsKeyId: null -> "arn:aws:kms:us-east-1:123456789012:key/abc"');
    const refused = await obs(['--name', name, '--kms-key-id', 'arn:aws:kms:us-east-1:123456789012:key/abc', '--retention', '30']);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('aws logs associate-kms-key');
    // obs refused on its own: no PutRetentionPolicy was sent, so the sentence must not blame one.
    expect(refused.stderr).toMatch(/^ {13}the log group's KMS key is not set, not "arn:aws:kms:/m);
    expect(refused.stderr).not.toContain('PutRetentionPolicy failed');
    // Refused before anything changed: the retention was not applied either.
    expect((await describeGroup(name))?.retentionInDays).toBeUndefined();
  });

  it('tells siblings apart across pages: 60 groups share the prefix', async () => {
    const name = unique('page');
    const client = sdk();
    for (let i = 0; i < 60; i++) await client.send(new CreateLogGroupCommand({ logGroupName: `${name}-${String(i).padStart(2, '0')}` }));
    // Only siblings exist: obs must read both pages (50 + 10) before concluding it is absent.
    const created = await obs(['--name', name]);
    expect(created.exitCode, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/^created /m);
    const again = await obs(['--name', name]);
    expect(again.stdout).toMatch(/^unchanged /m);
    const sibling = await obs(['--name', `${name}-59`]);
    expect(sibling.stdout).toMatch(new RegExp(`^unchanged {4}log group ${name}-59  arn:`, 'm'));
  });
});

describe('obs logs create-group: paging, bad input and failures (fake endpoint)', () => {
  it('follows nextToken to find the group on a later page', async () => {
    // Names sort before their extensions, so AWS (and moto) put the exact match first; only a
    // fake can put it on page 2 and prove the pages are followed.
    const name = 'paged/app';
    const arn = `arn:aws:logs:us-east-1:123456789012:log-group:${name}`;
    fake.respond = (target, body) => {
      if (target !== 'DescribeLogGroups') return undefined;
      // Every group carries its name and ARN, as AWS always sends them (obs refuses an answer without).
      if (!body.nextToken) return { logGroups: Array.from({ length: 50 }, (_, i) => ({ logGroupName: `${name}-${i}`, arn: `${arn}-${i}:*` })), nextToken: 'page2' };
      return { logGroups: [{ logGroupName: name, arn: `${arn}:*`, logGroupArn: arn, retentionInDays: 14 }] };
    };
    const run = await obs(['--name', name, '--retention', '14'], {}, fake.url);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^unchanged {4}log group ${name}  ${arn}$`, 'm'));
    expect(fake.requests.map((r) => [r.target, r.body.nextToken])).toEqual([
      ['DescribeLogGroups', undefined],
      ['DescribeLogGroups', 'page2'],
    ]);
  });

  it.each([
    ['a retention AWS does not offer', ['--name', 'app', '--retention', '2'], /--retention must be one of 1, 3, 5, 7, 14/],
    ['a retention that is not a number', ['--name', 'app', '--retention', 'two weeks'], /--retention must be a whole number/],
    ['a name under aws/', ['--name', 'aws/x'], /--name cannot start with "aws\/"/],
    ['a 513-character name', ['--name', 'a'.repeat(513)], /--name must be 1 to 512 characters, got 513/],
    ['a name with a space', ['--name', 'my app'], /--name may contain only letters, digits and \. - _ \/ #/],
    ['a tag without a key', ['--name', 'app', '--tag', '=x'], /--tag takes KEY=VALUE, got "=x"/],
    ['a KMS key id over 256 characters', ['--name', 'app', '--kms-key-id', 'k'.repeat(257)], /--kms-key-id must be 1 to 256 characters/],
  ])('refuses %s with exit 2 and sends no request', async (_label, args, message) => {
    const run = await obs(args, {}, fake.url);
    expect(run.exitCode, run.stderr).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(fake.requests).toEqual([]);
  });

  it('no region anywhere: exit 1, says so, sends nothing', async () => {
    const run = await obs(['--name', 'app'], { AWS_REGION: undefined, AWS_DEFAULT_REGION: undefined }, fake.url);
    expect(run.exitCode, run.stderr).toBe(1);
    expect(run.stderr).toContain('no AWS region');
    expect(fake.requests).toEqual([]);
  });

  it('no credentials anywhere: exit 1, says so, sends nothing', async () => {
    const run = await obs(['--name', 'app'], { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined }, fake.url);
    expect(run.exitCode, run.stderr).toBe(1);
    expect(run.stderr).toContain('no AWS credentials');
    expect(fake.requests).toEqual([]);
  });

  it('endpoint down: exit 1 with "cannot reach"', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const run = await obs(['--name', 'app'], {}, closed);
    expect(run.exitCode, run.stderr).toBe(1);
    expect(run.stderr).toContain(`cannot reach ${closed}`);
  });
});
