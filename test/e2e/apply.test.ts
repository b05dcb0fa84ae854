import { CloudWatchLogsClient, DescribeLogGroupsCommand, ListTagsForResourceCommand } from '@aws-sdk/client-cloudwatch-logs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runObs, tempProject } from '../support/run-obs.js';
import { startXrayServer } from '../support/xray-server.js';

/**
 * `obs apply` against real local servers: moto_server for CloudWatch Logs and the X-Ray
 * control-plane server, each reached through the SDK's per-service endpoint variables.
 */
type XrayServer = Awaited<ReturnType<typeof startXrayServer>>;
let xray: XrayServer;
const motoUrl = inject('motoUrl');
let run = 0;

beforeAll(async () => {
  xray = await startXrayServer();
});
afterAll(async () => {
  await xray.close();
});

function env(home: string): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL_XRAY: xray.url,
    AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: motoUrl,
    HOME: home,
    CI: 'true',
  };
}

/** An obs.yaml with one X-Ray group, one sampling rule and three log groups, names unique per test. */
function obsYaml(prefix: string, overrides: { retention?: number; fixedRate?: number | string } = {}): string {
  return `version: 1
compose:
  files: [docker-compose.yml]
services:
  backend-flask: { serviceName: backend-flask, stack: flask }
honeycomb: { enabled: true, region: us, endpoint: "https://api.honeycomb.io" }
xray:
  enabled: true
  daemonService: xray-daemon
  groups:
    - name: ${prefix}
      filterExpression: 'service("backend-flask") {fault OR error}'
  samplingRules:
    - ruleName: ${prefix}
      priority: 9000
      fixedRate: ${overrides.fixedRate ?? 0.1}
      reservoirSize: 5
      serviceName: backend-flask
      serviceType: "*"
      host: "*"
      httpMethod: "*"
      urlPath: "*"
      resourceArn: "*"
cloudwatch:
  enabled: true
  logGroups:
    - { name: /${prefix}/a, retentionInDays: ${overrides.retention ?? 14} }
    - { name: /${prefix}/b, retentionInDays: 30 }
    - { name: /${prefix}/c, retentionInDays: 7 }
rollbar: { enabled: false }
`;
}

async function project(yaml: string): Promise<string> {
  const dir = await tempProject();
  await writeFile(join(dir, 'obs.yaml'), yaml);
  return dir;
}

