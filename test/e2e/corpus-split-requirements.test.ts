import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseObsConfig } from '../../src/config/obs-config.js';
import { REPO_ROOT, removeScratchDirs, runObs, tempProject } from '../support/run-obs.js';

/**
 * Issue 12 (left open by session 6): miguelgrinberg/flasky splits its requirements. requirements.txt
 * holds only `-r requirements/heroku.txt` (for Heroku); the Dockerfile compose builds installs
 * `requirements/docker.txt`, which includes common.txt, where Flask is declared. obs must read
 * the app through the file the image installs: call it Flask, add its packages to that file
 * (never to requirements.txt, which the image does not install), and doctor must judge the
 * packages in that file.
 */
afterAll(() => removeScratchDirs());

const FLASKY = join(REPO_ROOT, 'test', 'fixtures', 'corpus', 'miguelgrinberg__flasky');
const ENV = { CI: 'true' };

interface CheckJson {
  id: string;
  status: string;
  detail: string;
  fix?: string;
}

async function check(dir: string, id: string): Promise<CheckJson> {
  const run = await runObs(['doctor', '--dir', dir, '--json', '--check', id], { env: ENV });
  return (JSON.parse(run.stdout) as { checks: CheckJson[] }).checks.find((c) => c.id === id)!;
}
const wired = (dir: string) => check(dir, 'instrumentation-wired');

describe('miguelgrinberg/flasky: requirements split across files, the image installs requirements/docker.txt', () => {
  it('init adds the packages to the file the Dockerfile installs, and doctor reads that file', async () => {
    const dir = await tempProject(FLASKY);
    const files = ['obs.yaml', 'observability.py', 'requirements.txt', ...['common', 'docker', 'heroku', 'prod', 'dev'].map((f) => `requirements/${f}.txt`)];
    const texts = async (root: string) => Object.fromEntries(await Promise.all(files.map(async (f) => [f, await readFile(join(root, f), 'utf8').catch(() => undefined)] as const)));
    const before = await texts(dir);
    const run = await runObs(['init', '--dir', dir, '--yes', '--json'], { env: ENV });
    expect(run.exitCode, run.stderr).toBe(0);
    const after = await texts(dir);

    // Flask is declared through `-r common.txt`: the service is a Flask app, not plain Python.
    const config = parseObsConfig(after['obs.yaml']!);
    expect(config.services.flasky!.stack).toBe('flask');

    // The block goes into the file the image installs; the files it includes and requirements.txt (Heroku's) stay.
    const docker = after['requirements/docker.txt']!;
    expect(docker.startsWith(before['requirements/docker.txt']!)).toBe(true);
    expect(docker.slice(before['requirements/docker.txt']!.length)).toBe(
      [
        '',
        '# Observability (added by obs init)',
        // python:3.6-alpine: the last OpenTelemetry release for Python 3.6 (src/instrument/python-otel-release.ts).
        'opentelemetry-api==1.12.0',
        'opentelemetry-sdk==1.12.0',
        'opentelemetry-exporter-otlp-proto-http==1.12.0',
        'opentelemetry-instrumentation-flask==0.33b0',
        'opentelemetry-instrumentation-sqlalchemy==0.33b0',
        'opentelemetry-instrumentation-pymysql==0.33b0',
        '',
      ].join('\n'),
    );
    for (const file of ['requirements.txt', 'requirements/common.txt', 'requirements/heroku.txt', 'requirements/prod.txt', 'requirements/dev.txt']) {
      expect(after[file], `${file} is not what the image installs`).toBe(before[file]);
    }
    // The app is created by create_app() in app/__init__.py, named by the Dockerfile's FLASK_APP=flasky.py.
    expect(after['observability.py']).toBeDefined();
    const report = JSON.parse(run.stdout) as { notes: { message: string }[] };
    // Flask 0.12 is older than opentelemetry-instrumentation-flask instruments: said plainly.
    expect(report.notes.map((n) => n.message).join('\n')).toMatch(
      /flasky: requirements\/common\.txt declares Flask==0\.12\.2, older than opentelemetry-instrumentation-flask instruments \(Flask 1\.0 or newer\)/,
    );

    expect(await wired(dir)).toMatchObject({ status: 'pass' });
    // Coverage judges what the image installs too: prod.txt's psycopg2 (Heroku's Postgres) is not in the image.
    expect(await check(dir, 'instrumentation-coverage')).toMatchObject({ status: 'pass' });
    await writeFile(join(dir, 'requirements', 'common.txt'), `${await readFile(join(dir, 'requirements', 'common.txt'), 'utf8')}redis==2.10.6\n`);
    expect(await check(dir, 'instrumentation-coverage')).toMatchObject({
      status: 'warn',
      detail: 'flasky uses redis, which observability.py does not instrument: its calls make no spans',
    });
    // Without obs's lines in the file the image installs, doctor names that file, not requirements.txt.
    const path = join(dir, 'requirements', 'docker.txt');
    await writeFile(path, (await readFile(path, 'utf8')).replace(/^opentelemetry-.*\n/gm, ''));
    expect(await wired(dir)).toMatchObject({
      status: 'fail',
      detail:
        'flasky: requirements/docker.txt does not declare opentelemetry-api, opentelemetry-sdk, opentelemetry-exporter-otlp-proto-http, opentelemetry-instrumentation-flask, which observability.py loads: without them it sends nothing',
      fix: 'add opentelemetry-api, opentelemetry-sdk, opentelemetry-exporter-otlp-proto-http, opentelemetry-instrumentation-flask to requirements/docker.txt (obs init adds them), then run docker compose build flasky',
    });
    // Declared in requirements.txt instead (Heroku's file), the image still lacks them.
    const heroku = join(dir, 'requirements.txt');
    await writeFile(heroku, `${await readFile(heroku, 'utf8')}opentelemetry-api\nopentelemetry-sdk\nopentelemetry-exporter-otlp-proto-http\nopentelemetry-instrumentation-flask\n`);
    expect((await wired(dir)).status).toBe('fail');
  }, 120_000);
});
