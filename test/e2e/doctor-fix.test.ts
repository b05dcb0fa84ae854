import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repairTeamHeader } from '../../src/commands/doctor/fix-plan.js';
import { git, gitProject, runObs, snapshotTree } from '../support/run-obs.js';

const KEY = 'Zq8wErTy1uIoP3aSdF5gHj'; // a 22-character Honeycomb key shape
const COMPOSE = `services:
  api:
    build: ./api
    environment:
      OTEL_SERVICE_NAME: "app"
      OTEL_EXPORTER_OTLP_HEADERS: "x-honeycomb-team=${KEY}"
  worker:
    build: ./worker
    environment:
      - OTEL_SERVICE_NAME=app
      - OTEL_EXPORTER_OTLP_HEADERS=x-honeycomb-team:\${HONEYCOMB_API_KEY}
  web:
    build: ./web
    environment:
      OTEL_EXPORTER_OTLP_HEADERS: x-honeycomb-team=HONEYCOMB_API_KEY
`;

describe('repairTeamHeader', () => {
  it('spells the key reference so compose interpolates it, and leaves right ones alone', () => {
    expect(repairTeamHeader('x-honeycomb-team:${HONEYCOMB_API_KEY}')).toBe('x-honeycomb-team=${HONEYCOMB_API_KEY}');
    expect(repairTeamHeader('x-honeycomb-team${HONEYCOMB_API_KEY}')).toBe('x-honeycomb-team=${HONEYCOMB_API_KEY}');
    expect(repairTeamHeader('x-honeycomb-team=HONEYCOMB_API_KEY,x-honeycomb-dataset=d')).toBe('x-honeycomb-team=${HONEYCOMB_API_KEY},x-honeycomb-dataset=d');
    expect(repairTeamHeader('x-honeycomb-team=$HONEYCOMB_API_KEY')).toBe('x-honeycomb-team=${HONEYCOMB_API_KEY}');
    expect(repairTeamHeader('x-honeycomb-team=${HONEYCOMB_API_KEY}')).toBeUndefined();
    expect(repairTeamHeader('authorization=Bearer x')).toBeUndefined();
  });
});

describe('obs doctor --fix', () => {
  it('applies the safe fixes, then the checks pass for them, and a second run has nothing to fix', async () => {
    const dir = await gitProject();
    await writeFile(join(dir, 'docker-compose.yml'), COMPOSE);
    await git(dir, 'add', '-A');
    await git(dir, 'commit', '-q', '-m', 'app');

    const run = await runObs(['doctor', '--dir', dir, '--fix', '--check', 'no-hardcoded-secrets,otel-service-name-unique,otel-headers,dotenv-ignored'], { env: { CI: 'true' } });
    expect(run.stdout + run.stderr).not.toContain(KEY);
    expect(run.stderr).toMatch(/fixed docker-compose\.yml:6: moved the OTEL_EXPORTER_OTLP_HEADERS value of api to \.env as HONEYCOMB_API_KEY/);
    expect(run.stderr).toMatch(/fixed docker-compose\.yml: worker: OTEL_SERVICE_NAME "app" \(shared with api\) is now "worker"/);
    expect(run.stderr).toMatch(/fixed docker-compose\.yml: api: OTEL_SERVICE_NAME "app" \(shared with worker\) is now "api"/);
    expect(run.stderr).toMatch(/fixed \.gitignore: \.env is ignored now/);
    // A heading that says what happened (was an empty "obs doctor --fix: "), then one line per fix.
    const lines = run.stderr.split('\n');
    const heading = lines.findIndex((line) => line.startsWith('obs doctor --fix'));
    const fixes = lines.slice(heading + 1).filter((line, i, all) => all.slice(0, i + 1).every((l) => l.startsWith('  fixed ')));
    expect(fixes.length).toBeGreaterThanOrEqual(5);
    expect(lines[heading]).toBe(`obs doctor --fix made ${fixes.length} safe fixes; the checks below see the result:`);
    expect(run.stdout).toMatch(/0 failed/);
    expect(run.exitCode, run.stderr).toBe(0);

    const compose = await readFile(join(dir, 'docker-compose.yml'), 'utf8');
    expect(compose).toBe(
      COMPOSE.replace(`x-honeycomb-team=${KEY}`, 'x-honeycomb-team=${HONEYCOMB_API_KEY}')
        .replace('OTEL_SERVICE_NAME: "app"', 'OTEL_SERVICE_NAME: "api"')
        .replace('- OTEL_SERVICE_NAME=app', '- OTEL_SERVICE_NAME=worker')
        .replace('x-honeycomb-team:${HONEYCOMB_API_KEY}', 'x-honeycomb-team=${HONEYCOMB_API_KEY}')
        .replace('x-honeycomb-team=HONEYCOMB_API_KEY\n', 'x-honeycomb-team=${HONEYCOMB_API_KEY}\n'),
    );
    expect(await readFile(join(dir, '.env'), 'utf8')).toContain(`HONEYCOMB_API_KEY=${KEY}`);
    expect(await git(dir, 'check-ignore', '--', '.env')).toBe('.env');

    const settled = await snapshotTree(dir);
    const again = await runObs(['doctor', '--dir', dir, '--fix', '--check', 'no-hardcoded-secrets'], { env: { CI: 'true' } });
    expect(again.stderr).toMatch(/nothing it can fix safely/);
    expect(await snapshotTree(dir)).toEqual(settled);
  });
});

describe('obs doctor --fix: the X-Ray daemon command (issue 12 item 20)', () => {
  it('writes the command init writes for a daemon whose flags never reach /xray, and the check passes', async () => {
    const dir = await gitProject();
    const compose = 'services:\n  api:\n    build: ./api\n  xray-daemon:\n    image: "amazon/aws-xray-daemon"\n    command: ["xray -o -b xray-daemon:2000"]\n';
    await writeFile(join(dir, 'docker-compose.yml'), compose);
    const before = await runObs(['doctor', '--dir', dir, '--check', 'xray-daemon-command'], { env: { CI: 'true' } });
    expect(before.exitCode).toBe(1);
    expect(before.stdout).toContain('fix: command: ["-o"]');

    const run = await runObs(['doctor', '--dir', dir, '--fix', '--check', 'xray-daemon-command'], { env: { CI: 'true' } });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).toContain('fixed docker-compose.yml: xray-daemon: command ["xray -o -b xray-daemon:2000"] is now ["-o"]');
    expect(await readFile(join(dir, 'docker-compose.yml'), 'utf8')).toBe(compose.replace('["xray -o -b xray-daemon:2000"]', '["-o"]'));

    // The same command obs init --force writes for it.
    const other = await gitProject();
    await writeFile(join(other, 'docker-compose.yml'), compose);
    const init = await runObs(['init', '--dir', other, '--yes', '--force', '--pipeline', 'direct', '--services', 'api', '--xray', '--no-honeycomb', '--no-instrument'], { env: { CI: 'true' } });
    expect(init.exitCode, init.stderr).toBe(0);
    expect(await readFile(join(other, 'docker-compose.yml'), 'utf8')).toContain('    command: ["-o"]\n');
  });
});
