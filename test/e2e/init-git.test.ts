import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { git, gitProject, runObs } from '../support/run-obs.js';

/** obs init in a real git repository: secrets never end up in a file git tracks. */
const HONEYCOMB_KEY = 'Ab3dEf6hIj9kLm2nOp5qRs'; // 22 characters: the shape of a Honeycomb configuration key
const COMPOSE = `services:
  api:
    build: ./api
    environment:
      OTEL_EXPORTER_OTLP_HEADERS: "x-honeycomb-team=${HONEYCOMB_KEY}"
    ports:
      - "4567:4567"
`;

async function repo(files: Record<string, string>): Promise<string> {
  const dir = await gitProject();
  for (const [path, text] of Object.entries(files)) await writeFile(join(dir, path), text);
  await git(dir, 'add', '-A');
  await git(dir, 'commit', '-q', '-m', 'app');
  return dir;
}

describe('obs init and git', () => {
  it('moves a committed key out of the compose file, untracks a tracked .env and ignores it', async () => {
    const dir = await repo({ 'docker-compose.yml': COMPOSE, '.env': 'POSTGRES_PASSWORD=\n' });
    const run = await runObs(['init', '--dir', dir, '--yes', '--services', 'api'], { env: { CI: 'true' } });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/\.env is tracked by git; obs stops tracking it/);
    expect(run.stderr).toMatch(/Rotate that credential/);
    expect(run.stderr + run.stdout).not.toContain(HONEYCOMB_KEY);

    const compose = await readFile(join(dir, 'docker-compose.yml'), 'utf8');
    expect(compose).toContain('OTEL_EXPORTER_OTLP_HEADERS: "x-honeycomb-team=${HONEYCOMB_API_KEY}"');
    expect(await readFile(join(dir, '.env'), 'utf8')).toMatch(new RegExp(`^HONEYCOMB_API_KEY=${HONEYCOMB_KEY}$`, 'm'));
    expect(await git(dir, 'ls-files', '--', '.env')).toBe('');
    expect(await git(dir, 'check-ignore', '--', '.env')).toBe('.env');
    // The key is in no file git tracks or would add.
    await git(dir, 'add', '-A');
    expect(await git(dir, 'grep', '--cached', '-c', HONEYCOMB_KEY).catch(() => '')).toBe('');
  });

  it('says which files have uncommitted changes and proceeds with --yes', async () => {
    const dir = await repo({ 'docker-compose.yml': 'services:\n  api:\n    build: ./api\n' });
    await writeFile(join(dir, 'docker-compose.yml'), 'services:\n  api:\n    build: ./api\n    ports: ["80:80"]\n');
    const run = await runObs(['init', '--dir', dir, '--yes'], { env: { CI: 'true' } });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/uncommitted changes in docker-compose\.yml; proceeding because of --yes/);
  });

  it('leaves an ignored, untracked .env tracked status alone and appends the empty keys', async () => {
    const dir = await repo({ 'docker-compose.yml': 'services:\n  api:\n    build: ./api\n', '.gitignore': '.env\n' });
    await writeFile(join(dir, '.env'), '# mine\nA=1\n');
    const run = await runObs(['init', '--dir', dir, '--yes'], { env: { CI: 'true' } });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).not.toMatch(/tracked by git/);
    expect(await readFile(join(dir, '.env'), 'utf8')).toBe('# mine\nA=1\nHONEYCOMB_API_KEY=\nAWS_ACCESS_KEY_ID=\nAWS_SECRET_ACCESS_KEY=\nAWS_DEFAULT_REGION=\n');
    expect(await readFile(join(dir, '.gitignore'), 'utf8')).toBe('.env\n');
  });

  it('untracks a tracked .env that already holds every key obs needs (corpus: philemonnwanne)', async () => {
    // obs wrote nothing to .env, so it left it tracked, yet added it to .gitignore: the keys in it
    // stayed published, and `obs doctor` failed dotenv-ignored right after.
    const keys = `HONEYCOMB_API_KEY=${HONEYCOMB_KEY}\nAWS_ACCESS_KEY_ID=\nAWS_SECRET_ACCESS_KEY=\nAWS_DEFAULT_REGION=\n`;
    const dir = await repo({ 'docker-compose.yml': 'services:\n  api:\n    build: ./api\n', '.env': keys });
    const run = await runObs(['init', '--dir', dir, '--yes'], { env: { CI: 'true' } });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/\.env is tracked by git; obs stops tracking it/);
    expect(run.stderr).toMatch(/Stopped tracking \.env in git/);
    expect(await readFile(join(dir, '.env'), 'utf8')).toBe(keys);
    expect(await git(dir, 'ls-files', '--', '.env')).toBe('');
    expect(await git(dir, 'check-ignore', '--', '.env')).toBe('.env');

    const again = await runObs(['init', '--dir', dir, '--yes'], { env: { CI: 'true' } });
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/Nothing to change/);
  });
});
