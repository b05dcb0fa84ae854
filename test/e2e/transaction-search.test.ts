import { CloudWatchLogsClient, DescribeLogStreamsCommand, DescribeResourcePoliciesCommand, PutResourcePolicyCommand } from '@aws-sdk/client-cloudwatch-logs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../support/moto.js';
import { runObs, tempProject } from '../support/run-obs.js';
import { startXrayServer, type XrayServer } from '../support/xray-server.js';

/**
 * `obs apply` turning on Transaction Search, against the X-Ray server (destination, indexing
 * rules; PENDING for 120 s of its clock after a switch) and moto_server (the Logs resource
 * policy, the log group and stream, STS for the account id). Each test has its own region:
 * moto keeps policies per region, and one moto serves every test file.
 */
let xray: XrayServer;
let clock = 1_000_000;
const motoUrl = inject('motoUrl');

beforeAll(async () => {
  xray = await startXrayServer({ now: () => clock, destinationPendingSeconds: 120 });
});
afterAll(async () => {
  await xray.close();
});

function env(home: string, region: string): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: region,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL_XRAY: xray.url,
    AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: motoUrl,
    AWS_ENDPOINT_URL_STS: motoUrl,
    HOME: home,
    CI: 'true',
  };
}

function obsYaml(prefix: string, transactionSearch: string): string {
  return `version: 1
compose:
  files: [docker-compose.yml]
services: {}
xray:
  enabled: true
  transactionSearch: ${transactionSearch}
cloudwatch:
  enabled: true
  logGroups:
    - name: /${prefix}/collector
      retentionInDays: 14
      logStreams: [collector]
`;
}

async function project(yaml: string): Promise<string> {
  const dir = await tempProject();
  await writeFile(join(dir, 'obs.yaml'), yaml);
  return dir;
}

const logs = (region: string) => new CloudWatchLogsClient({ endpoint: motoUrl, region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });

interface Doc {
  resources: { kind: string; name: string; status: string; detail?: string; error?: string }[];
}
const statuses = (doc: Doc) => doc.resources.map((r) => `${r.kind} ${r.name} ${r.status}`);

