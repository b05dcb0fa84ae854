import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runObs, snapshotTree, tempProject } from '../support/run-obs.js';

/**
 * Every number, URL and enum flag of every command takes only what it documents: plain decimal
 * digits (no `0x0e`, `1.4e1`, `" 14 "`, `+14`), http(s) URLs. A bad value is exit 2 with one
 * `obs:` line naming the flag, before anything is read, written or sent. The AWS endpoint given
 * is a closed port: a flag that slipped through would fail with exit 1 instead.
 */
const ENV = { CI: 'true' };
const DEAD = ['--region', 'us-east-1', '--endpoint-url', 'http://127.0.0.1:9'];
const AWS_ENV = { ...ENV, AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: 'x'.repeat(40) };

async function project(): Promise<string> {
  const dir = await tempProject();
  await mkdir(join(dir, 'app'));
  await writeFile(join(dir, 'app', 'Dockerfile'), 'FROM node:20\n');
  await writeFile(join(dir, 'docker-compose.yml'), 'services:\n  web:\n    build: ./app\n');
  return dir;
}

async function expectUsage(args: string[], flag: string, cwd?: string): Promise<void> {
  const before = cwd ? await snapshotTree(cwd) : undefined;
  const run = await runObs(args, { env: AWS_ENV, cwd });
  expect(run.exitCode, `${args.join(' ')}\n${run.stderr}`).toBe(2);
  expect(run.stderr).toContain(flag);
  expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
  if (cwd) expect(await snapshotTree(cwd)).toEqual(before);
}

const NOT_WHOLE = ['0x0e', '1.4e1', ' 14 ', '14 ', '+14', '14.0', '', '1_4', '０１４'];

describe('numeric flags take plain decimal digits only', () => {
  it('obs init --retention', async () => {
    const dir = await project();
    for (const value of NOT_WHOLE) await expectUsage(['init', '--dir', dir, '--yes', '--cloudwatch', '--retention', value], '--retention', dir);
    // Positive control: the documented form passes.
    const ok = await runObs(['init', '--dir', dir, '--yes', '--cloudwatch', '--retention', '14', '--dry-run'], { env: ENV });
    expect(ok.exitCode, ok.stderr).toBe(0);
  });

  it('obs logs create-group --retention', async () => {
    for (const value of NOT_WHOLE) await expectUsage(['logs', 'create-group', '--name', '/a', '--retention', value, ...DEAD], '--retention');
  });

  it('obs xray create-sampling-rule --priority and --reservoir-size', async () => {
    for (const flag of ['--priority', '--reservoir-size']) {
      for (const value of NOT_WHOLE) await expectUsage(['xray', 'create-sampling-rule', '--name', 'r', '--service-name', 's', flag, value, ...DEAD], flag);
    }
  });

  it('obs xray create-sampling-rule --fixed-rate takes a plain decimal fraction', async () => {
    for (const value of ['1e-1', ' 0.5', '0.5 ', '0x1', '+0.5', '.5e0', '', 'NaN', 'Infinity']) {
      await expectUsage(['xray', 'create-sampling-rule', '--name', 'r', '--service-name', 's', '--fixed-rate', value, ...DEAD], '--fixed-rate');
    }
  });
});

describe('ARN flags', () => {
  it('obs logs create-group --kms-key-id takes a KMS key ARN only', async () => {
    for (const value of ['notarn', 'alias/mine', '1234abcd-12ab-34cd-56ef-1234567890ab', ' arn:aws:kms:us-east-1:123456789012:key/abc']) {
      await expectUsage(['logs', 'create-group', '--name', '/a', '--kms-key-id', value, ...DEAD], '--kms-key-id');
    }
  });
});

describe('URL flags', () => {
  it('obs doctor --honeycomb-api-url notaurl is bad usage (exit 2), online or not', async () => {
    const dir = await project();
    await expectUsage(['doctor', '--dir', dir, '--honeycomb-api-url', 'notaurl'], '--honeycomb-api-url', dir);
    await expectUsage(['doctor', '--dir', dir, '--online', '--honeycomb-api-url', 'notaurl'], '--honeycomb-api-url', dir);
    await expectUsage(['doctor', '--dir', dir, '--honeycomb-api-url', 'us=ftp://x'], '--honeycomb-api-url', dir);
  });

  it('--endpoint-url notaurl is exit 2 for doctor and apply, and doctor --fix changes nothing first', async () => {
    const dir = await project();
    await expectUsage(['doctor', '--dir', dir, '--endpoint-url', 'notaurl'], '--endpoint-url', dir);
    await expectUsage(['doctor', '--dir', dir, '--fix', '--endpoint-url', 'notaurl'], '--endpoint-url', dir);
    await expectUsage(['doctor', '--dir', dir, '--fix', '--region', 'not a region'], 'region', dir);
    await expectUsage(['apply', '--dir', dir, '--endpoint-url', 'notaurl'], '--endpoint-url', dir);
  });
});

describe('--dir', () => {
  it('doctor --dir naming nothing, or a file, is exit 2 (not a checklist of failures)', async () => {
    const dir = await project();
    await expectUsage(['doctor', '--dir', join(dir, 'missing')], 'no such directory', dir);
    await expectUsage(['doctor', '--dir', join(dir, 'docker-compose.yml')], 'no such directory', dir);
    await expectUsage(['init', '--dir', join(dir, 'missing'), '--yes'], 'no such directory', dir);
  });
});

describe('repeated -f', () => {
  it('obs init reads a compose file named 10,000 times once, and says so once', async () => {
    const dir = await project();
    const args = ['init', '--dir', dir, '--yes', '--dry-run'];
    for (let i = 0; i < 10_000; i++) args.push('-f', i % 2 === 0 ? 'docker-compose.yml' : './docker-compose.yml');
    const run = await runObs(args, { env: ENV });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr.match(/docker-compose\.yml/g)?.length ?? 0).toBeLessThan(20);
    expect(run.stderr.match(/given 10000 times/g)?.length).toBe(1);
    expect(run.stderr).toContain(`obs init: ${dir} (docker-compose.yml)`);
  });

  it('obs doctor reads a compose file named twice once', async () => {
    const dir = await project();
    const run = await runObs(['doctor', '--dir', dir, '-f', 'docker-compose.yml', '-f', join(dir, 'docker-compose.yml'), '--check', 'compose-file'], { env: ENV });
    expect(run.stdout, run.stderr).toMatch(/\[compose-file\]: docker-compose\.yml: 1 service/);
    expect(run.stderr.match(/given 2 times/g)?.length).toBe(1);
  });
});