function logsClient(): CloudWatchLogsClient {
  return new CloudWatchLogsClient({ endpoint: motoUrl, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
}

async function retentionOf(name: string): Promise<number | undefined> {
  const out = await logsClient().send(new DescribeLogGroupsCommand({ logGroupNamePrefix: name }));
  return out.logGroups?.find((g) => g.logGroupName === name)?.retentionInDays;
}

describe('obs apply', () => {
  it('creates everything obs.yaml declares, then finds it all unchanged', async () => {
    const prefix = `Apply${++run}${Date.now() % 100000}`;
    const dir = await project(obsYaml(prefix));
    const first = await runObs(['apply', '--dir', dir, '--json'], { env: env(dir) });
    expect(first.exitCode, first.stderr).toBe(0);
    // With --json the plan and the result lines go to stderr; stdout is the document.
    expect(first.stderr).toMatch(/Plan \(us-east-1\):/);
    expect(first.stderr).toMatch(/5 created, 0 updated, 0 unchanged, 0 drifted, 0 failed\./);
    const doc = JSON.parse(first.stdout) as { resources: { kind: string; name: string; status: string; arn?: string }[] };
    expect(doc.resources.map((r) => `${r.kind} ${r.name} ${r.status}`).sort()).toEqual(
      [`log-group /${prefix}/a created`, `log-group /${prefix}/b created`, `log-group /${prefix}/c created`, `xray-group ${prefix} created`, `xray-sampling-rule ${prefix} created`].sort(),
    );
    const group = xray.state.region('us-east-1').groups.get(prefix)!;
    expect(group.FilterExpression).toBe('service("backend-flask") {fault OR error}');
    const rule = xray.state.region('us-east-1').rules.get(prefix)!;
    expect(rule.SamplingRule).toMatchObject({ Priority: 9000, FixedRate: 0.1, ReservoirSize: 5, ServiceName: 'backend-flask' });
    expect(xray.state.region('us-east-1').tags.get(group.GroupARN)?.get('managed-by')).toBe('obs');
    expect(await retentionOf(`/${prefix}/a`)).toBe(14);
    expect(await retentionOf(`/${prefix}/c`)).toBe(7);
    const arnA = doc.resources.find((r) => r.name === `/${prefix}/a`)!.arn!;
    const tags = await logsClient().send(new ListTagsForResourceCommand({ resourceArn: arnA }));
    expect(tags.tags).toMatchObject({ 'managed-by': 'obs' });

    const second = await runObs(['apply', '--dir', dir], { env: env(dir) });
    expect(second.exitCode, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/0 created, 0 updated, 5 unchanged, 0 drifted, 0 failed\./);
  });

  it('updates what drifted, reports drift with --no-update, and changes nothing with --dry-run', async () => {
    const prefix = `Drift${++run}${Date.now() % 100000}`;
    const dir = await project(obsYaml(prefix));
    expect((await runObs(['apply', '--dir', dir], { env: env(dir) })).exitCode).toBe(0);
    await writeFile(join(dir, 'obs.yaml'), obsYaml(prefix, { retention: 90, fixedRate: 0.2 }));

    const dry = await runObs(['apply', '--dir', dir, '--dry-run'], { env: env(dir) });
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/would update +log group \/.+\/a/);
    expect(dry.stdout).toMatch(/retentionInDays: 14 -> 90/);
    expect(dry.stdout).toMatch(/Dry run: 2 to change, 3 unchanged, 0 failed; nothing was changed\./);
    expect(await retentionOf(`/${prefix}/a`)).toBe(14);

    // Both flags: a read-only drift check for CI.
    const check = await runObs(['apply', '--dir', dir, '--dry-run', '--no-update'], { env: env(dir) });
    expect(check.exitCode, check.stderr).toBe(1);
    expect(check.stdout).toMatch(/^drift +X-Ray sampling rule /m);
    expect(check.stdout).toMatch(/^drift +log group \/.+\/a/m);
    expect(check.stdout.trimEnd().split('\n').at(-1)).toBe('Dry run: 0 to change, 3 unchanged, 2 drifted, 0 failed; nothing was changed.');
    expect(await retentionOf(`/${prefix}/a`)).toBe(14);

    const strict = await runObs(['apply', '--dir', dir, '--no-update'], { env: env(dir) });
    expect(strict.exitCode).toBe(1);
    expect(strict.stdout).toMatch(/drift +X-Ray sampling rule/);
    expect(await retentionOf(`/${prefix}/a`)).toBe(14);

    const real = await runObs(['apply', '--dir', dir], { env: env(dir) });
    expect(real.exitCode, real.stderr).toBe(0);
    expect(real.stdout).toMatch(/0 created, 2 updated, 3 unchanged/);
    expect(await retentionOf(`/${prefix}/a`)).toBe(90);
    expect(xray.state.region('us-east-1').rules.get(prefix)!.SamplingRule.FixedRate).toBe(0.2);
  });

  it('--dry-run prints the plan once', async () => {
    const prefix = `Dry${++run}${Date.now() % 100000}`;
    const dir = await project(obsYaml(prefix));
    const dry = await runObs(['apply', '--dir', dir, '--dry-run'], { env: env(dir) });
    expect(dry.exitCode, dry.stderr).toBe(0);
    for (const name of [`X-Ray group ${prefix}`, `X-Ray sampling rule ${prefix}`, `log group /${prefix}/a`, `log group /${prefix}/b`, `log group /${prefix}/c`]) {
      expect(
        dry.stdout.split('\n').filter((line) => line.includes(name)),
        name,
      ).toHaveLength(1);
    }
    expect(dry.stdout.match(/FilterExpression/g)).toHaveLength(1);
    expect(dry.stdout).toMatch(/^Plan \(us-east-1\):\nwould create +X-Ray group /);
    expect(dry.stdout).toMatch(/would create +log group \/.+\/a/);
    expect(dry.stdout.trimEnd().split('\n').at(-1)).toBe('Dry run: 5 to change, 0 unchanged, 0 failed; nothing was changed.');
    // What a create really sets, and nothing else: retention, no empty Attributes, no "null ->".
    expect(dry.stdout).toContain(`would create log group /${prefix}/a\n             retentionInDays: 14\n             tag managed-by: "obs"\n`);
    expect(dry.stdout).toContain('             FixedRate: 0.1\n');
    expect(dry.stdout).not.toMatch(/Attributes|null ->/);
    expect(xray.state.region('us-east-1').groups.has(prefix)).toBe(false);
  });

  it('finishes the job on a re-run after a partial failure', async () => {
    const prefix = `Partial${++run}${Date.now() % 100000}`;
    const dir = await project(obsYaml(prefix));
    // Every X-Ray call fails (after the SDK's retries); CloudWatch Logs still goes through.
    xray.control.failNext(100, 'error');
    const broken = await runObs(['apply', '--dir', dir], { env: { ...env(dir), AWS_MAX_ATTEMPTS: '1' } });
    xray.control.reset();
    expect(broken.exitCode).toBe(1);
    expect(broken.stdout).toMatch(/3 created, 0 updated, 0 unchanged, 0 drifted, 2 failed\./);
    const fixed = await runObs(['apply', '--dir', dir], { env: env(dir) });
    expect(fixed.exitCode, fixed.stderr).toBe(0);
    expect(fixed.stdout).toMatch(/2 created, 0 updated, 3 unchanged/);
  });

  it('refuses a bad value in obs.yaml before any AWS call, naming where it is', async () => {
    const dir = await project(obsYaml('Bad', { fixedRate: 2 }));
    const before = xray.control.requests.length;
    const bad = await runObs(['apply', '--dir', dir], { env: env(dir) });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toBe('obs: obs.yaml:16: xray.samplingRules[0].fixedRate must be a number from 0 to 1, got 2');
    const retention = await runObs(['apply', '--dir', await project(obsYaml('Bad', { retention: 13 }))], { env: env('/tmp') });
    expect(retention.exitCode).toBe(2);
    expect(retention.stderr).toMatch(/^obs: obs\.yaml:27: cloudwatch\.logGroups\[0\]\.retentionInDays must be one of 1, 3, 5, .* \(days\), got 13$/);
    const group = await runObs(['apply', '--dir', await project(obsYaml('Bad').replace('    - name: Bad\n      filterExpression', '    - name: Bad group\n      filterExpression'))], {
      env: env('/tmp'),
    });
    expect(group.exitCode).toBe(2);
    expect(group.stderr).toBe('obs: obs.yaml:11: xray.groups[0].name may contain only letters, digits and dashes: "Bad group"');
    expect(xray.control.requests.length).toBe(before);
  });

  it('refuses a hand-edited obs.yaml whose list is a mapping, or that names a log group twice (exit 2, nothing sent)', async () => {
    const before = xray.control.requests.length;
    const mapping = await runObs(
      ['apply', '--dir', await project(obsYaml('Shape').replace('  groups:\n    - name: Shape\n      filterExpression', '  groups:\n    name: Shape\n    filterExpression'))],
      { env: env('/tmp') },
    );
    expect(mapping.exitCode, mapping.stderr).toBe(2);
    expect(mapping.stderr).toBe('obs: obs.yaml:10: xray.groups must be a list (- name: ...), got a mapping');
    const twice = await runObs(['apply', '--dir', await project(obsYaml('Twice').replace('/Twice/b', '/Twice/a'))], { env: env('/tmp') });
    expect(twice.exitCode, twice.stderr).toBe(2);
    expect(twice.stderr).toMatch(/^obs: obs\.yaml:28: cloudwatch\.logGroups\[1\]\.name "\/Twice\/a" is already used by cloudwatch\.logGroups\[0\]/);
    expect(xray.control.requests.length).toBe(before);
  });

  it('says so when there is no obs.yaml', async () => {
    const dir = await tempProject();
    const none = await runObs(['apply', '--dir', dir], { env: env(dir) });
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toMatch(/^obs: no obs\.yaml in /);
    expect(none.stderr).toMatch(/run obs init first/);
  });
});

describe('obs apply takes AWS settings from the project .env (issue 12, item 14)', () => {
  it('uses the keys and region obs init told the user to put in .env when the shell has none, and says so', async () => {
    const dir = await tempProject();
    const prefix = `dotenv-${process.pid}-${run++}`;
    await writeFile(join(dir, 'obs.yaml'), obsYaml(prefix));
    await writeFile(join(dir, '.env'), 'AWS_ACCESS_KEY_ID=AKIADOTENVKEY0000001\nAWS_SECRET_ACCESS_KEY=dotenv-secret\nAWS_DEFAULT_REGION=eu-west-3\n');
    const shell = { ...env(dir) } as Record<string, string>;
    delete shell.AWS_ACCESS_KEY_ID;
    delete shell.AWS_SECRET_ACCESS_KEY;
    delete shell.AWS_REGION;
    const before = xray.control.requests.length;
    const result = await runObs(['apply', '--dir', dir], { env: shell });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout.split('\n')[0]).toBe('Plan (eu-west-3, from AWS_DEFAULT_REGION in .env; credentials from .env):');
    expect(result.stdout + result.stderr).not.toContain('dotenv-secret');
    // Every X-Ray request was signed with the .env key, for the .env region.
    const signed = xray.control.requests.slice(before).map((r) => String(r.headers.authorization));
    expect(signed.length).toBeGreaterThan(0);
    for (const auth of signed) expect(auth).toMatch(/Credential=AKIADOTENVKEY0000001\/\d{8}\/eu-west-3\/xray\/aws4_request/);

    // The shell still wins: its keys and region, not .env's.
    const fromShell = await runObs(['apply', '--dir', dir, '--dry-run'], { env: { ...shell, AWS_ACCESS_KEY_ID: 'AKIASHELLKEY00000001', AWS_SECRET_ACCESS_KEY: 's', AWS_REGION: 'eu-west-3' } });
    expect(fromShell.stdout.split('\n')[0]).toBe('Plan (eu-west-3):');
    expect(String(xray.control.requests.at(-1)!.headers.authorization)).toMatch(/Credential=AKIASHELLKEY00000001\//);

    // Doctor, offline and online, resolves the same way.
    const doctor = await runObs(['doctor', '--dir', dir, '--json', '--check', 'aws-credentials'], { env: shell });
    const offline = (JSON.parse(doctor.stdout) as { checks: { status: string; detail: string }[] }).checks[0]!;
    expect(offline.status).toBe('pass');
    expect(offline.detail).toBe('credentials from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in .env; region eu-west-3 from AWS_DEFAULT_REGION in .env');
    const online = await runObs(['doctor', '--dir', dir, '--json', '--online', '--check', 'aws-identity'], { env: { ...shell, AWS_ENDPOINT_URL_STS: motoUrl } });
    const identity = (JSON.parse(online.stdout) as { checks: { status: string; detail: string }[] }).checks[0]!;
    expect(identity.status, identity.detail).toBe('pass');
    expect(identity.detail).toMatch(/region eu-west-3 from AWS_DEFAULT_REGION in \.env, credentials from \.env, endpoint /);
  });
});
