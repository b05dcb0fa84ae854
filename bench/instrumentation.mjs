// What the instrumentation obs writes costs an app (issue 14), each against its baseline in the
// same run: install time and size, start-up, latency per request under a fixed loopback load,
// memory, and the browser bundle. A report, not a test: a missed goal prints FAIL and exits 0;
// it exits 1 only when a step cannot run.
//
//   npm run build && node bench/instrumentation.mjs            # every group
//   node bench/instrumentation.mjs --only node,flask,react     # some groups
//   node bench/instrumentation.mjs --no-write                  # print only
//   node bench/instrumentation.mjs --only flask --rounds 6     # more load rounds (default 3)
//   node bench/instrumentation.mjs --only flask --ttft-only --runs 5 [--obs <other obs>/bin/obs.js]
//     # time to first trace alone, per phase, printed (not written); --obs compares two builds
//
// Apps (real ones, real SDKs from the registries; npm and pip caches warmed by an untimed first
// install of every variant):
// - node: test/fixtures/instrument/express-app, as is ("base") and after `obs init --yes
//   --services api --no-xray --no-cloudwatch --no-rollbar` ("obs"); for reference the setup obs
//   wrote before issue 14 ("all": sdk-node + auto-instrumentations-node, every instrumentation).
// - flask: examples/cruddur/backend-flask in a venv with its requirements ("base") and after
//   `obs init --services backend-flask` with Honeycomb only ("obs").
// - react: examples/cruddur/frontend-react-js built by `vite build`, as is and after obs init.
// Traced apps export to a local OTLP/HTTP sink (it answers 200 to every POST). The sink and the
// load generator run in their own processes: this file with --role=sink and --role=load.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const RESULTS = join(ROOT, 'bench', 'RESULTS.md');
const argv = process.argv.slice(2);
const option = (name) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const OBS = option('--obs') ?? join(ROOT, 'bin', 'obs.js');
const TTFT_ONLY = argv.includes('--ttft-only');
const TTFT_RUNS = Number(option('--runs') ?? 3);
const ONLY = (() => {
  const i = argv.indexOf('--only');
  return i === -1 ? ['node', 'flask', 'react'] : argv[i + 1].split(',');
})();
const WRITE = !argv.includes('--no-write');
const INSTALL_RUNS = 3;
const START_RUNS = 10;
const LOAD = { rounds: Number(option('--rounds') ?? 3), warmup: 200, requests: 2000, concurrency: 8, rate: 200 };
const CLOCK_TICKS = 100; // USER_HZ of /proc/<pid>/stat on Linux
const ROLE = argv.find((a) => a.startsWith('--role='))?.slice('--role='.length);
const work = ROLE ? '' : mkdtempSync(join(os.tmpdir(), 'obs-bench-instr-'));
const log = (...a) => console.error(...a);

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

function sh(cmd, args, opts = {}) {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...opts, env: { ...process.env, ...opts.env } });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} (in ${opts.cwd ?? '.'}) exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return { ms, stdout: r.stdout };
}

function bytesOf(path) {
  if (!existsSync(path)) return 0;
  return Number(sh('du', ['-sb', path]).stdout.split('\t')[0]);
}

const median = (xs) => quantile(xs, 0.5);
function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  const i = (s.length - 1) * q;
  const lo = Math.floor(i);
  return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (i - lo);
}
const fmtMs = (ms) => (Math.abs(ms) >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 2 : 1)} ms`);
const fmtMB = (b) => `${(b / 1e6).toFixed(1)} MB`;
const fmtKB = (b) => `${(b / 1000).toFixed(1)} kB`;

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/**
 * An OTLP/HTTP receiver stand-in in its own process (this file with --role=sink): 200 to every
 * POST, counts by path here through IPC. Its own process, so that taking in the exports costs
 * the load generator nothing.
 */
async function startSink() {
  const counts = new Map();
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--role=sink'], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  child.on('message', (m) => {
    if (m.path) counts.set(m.path, (counts.get(m.path) ?? 0) + 1);
  });
  const port = await new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m.port));
    child.once('exit', (code) => reject(new Error(`the OTLP sink exited ${code}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    close: () => new Promise((r) => (child.exitCode !== null ? r() : (child.once('exit', r), child.kill()))),
  };
}

