import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { CheckResult } from '../../src/checks/types.js';
import { runObs, scratchDir } from '../support/run-obs.js';

/**
 * --profile / AWS_PROFILE with the shared files in a temp HOME: a profile that exists nowhere is
 * refused before any call, and a region taken from the profile is the one reported.
 */
const motoUrl = inject('motoUrl');
let home: string;

beforeAll(async () => {
  home = await scratchDir('obs-home-');
  await mkdir(join(home, '.aws'));
  await writeFile(join(home, '.aws', 'config'), '[default]\nregion = us-east-1\n\n[profile work]\nregion = eu-west-2\n');
  await writeFile(join(home, '.aws', 'credentials'), '[default]\naws_access_key_id = test\naws_secret_access_key = test\n\n[work]\naws_access_key_id = test\naws_secret_access_key = test\n');
});

/** No region and no keys in the environment: everything comes from HOME's ~/.aws. */
const env = (over: Record<string, string> = {}): Record<string, string> => ({ HOME: home, AWS_EC2_METADATA_DISABLED: 'true', ...over });
const unique = (label: string) => `obs-e2e/${label}-${randomUUID().slice(0, 8)}`;

describe('a profile that does not exist', () => {
  it('--profile nope: says the profile does not exist and where obs looked, exit 2, nothing sent', async () => {
    const name = unique('nope');
    const run = await runObs(['logs', 'create-group', '--name', name, '--profile', 'nope', '--endpoint-url', motoUrl], { env: env() });
    expect(run.exitCode, run.stderr).toBe(2);
    expect(run.stderr).toBe(
      ['obs: --profile nope: no such AWS profile in ~/.aws/config or ~/.aws/credentials; profiles there: default, work', '  create it with aws configure --profile nope, or pick one that exists'].join(
        '\n',
      ),
    );
    const sdk = new CloudWatchLogsClient({ region: 'us-east-1', endpoint: motoUrl, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    const out = await sdk.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: name }));
    expect(out.logGroups ?? []).toEqual([]);
  });

  it('AWS_PROFILE=nope, with AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE naming the files: names the variable and those paths', async () => {
    const dir = await scratchDir('obs-aws-files-');
    const config = join(dir, 'config');
    const credentials = join(dir, 'creds');
    await writeFile(config, '[profile ci]\nregion = us-west-2\n');
    const run = await runObs(['xray', 'create-group', '--name', 'Nope', '--service', 'api', '--endpoint-url', motoUrl], {
      env: env({ AWS_PROFILE: 'nope', AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: credentials }),
    });
    expect(run.exitCode, run.stderr).toBe(2);
    expect(run.stderr).toBe(
      [
        `obs: AWS_PROFILE=nope: no such AWS profile in ${config} (AWS_CONFIG_FILE) or ${credentials} (AWS_SHARED_CREDENTIALS_FILE, no such file); profiles there: ci`,
        '  create it with aws configure --profile nope, or pick one that exists',
      ].join('\n'),
    );
  });

  it('obs apply refuses it the same way before planning anything', async () => {
    const dir = await scratchDir();
    await writeFile(join(dir, 'obs.yaml'), 'version: 1\ncloudwatch:\n  enabled: true\n  logGroups:\n    - name: /nope\n');
    const run = await runObs(['apply', '--dir', dir, '--profile', 'nope', '--endpoint-url', motoUrl], { env: env() });
    expect(run.exitCode, run.stderr).toBe(2);
    expect(run.stderr.split('\n')[0]).toBe('obs: --profile nope: no such AWS profile in ~/.aws/config or ~/.aws/credentials; profiles there: default, work');
  });
});

describe('the region from the profile', () => {
  const sdk = (region: string) => new CloudWatchLogsClient({ region, endpoint: motoUrl, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });

  it('--json reports the region the SDK took from the profile, not null', async () => {
    const name = unique('profile-region');
    const run = await runObs(['logs', 'create-group', '--name', name, '--profile', 'work', '--json', '--endpoint-url', motoUrl], { env: env() });
    expect(run.exitCode, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout) as { region: string | null; resources: { status: string }[] };
    expect(doc.region).toBe('eu-west-2');
    expect(doc.resources[0]!.status).toBe('created');
    const there = await sdk('eu-west-2').send(new DescribeLogGroupsCommand({ logGroupNamePrefix: name }));
    expect(there.logGroups?.map((g) => g.logGroupName)).toEqual([name]);
  });

  it('obs apply names it in the plan heading and in --json', async () => {
    const dir = await scratchDir();
    const name = unique('apply-profile-region');
    await writeFile(join(dir, 'obs.yaml'), `version: 1\ncloudwatch:\n  enabled: true\n  logGroups:\n    - name: /${name}\n      retentionInDays: 7\n`);
    const run = await runObs(['apply', '--dir', dir, '--json', '--endpoint-url', motoUrl], { env: env({ AWS_PROFILE: 'work' }) });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr.split('\n')[0]).toBe('Plan (eu-west-2, from profile work):');
    expect((JSON.parse(run.stdout) as { region: string | null }).region).toBe('eu-west-2');
  });

  it("the default profile's region is reported too", async () => {
    const run = await runObs(['logs', 'create-group', '--name', unique('default-region'), '--json', '--endpoint-url', motoUrl], { env: env() });
    expect(run.exitCode, run.stderr).toBe(0);
    expect((JSON.parse(run.stdout) as { region: string | null }).region).toBe('us-east-1');
  });
});

describe('obs doctor --check aws-credentials', () => {
  it('honours --profile and --region like the AWS commands (only a p1 profile in HOME)', async () => {
    const p1Home = await scratchDir('obs-home-');
    await mkdir(join(p1Home, '.aws'));
    await writeFile(join(p1Home, '.aws', 'credentials'), '[p1]\naws_access_key_id = test\naws_secret_access_key = test\n');
    const dir = await scratchDir();
    await writeFile(join(dir, 'obs.yaml'), 'version: 1\ncloudwatch:\n  enabled: true\n');
    const doctor = (args: string[], over: Record<string, string> = {}) =>
      runObs(['doctor', '--dir', dir, '--check', 'aws-credentials', '--json', ...args], { env: { HOME: p1Home, AWS_EC2_METADATA_DISABLED: 'true', ...over } });
    const detail = async (args: string[], over?: Record<string, string>) => {
      const run = await doctor(args, over);
      expect(run.exitCode, run.stderr + run.stdout).toBe(0);
      return (JSON.parse(run.stdout) as { checks: CheckResult[] }).checks[0]!.detail;
    };
    expect(await detail(['--profile', 'p1', '--region', 'eu-west-1'])).toBe('credentials from profile p1 in ~/.aws/credentials (static keys); region eu-west-1 from --region');
    expect(await detail([], { AWS_PROFILE: 'p1', AWS_REGION: 'eu-west-1' })).toBe(
      'credentials from profile p1 in ~/.aws/credentials (static keys); region eu-west-1 from AWS_REGION in the environment',
    );
    expect(await detail(['--profile', 'p1', '--region', 'eu-west-1'], { AWS_PROFILE: 'nope', AWS_REGION: 'us-west-2' })).toMatch(/profile p1 .*region eu-west-1 from --region$/);
    expect((await doctor(['--region', 'eu-west-1'])).exitCode).toBe(1);
  });
});
