import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startHoneycombServer, UNKNOWN_KEY_MESSAGE, MISSING_DATASET_MESSAGE, type HoneycombServer } from '../support/honeycomb-server.js';
import { freePort } from '../support/moto.js';
import { REPO_ROOT, runObs, tempProject, type ObsRun } from '../support/run-obs.js';
import { startXrayServer, type XrayServer } from '../support/xray-server.js';
import { runInPty } from '../support/pty.js';

/**
 * `obs doctor --online` and `--send-test-span`, run as the built binary against local servers:
 * two Honeycomb-like servers playing the US and EU regions (reached through
 * --honeycomb-api-url us=URL,eu=URL), moto_server for STS and CloudWatch Logs, and the X-Ray
 * control-plane server.
 */
const motoUrl = inject('motoUrl');
const ONLINE_IDS = ['honeycomb-key-valid', 'send-test-span', 'aws-identity', 'aws-resources'];

const key = (prefix: string) =>
  `hcaik_01${prefix}${randomBytes(28)
    .toString('hex')
    .slice(0, 56 - prefix.length)}`;
const US_KEY = key('us');
const EU_KEY = key('eu');
const UNKNOWN_KEY = key('xx');
const CLASSIC_KEY = randomBytes(16).toString('hex');
const ALL_KEYS = [US_KEY, EU_KEY, UNKNOWN_KEY, CLASSIC_KEY];

let us: HoneycombServer;
let eu: HoneycombServer;
let xray: XrayServer;
let home: string;
/** Every run's output, to prove no key was ever printed. */
const outputs: ObsRun[] = [];

interface CheckJson {
  id: string;
  status: string;
  detail: string;
  fix?: string;
  findings?: { message: string; fix?: string }[];
}

beforeAll(async () => {
  us = await startHoneycombServer({ name: 'us', keys: { [US_KEY]: { team: 'Cruddur Team', environment: 'dev' }, [CLASSIC_KEY]: { team: 'Classic Team' } } });
  eu = await startHoneycombServer({ name: 'eu', keys: { [EU_KEY]: { team: 'Cruddur EU', environment: 'prod' } } });
  xray = await startXrayServer();
  home = await tempProject();
});
afterAll(async () => {
  await us?.close();
  await eu?.close();
  await xray?.close();
});

function env(extra: Record<string, string> = {}): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL_STS: motoUrl,
    AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: motoUrl,
    AWS_ENDPOINT_URL_XRAY: xray.url,
    HOME: home,
    CI: 'true',
    ...extra,
  };
}

const apiUrls = () => `us=${us.url},eu=${eu.url}`;

/** A copy of examples/cruddur after `obs init --yes` (Honeycomb US, X-Ray; CloudWatch with a unique log group). */
async function initedProject(): Promise<{ dir: string; logGroup: string }> {
  const dir = await tempProject(join(REPO_ROOT, 'examples', 'cruddur'));
  const logGroup = `/obs-doctor/${randomBytes(6).toString('hex')}`;
  const init = await runObs(['init', '--dir', dir, '--yes', '--pipeline', 'direct', '--cloudwatch', '--log-group', logGroup], { env: { CI: 'true', HOME: home } });
  expect(init.exitCode, init.stderr).toBe(0);
  return { dir, logGroup };
}

async function obs(args: string[], extraEnv: Record<string, string> = {}): Promise<ObsRun> {
  const run = await runObs(args, { env: env(extraEnv) });
  outputs.push(run);
  return run;
}

/** `obs doctor --json` with these arguments; returns the exit code and the checks by id. */
async function doctor(dir: string, args: string[], extraEnv: Record<string, string> = {}): Promise<{ run: ObsRun; checks: Map<string, CheckJson> }> {
  const run = await obs(['doctor', '--dir', dir, '--json', ...args], extraEnv);
  let doc: { checks: CheckJson[] };
  try {
    doc = JSON.parse(run.stdout) as { checks: CheckJson[] };
  } catch {
    throw new Error(`doctor did not print JSON (exit ${run.exitCode}):\n${run.stdout}\n${run.stderr}`);
  }
  return { run, checks: new Map(doc.checks.map((c) => [c.id, c])) };
}