function runSink() {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      process.send({ path: req.url });
      res.writeHead(200, { 'content-type': 'application/x-protobuf' });
      res.end();
    });
  });
  server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
  process.on('disconnect', () => process.exit(0));
}

function get(port, path) {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
  });
}

/** Spawns the app and times spawn -> first 200 on `path`. */
async function startApp({ cmd, args, cwd, env, path }) {
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn(cmd, args, { cwd, env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: String(port), ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${cmd} ${args.join(' ')} exited ${child.exitCode}: ${stderr}`);
    try {
      if ((await get(port, path)) === 200) break;
    } catch {
      // not listening yet
    }
    if (performance.now() - t0 > 30_000) throw new Error(`${cmd} did not answer within 30 s: ${stderr}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  return { child, port, startMs: performance.now() - t0, stderr: () => stderr };
}

async function stopApp(app) {
  app.child.kill('SIGKILL');
  if (app.child.exitCode === null) await new Promise((r) => app.child.once('exit', r));
}

/**
 * The load generator, in its own process (this file with --role=load), so that its timing does
 * not share an event loop with the bench (the sink, the apps' output). Closed loop: `count` GETs,
 * `concurrency` at a time, a new connection each. Fixed rate (`rate` > 0): one GET every
 * 1/rate s whatever the answers, latency counted from the planned send time (no coordinated
 * omission). Resolves to the latency of every request in ms.
 */
function load(port, path, count, concurrency, rate = 0) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--role=load', String(port), path, String(count), String(concurrency), String(rate)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`load generator exited ${code}: ${err}`))));
  });
}

async function runLoad([port, path, count, concurrency, rate]) {
  const latencies = [];
  const check = (status) => {
    if (status !== 200) throw new Error(`GET ${path}: ${status}`);
  };
  if (Number(rate) > 0) {
    const interval = 1000 / Number(rate);
    const t0 = performance.now();
    const pending = [];
    for (let i = 0; i < Number(count); i++) {
      const due = t0 + i * interval;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      pending.push(get(Number(port), path).then((status) => (check(status), latencies.push(performance.now() - due))));
    }
    await Promise.all(pending);
  } else {
    let next = 0;
    const worker = async () => {
      while (next < Number(count)) {
        next++;
        const t0 = performance.now();
        const status = await get(Number(port), path);
        latencies.push(performance.now() - t0);
        check(status);
      }
    };
    await Promise.all(Array.from({ length: Number(concurrency) }, worker));
  }
  process.stdout.write(JSON.stringify(latencies));
}

/** CPU time (user + system) the process has used, in ms. */
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

function rssBytes(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m[1]) * 1024;
}

/** Start-up (interleaved runs) and, per round, latency and RSS under the fixed load, per variant. */
async function measureRuntime(variants, path) {
  const start = Object.fromEntries(variants.map((v) => [v.name, []]));
  for (let i = 0; i < START_RUNS; i++) {
    for (const v of variants) {
      const app = await startApp({ ...v, path });
      start[v.name].push(app.startMs);
      await stopApp(app);
    }
  }
  const loaded = variants.filter((v) => !v.startOnly);
  const lat = Object.fromEntries(loaded.map((v) => [v.name, []]));
  const fixed = Object.fromEntries(loaded.map((v) => [v.name, []]));
  const fixedP99 = Object.fromEntries(loaded.map((v) => [v.name, []]));
  const cpu = Object.fromEntries(loaded.map((v) => [v.name, []]));
  const rss = Object.fromEntries(loaded.map((v) => [v.name, []]));
  for (let r = 0; r < LOAD.rounds; r++) {
    for (const v of loaded) {
      const app = await startApp({ ...v, path });
      await load(app.port, path, LOAD.warmup, LOAD.concurrency);
      const cpu0 = cpuMs(app.child.pid);
      lat[v.name].push(...(await load(app.port, path, LOAD.requests, LOAD.concurrency)));
      cpu[v.name].push((cpuMs(app.child.pid) - cpu0) / LOAD.requests);
      const atRate = await load(app.port, path, LOAD.requests, 1, LOAD.rate);
      fixed[v.name].push(...atRate);
      fixedP99[v.name].push(quantile(atRate, 0.99));
      rss[v.name].push(rssBytes(app.child.pid));
      if (/Traceback|Error:/.test(app.stderr())) throw new Error(`${v.name}: ${app.stderr()}`);
      await stopApp(app);
    }
  }
  return { start, lat, fixed, fixedP99, cpu, rss };
}

