import { execa } from 'execa';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readServices } from '../support/compose-read.js';
import { REPO_ROOT, runObs, snapshotTree, tempProject } from '../support/run-obs.js';

const CORPUS = join(REPO_ROOT, 'test', 'fixtures', 'corpus');
const lf = (...lines: string[]) => lines.map((l) => `${l}\n`).join('');

/** docker-compose's own reading of the project: each service's environment, env_file merged in. */
async function composeConfig(dir: string): Promise<Record<string, { environment?: Record<string, string | null> }>> {
  const run = await execa('docker-compose', ['config'], { cwd: dir, env: { PATH: process.env.PATH ?? '' }, extendEnv: false, reject: false });
  if (run.exitCode !== 0) expect.fail(`docker-compose config failed: ${run.stderr}`);
  return (parse(run.stdout) as { services: Record<string, { environment?: Record<string, string | null> }> }).services;
}

/** A small Express service whose settings live in an env_file. */
async function expressWithEnvFile(envFile: string): Promise<string> {
  const dir = await tempProject();
  await mkdir(join(dir, 'api'));
  await writeFile(join(dir, 'api', 'package.json'), JSON.stringify({ name: 'api', dependencies: { express: '^4.21.0' } }));
  await writeFile(join(dir, 'api', 'index.js'), "require('express')().listen(3000);\n");
  await writeFile(join(dir, 'compose.yaml'), lf('services:', '  api:', '    build: ./api', '    env_file: api.env', '    ports:', '      - "3000:3000"'));
  await writeFile(join(dir, 'api.env'), envFile);
  return dir;
}

/** Issue 12, item 3: a value to replace that lives in the service's env_file. */
describe('obs init --force when the value lives in an env_file', () => {
  it('sets it in the service environment, which wins over the env_file, and leaves the env_file alone', async () => {
    const dir = await expressWithEnvFile(lf('OTEL_SERVICE_NAME=custom', 'OTEL_EXPORTER_OTLP_ENDPOINT=http://elsewhere:4318', 'PORT=3000'));
    const run = await runObs(['init', '--yes', '--force', '--pipeline', 'direct', '--no-xray', '--dir', dir], { env: { CI: 'true' } });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).not.toMatch(/bug/i);
    expect(run.stderr).toContain('! api: OTEL_SERVICE_NAME set to "custom" instead of the compose service name (in api.env:1); replaced (--force) in the service environment, which wins over api.env');
    expect(await readFile(join(dir, 'api.env'), 'utf8')).toBe(lf('OTEL_SERVICE_NAME=custom', 'OTEL_EXPORTER_OTLP_ENDPOINT=http://elsewhere:4318', 'PORT=3000'));
    const services = await composeConfig(dir);
    expect(services.api!.environment).toMatchObject({ OTEL_SERVICE_NAME: 'api', OTEL_EXPORTER_OTLP_ENDPOINT: 'https://api.honeycomb.io', PORT: '3000' });
  });

  it('without --force, reports the env_file value as kept and changes nothing there', async () => {
    const dir = await expressWithEnvFile(lf('OTEL_SERVICE_NAME=custom'));
    const run = await runObs(['init', '--yes', '--no-xray', '--dir', dir], { env: { CI: 'true' } });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).toContain('! api: OTEL_SERVICE_NAME set to "custom" instead of the compose service name (in api.env:1); kept; run with --force to replace it');
    expect((await composeConfig(dir)).api!.environment).toMatchObject({ OTEL_SERVICE_NAME: 'custom' });
  });
});

/**
 * Issue 12, item 2: a Rails app whose services all load `.env` through env_file (which is also
 * compose's own `.env`). Keys for the service obs was told to instrument must not reach the others.
 */
