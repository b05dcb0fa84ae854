// A/B of `obs init --yes --dry-run` on generated compose projects: this tree against another
// built tree, interleaved run by run so both see the same machine load.
//
//   node bench/init-ab.mjs <before-tree> [runs] [services]
//
// <before-tree> is a clone at another revision with `npm ci && npm run build` done. Prints the
// median and p90 of each, and the ratio of the medians (this tree / before).
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCompose } from './generate-compose.mjs';

const [beforeTree, runsArg = '15', servicesArg = '1000'] = process.argv.slice(2);
if (!beforeTree) {
  console.error('usage: node bench/init-ab.mjs <before-tree> [runs] [services]');
  process.exit(2);
}
const runs = Number(runsArg);
const services = Number(servicesArg);
const here = resolve(fileURLToPath(new URL('..', import.meta.url)));
const trees = { before: resolve(beforeTree), after: here };
const dir = generateCompose(services);
const env = { ...process.env, CI: 'true', NO_COLOR: '1' };
delete env.NODE_EXTRA_CA_CERTS;

function once(tree) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [join(tree, 'bin', 'obs.js'), 'init', '--yes', '--dry-run', '--dir', dir], { env, stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`${tree}: exit ${r.status}`);
  return performance.now() - t0;
}

const times = { before: [], after: [] };
for (const tree of Object.keys(trees)) for (let i = 0; i < 2; i++) once(trees[tree]); // warm-up
for (let i = 0; i < runs; i++) for (const tree of i % 2 ? ['after', 'before'] : ['before', 'after']) times[tree].push(once(trees[tree]));
rmSync(dir, { recursive: true, force: true });

const pick = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
console.log(
  `init --yes --dry-run, ${services} services, ${runs} interleaved runs each; load average ${(await import('node:os'))
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
for (const tree of ['before', 'after']) console.log(`${tree.padEnd(6)} ${trees[tree]}: median ${median(times[tree]).toFixed(1)} ms, p90 ${pick(times[tree], 0.9).toFixed(1)} ms`);
console.log(`after/before (medians): ${(median(times.after) / median(times.before)).toFixed(3)}`);