/**
 * Time to first trace: from `obs init --yes` to the first export at a fresh sink, the app's own
 * dependencies already installed (untimed `prepare`), then obs init, `install` (what obs added, warm
 * caches), the app started with the environment obs wrote (endpoint pointed at the sink) and one request.
 */
async function timeToFirstTrace({ from, name, service, appDir, prepare, install, start, path }) {
  const runs = [];
  const phases = [];
  for (let i = 0; i < TTFT_RUNS; i++) {
    const project = copy(from, `${name}-ttft-${i}`);
    const dir = join(project, appDir);
    prepare(dir);
    const sink = await startSink();
    const t0 = performance.now();
    obsInit(project, service);
    const t1 = performance.now();
    install(dir);
    const t2 = performance.now();
    const app = await startApp({ ...start(dir, sink.url), path });
    const t3 = performance.now();
    while (!sink.counts.get('/v1/traces') && performance.now() - t0 < 180_000) await new Promise((r) => setTimeout(r, 20));
    // No trace within 180 s counts as 180 s (a FAIL), with the app's output for the log.
    if (!sink.counts.get('/v1/traces')) log(`${name}: no trace within 180 s; app output:\n${app.stderr()}`);
    const t4 = performance.now();
    runs.push(t4 - t0);
    phases.push({ init: t1 - t0, install: t2 - t1, start: t3 - t2, span: t4 - t3, total: t4 - t0 });
    log(`${name}: time to first trace ${fmtMs(t4 - t0)} (init ${fmtMs(t1 - t0)}, install ${fmtMs(t2 - t1)}, app start to first 200 ${fmtMs(t3 - t2)}, then to the span ${fmtMs(t4 - t3)})`);
    await stopApp(app);
    await sink.close();
    rmSync(project, { recursive: true, force: true });
  }
  runs.phases = phases;
  return runs;
}

/** `medians: init 0.2 s, install 4.1 s, ...` of a timeToFirstTrace result. */
function phaseMedians(runs) {
  const names = { init: 'obs init', install: 'install', start: 'app start to first 200', span: 'then to the span' };
  return `medians: ${Object.entries(names)
    .map(([k, label]) => `${label} ${fmtMs(median(runs.phases.map((p) => p[k])))}`)
    .join(', ')}`;
}

function newestInstall(dir, extra = []) {
  rmSync(join(dir, 'node_modules'), { recursive: true, force: true });
  rmSync(join(dir, 'package-lock.json'), { force: true });
  return sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', ...extra], { cwd: dir }).ms;
}

function copy(from, name) {
  const to = join(work, name);
  cpSync(from, to, { recursive: true, filter: (src) => !/[\\/](node_modules|dist|venv)$/.test(src) });
  return to;
}

function obsInit(dir, services) {
  sh(process.execPath, [OBS, 'init', '--dir', dir, '--yes', '--services', services, '--no-xray', '--no-cloudwatch', '--no-rollbar'], { env: { CI: 'true' } });
}

function machine() {
  const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
  return `nproc ${os.availableParallelism()}, ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB; node ${process.version}; load average at start ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`;
}

function goalRow(name, measured, limit, fmt) {
  const ok = measured <= limit;
  return { line: `| ${name} | ${fmt(measured)} | ${fmt(limit)} | ${(measured / limit).toFixed(2)} | ${ok ? 'PASS' : 'FAIL'} |`, ok };
}

function section(id, title, method, tables, goals) {
  const rev = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim();
  const lines = [
    `<!-- bench:${id}:begin -->`,
    `## ${id}: ${title}`,
    '',
    `- Date: ${new Date().toISOString()}`,
    `- Machine: ${machine()}`,
    `- Revision: ${rev}`,
    `- Command: \`node bench/instrumentation.mjs --only ${id.replace(/^instrumentation-/, '')}\``,
    ...method.map((m) => `- ${m}`),
    '',
    ...tables.flatMap((t) => [...t, '']),
    '| goal | measured | goal | measured/goal | result |',
    '| --- | --- | --- | --- | --- |',
    ...goals.map((g) => g.line),
    '',
    `<!-- bench:${id}:end -->`,
  ];
  return lines.join('\n');
}