describe('obs apply: Transaction Search', () => {
  it('plans, enables it (policy, destination, indexing rule, group and stream), then finds it unchanged, PENDING and later ACTIVE', async () => {
    const region = 'ap-southeast-2';
    const prefix = `ts${Date.now() % 100000}`;
    const dir = await project(obsYaml(prefix, '{ indexingPercentage: 5 }'));

    const dry = await runObs(['apply', '--dir', dir, '--dry-run'], { env: env(dir, region) });
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('would create CloudWatch Logs resource policy obs-transaction-search');
    expect(dry.stdout).toContain('would update X-Ray trace segment destination CloudWatchLogs\n             Destination: "XRay" -> "CloudWatchLogs"');
    expect(dry.stdout).toContain('would update X-Ray indexing rule Default\n             DesiredSamplingPercentage: 1 -> 5');
    expect(dry.stdout).toContain(`would create log stream /${prefix}/collector:collector`);
    expect(dry.stdout).toMatch(/Dry run: 5 to change, 0 unchanged, 0 failed; nothing was changed\./);
    expect(xray.control.requests.filter((r) => r.operation?.startsWith('Update'))).toEqual([]);
    expect((await logs(region).send(new DescribeResourcePoliciesCommand({}))).resourcePolicies).toEqual([]);

    const first = await runObs(['apply', '--dir', dir, '--json'], { env: env(dir, region) });
    expect(first.exitCode, first.stderr).toBe(0);
    const doc = JSON.parse(first.stdout) as Doc;
    expect(statuses(doc)).toEqual([
      `log-group /${prefix}/collector created`,
      `log-stream /${prefix}/collector:collector created`,
      'logs-resource-policy obs-transaction-search created',
      'xray-trace-destination CloudWatchLogs updated',
      'xray-indexing-rule Default updated',
    ]);
    expect(doc.resources.find((r) => r.kind === 'xray-trace-destination')?.detail).toBe('status PENDING: X-Ray is switching (usually minutes); spans reach Transaction Search once it is ACTIVE');
    const state = xray.state.region(region);
    expect(state.destination.Destination).toBe('CloudWatchLogs');
    expect(state.indexingRules.get('Default')?.Rule.Probabilistic.DesiredSamplingPercentage).toBe(5);
    const [policy] = (await logs(region).send(new DescribeResourcePoliciesCommand({}))).resourcePolicies ?? [];
    expect(policy?.policyName).toBe('obs-transaction-search');
    expect(JSON.parse(policy!.policyDocument!).Statement[0]).toMatchObject({
      Principal: { Service: 'xray.amazonaws.com' },
      Resource: [`arn:aws:logs:${region}:123456789012:log-group:aws/spans:*`, `arn:aws:logs:${region}:123456789012:log-group:/aws/application-signals/data:*`],
      Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
    });
    const streams = await logs(region).send(new DescribeLogStreamsCommand({ logGroupName: `/${prefix}/collector` }));
    expect(streams.logStreams?.map((s) => s.logStreamName)).toEqual(['collector']);

    const second = await runObs(['apply', '--dir', dir], { env: env(dir, region) });
    expect(second.exitCode, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/0 created, 0 updated, 5 unchanged, 0 drifted, 0 failed\./);
    expect(second.stdout).toContain('unchanged    X-Ray trace segment destination CloudWatchLogs\n             status PENDING');

    clock += 120;
    const third = await runObs(['apply', '--dir', dir, '--json'], { env: env(dir, region) });
    expect(third.exitCode, third.stderr).toBe(0);
    expect((JSON.parse(third.stdout) as Doc).resources.find((r) => r.kind === 'xray-trace-destination')?.detail).toBe('status ACTIVE');
  });

  it('reports drift with --no-update, and refuses a bad percentage before any call', async () => {
    const region = 'ca-central-1';
    const prefix = `tsd${Date.now() % 100000}`;
    const dir = await project(obsYaml(prefix, '{ indexingPercentage: 1 }'));
    expect((await runObs(['apply', '--dir', dir], { env: env(dir, region) })).exitCode).toBe(0);

    // Someone switches back and raises the percentage in the console.
    xray.state.region(region).destination.Destination = 'XRay';
    xray.state.region(region).indexingRules.get('Default')!.Rule.Probabilistic.DesiredSamplingPercentage = 10;
    const drift = await runObs(['apply', '--dir', dir, '--dry-run', '--no-update'], { env: env(dir, region) });
    expect(drift.exitCode).toBe(1);
    expect(drift.stdout).toContain('drift        X-Ray trace segment destination CloudWatchLogs\n             Destination: "XRay" -> "CloudWatchLogs"');
    expect(drift.stdout).toContain('drift        X-Ray indexing rule Default\n             DesiredSamplingPercentage: 10 -> 1');
    expect(xray.state.region(region).destination.Destination).toBe('XRay');

    const before = xray.control.requests.length;
    await writeFile(join(dir, 'obs.yaml'), obsYaml(prefix, '{ indexingPercentage: 150 }'));
    const bad = await runObs(['apply', '--dir', dir], { env: env(dir, region) });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('obs.yaml:7: xray.transactionSearch.indexingPercentage must be a percentage from 0 to 100, got 150');
    expect(xray.control.requests.length).toBe(before);
  });

  it('does not switch the destination when the policy X-Ray needs could not be written', async () => {
    const region = 'sa-east-1';
    // An account holds at most 10 Logs resource policies per region: fill them.
    for (let i = 0; i < 10; i++) {
      await logs(region).send(new PutResourcePolicyCommand({ policyName: `other-${i}`, policyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [] }) }));
    }
    const dir = await project(obsYaml(`tsf${Date.now() % 100000}`, 'true'));
    const run = await runObs(['apply', '--dir', dir, '--json'], { env: env(dir, region) });
    expect(run.exitCode).toBe(1);
    const doc = JSON.parse(run.stdout) as Doc;
    const policy = doc.resources.find((r) => r.kind === 'logs-resource-policy')!;
    expect(policy.status).toBe('failed');
    expect(policy.error).toMatch(/^CloudWatch Logs quota reached/);
    expect(doc.resources.find((r) => r.kind === 'xray-trace-destination')).toMatchObject({
      status: 'failed',
      error: 'not attempted: it needs the CloudWatch Logs resource policy obs-transaction-search, which failed',
    });
    expect(xray.state.region(region).destination.Destination).toBe('XRay');

    // STS unreachable: the account id is missing, and the message names STS, not CloudWatch Logs.
    const dead = `http://127.0.0.1:${await freePort()}`;
    const noSts = await runObs(['apply', '--dir', dir, '--json'], { env: { ...env(dir, 'sa-east-1'), AWS_ENDPOINT_URL_STS: dead, AWS_MAX_ATTEMPTS: '1' } });
    expect(noSts.exitCode).toBe(1);
    expect((JSON.parse(noSts.stdout) as Doc).resources.find((r) => r.kind === 'logs-resource-policy')?.error).toMatch(
      /^STS GetCallerIdentity failed \(.*ECONNREFUSED.*\), and the policy needs the account id it gives; check --endpoint-url, AWS_ENDPOINT_URL_STS and AWS_ENDPOINT_URL$/,
    );
    expect(xray.control.requests.some((r) => r.operation === 'UpdateTraceSegmentDestination' && JSON.stringify(r.headers.authorization).includes('/sa-east-1/'))).toBe(false);
  });
});