describe('obs init --services web on a project whose services share env_file: .env', () => {
  it('adds no key to .env (or .env.example, copied to .env) and says where to set them', async () => {
    const dir = await tempProject(join(CORPUS, 'nickjj__docker-rails-example'));
    const before = await snapshotTree(dir);
    const run = await runObs(['init', '--yes', '--services', 'web', '--dir', dir], { env: { CI: 'true' } });
    expect(run.exitCode, run.stderr).toBe(0);
    const after = await snapshotTree(dir);
    expect(after['.env']).toBe(before['.env']);
    expect(after['.env.example']).toBe(before['.env.example']);
    expect(run.stderr).toContain(
      // web is chosen, but behind the collector (the default pipeline) it uses none of the keys either.
      '- .env is also loaded through env_file by web, worker, cable, js, css, which do not use them: obs did not add HONEYCOMB_API_KEY, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_DEFAULT_REGION to it, or they would reach those containers',
    );
    expect(run.stderr).toContain(
      'Set HONEYCOMB_API_KEY, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_DEFAULT_REGION in your shell before docker compose up (not in .env: web, worker, cable, js, css load it)',
    );

    // The services left alone: the same compose environment as before (read independently of
    // obs; docker-compose 1.29 here predates this file's `depends_on.required`), and .env unchanged.
    const composeBefore = readServices([await readFile(join(CORPUS, 'nickjj__docker-rails-example', 'compose.yaml'), 'utf8')]);
    const composeAfter = readServices([await readFile(join(dir, 'compose.yaml'), 'utf8')]);
    for (const name of ['worker', 'cable', 'js', 'css']) expect(composeAfter[name], name).toEqual(composeBefore[name]);
    expect(composeAfter.web!.environment).toMatchObject({ OTEL_SERVICE_NAME: 'web' });

    // doctor's advice agrees: not `echo ... >> .env`.
    const doctor = await runObs(['doctor', '--dir', dir, '--json', '--check', 'honeycomb-key']);
    const check = (JSON.parse(doctor.stdout) as { checks: { status: string; fix?: string }[] }).checks[0]!;
    expect(check.status).toBe('fail');
    expect(check.fix).toBe(
      "export HONEYCOMB_API_KEY='...' in the shell that runs docker compose (not in .env: web, worker, cable, js, css load it through env_file) (the key is in Honeycomb under Environment settings > API keys)",
    );
  });

  it('still writes to .env when every service that loads it uses the key (direct pipeline: each app sends to Honeycomb)', async () => {
    const dir = await tempProject(join(CORPUS, 'nickjj__docker-rails-example'));
    const run = await runObs(['init', '--yes', '--pipeline', 'direct', '--services', 'web,worker,cable,js,css', '--no-xray', '--dir', dir], { env: { CI: 'true' } });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(await readFile(join(dir, '.env'), 'utf8')).toMatch(/\nHONEYCOMB_API_KEY=\n$/);
    // Behind the collector the same services use no key: it stays out of the .env they load.
    const collector = await tempProject(join(CORPUS, 'nickjj__docker-rails-example'));
    const behind = await runObs(['init', '--yes', '--pipeline', 'collector', '--services', 'web,worker,cable,js,css', '--no-xray', '--dir', collector], { env: { CI: 'true' } });
    expect(behind.exitCode, behind.stderr).toBe(0);
    expect(await readFile(join(collector, '.env'), 'utf8')).not.toMatch(/HONEYCOMB_API_KEY/);
  });
});

/** Issue 12, item 13: a published port behind a variable whose default holds a host address. */
describe('obs init on ports published as ${VAR:-127.0.0.1:8000}:${PORT:-8000}', () => {
  // obs wrote AWS_XRAY_URL from the published port (a Host pattern for dynamic segment naming) until
  // it named segments after the service: now it writes none, and doctor has nothing to fault.
  it('writes no AWS_XRAY_URL for those ports, and doctor has nothing to fault', async () => {
    const dir = await tempProject(join(CORPUS, 'nickjj__docker-rails-example'));
    const run = await runObs(['init', '--yes', '--pipeline', 'direct', '--xray', '--services', 'web,cable', '--dir', dir], { env: { CI: 'true' } });
    expect(run.exitCode, run.stderr).toBe(0);
    const services = readServices([await readFile(join(dir, 'compose.yaml'), 'utf8')]);
    expect(services.web!.environment.AWS_XRAY_DAEMON_ADDRESS).toBe('xray-daemon:2000');
    expect(services.web!.environment.AWS_XRAY_URL).toBeUndefined();
    expect(services.cable!.environment.AWS_XRAY_URL).toBeUndefined();
    const doctor = await runObs(['doctor', '--dir', dir, '--json', '--check', 'xray-url']);
    const check = (JSON.parse(doctor.stdout) as { checks: { id: string; status: string; detail: string }[] }).checks[0]!;
    expect(check.status, check.detail).toBe('skip');
  });
});

/** Issue 12, item 13: Flask's debug reloader turned on from an env_file. */
describe("obs init warns about Flask's debug reloader wherever the container gets FLASK_DEBUG", () => {
  async function flaskProject(envFile: string): Promise<string> {
    const dir = await tempProject();
    await mkdir(join(dir, 'backend'));
    await writeFile(join(dir, 'backend', 'requirements.txt'), 'flask\n');
    await writeFile(join(dir, 'backend', 'app.py'), lf('from flask import Flask', 'app = Flask(__name__)', '', '@app.route("/")', 'def home():', '    return "hi"'));
    await writeFile(
      join(dir, 'compose.yaml'),
      lf('services:', '  backend:', '    build: ./backend', '    command: python3 -m flask run --host=0.0.0.0', '    env_file: backend.env', '    ports:', '      - "5000:5000"'),
    );
    await writeFile(join(dir, 'backend.env'), envFile);
    return dir;
  }
  const warning = "backend: `python3 -m flask run --host=0.0.0.0` in the compose command with FLASK_DEBUG=1 runs Flask's debug reloader";

  it('FLASK_DEBUG=1 in the env_file', async () => {
    const run = await runObs(['init', '--yes', '--dry-run', '--no-xray', '--dir', await flaskProject(lf('FLASK_DEBUG=1'))], { env: { CI: 'true' } });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).toContain(warning);
  });

  it('FLASK_ENV=development on an unpinned Flask (3.x, which ignores it): no warning', async () => {
    const run = await runObs(['init', '--yes', '--dry-run', '--no-xray', '--dir', await flaskProject(lf('FLASK_ENV=development'))], { env: { CI: 'true' } });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).not.toContain("runs Flask's debug reloader");
  });
});