function runtimeTable(variants, m) {
  const rows = [
    `| variant | start-up median (p90) | closed loop (${LOAD.concurrency} in flight): p50 | p99 | app CPU per request (median) | fixed rate (${LOAD.rate}/s): p50 | p99 | RSS after load (median) |`,
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const v of variants) {
    const s = m.start[v.name];
    const l = m.lat[v.name];
    const f = m.fixed[v.name];
    rows.push(
      `| ${v.label} | ${fmtMs(median(s))} (${fmtMs(quantile(s, 0.9))}) | ${l ? fmtMs(quantile(l, 0.5)) : '-'} | ${l ? fmtMs(quantile(l, 0.99)) : '-'} | ${l ? fmtMs(median(m.cpu[v.name])) : '-'} | ${f ? fmtMs(quantile(f, 0.5)) : '-'} | ${f ? fmtMs(quantile(f, 0.99)) : '-'} | ${l ? fmtMB(median(m.rss[v.name])) : '-'} |`,
    );
  }
  return rows;
}

/** The fixed-rate p99 of each round per variant: how much the goal's figure moves between rounds. */
function perRoundP99(variants, m) {
  return `Fixed-rate p99 per round: ${variants
    .filter((v) => m.fixedP99[v.name])
    .map((v) => `${v.name} ${m.fixedP99[v.name].map(fmtMs).join(', ')}`)
    .join('; ')}.`;
}

/** The load method, shared by the groups. */
function loadMethod(path) {
  return (
    `Load: per round and variant a fresh app, ${LOAD.warmup} warm-up GETs of ${path}, then ${LOAD.requests} GETs closed loop (${LOAD.concurrency} in flight, a new connection each), then ${LOAD.requests} GETs at a fixed rate of ${LOAD.rate}/s (open loop: latency from the planned send time); ${LOAD.rounds} rounds, variants interleaved; p50/p99 over all timed requests of a variant. ` +
    'The load generator and the OTLP sink each run in their own process (this script with --role=load / --role=sink). ' +
    `App CPU per request: user + system time of the app (/proc/<pid>/stat) over the closed-loop requests, divided by ${LOAD.requests}; it does not depend on how busy the machine is, the latencies do. RSS: VmRSS of the app after each round's load.`
  );
}

/**
 * Why the p99 goal is read at the fixed rate: the closed loop keeps the app's core busy all the
 * time, so a request waits for the ~8 ahead of it and its latency is 8x the app's CPU per request;
 * the CPU tracing adds to every request shows up 8-fold there (a throughput figure).
 */
const P99_NOTE = `The p99 goal is read at the fixed rate (${LOAD.rate}/s, the app mostly idle, as a service normally runs). In the closed loop the app's core never idles: a request waits for the ~${LOAD.concurrency} ahead of it, so what tracing adds to each request's CPU appears about ${LOAD.concurrency}-fold in its latency; that row measures throughput and is shown with the CPU per request, not as the goal.`;

// ---------------------------------------------------------------------------------------------
// Groups
// ---------------------------------------------------------------------------------------------

/** tracing.cjs and package.json as obs wrote them before issue 14 (sdk-node + auto-instrumentations-node). */
function writeAllInstrumentations(dir) {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  pkg.dependencies = {
    ...pkg.dependencies,
    '@opentelemetry/api': '~1.9.0',
    '@opentelemetry/auto-instrumentations-node': '^0.81.2',
    '@opentelemetry/exporter-trace-otlp-proto': '^0.223.0',
    '@opentelemetry/sdk-node': '^0.223.0',
  };
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  const old = sh('git', ['show', '5078049:templates/node/tracing.cjs'], { cwd: ROOT }).stdout.replace('{{SERVICE_NAME}}', '"api"');
  writeFileSync(join(dir, 'tracing.cjs'), old);
}

/** The node group's time to first trace: the fixture with Express installed, then obs init, npm install, the app. */
function nodeFirstTrace() {
  return {
    from: join(ROOT, 'test', 'fixtures', 'instrument', 'express-app'),
    name: 'node',
    service: 'api',
    appDir: '.',
    prepare: (dir) => newestInstall(dir),
    install: (dir) => sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir }),
    start: (dir, url) => ({ cmd: process.execPath, args: ['server.js'], cwd: dir, env: { OTEL_EXPORTER_OTLP_ENDPOINT: url, OTEL_SERVICE_NAME: 'api', NODE_OPTIONS: '--require ./tracing.cjs' } }),
    path: '/hello',
  };
}

