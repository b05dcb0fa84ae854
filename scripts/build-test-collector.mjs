#!/usr/bin/env node
// Builds the OpenTelemetry Collector the tests run (test/support/otelcol: main.go, go.mod, go.sum)
// into a cache outside the repo, and does nothing when that exact build is already there.
//
//   node scripts/build-test-collector.mjs            build if missing; prints the binary's path
//   node scripts/build-test-collector.mjs --print-path   only print where the binary belongs
//
// Cache: $OBS_TEST_OTELCOL_CACHE, else $XDG_CACHE_HOME/obs-test-otelcol, else ~/.cache/obs-test-otelcol;
// one folder per sha256 of go.mod + go.sum + main.go, so a change of any of them builds anew.
// Needs Go 1.26 (`go` on PATH) and the Go module proxy the first time (about 10 minutes on a busy
// 2-core machine with empty Go caches; see README).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'test', 'support', 'otelcol');
// Kept in step with test/support/collector.ts (a support test checks they agree).
const INPUTS = ['go.mod', 'go.sum', 'main.go'];

function cacheRoot() {
  if (process.env.OBS_TEST_OTELCOL_CACHE) return process.env.OBS_TEST_OTELCOL_CACHE;
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'obs-test-otelcol');
}

function binaryPath() {
  const hash = createHash('sha256');
  for (const name of INPUTS) hash.update(readFileSync(join(source, name)));
  return join(cacheRoot(), hash.digest('hex').slice(0, 16), 'otelcol');
}

const target = binaryPath();
if (process.argv.includes('--print-path')) {
  console.log(target);
  process.exit(0);
}
if (existsSync(target) && statSync(target).size > 0) {
  console.log(`test collector: cached at ${target}`);
  process.exit(0);
}

const go = spawnSync('go', ['version'], { encoding: 'utf8' });
if (go.status !== 0) {
  console.error('build-test-collector: `go` is not on PATH; the collector tests need Go 1.26 to build test/support/otelcol');
  process.exit(1);
}
mkdirSync(dirname(target), { recursive: true });
// Build next to the target and rename, so a build that is stopped (or two at once) never leaves a half binary.
const partial = `${target}.${process.pid}.partial`;
const started = Date.now();
console.log(`test collector: building with ${go.stdout.trim()} into ${target} ...`);
const build = spawnSync('go', ['build', '-trimpath', '-ldflags=-s -w', '-o', partial, '.'], {
  cwd: source,
  stdio: 'inherit',
  env: {
    ...process.env,
    // go.mod and go.sum are complete: a build that wants to change them is a mistake to see.
    GOFLAGS: [process.env.GOFLAGS, '-mod=readonly', '-buildvcs=false'].filter(Boolean).join(' '),
    CGO_ENABLED: '0',
  },
});
if (build.status !== 0) {
  rmSync(partial, { force: true });
  console.error(`build-test-collector: go build failed (exit ${build.status ?? build.signal}) in ${source}`);
  process.exit(1);
}
renameSync(partial, target);
const mb = (statSync(target).size / 1024 / 1024).toFixed(1);
console.log(`test collector: built in ${Math.round((Date.now() - started) / 1000)} s (${mb} MiB) at ${target}`);
