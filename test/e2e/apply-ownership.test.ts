import { chmod, chown, mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runObs, scratchDir } from '../support/run-obs.js';

/**
 * `sudo obs init` in a user's project must not hand the user's files to root: every edited
 * file keeps its owner, group and mode, and a file obs creates belongs to the folder's owner.
 * A `.env` obs creates is 0600 (it holds secrets).
 */
const KEY = 'Ab3dEf6hIj9kLm2nOp5qRs';
const COMPOSE = ['services:', '  api:', '    build: ./api', '    environment:', `      OTEL_EXPORTER_OTLP_HEADERS: "x-honeycomb-team=${KEY}"`, ''].join('\n');
const USER = 1000;
const GROUP = 1000;

async function owned(path: string): Promise<string> {
  const info = await stat(path);
  return `${info.uid}:${info.gid} ${(info.mode & 0o7777).toString(8)}`;
}

/** A project of uid 1000: compose 0640, the service folder 1000:1000; `.env` when given. */
async function userProject(env?: { text: string; mode: number; gid: number }): Promise<string> {
  const dir = join(await scratchDir('obs-owner-'), 'shop');
  await mkdir(join(dir, 'api'), { recursive: true });
  await writeFile(join(dir, 'docker-compose.yml'), COMPOSE);
  await writeFile(join(dir, 'api', 'Dockerfile'), 'FROM node:20\n');
  await writeFile(join(dir, 'api', 'package.json'), '{ "name": "api", "dependencies": { "express": "^4.19.2" } }\n');
  for (const path of [dir, join(dir, 'api'), join(dir, 'docker-compose.yml'), join(dir, 'api', 'Dockerfile'), join(dir, 'api', 'package.json')]) await chown(path, USER, GROUP);
  await chmod(join(dir, 'docker-compose.yml'), 0o640);
  if (env) {
    await writeFile(join(dir, '.env'), env.text);
    await chown(join(dir, '.env'), USER, env.gid);
    await chmod(join(dir, '.env'), env.mode);
  }
  return dir;
}

describe.skipIf(process.getuid?.() !== 0)('owner, group and mode, running as root', () => {
  it('keeps 1000:1000 0640 on the compose file and 1000:2000 0600 on .env; new files belong to the folder owner', async () => {
    const dir = await userProject({ text: 'DEBUG=1\n', mode: 0o600, gid: 2000 });
    const run = await runObs(['init', '--dir', dir, '--yes'], { env: { CI: 'true' } });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(await owned(join(dir, 'docker-compose.yml'))).toBe('1000:1000 640');
    expect(await owned(join(dir, '.env'))).toBe('1000:2000 600');
    expect(await owned(join(dir, 'api', 'package.json'))).toBe('1000:1000 644');
    for (const created of ['obs.yaml', '.env.example', '.gitignore', 'api/tracing.cjs']) {
      expect((await owned(join(dir, created))).split(' ')[0], created).toBe('1000:1000');
    }
  });

  it("a .env obs creates to hold a moved secret is 0600 and the folder owner's", async () => {
    const dir = await userProject();
    const run = await runObs(['init', '--dir', dir, '--yes'], { env: { CI: 'true' } });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(await owned(join(dir, '.env'))).toBe('1000:1000 600');
  });

  it('doctor --fix keeps them too', async () => {
    const dir = await userProject({ text: 'DEBUG=1\n', mode: 0o640, gid: GROUP });
    const run = await runObs(['doctor', '--dir', dir, '--fix'], { env: { CI: 'true' } });
    expect(run.stderr).toMatch(/obs doctor --fix made \d+ safe fix/);
    expect(await owned(join(dir, 'docker-compose.yml'))).toBe('1000:1000 640');
    expect(await owned(join(dir, '.env'))).toBe('1000:1000 640');
  });
});