async function nodeGroup(sink) {
  const fixture = join(ROOT, 'test', 'fixtures', 'instrument', 'express-app');
  const base = copy(fixture, 'node-base');
  const lean = copy(fixture, 'node-obs');
  obsInit(lean, 'api');
  const all = copy(fixture, 'node-all');
  writeAllInstrumentations(all);
  const dirs = { base, obs: lean, all };
  log('node: warming the npm cache (untimed installs)');
  for (const dir of Object.values(dirs)) newestInstall(dir);
  const install = { base: [], obs: [], all: [] };
  for (let i = 0; i < INSTALL_RUNS; i++) for (const [name, dir] of Object.entries(dirs)) if (name !== 'all' || i === 0) install[name].push(newestInstall(dir));
  const size = Object.fromEntries(Object.entries(dirs).map(([n, d]) => [n, { otel: bytesOf(join(d, 'node_modules', '@opentelemetry')), all: bytesOf(join(d, 'node_modules')) }]));

  const traced = { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, OTEL_SERVICE_NAME: 'api', NODE_OPTIONS: '--require ./tracing.cjs' };
  const variants = [
    { name: 'base', label: 'Express, no tracing (`node server.js`)', cmd: process.execPath, args: ['server.js'], cwd: base, env: {} },
    { name: 'obs', label: "Express + obs's tracing.cjs (http, express)", cmd: process.execPath, args: ['server.js'], cwd: lean, env: traced },
    { name: 'all', label: 'reference: the pre-issue-14 setup (sdk-node + every auto-instrumentation)', cmd: process.execPath, args: ['server.js'], cwd: all, env: traced },
  ];
  log('node: start-up, latency, RSS');
  const m = await measureRuntime(variants, '/hello');
  if (!sink.counts.get('/v1/traces')) throw new Error('node: no span reached the sink');

  log('node: time to first trace');
  const ttft = await timeToFirstTrace(nodeFirstTrace());

  const addedInstall = median(install.obs) - median(install.base);
  const addedStart = median(m.start.obs) - median(m.start.base);
  const addedP99 = quantile(m.fixed.obs, 0.99) - quantile(m.fixed.base, 0.99);
  const addedClosedP99 = quantile(m.lat.obs, 0.99) - quantile(m.lat.base, 0.99);
  const addedCpu = median(m.cpu.obs) - median(m.cpu.base);
  const addedRss = median(m.rss.obs) - median(m.rss.base);
  const tables = [
    [
      '| install (`npm install --prefer-offline`, warm cache, no lock file) | runs | median | node_modules | node_modules/@opentelemetry |',
      '| --- | --- | --- | --- | --- |',
      `| Express alone | ${install.base.length} | ${fmtMs(median(install.base))} | ${fmtMB(size.base.all)} | ${fmtMB(size.base.otel)} |`,
      `| Express + what obs adds | ${install.obs.length} | ${fmtMs(median(install.obs))} | ${fmtMB(size.obs.all)} | ${fmtMB(size.obs.otel)} |`,
      `| reference: pre-issue-14 packages | ${install.all.length} | ${fmtMs(median(install.all))} | ${fmtMB(size.all.all)} | ${fmtMB(size.all.otel)} |`,
    ],
    runtimeTable(variants, m),
  ];
  const goals = [
    goalRow('npm install added by obs (warm cache), median', addedInstall, 5000, fmtMs),
    goalRow('node_modules/@opentelemetry added', size.obs.otel - size.base.otel, 20e6, fmtMB),
    goalRow('start-up added by tracing (spawn to first 200), median', addedStart, 300, fmtMs),
    goalRow(`p99 latency added per request, fixed rate ${LOAD.rate}/s`, addedP99, 2, fmtMs),
    goalRow('RSS added after load (median)', addedRss, 40e6, fmtMB),
    goalRow(`time to first trace, obs init --yes to a span at the receiver (median of ${ttft.length})`, median(ttft), 10_000, fmtMs),
  ];
  return section(
    'instrumentation-node',
    'what obs adds to an Express app (install, start-up, latency, memory)',
    [
      `Install: each variant installed once untimed (warms ~/.npm), then node_modules and package-lock.json removed and \`npm install --prefer-offline --no-audit --no-fund\` timed ${INSTALL_RUNS} times, variants interleaved (the reference once). Sizes: \`du -sb\`.`,
      `Start-up: spawn of \`node server.js\` until the first 200 on GET /hello (polled every 5 ms), ${START_RUNS} runs per variant, interleaved. Traced variants get NODE_OPTIONS=--require ./tracing.cjs, OTEL_SERVICE_NAME and OTEL_EXPORTER_OTLP_ENDPOINT pointing at a local OTLP/HTTP sink (its own process).`,
      loadMethod('/hello'),
      P99_NOTE,
      `Not goals: closed-loop p99 added ${fmtMs(addedClosedP99)}; app CPU added per request ${fmtMs(addedCpu)}.`,
      perRoundP99(variants, m),
      `Time to first trace: a fresh copy with Express installed (untimed), then timed: \`obs init --yes\`, \`npm install --prefer-offline\` (lock file from the untimed install kept), \`node server.js\` with NODE_OPTIONS, OTEL_SERVICE_NAME and the endpoint at a fresh sink, GET /hello until 200, until the first /v1/traces export arrives (the batch span processor's delay included: 1 s as obs writes it, the SDK's default is 5 s). Runs: ${ttft.map(fmtMs).join(', ')}; ${phaseMedians(ttft)}.`,
      'Added = obs minus base, both from this run.',
    ],
    tables,
    goals,
  );
}