let cruddur: { dir: string; logGroup: string };
beforeAll(async () => {
  cruddur = await initedProject();
});

describe('honeycomb-key-valid', () => {
  const online = () => ['--online', '--check', 'honeycomb-key-valid', '--honeycomb-api-url', apiUrls()];

  it('passes with a US key and names the team and environment', async () => {
    us.reset();
    eu.reset();
    const { run, checks } = await doctor(cruddur.dir, online(), { HONEYCOMB_API_KEY: US_KEY });
    const check = checks.get('honeycomb-key-valid')!;
    expect(check.status, check.detail).toBe('pass');
    expect(check.detail).toContain('Honeycomb US');
    expect(check.detail).toContain('team "Cruddur Team"');
    expect(check.detail).toContain('environment "dev"');
    expect(check.detail).toContain('HONEYCOMB_API_KEY from the environment');
    expect(run.exitCode).toBe(0);
    expect(us.requests.map((r) => [r.method, r.path, r.headers['x-honeycomb-team']])).toEqual([['GET', '/1/auth', US_KEY]]);
    expect(eu.requests).toEqual([]);
  });

  it('reads the key from .env and shows the result as a checklist', async () => {
    const { dir } = await initedProject();
    await writeFile(join(dir, '.env'), `POSTGRES_PASSWORD=x\nHONEYCOMB_API_KEY=${US_KEY}\n`);
    const run = await obs(['doctor', '--dir', dir, ...online()]);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/✔ Honeycomb API key is valid for the configured region \[honeycomb-key-valid\]: .*team "Cruddur Team"/);
    expect(run.stdout).toContain('HONEYCOMB_API_KEY from .env');
  });

  it('fails for an EU key on a US project and says the key belongs to EU', async () => {
    us.reset();
    eu.reset();
    const { run, checks } = await doctor(cruddur.dir, online(), { HONEYCOMB_API_KEY: EU_KEY });
    const check = checks.get('honeycomb-key-valid')!;
    expect(check.status).toBe('fail');
    expect(check.detail).toContain('belongs to Honeycomb EU');
    expect(check.detail).toContain('team "Cruddur EU"');
    expect(check.detail).toContain(UNKNOWN_KEY_MESSAGE);
    expect(check.fix).toContain('https://api.eu1.honeycomb.io');
    expect(check.fix).toContain('obs init --honeycomb-region eu --force');
    expect(run.exitCode).toBe(1);
    expect(us.requests.map((r) => r.status)).toEqual([401]);
    expect(eu.requests.map((r) => r.status)).toEqual([200]);
  });

  it('checks an EU project against EU first', async () => {
    const { dir } = await initedProject();
    const init = await runObs(['init', '--dir', dir, '--yes', '--pipeline', 'direct', '--honeycomb-region', 'eu', '--force'], { env: { CI: 'true', HOME: home } });
    expect(init.exitCode, init.stderr).toBe(0);
    us.reset();
    eu.reset();
    const ok = await doctor(dir, online(), { HONEYCOMB_API_KEY: EU_KEY });
    expect(ok.checks.get('honeycomb-key-valid')).toMatchObject({ status: 'pass' });
    expect(ok.checks.get('honeycomb-key-valid')!.detail).toContain('Honeycomb EU');
    expect(us.requests).toEqual([]);
    const wrong = await doctor(dir, online(), { HONEYCOMB_API_KEY: US_KEY });
    expect(wrong.checks.get('honeycomb-key-valid')!.detail).toContain('belongs to Honeycomb US');
  });

  it('fails for a key neither region knows', async () => {
    const { run, checks } = await doctor(cruddur.dir, online(), { HONEYCOMB_API_KEY: UNKNOWN_KEY });
    const check = checks.get('honeycomb-key-valid')!;
    expect(check.status).toBe('fail');
    expect(check.detail).toContain('neither Honeycomb region knows the key');
    expect(check.fix).toContain('HONEYCOMB_API_KEY');
    expect(run.exitCode).toBe(1);
  });

  it('is skipped when there is no key, and when the project does not use Honeycomb', async () => {
    const noKey = await doctor(cruddur.dir, online());
    expect(noKey.checks.get('honeycomb-key-valid')).toMatchObject({ status: 'skip' });
    expect(noKey.checks.get('honeycomb-key-valid')!.detail).toContain('HONEYCOMB_API_KEY');
    const plain = await tempProject(join(REPO_ROOT, 'examples', 'cruddur'));
    const notUsed = await doctor(plain, online(), { HONEYCOMB_API_KEY: US_KEY });
    expect(notUsed.checks.get('honeycomb-key-valid')).toMatchObject({ status: 'skip' });
    expect(notUsed.checks.get('honeycomb-key-valid')!.detail).toMatch(/no service sends to Honeycomb/);
  });

  it('takes one URL for the region being checked', async () => {
    us.reset();
    const { checks } = await doctor(cruddur.dir, ['--online', '--check', 'honeycomb-key-valid', '--honeycomb-api-url', us.url], { HONEYCOMB_API_KEY: US_KEY });
    expect(checks.get('honeycomb-key-valid')).toMatchObject({ status: 'pass' });
    expect(us.requests).toHaveLength(1);
  });

  it('fails with a sentence when the API cannot be reached; a malformed override is bad usage', async () => {
    const port = await freePort();
    const down = await doctor(cruddur.dir, ['--online', '--check', 'honeycomb-key-valid', '--honeycomb-api-url', `us=http://127.0.0.1:${port}`], { HONEYCOMB_API_KEY: US_KEY });
    expect(down.checks.get('honeycomb-key-valid')).toMatchObject({ status: 'fail' });
    expect(down.checks.get('honeycomb-key-valid')!.detail).toContain(`cannot reach http://127.0.0.1:${port}/1/auth (ECONNREFUSED)`);
    const bad = await obs(['doctor', '--dir', cruddur.dir, '--json', '--online', '--check', 'honeycomb-key-valid', '--honeycomb-api-url', 'us=ftp://x,mars=http://y'], { HONEYCOMB_API_KEY: US_KEY });
    expect(bad.exitCode, bad.stderr).toBe(2);
    // With --json the usage error is a JSON error object on stdout, and the line on stderr.
    expect(JSON.parse(bad.stdout)).toMatchObject({ error: { kind: 'usage', message: expect.stringMatching(/^--honeycomb-api-url/) } });
    expect(bad.stderr).toMatch(/^obs: --honeycomb-api-url/m);
  });
});

