import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runInPty, type PtyStep } from '../support/pty.js';
import { OBS_BIN, REPO_ROOT, scratchDir, snapshotTree, tempProject } from '../support/run-obs.js';

/**
 * `obs init` as a person runs it: the built binary in a real pseudo-terminal, its real
 * @inquirer/prompts answered key by key. Every question is awaited on screen before the keys go,
 * so a renamed or reordered prompt fails here by name.
 */
const CRUDDUR = join(REPO_ROOT, 'examples', 'cruddur');
const ENTER = '\r';
const DOWN = '\u001b[B';
const CTRL_U = '\u0015';

/** A terminal user's environment: no CI flag, a real TERM, no colour, nothing from the runner. */
function terminalEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', TERM: 'xterm', NO_COLOR: '1', ...extra };
}

/** The prompt as it shows while waiting for an answer ("? " is the idle prefix without colour). */
const ask = (question: string, send: string): PtyStep => ({ expect: `? ${question}`, send });

const Q = {
  services: 'Which services should send telemetry?',
  pipeline: 'How should telemetry leave your apps?',
  honeycomb: 'Send traces to Honeycomb (OpenTelemetry)?',
  region: 'Honeycomb region of your team',
  xray: 'Send traces to AWS X-Ray?',
  group: 'X-Ray group name',
  cloudwatch: 'Send logs to CloudWatch Logs?',
  logGroup: 'CloudWatch log group name',
  retention: 'Keep logs for how many days?',
  rollbar: 'Report errors to Rollbar?',
  apply: 'Apply these changes?',
};

const TEST_TIMEOUT = 45_000;
const dirs: string[] = [];

async function project(): Promise<string> {
  const dir = await tempProject(CRUDDUR);
  dirs.push(dir);
  return dir;
}

async function readYaml(path: string): Promise<any> {
  return parse(await readFile(path, 'utf8'));
}

afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe.skipIf(process.platform === 'win32')('obs init in a terminal', () => {
  it('accepts every default with enter and writes the default wiring', { timeout: TEST_TIMEOUT }, async () => {
    const dir = await project();
    const run = await runInPty(['init'], {
      cwd: dir,
      env: terminalEnv(),
      steps: [
        ask(Q.services, ENTER),
        ask(Q.pipeline, ENTER),
        ask(Q.honeycomb, ENTER),
        ask(Q.region, ENTER),
        ask(Q.xray, ENTER),
        ask(Q.group, ENTER),
        ask(Q.cloudwatch, ENTER),
        ask(Q.rollbar, ENTER),
        ask(Q.apply, ENTER),
        { expect: 'Wrote 10 file(s).' },
      ],
    });

    expect(run.exitCode, run.transcript).toBe(0);
    expect(run.transcript).toContain(`✔ ${Q.services} backend-flask (built here, flask), frontend-react-js (built here, react)`);
    expect(run.transcript).toContain(`✔ ${Q.pipeline} Through an OpenTelemetry Collector service`);
    expect(run.transcript).toContain(`✔ ${Q.region} US (api.honeycomb.io)`);
    const compose = await readFile(join(dir, 'docker-compose.yml'), 'utf8');
    expect(compose).toContain('OTEL_SERVICE_NAME: "backend-flask"');
    expect(compose).toContain('OTEL_EXPORTER_OTLP_ENDPOINT: "http://otel-collector:4318"');
    expect(compose).toContain('VITE_OTEL_COLLECTOR_URL: "http://localhost:4318"');
    expect(parse(compose).services['otel-collector']).toMatchObject({ image: 'otel/opentelemetry-collector-contrib:0.141.0' });
    expect(parse(compose).services['xray-daemon']).toBeUndefined();
    expect(await readFile(join(dir, 'otel-collector-config.yaml'), 'utf8')).toContain('https://api.honeycomb.io');
    expect(existsSync(join(dir, 'obs.yaml'))).toBe(true);
    // The instrumentation code for both stacks was written too.
    expect(existsSync(join(dir, 'backend-flask', 'observability.py'))).toBe(true);
    expect(await readFile(join(dir, 'backend-flask', 'app.py'), 'utf8')).toContain('init_observability(app)');
    expect(existsSync(join(dir, 'frontend-react-js', 'src', 'tracing.js'))).toBe(true);
    expect(await readFile(join(dir, 'obs.yaml'), 'utf8')).toMatch(/^  region: us$/m);
    const config = await readYaml(join(dir, 'obs.yaml'));
    expect(config.pipeline).toBe('collector');
    expect(config.honeycomb).toMatchObject({ enabled: true, region: 'us' });
    expect(config.xray.enabled).toBe(true);
    expect(config.cloudwatch.enabled).toBe(false);
    expect(config.rollbar.enabled).toBe(false);
  });

  it('with stdout redirected (obs init > changes.patch) the diff still shows before the question, and the file gets it', { timeout: TEST_TIMEOUT }, async () => {
    const dir = await project();
    const out = join(await scratchDir(), 'changes.patch');
    // `obs init > changes.patch` in a terminal: stdin and stderr are the terminal, stdout a file.
    const wrapper = join(await scratchDir(), 'redirect.mjs');
    await writeFile(
      wrapper,
      `import { openSync } from 'node:fs';\nimport { spawnSync } from 'node:child_process';\n` +
        `const r = spawnSync(process.execPath, [${JSON.stringify(OBS_BIN)}, ...process.argv.slice(2)], { stdio: ['inherit', openSync(${JSON.stringify(out)}, 'w'), 'inherit'] });\n` +
        `process.exit(r.status ?? 1);\n`,
    );
    const run = await runInPty(['init', '--services', 'backend-flask', '--no-xray'], {
      cwd: dir,
      env: terminalEnv(),
      bin: wrapper,
      steps: [ask(Q.pipeline, ENTER), ask(Q.honeycomb, ENTER), ask(Q.region, ENTER), ask(Q.cloudwatch, ENTER), ask(Q.rollbar, ENTER), ask(Q.apply, 'n' + ENTER), { expect: 'Nothing was written.' }],
    });
    expect(run.exitCode, run.transcript).toBe(0);
    const shown = run.transcript.slice(0, run.transcript.indexOf(`? ${Q.apply}`));
    expect(shown).toContain('+++ b/docker-compose.yml');
    expect(shown).toContain('+      OTEL_SERVICE_NAME: "backend-flask"');
    expect(await readFile(out, 'utf8')).toMatch(/^--- a\/docker-compose\.yml\n\+\+\+ b\/docker-compose\.yml\n/);
  });

  it('takes changed answers: EU, no X-Ray, CloudWatch with a typed log group and a listed retention, Rollbar', { timeout: TEST_TIMEOUT }, async () => {
    const dir = await project();
    const run = await runInPty(['init'], {
      cwd: dir,
      env: terminalEnv(),
      steps: [
        ask(Q.services, ENTER),
        ask(Q.pipeline, DOWN),
        { expect: '❯ Directly from each app', send: ENTER },
        ask(Q.honeycomb, ENTER),
        ask(Q.region, DOWN),
        { expect: '❯ EU (api.eu1.honeycomb.io)', send: ENTER },
        ask(Q.xray, 'n' + ENTER),
        ask(Q.cloudwatch, 'y' + ENTER),
        ask(Q.logGroup, '/cruddur/app' + ENTER),
        ask(Q.retention, DOWN), // the cursor starts on the default, 14 days
        { expect: '❯ 30 days', send: ENTER },
        ask(Q.rollbar, 'y' + ENTER),
        ask(Q.apply, ENTER),
        { expect: 'Wrote ' },
      ],
    });

    expect(run.exitCode, run.transcript).toBe(0);
    expect(run.transcript).toContain(`✔ ${Q.pipeline} Directly from each app`);
    expect(run.transcript).toContain(`✔ ${Q.region} EU (api.eu1.honeycomb.io)`);
    expect(run.transcript).toContain(`✔ ${Q.xray} No`);
    expect(run.transcript).toContain(`✔ ${Q.logGroup} /cruddur/app`);
    expect(run.transcript).toContain(`✔ ${Q.retention} 30 days`);
    expect(run.transcript).toContain(`✔ ${Q.rollbar} Yes`);
    expect(run.transcript).not.toContain(`? ${Q.group}`);

    const compose = await readFile(join(dir, 'docker-compose.yml'), 'utf8');
    expect(compose).toContain('https://api.eu1.honeycomb.io');
    expect(compose).not.toContain('https://api.honeycomb.io"');
    expect(compose).toContain('ROLLBAR_ACCESS_TOKEN');
    expect(compose).toContain('AWS_DEFAULT_REGION');
    expect(compose).not.toContain('xray-daemon');
    expect(parse(compose).services['xray-daemon']).toBeUndefined();

    const config = await readYaml(join(dir, 'obs.yaml'));
    expect(config.pipeline).toBe('direct');
    expect(config.honeycomb).toMatchObject({ enabled: true, region: 'eu', endpoint: 'https://api.eu1.honeycomb.io' });
    expect(config.xray.enabled).toBe(false);
    expect(config.cloudwatch).toEqual({ enabled: true, logGroups: [{ name: '/cruddur/app', retentionInDays: 30 }] });
    expect(config.rollbar.enabled).toBe(true);
  });

  it('with --log-group, offers yes to CloudWatch and skips the log group question; a no is refused, nothing written', { timeout: TEST_TIMEOUT }, async () => {
    const dir = await project();
    const defaults = [ask(Q.services, ENTER), ask(Q.pipeline, ENTER), ask(Q.honeycomb, ENTER), ask(Q.region, ENTER), ask(Q.xray, ENTER), ask(Q.group, ENTER)];
    const before = await snapshotTree(dir);
    const refused = await runInPty(['init', '--log-group', '/cruddur/app'], {
      cwd: dir,
      env: terminalEnv(),
      steps: [...defaults, { expect: `? ${Q.cloudwatch} (Y/n)`, send: 'n' + ENTER }, { expect: 'answer yes' }],
    });
    expect(refused.exitCode, refused.transcript).toBe(2);
    expect(refused.transcript).toContain('obs: --log-group needs CloudWatch Logs, which you answered no to: drop --log-group or answer yes');
    expect(refused.transcript).not.toContain(`? ${Q.rollbar}`);
    expect(await snapshotTree(dir)).toEqual(before);

    const run = await runInPty(['init', '--log-group', '/cruddur/app'], {
      cwd: dir,
      env: terminalEnv(),
      steps: [...defaults, ask(Q.cloudwatch, ENTER), ask(Q.retention, ENTER), ask(Q.rollbar, ENTER), ask(Q.apply, ENTER), { expect: 'Wrote ' }],
    });
    expect(run.exitCode, run.transcript).toBe(0);
    expect(run.transcript).toContain(`✔ ${Q.cloudwatch} Yes`);
    expect(run.transcript).not.toContain(`? ${Q.logGroup}`);
    const config = await readYaml(join(dir, 'obs.yaml'));
    expect(config.cloudwatch).toEqual({ enabled: true, logGroups: [{ name: '/cruddur/app', retentionInDays: 14, logStreams: ['otel-collector'] }] });
  });

  it('writes nothing when "Apply these changes?" is answered n', { timeout: TEST_TIMEOUT }, async () => {
    const dir = await project();
    const before = await snapshotTree(dir);
    const run = await runInPty(['init'], {
      cwd: dir,
      env: terminalEnv(),
      steps: [
        ask(Q.services, ENTER),
        ask(Q.pipeline, ENTER),
        ask(Q.honeycomb, ENTER),
        ask(Q.region, ENTER),
        ask(Q.xray, ENTER),
        ask(Q.group, ENTER),
        ask(Q.cloudwatch, ENTER),
        ask(Q.rollbar, ENTER),
        { expect: '--- a/docker-compose.yml' },
        ask(Q.apply, 'n' + ENTER),
        { expect: 'Nothing was written.' },
      ],
    });

    expect(run.exitCode, run.transcript).toBe(0);
    expect(run.transcript).toContain(`✔ ${Q.apply} No`);
    expect(run.transcript).not.toContain('Wrote ');
    expect(await snapshotTree(dir)).toEqual(before);
  });

  it('shows the validation message for a bad X-Ray group name and takes a valid one after it', { timeout: TEST_TIMEOUT }, async () => {
    const dir = await project();
    const run = await runInPty(['init'], {
      cwd: dir,
      env: terminalEnv(),
      steps: [
        ask(Q.services, ENTER),
        ask(Q.pipeline, ENTER),
        ask(Q.honeycomb, ENTER),
        ask(Q.region, ENTER),
        ask(Q.xray, ENTER),
        ask(Q.group, 'bad name!' + ENTER),
        // The prompt stays open with the message and the typed text; ctrl-u clears the line.
        { expect: 'the group name may contain only letters, digits and dashes: "bad name!"', send: CTRL_U + 'Cruddur-web' + ENTER },
        { expect: `✔ ${Q.group} Cruddur-web` },
        ask(Q.cloudwatch, ENTER),
        ask(Q.rollbar, ENTER),
        ask(Q.apply, ENTER),
        { expect: 'Wrote ' },
      ],
    });

    expect(run.exitCode, run.transcript).toBe(0);
    expect(run.transcript).toContain('X-Ray (group Cruddur-web)');
    const config = await readYaml(join(dir, 'obs.yaml'));
    expect(config.xray.enabled).toBe(true);
    expect(config.xray.groups.map((g: { name: string }) => g.name)).toEqual(['Cruddur-web']);
  });

  it('never prompts under CI=true: without --yes it shows the diff, asks for --yes and exits 2', { timeout: TEST_TIMEOUT }, async () => {
    const dir = await project();
    const before = await snapshotTree(dir);
    const run = await runInPty(['init'], {
      cwd: dir,
      env: terminalEnv({ CI: 'true' }),
      steps: [{ expect: '--- a/docker-compose.yml' }, { expect: 'pass --yes' }],
    });

    expect(run.exitCode, run.transcript).toBe(2);
    expect(run.transcript).toContain('obs: obs init needs a yes to write these files');
    expect(run.transcript).toContain('pass --yes to apply the changes above');
    expect(run.transcript).toContain('+      OTEL_SERVICE_NAME: "backend-flask"');
    for (const question of Object.values(Q)) expect(run.transcript).not.toContain(question);
    expect(await snapshotTree(dir)).toEqual(before);
  });
});