/** The flask group's time to first trace: a venv with the example's requirements, then obs init, pip install, the app. */
function flaskFirstTrace() {
  return {
    from: join(ROOT, 'examples', 'cruddur'),
    name: 'flask',
    service: 'backend-flask',
    appDir: 'backend-flask',
    prepare: (dir) => {
      sh('python3', ['-m', 'venv', join(dir, 'venv')]);
      sh(join(dir, 'venv', 'bin', 'pip'), ['install', '--disable-pip-version-check', '-q', '-r', 'requirements.txt'], { cwd: dir });
    },
    install: (dir) => sh(join(dir, 'venv', 'bin', 'pip'), ['install', '--disable-pip-version-check', '-q', '-r', 'requirements.txt'], { cwd: dir }),
    start: (dir, url) => ({ cmd: join(dir, 'venv', 'bin', 'python'), args: ['app.py'], cwd: dir, env: { OTEL_EXPORTER_OTLP_ENDPOINT: url, OTEL_SERVICE_NAME: 'backend-flask' } }),
    path: '/api/activities/home',
  };
}

async function flaskGroup(sink) {
  const example = join(ROOT, 'examples', 'cruddur');
  const base = copy(join(example, 'backend-flask'), 'flask-base');
  const project = copy(example, 'flask-obs');
  obsInit(project, 'backend-flask');
  const lean = join(project, 'backend-flask');
  const venvs = {};
  for (const [name, dir] of Object.entries({ base, obs: lean })) {
    const venv = join(work, `venv-${name}`);
    sh('python3', ['-m', 'venv', venv]);
    log(`flask: pip install -r requirements.txt (${name})`);
    sh(join(venv, 'bin', 'pip'), ['install', '--disable-pip-version-check', '-q', '-r', 'requirements.txt'], { cwd: dir });
    venvs[name] = venv;
  }
  const size = Object.fromEntries(Object.entries(venvs).map(([n, v]) => [n, bytesOf(v)]));
  // Reference: obs's module with the batch encoded whole (before the chunked encoding), same venv.
  const whole = copy(lean, 'flask-obs-whole');
  const chunking = 'otlp.encode_spans = _encode_in_chunks(otlp.encode_spans)';
  const module = readFileSync(join(whole, 'observability.py'), 'utf8');
  if (!module.includes(chunking)) throw new Error(`flask: observability.py no longer has "${chunking}"; update the reference variant`);
  writeFileSync(join(whole, 'observability.py'), module.replace(chunking, 'pass'));
  const added = readFileSync(join(lean, 'requirements.txt'), 'utf8').split('# Observability (added by obs init)')[1]?.trim().split('\n') ?? [];
  const variants = [
    { name: 'base', label: 'Flask, no tracing (`python app.py`)', cmd: join(venvs.base, 'bin', 'python'), args: ['app.py'], cwd: base, env: {} },
    {
      name: 'obs',
      label: "Flask + obs's observability.py (OpenTelemetry: flask, requests)",
      cmd: join(venvs.obs, 'bin', 'python'),
      args: ['app.py'],
      cwd: lean,
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, OTEL_SERVICE_NAME: 'backend-flask' },
    },
    {
      name: 'whole',
      label: 'reference: the same with each batch encoded whole (no _encode_in_chunks, obs before this change)',
      cmd: join(venvs.obs, 'bin', 'python'),
      args: ['app.py'],
      cwd: whole,
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, OTEL_SERVICE_NAME: 'backend-flask' },
    },
    {
      name: 'batch512',
      label: "reference: the same with the SDK's default batches of 512 spans (OTEL_BSP_MAX_EXPORT_BATCH_SIZE=512, obs before batches of 64)",
      cmd: join(venvs.obs, 'bin', 'python'),
      args: ['app.py'],
      cwd: lean,
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, OTEL_SERVICE_NAME: 'backend-flask', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '512' },
    },
    {
      name: 'delay5s',
      label: "reference: the same with the SDK's default schedule delay of 5 s (OTEL_BSP_SCHEDULE_DELAY=5000, obs before the 1 s delay)",
      cmd: join(venvs.obs, 'bin', 'python'),
      args: ['app.py'],
      cwd: lean,
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, OTEL_SERVICE_NAME: 'backend-flask', OTEL_BSP_SCHEDULE_DELAY: '5000' },
    },
  ];
  log('flask: start-up, latency, RSS');
  const before = sink.counts.get('/v1/traces') ?? 0;
  const m = await measureRuntime(variants, '/api/activities/home');
  await new Promise((r) => setTimeout(r, 100));
  const exported = (sink.counts.get('/v1/traces') ?? 0) - before;
  if (exported === 0) throw new Error('flask: no span reached the sink');
  log('flask: time to first trace');
  const ttft = await timeToFirstTrace(flaskFirstTrace());
  const addedStart = median(m.start.obs) - median(m.start.base);
  const addedP99 = quantile(m.fixed.obs, 0.99) - quantile(m.fixed.base, 0.99);
  const addedClosedP99 = quantile(m.lat.obs, 0.99) - quantile(m.lat.base, 0.99);
  const addedCpu = median(m.cpu.obs) - median(m.cpu.base);
  const addedRss = median(m.rss.obs) - median(m.rss.base);
  const tables = [
    [
      '| venv (`python3 -m venv`, `pip install -r requirements.txt`) | size |',
      '| --- | --- |',
      `| Flask example's requirements | ${fmtMB(size.base)} |`,
      `| + what obs adds (${added.join(', ')}) | ${fmtMB(size.obs)} |`,
    ],
    runtimeTable(variants, m),
  ];
  const goals = [
    goalRow('venv added by obs', size.obs - size.base, 15e6, fmtMB),
    goalRow('start-up added by tracing (spawn to first 200), median', addedStart, 300, fmtMs),
    goalRow(`p99 latency added per request, fixed rate ${LOAD.rate}/s`, addedP99, 2, fmtMs),
    goalRow('RSS added after load (median)', addedRss, 40e6, fmtMB),
    goalRow(`time to first trace, obs init --yes to a span at the receiver (median of ${ttft.length})`, median(ttft), 15_000, fmtMs),
  ];
  return section(
    'instrumentation-flask',
    'what obs adds to the Flask example (venv, start-up, latency, memory)',
    [
      `Venvs: Python ${sh('python3', ['--version']).stdout.trim().replace('Python ', '')}, one per variant, packages from PyPI through pip's cache; sizes: \`du -sb\` of the whole venv.`,
      `Start-up: spawn of \`python app.py\` (Flask's development server, threaded, debug off) until the first 200 on GET /api/activities/home, ${START_RUNS} runs per variant, interleaved. The traced variant exports to a local OTLP/HTTP sink (OTEL_EXPORTER_OTLP_ENDPOINT); ${exported} exports reached it during the load rounds.`,
      loadMethod('/api/activities/home'),
      P99_NOTE,
      `Not goals: closed-loop p99 added ${fmtMs(addedClosedP99)}; app CPU added per request ${fmtMs(addedCpu)}.`,
      perRoundP99(variants, m),
      `Time to first trace: a fresh copy of the example with a venv holding its requirements (untimed), then timed: \`obs init --yes --services backend-flask\` (Honeycomb only), \`pip install -r requirements.txt\` (pip's cache warm), \`python app.py\` with OTEL_SERVICE_NAME and the endpoint at a fresh sink, GET until 200, until the first /v1/traces export arrives (the batch span processor's delay included: 1 s as obs writes it, the SDK's default is 5 s). Runs: ${ttft.map(fmtMs).join(', ')}; ${phaseMedians(ttft)}.`,
      'Added = obs minus base, both from this run.',
    ],
    tables,
    goals,
  );
}