describe('aws-identity', () => {
  it("passes with moto's account and ARN", async () => {
    const { run, checks } = await doctor(cruddur.dir, ['--online', '--check', 'aws-identity']);
    const check = checks.get('aws-identity')!;
    expect(check.status, check.detail).toBe('pass');
    expect(check.detail).toContain('account 123456789012');
    expect(check.detail).toMatch(/arn:aws:(sts|iam)::123456789012:/);
    expect(check.detail).toContain('region us-east-1 from AWS_REGION');
    expect(check.detail).toContain(`endpoint ${motoUrl} from AWS_ENDPOINT_URL_STS`);
    expect(run.exitCode).toBe(0);
  });

  it('fails with a sentence when STS cannot be reached or there are no credentials', async () => {
    const port = await freePort();
    const down = await doctor(cruddur.dir, ['--online', '--check', 'aws-identity'], { AWS_ENDPOINT_URL_STS: `http://127.0.0.1:${port}`, AWS_MAX_ATTEMPTS: '1' });
    expect(down.checks.get('aws-identity')).toMatchObject({ status: 'fail' });
    expect(down.checks.get('aws-identity')!.detail).toBe(`cannot reach http://127.0.0.1:${port} from AWS_ENDPOINT_URL_STS (ECONNREFUSED)`);
    const run = await runObs(['doctor', '--dir', cruddur.dir, '--json', '--online', '--check', 'aws-identity'], {
      env: { AWS_REGION: 'us-east-1', AWS_EC2_METADATA_DISABLED: 'true', AWS_ENDPOINT_URL_STS: motoUrl, HOME: home, CI: 'true' },
    });
    const check = (JSON.parse(run.stdout) as { checks: CheckJson[] }).checks[0]!;
    expect(check).toMatchObject({ status: 'fail', detail: 'no AWS credentials found' });
    expect(check.fix).toContain('AWS_ACCESS_KEY_ID');
  });
});

