import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSilentServer, startYesServer, type FaultyServer } from '../support/faulty-servers.js';
import { REPO_ROOT, runObs, tempProject, type ObsRun } from '../support/run-obs.js';

/**
 * Issue 13 items 13 and 14, against the built binary:
 * - an endpoint that answers `200 {}` to everything made `obs apply` print "3 created" with no
 *   ARNs, and doctor pass the Honeycomb key and the test span: every such answer is now a
 *   failure, one line naming the endpoint;
 * - an endpoint that never answers cost 91.6 s in silence: obs now says what it waits for and
 *   each retry (the messages are asserted, not the time).
 */
const KEY = 'hcaik_01testtesttesttesttesttesttesttesttesttesttesttesttesttes';
let yes: FaultyServer;
let silent: FaultyServer;
let home: string;
let project: string;

function env(extra: Record<string, string> = {}): Record<string, string> {
  return { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1', AWS_EC2_METADATA_DISABLED: 'true', HOME: home, CI: 'true', ...extra };
}

function noStackTrace(run: ObsRun): void {
  expect(run.stderr, run.stderr).not.toMatch(/unexpected error|\n\s+at .*:\d+:\d+\)?\n/);
}

beforeAll(async () => {
  yes = await startYesServer();
  silent = await startSilentServer();
  home = await tempProject();
  project = await tempProject(join(REPO_ROOT, 'examples', 'cruddur'));
  const init = await runObs(['init', '--dir', project, '--yes', '--pipeline', 'direct', '--cloudwatch', '--log-group', '/cruddur-faulty'], { env: { CI: 'true', HOME: home } });
  expect(init.exitCode, init.stderr).toBe(0);
});
afterAll(async () => {
  await yes?.close();
  await silent?.close();
});