function jsGzipBytes(dist) {
  let total = 0;
  let raw = 0;
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.js')) {
        const bytes = readFileSync(p);
        raw += bytes.length;
        total += gzipSync(bytes).length;
      }
    }
  };
  walk(dist);
  return { gzip: total, raw };
}

async function reactGroup() {
  const example = join(ROOT, 'examples', 'cruddur');
  const base = copy(join(example, 'frontend-react-js'), 'react-base');
  const project = copy(example, 'react-obs');
  obsInit(project, 'frontend-react-js');
  const lean = join(project, 'frontend-react-js');
  const sizes = {};
  for (const [name, dir] of Object.entries({ base, obs: lean })) {
    log(`react: npm install + vite build (${name})`);
    newestInstall(dir);
    sh('npx', ['--no-install', 'vite', 'build', '--logLevel', 'error'], { cwd: dir, env: { VITE_OTEL_COLLECTOR_URL: 'http://localhost:4318', VITE_BACKEND_URL: 'http://localhost:4567' } });
    sizes[name] = jsGzipBytes(join(dir, 'dist'));
  }
  const pkg = JSON.parse(readFileSync(join(lean, 'package.json'), 'utf8'));
  const added = Object.keys(pkg.dependencies).filter((d) => d.startsWith('@opentelemetry/'));
  const tables = [
    [
      '| bundle (`vite build`, every .js under dist/) | raw | gzip |',
      '| --- | --- | --- |',
      `| the example frontend | ${fmtKB(sizes.base.raw)} | ${fmtKB(sizes.base.gzip)} |`,
      `| + obs's src/tracing.js (${added.map((a) => a.replace('@opentelemetry/', '')).join(', ')}) | ${fmtKB(sizes.obs.raw)} | ${fmtKB(sizes.obs.gzip)} |`,
    ],
  ];
  const goals = [goalRow('gzip size added to the bundle by the React module', sizes.obs.gzip - sizes.base.gzip, 60e3, fmtKB)];
  return section(
    'instrumentation-react',
    "what obs's browser module adds to a Vite bundle",
    [
      'Both variants installed with `npm install --prefer-offline` and built with `vite build`, VITE_OTEL_COLLECTOR_URL set so the tracing branch is kept; gzip: zlib defaults (level 6) per .js file, summed, as Vite reports it.',
    ],
    tables,
    goals,
  );
}

