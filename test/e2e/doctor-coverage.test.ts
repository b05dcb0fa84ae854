import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runObs, tempProject } from '../support/run-obs.js';

/**
 * obs writes only the instrumentations an app's dependencies call for; a traced library added
 * afterwards has none until obs init runs again. doctor's instrumentation-coverage check says so,
 * and a second obs init adds it (to package.json and tracing.cjs alike).
 */
const FIXTURE = join(REPO_ROOT, 'test', 'fixtures', 'instrument', 'express-app');
const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

interface CheckJson {
  id: string;
  status: string;
  detail: string;
  fix?: string;
  findings?: { file?: string; message: string; fix?: string }[];
}

async function coverage(dir: string): Promise<CheckJson> {
  const run = await runObs(['doctor', '--dir', dir, '--json', '--check', 'instrumentation-coverage'], { env: { CI: 'true' } });
  return (JSON.parse(run.stdout) as { checks: CheckJson[] }).checks.find((c) => c.id === 'instrumentation-coverage')!;
}

describe('doctor instrumentation-coverage', () => {
  it('passes after init, warns when the app adds pg, and passes again once obs init has added its instrumentation', async () => {
    const dir = await tempProject(FIXTURE);
    dirs.push(dir);
    const args = ['init', '--dir', dir, '--yes', '--services', 'api', '--no-xray', '--no-cloudwatch', '--no-rollbar'];
    expect((await runObs(args, { env: { CI: 'true' } })).exitCode).toBe(0);
    expect(await coverage(dir)).toMatchObject({ status: 'pass', detail: 'api: every traced library in the manifest is instrumented' });

    const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
    pkg.dependencies.pg = '^8.13.0';
    await writeFile(join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
    const warned = await coverage(dir);
    expect(warned).toMatchObject({
      status: 'warn',
      detail: 'api uses pg, which tracing.cjs does not instrument: its calls make no spans',
      fix: 'run obs init again (it adds @opentelemetry/instrumentation-pg), or add @opentelemetry/instrumentation-pg and its line in tracing.cjs by hand',
    });
    expect(warned.findings?.[0]?.file).toBe('package.json');

    expect((await runObs(args, { env: { CI: 'true' } })).exitCode).toBe(0);
    expect(await readFile(join(dir, 'tracing.cjs'), 'utf8')).toContain('["@opentelemetry/instrumentation-pg", "PgInstrumentation", {}]');
    expect(JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')).dependencies['@opentelemetry/instrumentation-pg']).toBe('^0.76.0');
    expect((await coverage(dir)).status).toBe('pass');
  }, 120_000);
});
