import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runObs, snapshotTree, tempProject } from '../support/run-obs.js';

/**
 * Files that are not all UTF-8. `.env`, `.env.example` and `.gitignore` are line-based files obs
 * only appends to: every byte of them is kept. A compose file must be UTF-8 (compose's YAML
 * reader refuses anything else): obs refuses it too, naming file, line and column, changing nothing.
 */
const COMPOSE = `services:
  api:
    build: ./api
    environment:
      AWS_ACCESS_KEY_ID: AKIAABCDEFGHIJKLMNOP
      AWS_SECRET_ACCESS_KEY: wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKY
`;

async function project(files: Record<string, string | Buffer>): Promise<string> {
  const dir = await tempProject();
  await writeFile(join(dir, 'docker-compose.yml'), COMPOSE);
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
  return dir;
}

const latin1 = (text: string) => Buffer.from(text, 'latin1');
const ENV = { CI: 'true' };

describe('.env, .env.example and .gitignore that are not UTF-8: every byte kept', () => {
  it('appends to each and changes none of their bytes; a second run changes nothing', async () => {
    const before = {
      '.env': latin1('DB_PASSWORD=p\xe4ss\nGREETING=gr\xfc\xdf dich\n'),
      '.env.example': latin1('# Passw\xf6rter geh\xf6ren nach .env\nDB_PASSWORD=\n'),
      '.gitignore': latin1('# caf\xe9\nnode_modules/\n'),
    };
    const dir = await project(before);
    const run = await runObs(['init', '--dir', dir, '--yes', '--no-instrument'], { env: ENV });
    expect(run.exitCode, run.stderr).toBe(0);
    for (const [name, bytes] of Object.entries(before)) {
      const after = await readFile(join(dir, name));
      expect(after.length, name).toBeGreaterThan(bytes.length);
      expect(after.subarray(0, bytes.length).equals(bytes), `${name}:\n${after.toString('latin1')}`).toBe(true);
      expect(after.includes(Buffer.from('\uFFFD', 'utf8')), name).toBe(false);
    }
    // The moved keys went to .env after the kept bytes; .gitignore now ignores .env.
    expect((await readFile(join(dir, '.env'))).subarray(before['.env'].length).toString('utf8')).toContain('AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKY');
    expect((await readFile(join(dir, '.gitignore'))).subarray(before['.gitignore'].length).toString('utf8')).toMatch(/^\.env$/m);

    const tree = await snapshotTree(dir);
    const again = await runObs(['init', '--dir', dir, '--yes', '--no-instrument'], { env: ENV });
    expect(again.exitCode, again.stderr).toBe(0);
    expect(await snapshotTree(dir)).toEqual(tree);
  });

  it('shows a kept byte as \\xE9 in the diff, and doctor reads such a .env', async () => {
    const dir = await project({ '.gitignore': latin1('# caf\xe9\nnode_modules/\n'), '.env': latin1('DB_PASSWORD=p\xe4ss\n') });
    const dry = await runObs(['init', '--dir', dir, '--dry-run', '--no-instrument'], { env: ENV });
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(' # caf\\xE9\n');
    expect(dry.stdout + dry.stderr).not.toContain('\uFFFD');
    const doctor = await runObs(['doctor', '--dir', dir, '--json', '--check', 'honeycomb-key,dotenv-ignored'], { env: ENV });
    expect(JSON.parse(doctor.stdout).checks.map((c: { id: string }) => c.id)).toEqual(['honeycomb-key', 'dotenv-ignored']);
  });
});

describe('a compose file that is not UTF-8: refused, nothing changed', () => {
  const composeLatin1 = latin1(`# Entw\xfcrfe\n${COMPOSE}`);

  it('init and doctor --fix exit 2 naming file, line and column', async () => {
    const dir = await project({ 'docker-compose.yml': composeLatin1, '.env': 'A=1\n' });
    const tree = await snapshotTree(dir);
    for (const args of [
      ['init', '--dir', dir, '--yes'],
      ['init', '--dir', dir, '--dry-run'],
      ['doctor', '--dir', dir, '--fix'],
    ]) {
      const run = await runObs(args, { env: ENV });
      expect(run.exitCode, `${args.join(' ')}\n${run.stderr}`).toBe(2);
      expect(run.stderr).toContain('obs: docker-compose.yml:1:7: is not UTF-8 text (byte 0xFC); compose and obs read YAML as UTF-8 only: save the file as UTF-8 and run obs again');
      expect(await snapshotTree(dir)).toEqual(tree);
    }
  });

  it('doctor fails the compose-file check with the same words', async () => {
    const dir = await project({ 'docker-compose.yml': composeLatin1 });
    const run = await runObs(['doctor', '--dir', dir, '--json', '--check', 'compose-file'], { env: ENV });
    expect(run.exitCode).toBe(1);
    const [check] = JSON.parse(run.stdout).checks as { status: string; detail: string; findings?: { message: string; line?: number }[] }[];
    expect(check!.status).toBe('fail');
    expect(JSON.stringify(check)).toContain('is not UTF-8 text (byte 0xFC)');
  });

  it('UTF-16 is named as such', async () => {
    const dir = await project({ 'docker-compose.yml': Buffer.from(`\uFEFF${COMPOSE}`, 'utf16le') });
    const run = await runObs(['init', '--dir', dir, '--dry-run'], { env: ENV });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('obs: docker-compose.yml:1:1: the file is UTF-16 (');
  });
});
