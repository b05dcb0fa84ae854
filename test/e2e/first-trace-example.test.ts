import { execa } from 'execa';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { REPO_ROOT } from '../support/run-obs.js';

/**
 * What `obs init --yes` writes into the bundled example, run as written: the collector from the
 * otel-collector-config.yaml obs wrote, with the environment obs gave otel-collector, and the
 * Flask backend with the environment obs gave it (its host name otel-collector mapped to the
 * collector's local listener). The first request's span must reach the Honeycomb stand-in through
 * the collector (its user-agent) with the key, and the X-Ray stand-in with a valid SigV4 signature;
 * the app holds no key. The direct pipeline (`--pipeline direct`) runs the same way. This is one
 * run of bench/first-trace.mjs without its timing report: each of those checks throws there.
 */
it('obs init on the example, run as written: the first span arrives through the collector, and directly', async () => {
  const run = await execa(process.execPath, [join(REPO_ROOT, 'bench', 'first-trace.mjs'), '--runs', '1', '--no-write'], { cwd: REPO_ROOT, reject: false, all: true });
  expect(run.exitCode, run.all).toBe(0);
  expect(run.all).toMatch(/^first-trace collector #1: init [\d.]+ s, collector [\d.]+ s, app [\d.]+ s, request [\d.]+ s, span [\d.]+ s/m);
  expect(run.all).toMatch(/^first-trace direct #1: /m);
}, 300_000);
