// Start-up cost of obs's compile caches per Node line, round-robin, median wall time of N runs
// per variant (issue 10). Usage: node bench/compile-cache.mjs [runs] [command] [--before <tree>]
// Node 22 and 24 come from ~/.cache/obs-test-node (test/support/node-runtimes.ts fetches them).
// `--before <tree>`: another built obs checkout (e.g. one that used obs's own cache on every Node).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { homedir, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const beforeAt = args.indexOf('--before');
const BEFORE = beforeAt >= 0 ? args.splice(beforeAt, 2)[1] : undefined;
const runs = Number(args[0] ?? 15);
const cmd = (args[1] ?? 'doctor').split(' ');
const nodes = [['20', process.execPath], ...['22.23.5', '24.22.3'].map((v) => [v.split('.')[0], join(homedir(), '.cache', 'obs-test-node', v, 'bin', 'node')])].filter(([, bin]) => existsSync(bin));
const obsArgs = (tree) => [join(tree, 'bin/obs.js'), ...cmd, ...(cmd[0] === 'doctor' || cmd[0] === 'init' ? ['--dir', join(HERE, 'examples/cruddur')] : [])];
const base = { ...process.env, CI: 'true', NO_COLOR: '1' };
const variants = [];
for (const [major, bin] of nodes) {
  variants.push({ name: `node${major} -e 0`, bin, argv: ['-e', '0'] });
  variants.push({ name: `node${major} obs (this tree)`, bin, argv: obsArgs(HERE), cache: true });
  if (BEFORE) variants.push({ name: `node${major} obs (--before tree)`, bin, argv: obsArgs(BEFORE), cache: true });
  variants.push({ name: `node${major} obs, no cache (OBS_COMPILE_CACHE=0)`, bin, argv: obsArgs(HERE), env: { OBS_COMPILE_CACHE: '0' } });
}
for (const v of variants) v.envAll = { ...base, ...(v.cache ? { OBS_CACHE_DIR: mkdtempSync(join(tmpdir(), 'obs-cb-')) } : {}), ...(v.env ?? {}) };
const time = (v) => {
  const t = performance.now();
  const r = spawnSync(v.bin, v.argv, { env: v.envAll, stdio: 'ignore' });
  if (r.status !== 0 && r.status !== 1) throw new Error(`${v.name}: exit ${r.status}`);
  return performance.now() - t;
};
for (let i = 0; i < 3; i++) for (const v of variants) time(v); // writes the caches, warms the disk
const times = new Map(variants.map((v) => [v.name, []]));
for (let i = 0; i < runs; i++) for (const v of variants) times.get(v.name).push(time(v));
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
console.log(
  `command: obs ${cmd.join(' ')}; ${runs} runs each, round-robin; load ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}`,
);
console.log('\n| variant | median |\n| --- | --- |');
for (const v of variants) console.log(`| ${v.name} | ${median(times.get(v.name)).toFixed(1)} ms |`);