describe('aws-resources', () => {
  it('fails listing what is missing before obs apply, passes after, and shows what differs', async () => {
    const { dir, logGroup } = await initedProject();
    const before = await doctor(dir, ['--online', '--check', 'aws-resources']);
    const missing = before.checks.get('aws-resources')!;
    expect(missing.status).toBe('fail');
    expect(missing.fix).toBe('obs apply');
    expect(missing.detail).toContain('3 missing');
    const messages = missing.findings!.map((f) => f.message);
    expect(messages).toEqual(
      expect.arrayContaining([expect.stringMatching(/^X-Ray group \S+ is missing$/), expect.stringMatching(/^X-Ray sampling rule \S+ is missing$/), `log group ${logGroup} is missing`]),
    );
    expect(before.run.exitCode).toBe(1);

    const apply = await obs(['apply', '--dir', dir]);
    expect(apply.exitCode, apply.stderr).toBe(0);

    const after = await doctor(dir, ['--online', '--check', 'aws-resources']);
    const ok = after.checks.get('aws-resources')!;
    expect(ok.status, JSON.stringify(ok)).toBe('pass');
    expect(ok.detail).toContain('1 X-Ray group, 1 sampling rule, 1 log group');
    expect(after.run.exitCode).toBe(0);

    const yaml = await readFile(join(dir, 'obs.yaml'), 'utf8');
    await writeFile(join(dir, 'obs.yaml'), yaml.replace('fixedRate: 0.1', 'fixedRate: 0.5').replace('retentionInDays: 14', 'retentionInDays: 30'));
    const drift = await doctor(dir, ['--online', '--check', 'aws-resources']);
    const differs = drift.checks.get('aws-resources')!;
    expect(differs.status).toBe('fail');
    expect(differs.detail).toContain('2 differ');
    expect(differs.findings!.map((f) => f.message)).toEqual(expect.arrayContaining([expect.stringContaining('FixedRate: 0.1 -> 0.5'), expect.stringContaining('retentionInDays: 14 -> 30')]));
  });

  it('is skipped when obs.yaml declares no resources', async () => {
    const { dir } = await initedProject();
    const yaml = await readFile(join(dir, 'obs.yaml'), 'utf8');
    await writeFile(join(dir, 'obs.yaml'), yaml.replace(/xray:\n {2}enabled: true/, 'xray:\n  enabled: false').replace(/cloudwatch:\n {2}enabled: true/, 'cloudwatch:\n  enabled: false'));
    const { checks } = await doctor(dir, ['--online', '--check', 'aws-resources']);
    expect(checks.get('aws-resources')).toMatchObject({ status: 'skip' });
  });
});