describe('an endpoint that answers 200 {} to everything is not believed', () => {
  it('obs apply: every resource fails with one line naming the endpoint; nothing is "created"', async () => {
    const run = await runObs(['apply', '--dir', project, '--endpoint-url', yes.url, '--json'], { env: env() });
    noStackTrace(run);
    expect(run.exitCode, run.stderr).toBe(1);
    const doc = JSON.parse(run.stdout) as { ok: boolean; resources: { kind: string; status: string; arn?: string; error?: string }[] };
    expect(doc.ok).toBe(false);
    expect(doc.resources.map((r) => [r.kind, r.status])).toEqual([
      ['xray-group', 'failed'],
      ['xray-sampling-rule', 'failed'],
      ['log-group', 'failed'],
    ]);
    const byKind = Object.fromEntries(doc.resources.map((r) => [r.kind, r.error]));
    expect(byKind['xray-group']).toBe(
      `${yes.url} answered GetGroups with HTTP 200 but without Groups, which the X-Ray API always returns: it is not the X-Ray API, so obs does not trust the answer; check --endpoint-url`,
    );
    expect(byKind['xray-sampling-rule']).toBe(
      `${yes.url} answered GetSamplingRules with HTTP 200 but without SamplingRuleRecords, which the X-Ray API always returns: it is not the X-Ray API, so obs does not trust the answer; check --endpoint-url`,
    );
    expect(byKind['log-group']).toBe(
      `${yes.url} answered DescribeLogGroups with HTTP 200 but without logGroups, which the CloudWatch Logs API always returns: it is not the CloudWatch Logs API, so obs does not trust the answer; check --endpoint-url`,
    );
    expect(run.stderr).not.toMatch(/^created\b/m);
    expect(run.stderr).toContain('0 created, 0 updated, 0 unchanged, 0 drifted, 3 failed.');
    // Nothing was written: only look-ups reached the endpoint.
    expect(
      yes.requests.every((r) => /GetGroups|Groups|GetSamplingRules|DescribeLogGroups/.test(`${r.path} ${String(r.headers['x-amz-target'] ?? '')}`)),
      JSON.stringify(yes.requests.map((r) => r.path)),
    ).toBe(true);
  });

  it('obs xray create-group and obs logs create-group fail the same way (exit 1, one line)', async () => {
    const group = await runObs(['xray', 'create-group', '--name', 'Faulty', '--service', 'api', '--endpoint-url', yes.url], { env: env() });
    noStackTrace(group);
    expect(group.exitCode, group.stderr).toBe(1);
    expect(group.stderr).toContain(`${yes.url} answered GetGroups with HTTP 200 but without Groups`);
    expect(group.stderr).not.toMatch(/^created\b/m);
    const logs = await runObs(['logs', 'create-group', '--name', '/faulty', '--endpoint-url', yes.url], { env: env() });
    noStackTrace(logs);
    expect(logs.exitCode, logs.stderr).toBe(1);
    expect(logs.stderr).toContain(`${yes.url} answered DescribeLogGroups with HTTP 200 but without logGroups`);
  });

  it('obs doctor --online --send-test-span: the key, the identity, the resources and the span all fail; the key never reaches the span endpoint', async () => {
    yes.requests.length = 0;
    const dir = await tempProject(join(REPO_ROOT, 'examples', 'cruddur'));
    const init = await runObs(['init', '--dir', dir, '--yes', '--pipeline', 'direct'], { env: { CI: 'true', HOME: home } });
    expect(init.exitCode, init.stderr).toBe(0);
    const run = await runObs(['doctor', '--dir', dir, '--json', '--online', '--send-test-span', '--honeycomb-api-url', yes.url, '--endpoint-url', yes.url], {
      env: env({ HONEYCOMB_API_KEY: KEY, OTEL_EXPORTER_OTLP_ENDPOINT: yes.url, AWS_ENDPOINT_URL_STS: yes.url }),
    });
    noStackTrace(run);
    expect(run.exitCode, run.stderr).toBe(1);
    const checks = new Map((JSON.parse(run.stdout) as { checks: { id: string; status: string; detail: string }[] }).checks.map((c) => [c.id, c]));
    expect(checks.get('honeycomb-key-valid')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining(`${yes.url}/1/auth answered HTTP 200 without \`team\` and \`api_key_access\`, which Honeycomb always returns: it is not the Honeycomb API`),
    });
    // STS speaks XML: `{}` does not even parse as its answer.
    expect(checks.get('aws-identity')).toMatchObject({ status: 'fail', detail: `${yes.url} answered HTTP 200 with something that is not the STS API` });
    expect(checks.get('aws-resources')?.status).toBe('fail');
    expect(JSON.stringify(checks.get('aws-resources'))).toContain('answered GetGroups with HTTP 200 but without Groups');
    const span = checks.get('send-test-span')!;
    expect(span.status, span.detail).toBe('fail');
    expect(span.detail).toContain('answered HTTP 200 to a request that is not OTLP');
    const traces = yes.requests.filter((r) => r.path.startsWith('/v1/traces'));
    expect(traces.length).toBe(1);
    expect(traces[0]!.headers['x-honeycomb-team']).toBeUndefined();
    expect(run.stdout + run.stderr).not.toContain(KEY);
  });
});

describe('an endpoint that accepts and never answers: obs says what it waits for and each retry', () => {
  it('obs logs create-group: a waiting line, a retry line with the reason, then one error line (stderr); the failed line on stdout', async () => {
    const run = await runObs(['logs', 'create-group', '--name', '/silent', '--endpoint-url', silent.url], { env: env({ AWS_MAX_ATTEMPTS: '2' }) });
    noStackTrace(run);
    expect(run.exitCode, run.stderr).toBe(1);
    const lines = run.stderr.split('\n').filter((l) => l.startsWith('obs: '));
    expect(lines).toEqual([
      `obs: waiting for ${silent.url} to answer DescribeLogGroups (attempt 1 of 2, up to 5 s)`,
      `obs: DescribeLogGroups to ${silent.url} got no answer within 5 s; retrying (attempt 2 of 2, waiting up to 15 s)`,
      `obs: waiting for ${silent.url} to answer DescribeLogGroups (attempt 2 of 2, up to 15 s)`,
      ...lines.slice(3),
    ]);
    expect(run.stderr).toContain(`DescribeLogGroups to ${silent.url} timed out`);
    // The result line is the output; why it failed stays with the person.
    expect(run.stdout).toBe('failed       log group /silent');
  }, 60_000);
});
