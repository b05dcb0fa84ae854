import { execa } from 'execa';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runObsWithFault } from '../support/faults.js';
import { runObs, scratchDir, snapshotTree } from '../support/run-obs.js';

/**
 * What an interrupted run leaves is reported by `obs doctor` (with the fix), finished or rolled
 * back by the next `obs init` or `obs doctor --fix` (which say which), reported but not touched
 * by `--dry-run`; an apply still running elsewhere is waited for, not broken into.
 */
const KEY = 'Ab3dEf6hIj9kLm2nOp5qRs';
const COMPOSE = ['services:', '  api:', '    build: ./api', '    environment:', `      OTEL_EXPORTER_OTLP_HEADERS: "x-honeycomb-team=${KEY}"`, ''].join('\n');
const ENV = { CI: 'true' };

async function project(): Promise<string> {
  const dir = join(await scratchDir('obs-left-'), 'shop');
  await mkdir(join(dir, 'api'), { recursive: true });
  await writeFile(join(dir, 'docker-compose.yml'), COMPOSE);
  await writeFile(join(dir, 'api', 'Dockerfile'), 'FROM node:20\n');
  return dir;
}

/** obs init killed right before its `which`-th call of kind `call` (say the 2nd rename). */
async function interrupted(call: string, which: number): Promise<string> {
  const dir = await project();
  const run = await runObsWithFault(['init', '--dir', dir, '--yes'], { root: dir, only: [call], at: which });
  expect(run.signal, run.stderr).toBe('SIGKILL');
  return dir;
}

async function leftovers(dir: string) {
  const run = await runObs(['doctor', '--dir', dir, '--check', 'apply-leftovers', '--json'], { env: ENV });
  return { exitCode: run.exitCode, check: JSON.parse(run.stdout).checks[0] };
}

describe('leftovers of an interrupted obs run', () => {
  it('killed half-way through the renames: doctor reports the journal, doctor --fix finishes the run and says so', async () => {
    const dir = await interrupted('rename', 3);
    const report = await leftovers(dir);
    expect(report.exitCode).toBe(1);
    expect(report.check.status).toBe('fail');
    expect(report.check.findings[0]).toMatchObject({ file: '.obs-apply/journal.json', fix: expect.stringMatching(/^obs init \(or obs doctor --fix\)/) });
    expect(report.check.findings[0].message).toMatch(/^an earlier `obs init` \(pid \d+, started .*\) was interrupted while writing; all its new files are staged/);

    const fix = await runObs(['doctor', '--dir', dir, '--fix'], { env: ENV });
    expect(fix.stderr).toMatch(/^obs: an earlier `obs init` \(pid \d+, started .*\) was interrupted while writing; obs finished it: wrote [^\n]*docker-compose\.yml\.$/m);
    expect(await readFile(join(dir, 'docker-compose.yml'), 'utf8')).toContain('${HONEYCOMB_API_KEY}');
    expect(await readFile(join(dir, '.env'), 'utf8')).toContain(`HONEYCOMB_API_KEY=${KEY}`);
    expect((await leftovers(dir)).check.status).toBe('pass');
  });

  it('killed while staging: --dry-run only reports it; obs init rolls it back, says so, then applies', async () => {
    const dir = await interrupted('handle.sync', 3);
    expect((await leftovers(dir)).check.findings[0].message).toMatch(/the next run rolls it back/);
    const before = await snapshotTree(dir);
    const dry = await runObs(['init', '--dir', dir, '--yes', '--dry-run'], { env: ENV });
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stderr).toMatch(/interrupted while writing this project; obs init without --dry-run finishes or rolls it back/);
    expect(await snapshotTree(dir)).toEqual(before);

    const run = await runObs(['init', '--dir', dir, '--yes'], { env: ENV });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/^obs: an earlier `obs init` .* was interrupted while writing; obs rolled it back: no file had been changed yet, and removed its staged files\.$/m);
    expect(run.stderr).toMatch(/Wrote \d+ file/);
    expect((await leftovers(dir)).check.status).toBe('pass');
  });

  it("an older obs's temp file next to .env is reported with the fix, and left alone", async () => {
    const dir = await project();
    await writeFile(join(dir, '..env.obs-1a2b3c4d.tmp'), `HONEYCOMB_API_KEY=${KEY}\n`, { mode: 0o644 });
    const report = await leftovers(dir);
    expect(report.exitCode).toBe(1);
    expect(report.check.findings).toEqual([
      {
        file: '..env.obs-1a2b3c4d.tmp',
        message: 'temp file an interrupted obs run left for .env; it can hold the only copy of a moved secret',
        fix: 'compare it with .env, keep what you need, then rm ..env.obs-1a2b3c4d.tmp',
      },
    ]);
    expect(JSON.stringify(report)).not.toContain(KEY);
  });

  it('a journal whose obs is still running: init refuses (exit 1) and changes nothing', async () => {
    const dir = await project();
    // A live process whose command line says obs, standing in for a concurrent run.
    const other = execa(process.execPath, ['-e', 'setTimeout(() => {}, 60000)', 'obs-stand-in'], { reject: false });
    try {
      await mkdir(join(dir, '.obs-apply'));
      const journal = { version: 1, command: 'obs init', pid: other.pid, host: 'here', started: new Date().toISOString(), state: 'committed', files: [], createdDirs: [], untrack: [] };
      await writeFile(join(dir, '.obs-apply', 'journal.json'), JSON.stringify(journal));
      const before = await snapshotTree(dir);
      const run = await runObs(['init', '--dir', dir, '--yes'], { env: ENV });
      expect(run.exitCode, run.stderr).toBe(1);
      expect(run.stderr).toMatch(new RegExp(`^obs: another obs run \\(obs init, pid ${other.pid}\\) is writing this project right now; nothing was written$`, 'm'));
      expect(await snapshotTree(dir)).toEqual(before);
      expect((await leftovers(dir)).check.status).toBe('warn');
    } finally {
      other.kill('SIGKILL');
      await other;
    }
  });
});