describe('send-test-span', () => {
  const send = () => ['--send-test-span', '--check', 'send-test-span', '--honeycomb-api-url', apiUrls()];

  it('is skipped by --online alone', async () => {
    us.reset();
    const { checks } = await doctor(cruddur.dir, ['--online', '--check', 'send-test-span', '--honeycomb-api-url', apiUrls()], { HONEYCOMB_API_KEY: US_KEY });
    expect(checks.get('send-test-span')).toMatchObject({ status: 'skip', detail: 'needs --send-test-span' });
    expect(us.requests).toEqual([]);
  });

  it('sends one span with the service name and key header, and exits 0', async () => {
    us.reset();
    eu.reset();
    const { run, checks } = await doctor(cruddur.dir, send(), { HONEYCOMB_API_KEY: US_KEY });
    const check = checks.get('send-test-span')!;
    expect(check.status, check.detail).toBe('pass');
    expect(check.detail).toContain('accepted a span from service.name "backend-flask"');
    expect(run.exitCode).toBe(0);
    const spans = us.spans();
    expect(spans).toHaveLength(1);
    expect(spans[0]).toMatchObject({ serviceName: 'backend-flask', key: US_KEY });
    expect(spans[0]!.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(spans[0]!.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(check.detail).toContain(spans[0]!.traceId);
    expect(us.requests[0]!.headers['content-type']).toBe('application/json');
    expect(eu.requests).toEqual([]);
  });

  it('exits 1 with the 401 message when the key is wrong', async () => {
    us.reset();
    const { run, checks } = await doctor(cruddur.dir, send(), { HONEYCOMB_API_KEY: UNKNOWN_KEY });
    const check = checks.get('send-test-span')!;
    expect(check.status).toBe('fail');
    expect(check.detail).toContain(`HTTP 401 ${UNKNOWN_KEY_MESSAGE}`);
    expect(run.exitCode).toBe(1);
    expect(us.spans()).toEqual([]);
    const text = await obs(['doctor', '--dir', cruddur.dir, ...send()], { HONEYCOMB_API_KEY: UNKNOWN_KEY });
    expect(text.exitCode).toBe(1);
    expect(text.stdout).toContain(UNKNOWN_KEY_MESSAGE);
  });

  it('reports the missing dataset header of a classic key', async () => {
    const { checks } = await doctor(cruddur.dir, send(), { HONEYCOMB_API_KEY: CLASSIC_KEY });
    const check = checks.get('send-test-span')!;
    expect(check.status).toBe('fail');
    expect(check.detail).toContain(`HTTP 400 ${MISSING_DATASET_MESSAGE}`);
    expect(check.fix).toContain('x-honeycomb-dataset');
  });

  it('fails without sending when the header refers to an unset variable', async () => {
    us.reset();
    const { checks } = await doctor(cruddur.dir, send());
    const check = checks.get('send-test-span')!;
    expect(check.status).toBe('fail');
    expect(check.detail).toContain('HONEYCOMB_API_KEY, which is not set');
    expect(check.fix).toBe('set HONEYCOMB_API_KEY in .env');
    expect(us.requests).toEqual([]);
  });

  it('uses OTEL_EXPORTER_OTLP_TRACES_ENDPOINT verbatim', async () => {
    const { dir } = await initedProject();
    const compose = await readFile(join(dir, 'docker-compose.yml'), 'utf8');
    await writeFile(join(dir, 'docker-compose.yml'), compose.replace('OTEL_EXPORTER_OTLP_ENDPOINT: "https://api.honeycomb.io"', `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "\${COLLECTOR}/v1/traces"`));
    eu.reset();
    const host = new URL(eu.url).host;
    const { run, checks } = await doctor(dir, ['--send-test-span', '--check', 'send-test-span', '--allow-endpoint', host], { HONEYCOMB_API_KEY: EU_KEY, COLLECTOR: eu.url });
    expect(checks.get('send-test-span'), run.stderr).toMatchObject({ status: 'pass' });
    expect(eu.spans()).toMatchObject([{ serviceName: 'backend-flask', key: EU_KEY }]);
    expect(eu.requests[0]!.path).toBe('/v1/traces');
  });
});

describe('send-test-span: the key goes elsewhere than Honeycomb over https only with consent', () => {
  /** The project sends to the stand-in over plain http, named by compose itself (not --honeycomb-api-url). */
  async function collectorProject(): Promise<{ dir: string; host: string }> {
    const { dir } = await initedProject();
    const compose = await readFile(join(dir, 'docker-compose.yml'), 'utf8');
    await writeFile(join(dir, 'docker-compose.yml'), compose.replace('OTEL_EXPORTER_OTLP_ENDPOINT: "https://api.honeycomb.io"', `OTEL_EXPORTER_OTLP_ENDPOINT: "${us.url}"`));
    return { dir, host: new URL(us.url).host };
  }

  it('refuses without a terminal: names the host and why, sends nothing, exits 1', async () => {
    const { dir, host } = await collectorProject();
    us.reset();
    const { run, checks } = await doctor(dir, ['--send-test-span', '--check', 'send-test-span'], { HONEYCOMB_API_KEY: US_KEY });
    expect(checks.get('send-test-span')).toEqual({
      id: 'send-test-span',
      title: 'A test span reaches the OTLP endpoint',
      status: 'fail',
      detail: `not sent: OTEL_EXPORTER_OTLP_ENDPOINT of backend-flask names ${us.url}/v1/traces, not a Honeycomb host; obs sends the x-honeycomb-team header (the key) only to Honeycomb over https or to a URL you pass with --honeycomb-api-url`,
      fix: `if you trust ${host}, run obs doctor --send-test-span --allow-endpoint ${host}; otherwise point OTEL_EXPORTER_OTLP_ENDPOINT at Honeycomb (https://api.honeycomb.io)`,
    });
    expect(run.exitCode).toBe(1);
    expect(us.requests).toEqual([]);
    // Another host allowed is no consent for this one.
    const other = await doctor(dir, ['--send-test-span', '--check', 'send-test-span', '--allow-endpoint', 'collector.example:4318'], { HONEYCOMB_API_KEY: US_KEY });
    expect(other.checks.get('send-test-span')!.status).toBe('fail');
    expect(us.requests).toEqual([]);
  });

  it('sends with --allow-endpoint HOST:PORT (or the host alone)', async () => {
    const { dir, host } = await collectorProject();
    for (const allowed of [host, '127.0.0.1']) {
      us.reset();
      const { run, checks } = await doctor(dir, ['--send-test-span', '--check', 'send-test-span', '--allow-endpoint', allowed], { HONEYCOMB_API_KEY: US_KEY });
      expect(checks.get('send-test-span'), run.stderr).toMatchObject({ status: 'pass' });
      expect(run.exitCode).toBe(0);
      expect(us.spans()).toMatchObject([{ serviceName: 'backend-flask', key: US_KEY }]);
    }
  });

  it('asks in a terminal: no sends nothing, yes sends the span', async () => {
    const { dir, host } = await collectorProject();
    const ptyEnv = { ...env({ HONEYCOMB_API_KEY: US_KEY }), PATH: process.env.PATH ?? '', TERM: 'xterm', NO_COLOR: '1' };
    delete (ptyEnv as Record<string, string>).CI;
    const question = `Send the test span with these headers to ${host}?`;
    us.reset();
    const declined = await runInPty(['doctor', '--dir', dir, '--send-test-span', '--check', 'send-test-span'], { cwd: dir, env: ptyEnv, steps: [{ expect: question, send: 'n\r' }] });
    expect(declined.transcript).toContain(`names ${us.url}/v1/traces, not a Honeycomb host`);
    expect(declined.transcript).toContain(`--allow-endpoint ${host}`);
    expect(declined.exitCode).toBe(1);
    expect(us.requests).toEqual([]);
    const accepted = await runInPty(['doctor', '--dir', dir, '--send-test-span', '--check', 'send-test-span'], { cwd: dir, env: ptyEnv, steps: [{ expect: question, send: 'y\r' }] });
    expect(accepted.transcript).toContain('accepted a span from service.name "backend-flask"');
    expect(accepted.exitCode).toBe(0);
    expect(us.spans()).toMatchObject([{ serviceName: 'backend-flask', key: US_KEY }]);
    expect(accepted.transcript).not.toContain(US_KEY.slice(8, 24));
  });
});

describe('offline doctor', () => {
  it('skips every online check and calls nothing', async () => {
    us.reset();
    eu.reset();
    const { checks } = await doctor(cruddur.dir, ['--honeycomb-api-url', apiUrls()], { HONEYCOMB_API_KEY: US_KEY });
    for (const id of ONLINE_IDS) expect(checks.get(id), id).toMatchObject({ status: 'skip', detail: 'needs --online' });
    expect(us.requests).toEqual([]);
    expect(eu.requests).toEqual([]);
    const listed = await obs(['doctor', '--list-checks']);
    for (const id of ONLINE_IDS) expect(listed.stdout).toMatch(new RegExp(`^${id} +online +.*\\(--online\\)$`, 'm'));
  });
});

// Runs last (tests in a file run in order): no run printed a key on stdout or stderr.
it('never prints a Honeycomb key', () => {
  expect(outputs.length).toBeGreaterThan(10);
  for (const run of outputs) {
    for (const k of ALL_KEYS) {
      expect(run.stdout).not.toContain(k);
      expect(run.stderr).not.toContain(k);
    }
  }
});
