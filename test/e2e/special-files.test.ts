import { execFileSync } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runObs, snapshotTree, tempProject, type ObsRun } from '../support/run-obs.js';

/**
 * A FIFO (or socket, device) where obs reads a file would block obs forever: obs reads regular
 * files only. A FIFO at a path obs needs is exit 2 naming it; where the file is optional
 * (doctor) it is skipped with a note. The harness gives each run a timeout: a run that hangs
 * is killed and fails the test (exit -1), never a timed assertion on obs itself.
 */
const ENV = { CI: 'true' };
const HANG_LIMIT = 30_000;

/** A project of `stack` obs can wire: flask (app.py, requirements.txt), node (package.json) or rails (Gemfile). */
async function project(stack: 'flask' | 'node' | 'rails'): Promise<string> {
  const dir = await tempProject();
  await mkdir(join(dir, 'app'));
  const files: Record<string, string> = {
    flask: { 'app/Dockerfile': 'FROM python:3.11\n', 'app/requirements.txt': 'flask\n', 'app/app.py': 'from flask import Flask\napp = Flask(__name__)\n' },
    node: { 'app/Dockerfile': 'FROM node:20\n', 'app/package.json': '{"name":"api","dependencies":{"express":"^4.19.0"}}\n', 'app/index.js': "const express = require('express');\n" },
    rails: {
      'app/Dockerfile': 'FROM ruby:3.3\n',
      'app/Gemfile': "source 'https://rubygems.org'\ngem 'rails', '~> 7.1'\n",
      'app/config/application.rb': 'module App\n  class Application < Rails::Application\n  end\nend\n',
    },
  }[stack];
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  await writeFile(join(dir, 'docker-compose.yml'), 'services:\n  web:\n    build: ./app\n');
  await writeFile(join(dir, '.env'), 'A=1\n');
  await writeFile(join(dir, '.env.example'), 'A=\n');
  await writeFile(join(dir, '.gitignore'), '.env\n');
  return dir;
}

async function fifoAt(dir: string, path: string): Promise<void> {
  await rm(join(dir, path), { force: true });
  execFileSync('mkfifo', [join(dir, path)]);
}

function expectNamed(run: ObsRun, path: string): void {
  expect(run.exitCode, `${path}: ${run.stderr}`).toBe(2);
  const error = run.stderr.split('\n').find((l) => l.startsWith('obs: '));
  expect(error, run.stderr).toContain(path);
  expect(error).toMatch(/FIFO.*not a regular file/);
  expect(run.stderr).not.toMatch(/\n\s+at /);
}

describe('obs init: a FIFO at a path it reads is exit 2 naming it, nothing changed', () => {
  const cases: [stack: 'flask' | 'node' | 'rails', path: string][] = [
    ['flask', '.env'],
    ['flask', 'docker-compose.yml'],
    ['flask', '.gitignore'],
    ['flask', '.env.example'],
    ['flask', 'app/requirements.txt'],
    ['flask', 'app/app.py'],
    ['flask', 'app/Dockerfile'],
    ['node', 'app/package.json'],
    ['rails', 'app/Gemfile'],
  ];
  for (const [stack, path] of cases) {
    it(`${path} (${stack})`, async () => {
      const dir = await project(stack);
      await fifoAt(dir, path);
      const before = await snapshotTree(dir);
      const run = await runObs(['init', '--dir', dir, '--yes', '--xray'], { env: ENV, timeoutMs: HANG_LIMIT });
      expectNamed(run, path);
      expect(await snapshotTree(dir)).toEqual(before);
    });
  }

  it('obs.yaml from a previous run', async () => {
    const dir = await project('flask');
    await fifoAt(dir, 'obs.yaml');
    const run = await runObs(['init', '--dir', dir, '--yes'], { env: ENV, timeoutMs: HANG_LIMIT });
    expectNamed(run, 'obs.yaml');
  });

  it('an explicit -f naming a FIFO', async () => {
    const dir = await project('flask');
    await fifoAt(dir, 'other.yml');
    const run = await runObs(['init', '--dir', dir, '--yes', '-f', 'other.yml'], { env: ENV, timeoutMs: HANG_LIMIT });
    expectNamed(run, 'other.yml');
  });
});

describe('obs apply and obs doctor', () => {
  it('apply: obs.yaml as a FIFO is exit 2 naming it', async () => {
    const dir = await project('flask');
    await fifoAt(dir, 'obs.yaml');
    const run = await runObs(['apply', '--dir', dir, '--dry-run', '--region', 'us-east-1'], { env: ENV, timeoutMs: HANG_LIMIT });
    expectNamed(run, 'obs.yaml');
  });

  it('apply: a FIFO .env is left unread with a warning (AWS settings from the environment)', async () => {
    const dir = await project('flask');
    await writeFile(join(dir, 'obs.yaml'), 'version: 1\n');
    await fifoAt(dir, '.env');
    const run = await runObs(['apply', '--dir', dir, '--dry-run', '--region', 'us-east-1'], { env: ENV, timeoutMs: HANG_LIMIT });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).toContain('.env not read (a FIFO (named pipe))');
  });

  it('doctor: a FIFO compose file fails the compose check naming it; optional files are skipped with a note', async () => {
    const dir = await project('flask');
    for (const path of ['.env', '.env.example', '.gitignore', 'obs.yaml']) await fifoAt(dir, path);
    const optional = await runObs(['doctor', '--dir', dir, '--json'], { env: ENV, timeoutMs: HANG_LIMIT });
    expect(optional.exitCode, optional.stderr).not.toBe(-1);
    for (const path of ['.env', '.env.example', '.gitignore', 'obs.yaml']) expect(optional.stderr).toContain(`note: ${path} is a FIFO (named pipe), not a regular file: not read`);
    JSON.parse(optional.stdout);

    await fifoAt(dir, 'docker-compose.yml');
    const run = await runObs(['doctor', '--dir', dir, '--json', '--check', 'compose-file'], { env: ENV, timeoutMs: HANG_LIMIT });
    const check = (JSON.parse(run.stdout) as { checks: { status: string; detail: string }[] }).checks[0]!;
    expect(check.status).toBe('fail');
    expect(check.detail).toMatch(/FIFO.*not a regular file/);
  });

  it('doctor outside git: the secret scan skips FIFOs and symlinks out of the tree', async () => {
    const dir = await project('flask');
    await fifoAt(dir, 'notes.txt');
    await fifoAt(dir, 'app/config.yml');
    execFileSync('ln', ['-s', '/proc/kmsg', join(dir, 'kmsg.txt')]);
    execFileSync('ln', ['-s', '/proc', join(dir, 'proc')]);
    await writeFile(join(dir, 'app', 'settings.py'), `HONEYCOMB_API_KEY = "${'hcaik_01'}${'a'.repeat(50)}"\n`);
    const run = await runObs(['doctor', '--dir', dir, '--json', '--check', 'no-hardcoded-secrets'], { env: ENV, timeoutMs: HANG_LIMIT });
    expect(run.exitCode, run.stderr).toBe(1);
    const check = (JSON.parse(run.stdout) as { checks: { status: string; findings: { file: string }[] }[] }).checks[0]!;
    expect(check.findings.map((f) => f.file)).toEqual(['app/settings.py']);
  });

  it('obs doctor --dir / finishes: the walk stays on one file system and off /proc', async () => {
    const run = await runObs(['doctor', '--dir', '/', '--json'], { env: ENV, timeoutMs: 120_000 });
    expect(run.exitCode, run.stderr).not.toBe(-1);
    expect([0, 1]).toContain(run.exitCode);
    JSON.parse(run.stdout);
  }, 130_000);
});