// ---------------------------------------------------------------------------------------------

/** --ttft-only: each group's time to first trace alone, per phase, as JSON on stdout. */
async function firstTraceOnly() {
  const groups = { node: nodeFirstTrace, flask: flaskFirstTrace };
  try {
    for (const name of ['node', 'flask'].filter((g) => ONLY.includes(g))) {
      const runs = await timeToFirstTrace(groups[name]());
      console.log(JSON.stringify({ group: name, obs: OBS, median: median(runs), phases: runs.phases }));
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function main() {
  if (TTFT_ONLY) return firstTraceOnly();
  const sink = await startSink();
  const groups = { node: () => nodeGroup(sink), flask: () => flaskGroup(sink), react: () => reactGroup() };
  try {
    for (const name of ['node', 'flask', 'react'].filter((g) => ONLY.includes(g))) {
      const s = await groups[name]();
      console.log(`${s}\n`);
      if (WRITE) writeSection(s);
    }
  } finally {
    await sink.close();
    rmSync(work, { recursive: true, force: true });
  }
}

/** Replaces (or appends) the group's section of bench/RESULTS.md as soon as the group is done. */
function writeSection(s) {
  let text = readFileSync(RESULTS, 'utf8');
  const id = /bench:([a-z-]+):begin/.exec(s)[1];
  const re = new RegExp(`<!-- bench:${id}:begin -->[\\s\\S]*?<!-- bench:${id}:end -->`);
  text = re.test(text) ? text.replace(re, () => s) : `${text.trimEnd()}\n\n${s}\n`;
  writeFileSync(RESULTS, text);
}

if (ROLE === 'sink') runSink();
else if (ROLE === 'load') await runLoad(argv.slice(1));
else
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
