import { readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { GOLDEN_DIR, goldenCases, goldenRun } from '../support/golden.js';
import { runObs } from '../support/run-obs.js';
import { startXrayServer } from '../support/xray-server.js';

/**
 * Byte-identical proof for the renovation of issue 10: each corpus case's init, doctor and apply
 * output equals what test/golden/ recorded. `npm run golden:update` (GOLDEN_UPDATE=1) rewrites the
 * files instead; a changed golden is then reviewed in the diff like any other change.
 */
const update = process.env.GOLDEN_UPDATE === '1';
const cases = await goldenCases();
const motoUrl = inject('motoUrl');
let xray: Awaited<ReturnType<typeof startXrayServer>>;

beforeAll(async () => {
  xray = await startXrayServer();
});
afterAll(async () => {
  await xray.close();
});

async function compare(file: string, actual: string): Promise<void> {
  const path = join(GOLDEN_DIR, file);
  if (update) {
    // A run killed by the harness's timeout (exit -1) is not an output to keep.
    expect(actual, `${file}: an obs run timed out; not recorded`).not.toMatch(/^exit -1$/m);
    await writeFile(path, actual);
    return;
  }
  expect(existsSync(path), `${file} is missing: run npm run golden:update`).toBe(true);
  expect(actual).toBe(await readFile(path, 'utf8'));
}

it('covers every project case of the corpus', () => {
  expect(cases.length).toBeGreaterThanOrEqual(50);
});

it('help texts', async () => {
  const parts: string[] = [];
  for (const args of [['--help'], ['init', '--help'], ['doctor', '--help'], ['apply', '--help'], ['doctor', '--list-checks']]) {
    const run = await runObs(args);
    parts.push(`$ obs ${args.join(' ')}\nexit ${run.exitCode}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}\n`);
  }
  await compare('_help.txt', parts.join('\n'));
});

// Every case runs at once (each is a chain of obs processes), so the largest ones wait their turn
// for a core: the timeout is for a busy two-core machine, not a goal (doctor alone on getsentry's
// 58 services spends seconds of CPU, minutes at load 24).
describe.concurrent('golden run', () => {
  it.each(cases)(
    '%s',
    async (name) => {
      await compare(`${name}.txt`, await goldenRun(name, { xrayUrl: xray.url, logsUrl: motoUrl }));
    },
    900_000,
  );
});