/** Issue 12, item 11: obs.yaml records the name the service uses when obs keeps the user's. */
describe('obs init keeps the user OTEL_SERVICE_NAME, and obs.yaml says so', () => {
  async function obsConfigServices(dir: string): Promise<{ status: string; detail: string }> {
    const doctor = await runObs(['doctor', '--dir', dir, '--json', '--check', 'obs-config-services']);
    return (JSON.parse(doctor.stdout) as { checks: { status: string; detail: string }[] }).checks[0]!;
  }

  it('romogo17 (OTEL_SERVICE_NAME: cruddur-backend-flask): serviceName follows it and doctor passes obs output', async () => {
    const dir = await tempProject(join(CORPUS, 'romogo17__aws-bootcamp-cruddur-2023'));
    const run = await runObs(['init', '--yes', '--dir', dir], { env: { CI: 'true' } });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).toContain('! backend-flask: OTEL_SERVICE_NAME set to "cruddur-backend-flask" instead of the compose service name; kept');
    const config = parse(await readFile(join(dir, 'obs.yaml'), 'utf8')) as { services: Record<string, { serviceName: string }> };
    expect(config.services['backend-flask']!.serviceName).toBe('cruddur-backend-flask');
    const check = await obsConfigServices(dir);
    expect(check.status, check.detail).toBe('pass');

    // A second run changes nothing; --force then writes the compose name, and obs.yaml follows.
    const again = await runObs(['init', '--yes', '--dir', dir], { env: { CI: 'true' } });
    expect(again.stderr).toContain('Nothing to change: the project is already wired as chosen.');
    const forced = await runObs(['init', '--yes', '--force', '--dir', dir], { env: { CI: 'true' } });
    expect(forced.exitCode, forced.stderr).toBe(0);
    const after = parse(await readFile(join(dir, 'obs.yaml'), 'utf8')) as { services: Record<string, { serviceName: string }> };
    expect(after.services['backend-flask']!.serviceName).toBe('backend-flask');
    expect(readServices([await readFile(join(dir, 'docker-compose.yml'), 'utf8')])['backend-flask']!.environment.OTEL_SERVICE_NAME).toBe('backend-flask');
    expect((await obsConfigServices(dir)).status).toBe('pass');
  });
});

/** Issue 12, item 2, for secrets obs moves: a literal key is not moved into a .env other services load. */
describe('a literal secret in compose, when .env is loaded by other services too', () => {
  it('stays where it is, with a note and a doctor fix that say where to put it instead', async () => {
    const dir = await tempProject(join(CORPUS, 'nickjj__docker-rails-example'));
    const composePath = join(dir, 'compose.yaml');
    const text = await readFile(composePath, 'utf8');
    const literal = 'abcdefghijABCDEFGHIJ12'; // 22 alphanumerics: the shape of a classic Honeycomb key
    const withSecret = text.replace('    profiles: ["web"]\n', `    profiles: ["web"]\n    environment:\n      HONEYCOMB_API_KEY: "${literal}"\n`);
    expect(withSecret).not.toBe(text);
    await writeFile(composePath, withSecret);
    const before = await snapshotTree(dir);

    const run = await runObs(['init', '--yes', '--services', 'web', '--no-xray', '--dir', dir], { env: { CI: 'true' } });
    expect(run.exitCode, run.stderr).toBe(0);
    const after = await snapshotTree(dir);
    expect(after['.env']).toBe(before['.env']);
    expect(await readFile(composePath, 'utf8')).toContain(`HONEYCOMB_API_KEY: "${literal}"`);
    expect(run.stderr).toMatch(
      /! compose\.yaml:\d+: web has a secret written in HONEYCOMB_API_KEY; obs did not move it to \.env, which worker, cable, js, css also load through env_file: export HONEYCOMB_API_KEY='\.\.\.' in the shell that runs docker compose, write \$\{HONEYCOMB_API_KEY\} in its place, and rotate it/,
    );
    expect(run.stderr + run.stdout).not.toContain(literal);

    const fix = await runObs(['doctor', '--fix', '--yes', '--dir', dir], { env: { CI: 'true' } });
    expect((await snapshotTree(dir))['.env']).toBe(before['.env']);
    expect(fix.stdout + fix.stderr).not.toContain(literal);
  });
});
