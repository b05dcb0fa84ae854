// Benchmark runner for obs (plain Node ESM, built-ins only). A report, not a test: it exits 0 when
// a goal fails and prints FAIL; it exits 1 only when a benchmark cannot run (non-zero exit code).
//
//   npm run bench                          # build, then run every group
//   node bench/run.mjs --only version      # one group (or several: --only version,init)
//   node bench/run.mjs --runs 20 --warmup 3 --no-write
//
// Each child process is spawned with child_process.spawnSync, stdout/stderr to /dev/null, and
// timed as wall time around the spawn. Benchmarks of one group run round-robin (a, b, a, b, ...)
// so that drift on the machine hits them alike. Results replace that group's section in
// bench/RESULTS.md.
//
// To add a benchmark: add a group to GROUPS with its `benchmarks` (name + argv, optional
// setup/teardown) and its `goals` (a value computed from the medians, compared with a limit).
// A benchmark may also have `env(state)` (its child environment), `prepare(state, ctx)` (run,
// untimed, before every execution; argv(state, ctx) is then built anew, e.g. with fresh names),
// `verify(state, ctx)` (async, after the exit-code check: did it really do its job?), and an argv
// that is a list of argvs: a sequence, run one after another and timed as one.
//
// Not run here (they start apps and collectors, and take minutes): bench/instrumentation.mjs
// (what the instrumentation costs an app) and bench/first-trace.mjs (`npm run bench:first-trace`:
// time to first trace through the collector); both write their own sections of RESULTS.md.
//
// The `logs` and `apply` groups run against local servers (moto_server, the X-Ray server of
// test/support/xray-server.ts) that the first of them starts and main() stops at the end; see
// bench/aws-servers.mjs.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findLogGroup, findSamplingRule, findXrayGroup, REGION, startAwsServers } from './aws-servers.mjs';
import { generateCompose } from './generate-compose.mjs';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(BENCH_DIR);
const OBS = join(ROOT, 'bin', 'obs.js');
const RESULTS = join(BENCH_DIR, 'RESULTS.md');
const NODE = process.execPath;

/**
 * NODE_EXTRA_CA_CERTS makes every node process read and parse that certificate bundle before it
 * runs any code: on the sandbox machines here (which set it for their proxy) node -e 0 takes
 * ~50 ms with it and ~20 ms without. It slows obs and `node -e 0` alike, so ratios to node look
 * better than on a user's machine, and it slows obs but not the Python AWS CLI. Children run
 * without it unless --keep-node-extra-ca-certs is given (the figures then say so).
 */
const KEEP_EXTRA_CA_CERTS = process.argv.includes('--keep-node-extra-ca-certs');

/** Environment of every timed child: no colour, non-interactive. */
const CHILD_ENV = (() => {
  const env = { ...process.env, CI: 'true', NO_COLOR: '1' };
  delete env.FORCE_COLOR;
  if (!KEEP_EXTRA_CA_CERTS) delete env.NODE_EXTRA_CA_CERTS;
  return env;
})();

/** How the Method line describes the children's environment. */
const ENV_DESCRIPTION = `env CI=true NO_COLOR=1, ${
  KEEP_EXTRA_CA_CERTS ? (process.env.NODE_EXTRA_CA_CERTS ? 'NODE_EXTRA_CA_CERTS kept (--keep-node-extra-ca-certs)' : 'NODE_EXTRA_CA_CERTS not set') : 'NODE_EXTRA_CA_CERTS removed'
}`;

// ---------------------------------------------------------------------------------------------
// Benchmarks
// ---------------------------------------------------------------------------------------------

const COMPILE_CACHE_NOTE =
  'obs keeps V8\'s compiled code of its bundles (on Node 20 per command, src/startup/compile-cache.ts; on Node 22 and later Node\'s module.enableCompileCache(); in ~/.cache/obs or OBS_CACHE_DIR): the first run of a command after an install or upgrade compiles and writes it (the exit-code check run here), warm-ups and timed runs use it. The "no compile cache" rows (OBS_COMPILE_CACHE=0) show every run compiling, for reference; they are not goals.';

/** `node bin/obs.js <args>` */
const obs = (...args) => [NODE, OBS, ...args];

// --- Local AWS servers, shared by the `logs` and `apply` groups --------------------------------

/** Started by the first group that needs them, stopped by main() at the end. */
const shared = { servers: undefined, dir: undefined };

async function awsServers() {
  if (!shared.servers) {
    shared.dir = mkdtempSync(join(os.tmpdir(), 'obs-bench-aws-'));
    const t0 = performance.now();
    shared.servers = startAwsServers(ROOT, join(shared.dir, 'servers'));
    const s = await shared.servers;
    log(`  servers: moto_server ${s.motoUrl} (CloudWatch Logs), X-Ray server ${s.xrayUrl} (compiled with ${s.xrayBuild}), up in ${fmtMs(performance.now() - t0)}`);
  }
  return shared.servers;
}

async function stopAwsServers() {
  if (shared.servers) {
    const s = await shared.servers.catch(() => undefined);
    await s?.stop();
  }
  if (shared.dir) rmSync(shared.dir, { recursive: true, force: true });
}

/**
 * Environment of obs and the AWS CLI against the local servers: the machine's AWS_* settings
 * removed, test credentials, a fixed region, no instance metadata lookups, and an empty HOME so
 * that no ~/.aws/config or credentials file is read.
 */
function awsEnv(home, extra = {}) {
  const env = Object.fromEntries(Object.entries(CHILD_ENV).filter(([k]) => !k.startsWith('AWS_')));
  return {
    ...env,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
    AWS_EC2_METADATA_DISABLED: 'true',
    HOME: home,
    ...extra,
  };
}

/**
 * The AWS CLI executable. A pyenv shim (a bash script that runs `pyenv exec`) costs some 0.3-0.5 s
 * per call on its own, which is not the CLI's time: resolve it to the real script, as `node` is
 * run directly for obs.
 */
let awsCliPath;
function awsCli() {
  if (awsCliPath) return awsCliPath;
  const found = (process.env.PATH ?? '')
    .split(':')
    .map((d) => join(d || '.', 'aws'))
    .find((p) => existsSync(p));
  if (!found) throw new Error('aws (the AWS CLI) not found on PATH');
  awsCliPath = found;
  if (found.includes('/shims/')) {
    const real = spawnSync('pyenv', ['which', 'aws'], { encoding: 'utf8' });
    if (real.status === 0 && real.stdout.trim()) awsCliPath = real.stdout.trim();
  }
  const version = spawnSync(awsCliPath, ['--version'], { encoding: 'utf8' });
  log(`  aws: ${awsCliPath} (${`${version.stdout}${version.stderr}`.trim() || `exit ${version.status}`})`);
  return awsCliPath;
}

/** A name part unique to this bench run, so re-runs against a kept server never collide. */
const RUN_TAG = `${Date.now().toString(36).slice(-5)}${process.pid.toString(36).slice(-2)}`;

const expect = (cond, message) => {
  if (!cond) throw new Error(`verify: ${message}`);
};

/** obs.yaml of the `apply` group (the format of test/e2e/apply.test.ts). */
function applyYaml(prefix) {
  return `version: 1
compose:
  files: [docker-compose.yml]
services:
  backend-flask: { serviceName: backend-flask, stack: flask }
honeycomb: { enabled: true, region: us, endpoint: "https://api.honeycomb.io" }
xray:
  enabled: true
  daemonService: xray-daemon
  groups:
    - name: ${prefix}
      filterExpression: '${APPLY.filter}'
  samplingRules:
    - ruleName: ${prefix}
      priority: 9000
      fixedRate: 0.1
      reservoirSize: 5
      serviceName: backend-flask
      serviceType: "*"
      host: "*"
      httpMethod: "*"
      urlPath: "*"
      resourceArn: "*"
cloudwatch:
  enabled: true
  logGroups:
${APPLY.logGroups.map((g) => `    - { name: /${prefix}/${g.suffix}, retentionInDays: ${g.days} }`).join('\n')}
rollbar: { enabled: false }
`;
}

const APPLY = {
  filter: 'service("backend-flask") {fault OR error}',
  logGroups: [
    { suffix: 'a', days: 14 },
    { suffix: 'b', days: 30 },
    { suffix: 'c', days: 7 },
  ],
};

/** The AWS CLI input of the sampling rule obs.yaml declares. */
function applyRuleJson(prefix) {
  return {
    SamplingRule: {
      RuleName: prefix,
      Priority: 9000,
      FixedRate: 0.1,
      ReservoirSize: 5,
      ServiceName: 'backend-flask',
      ServiceType: '*',
      Host: '*',
      HTTPMethod: '*',
      URLPath: '*',
      ResourceARN: '*',
      Version: 1,
    },
    Tags: [{ Key: 'managed-by', Value: 'obs' }],
  };
}

/** What one `apply` run (obs or CLI) should have created under `prefix`. */
async function verifyApply(servers, prefix) {
  const group = await findXrayGroup(servers.xrayUrl, prefix);
  expect(group?.FilterExpression === APPLY.filter, `X-Ray group ${prefix}: ${JSON.stringify(group)}`);
  const rule = await findSamplingRule(servers.xrayUrl, prefix);
  expect(rule?.FixedRate === 0.1 && rule?.ReservoirSize === 5 && rule?.Priority === 9000, `sampling rule ${prefix}: ${JSON.stringify(rule)}`);
  for (const g of APPLY.logGroups) {
    const found = await findLogGroup(servers.motoUrl, `/${prefix}/${g.suffix}`);
    expect(found?.retentionInDays === g.days, `log group /${prefix}/${g.suffix} with retention ${g.days}: ${JSON.stringify(found)}`);
  }
}

/** Value of a goal: a ratio of two medians. */
const medianRatio = (a, b) => (r) => r[a].median / r[b].median;

const GROUPS = [
  {
    id: 'version',
    title: 'startup: obs --version vs node -e 0',
    runs: 30,
    warmup: 5,
    benchmarks: [
      { name: 'node -e 0', argv: () => [NODE, '-e', '0'] },
      { name: 'obs --version', argv: () => obs('--version') },
    ],
    goals: [
      {
        name: 'obs --version within 1.3x of node -e 0 (median)',
        value: medianRatio('obs --version', 'node -e 0'),
        limit: 1.3,
        unit: 'x',
      },
    ],
  },
  {
    id: 'init',
    title: 'obs init --yes --dry-run on generated compose projects',
    runs: 10,
    warmup: 2,
    // A run slower than this falls back to minRuns (unless --runs is given) so a failing goal
    // still reports in minutes.
    slowMs: 3000,
    minRuns: 5,
    setup(state) {
      for (const n of [1000, 2000]) {
        const t0 = performance.now();
        state[n] = generateCompose(n);
        log(`  generated ${n} services in ${state[n]} (${fmtMs(performance.now() - t0)})`);
      }
    },
    teardown(state) {
      for (const n of [1000, 2000]) if (state[n]) rmSync(state[n], { recursive: true, force: true });
    },
    benchmarks: [
      { name: 'init 1,000 services', argv: (s) => obs('init', '--yes', '--dry-run', '--dir', s[1000]), display: 'node bin/obs.js init --yes --dry-run --dir <tmp: 1,000 services>' },
      { name: 'init 2,000 services', argv: (s) => obs('init', '--yes', '--dry-run', '--dir', s[2000]), display: 'node bin/obs.js init --yes --dry-run --dir <tmp: 2,000 services>' },
    ],
    goals: [
      { name: 'init, 1,000 services, under 1 s (median)', value: (r) => r['init 1,000 services'].median, limit: 1000, unit: 'ms' },
      {
        name: 'init, 2,000 services, under 2.2x the 1,000-service time (median)',
        value: medianRatio('init 2,000 services', 'init 1,000 services'),
        limit: 2.2,
        unit: 'x',
      },
    ],
  },
  {
    id: 'doctor',
    title: 'offline obs doctor on examples/cruddur vs node -e 0',
    runs: 30,
    warmup: 5,
    benchmarks: [
      { name: 'node -e 0', argv: () => [NODE, '-e', '0'] },
      { name: 'obs doctor', argv: () => obs('doctor', '--dir', 'examples/cruddur'), display: 'node bin/obs.js doctor --dir examples/cruddur' },
      {
        name: 'obs doctor, no compile cache',
        env: () => ({ ...CHILD_ENV, OBS_COMPILE_CACHE: '0' }),
        argv: () => obs('doctor', '--dir', 'examples/cruddur'),
        display: 'OBS_COMPILE_CACHE=0 node bin/obs.js doctor --dir examples/cruddur',
      },
    ],
    notes: [COMPILE_CACHE_NOTE],
    goals: [
      {
        name: 'offline obs doctor on examples/cruddur at most 2x node -e 0 (median)',
        value: medianRatio('obs doctor', 'node -e 0'),
        limit: 2,
        unit: 'x',
      },
    ],
  },
  {
    id: 'logs',
    title: 'obs logs create-group vs aws logs create-log-group (moto_server)',
    runs: 20,
    warmup: 3,
    notes: [
      'Every execution (check, warm-up, timed) creates a log group under a new name, so both really create (no idempotent path). Names: /obs-bench/<run>/<benchmark>-<n>.',
      COMPILE_CACHE_NOTE,
      'The goal compares obs WITH --retention 14 (obs: DescribeLogGroups, CreateLogGroup with the managed-by=obs tag, PutRetentionPolicy, DescribeLogGroups read-back: 4 requests) with the single CLI call (CreateLogGroup, no retention). "obs, no --retention" (3 requests) is shown for reference only.',
      'aws is the AWS CLI script itself (a pyenv shim on PATH is resolved with `pyenv which aws`: the shim alone costs 0.3-0.5 s a call).',
      'Servers: moto_server on a free 127.0.0.1 port, shared with the apply group, started before and stopped after the groups. Env of both: AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true HOME=<empty temp dir>, other AWS_* variables removed.',
    ],
    async setup(state) {
      state.servers = await awsServers();
      awsCli();
      state.home = mkdtempSync(join(os.tmpdir(), 'obs-bench-home-'));
      state.env = awsEnv(state.home);
    },
    teardown(state) {
      if (state.home) rmSync(state.home, { recursive: true, force: true });
    },
    benchmarks: [
      ...[
        { name: 'obs --retention 14', tag: 'obs', retention: true },
        { name: 'obs, no --retention', tag: 'obs-noret', retention: false },
        { name: 'obs --retention 14, no compile cache', tag: 'obs-nocache', retention: true, noCache: true },
      ].map((b) => ({
        name: b.name,
        env: (s) => (b.noCache ? { ...s.env, OBS_COMPILE_CACHE: '0' } : s.env),
        prepare: (s, ctx) => (ctx.logGroup = `/obs-bench/${RUN_TAG}/${b.tag}-${(ctx.n = (ctx.n ?? 0) + 1)}`),
        argv: (s, ctx) => obs('logs', 'create-group', '--name', ctx.logGroup, ...(b.retention ? ['--retention', '14'] : []), '--endpoint-url', s.servers.motoUrl),
        display: `${b.noCache ? 'OBS_COMPILE_CACHE=0 ' : ''}node bin/obs.js logs create-group --name <new> ${b.retention ? '--retention 14 ' : ''}--endpoint-url <moto>`,
        async verify(s, ctx) {
          const found = await findLogGroup(s.servers.motoUrl, ctx.logGroup);
          expect(found && found.retentionInDays === (b.retention ? 14 : undefined), `log group ${ctx.logGroup}: ${JSON.stringify(found)}`);
        },
      })),
      {
        name: 'aws logs create-log-group',
        env: (s) => s.env,
        prepare: (s, ctx) => (ctx.logGroup = `/obs-bench/${RUN_TAG}/aws-${(ctx.n = (ctx.n ?? 0) + 1)}`),
        argv: (s, ctx) => [awsCli(), 'logs', 'create-log-group', '--log-group-name', ctx.logGroup, '--endpoint-url', s.servers.motoUrl],
        display: 'aws logs create-log-group --log-group-name <new> --endpoint-url <moto>',
        async verify(s, ctx) {
          expect(await findLogGroup(s.servers.motoUrl, ctx.logGroup), `log group ${ctx.logGroup} not found`);
        },
      },
    ],
    goals: [
      {
        name: 'obs logs create-group --retention 14 at most 0.35x aws logs create-log-group (median)',
        value: medianRatio('obs --retention 14', 'aws logs create-log-group'),
        limit: 0.35,
        unit: 'x',
      },
    ],
  },
  {
    id: 'apply',
    title: 'obs apply vs the AWS CLI sequence (1 X-Ray group, 1 sampling rule, 3 log groups with retention)',
    runs: 10,
    warmup: 2,
    notes: [
      'Every execution writes new names first (untimed): obs.yaml for obs apply, rule.json and the argvs for the CLI. Both create the same resources: X-Ray group with filter expression, sampling rule, three log groups with retention 14/30/7 days, all tagged managed-by=obs (obs always tags; the CLI calls pass --tags / "Tags").',
      'The CLI sequence is 8 processes run one after another, timed together: aws xray create-group, aws xray create-sampling-rule --cli-input-json file://rule.json, then per log group aws logs create-log-group + aws logs put-retention-policy; each with --endpoint-url. obs apply reaches the servers through AWS_ENDPOINT_URL_XRAY and AWS_ENDPOINT_URL_CLOUDWATCH_LOGS.',
      'Servers: the X-Ray server of test/support/xray-server.ts (compiled at bench time, run in a child node process, sampling rule limit raised from 25 so that every run can create one) and moto_server, shared with the logs group. Env as in the logs group. Checked once, by querying the servers, that each path created all five resources with the declared settings.',
    ],
    async setup(state) {
      state.servers = await awsServers();
      awsCli();
      state.dir = mkdtempSync(join(os.tmpdir(), 'obs-bench-apply-'));
      state.env = awsEnv(state.dir, { AWS_ENDPOINT_URL_XRAY: state.servers.xrayUrl, AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: state.servers.motoUrl });
    },
    teardown(state) {
      if (state.dir) rmSync(state.dir, { recursive: true, force: true });
    },
    benchmarks: [
      {
        name: 'obs apply',
        env: (s) => s.env,
        prepare(s, ctx) {
          ctx.prefix = `ob${RUN_TAG}o${(ctx.n = (ctx.n ?? 0) + 1)}`;
          ctx.dir = join(s.dir, 'obs');
          mkdirSync(ctx.dir, { recursive: true });
          writeFileSync(join(ctx.dir, 'obs.yaml'), applyYaml(ctx.prefix));
        },
        argv: (s, ctx) => obs('apply', '--dir', ctx.dir),
        display: 'node bin/obs.js apply --dir <tmp: obs.yaml with new names>',
        verify: (s, ctx) => verifyApply(s.servers, ctx.prefix),
      },
      {
        name: 'aws CLI sequence (8 processes)',
        env: (s) => s.env,
        prepare(s, ctx) {
          ctx.prefix = `ob${RUN_TAG}c${(ctx.n = (ctx.n ?? 0) + 1)}`;
          ctx.rule = join(s.dir, 'rule.json');
          writeFileSync(ctx.rule, `${JSON.stringify(applyRuleJson(ctx.prefix), null, 2)}\n`);
        },
        argv(s, ctx) {
          const xray = ['--endpoint-url', s.servers.xrayUrl];
          const logs = ['--endpoint-url', s.servers.motoUrl];
          return [
            [awsCli(), 'xray', 'create-group', '--group-name', ctx.prefix, '--filter-expression', APPLY.filter, '--tags', 'Key=managed-by,Value=obs', ...xray],
            [awsCli(), 'xray', 'create-sampling-rule', '--cli-input-json', `file://${ctx.rule}`, ...xray],
            ...APPLY.logGroups.flatMap((g) => [
              [awsCli(), 'logs', 'create-log-group', '--log-group-name', `/${ctx.prefix}/${g.suffix}`, '--tags', 'managed-by=obs', ...logs],
              [awsCli(), 'logs', 'put-retention-policy', '--log-group-name', `/${ctx.prefix}/${g.suffix}`, '--retention-in-days', String(g.days), ...logs],
            ]),
          ];
        },
        display: 'aws xray create-group ...; aws xray create-sampling-rule --cli-input-json file://rule.json; 3 x (aws logs create-log-group ...; aws logs put-retention-policy ...)',
        verify: (s, ctx) => verifyApply(s.servers, ctx.prefix),
      },
    ],
    goals: [
      {
        name: 'obs apply at most 0.15x the AWS CLI sequence (median)',
        value: medianRatio('obs apply', 'aws CLI sequence (8 processes)'),
        limit: 0.15,
        unit: 'x',
      },
    ],
  },
];

// ---------------------------------------------------------------------------------------------
// Command line
// ---------------------------------------------------------------------------------------------

function usage() {
  return [
    'usage: node bench/run.mjs [--only <group>[,<group>...]] [--runs N] [--warmup N] [--no-write] [--keep] [--keep-node-extra-ca-certs]',
    `  groups: ${GROUPS.map((g) => g.id).join(', ')}`,
    "  --runs/--warmup override every group's defaults; --no-write leaves bench/RESULTS.md alone;",
    '  --keep keeps generated projects in the temp dir; --keep-node-extra-ca-certs runs the children',
    '  with NODE_EXTRA_CA_CERTS if it is set (removed by default: it adds its load time to every node start).',
    '  Run `npm run build` first (npm run bench does), the benchmarks run dist/ through bin/obs.js.',
  ].join('\n');
}

function parseArgs(argv) {
  const opts = { only: undefined, runs: undefined, warmup: undefined, write: true, keep: false };
  const intArg = (name, text, min) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min) fail(`${name} needs an integer >= ${min}, got ${text ?? 'nothing'}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case '--only': {
        const ids = String(value() ?? '')
          .split(/[,|]/)
          .map((s) => s.trim())
          .filter(Boolean);
        const unknown = ids.filter((id) => !GROUPS.some((g) => g.id === id));
        if (ids.length === 0 || unknown.length > 0) fail(`--only: unknown group ${unknown.join(', ') || '(none given)'}`);
        opts.only = new Set(ids);
        break;
      }
      case '--runs':
        opts.runs = intArg('--runs', value(), 1);
        break;
      case '--warmup':
        opts.warmup = intArg('--warmup', value(), 0);
        break;
      case '--no-write':
        opts.write = false;
        break;
      case '--keep':
        opts.keep = true;
        break;
      case '--keep-node-extra-ca-certs':
        break; // read at start-up, see KEEP_EXTRA_CA_CERTS
      case '-h':
      case '--help':
        process.stdout.write(`${usage()}\n`);
        process.exit(0);
        break;
      default:
        fail(`unknown argument: ${arg}`);
    }
  }
  return opts;
}

function fail(message) {
  process.stderr.write(`bench: ${message}\n${usage()}\n`);
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------
// Measuring
// ---------------------------------------------------------------------------------------------

function log(line = '') {
  process.stdout.write(`${line}\n`);
}

/** A command is one argv, or a sequence of argvs run one after another. */
const steps = (cmd) => (Array.isArray(cmd[0]) ? cmd : [cmd]);

/**
 * Runs the command once with output to /dev/null; returns wall time in ms (the whole sequence)
 * and the exit status (of the first step that failed).
 */
function timeOnce(cmd, env = CHILD_ENV) {
  const t0 = process.hrtime.bigint();
  let r;
  for (const argv of steps(cmd)) {
    r = spawnSync(argv[0], argv.slice(1), { cwd: ROOT, env, stdio: 'ignore' });
    if (r.error || r.status !== 0) break;
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return { ms, status: r.status, signal: r.signal, error: r.error };
}

/** Runs the command once, stderr to a temp file, and throws with its tail if an exit code is not 0. */
function checkExitCode(cmd, env = CHILD_ENV) {
  const dir = mkdtempSync(join(os.tmpdir(), 'obs-bench-check-'));
  const errPath = join(dir, 'stderr');
  const fd = openSync(errPath, 'w');
  try {
    const t0 = performance.now();
    for (const argv of steps(cmd)) {
      const r = spawnSync(argv[0], argv.slice(1), { cwd: ROOT, env, stdio: ['ignore', 'ignore', fd] });
      if (r.error || r.status !== 0) {
        const tail = readFileSync(errPath, 'utf8').split('\n').slice(-15).join('\n');
        throw new Error(`exit ${r.status ?? r.signal ?? r.error?.message} from ${display(argv)}\n${tail}`);
      }
    }
    return performance.now() - t0;
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
}

function display(cmd) {
  const one = (argv) => argv.map((a) => (a === NODE ? 'node' : a.startsWith(ROOT) ? relative(ROOT, a) || '.' : a)).join(' ');
  return steps(cmd).map(one).join('; ');
}

function quantile(sorted, q) {
  // Nearest-rank: the smallest sample with at least q of the samples at or below it.
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)];
}

function stats(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { runs: sorted.length, median, p90: quantile(sorted, 0.9), min: sorted[0], max: sorted.at(-1), samples };
}

async function runGroup(group, opts) {
  const state = {};
  const results = {};
  const notes = [...(group.notes ?? [])];
  log(`\n== ${group.id}: ${group.title}`);
  try {
    await group.setup?.(state);
    const entries = group.benchmarks.map((b) => {
      const ctx = {};
      const e = { ...b, ctx, env: b.env?.(state) ?? CHILD_ENV, samples: [] };
      if (!b.prepare) e.cmd = b.argv(state, ctx);
      // The command of the next execution (prepared anew, untimed, when the benchmark asks).
      e.next = () => {
        if (!b.prepare) return e.cmd;
        b.prepare(state, ctx);
        return (e.cmd = b.argv(state, ctx));
      };
      return e;
    });

    // Check the exit code once (it also warms the caches), verify, then the warm-up runs.
    for (const e of entries) {
      const ms = checkExitCode(e.next(), e.env);
      if (e.verify) await e.verify(state, e.ctx);
      const warmup = opts.warmup ?? group.warmup;
      const times = [ms];
      for (let i = 0; i < warmup; i++) {
        const r = timeOnce(e.next(), e.env);
        if (r.status !== 0) throw new Error(`exit ${r.status ?? r.signal} during warm-up of ${e.name}`);
        times.push(r.ms);
      }
      e.runs = opts.runs ?? group.runs;
      const typical = times.slice(1).length ? Math.min(...times.slice(1)) : ms;
      if (opts.runs === undefined && group.slowMs && typical > group.slowMs && group.minRuns < e.runs) {
        e.runs = group.minRuns;
        notes.push(`${e.name}: ${group.minRuns} runs instead of ${group.runs}, one run takes ${fmtMs(typical)} (> ${fmtMs(group.slowMs)})`);
      }
      log(`  ${e.name}: exit 0 checked${e.verify ? ', result verified on the servers' : ''}, ${warmup} warm-up run(s) done (${times.map(fmtMs).join(', ')})`);
    }

    // Timed runs, round-robin across the group.
    const total = entries.reduce((n, e) => n + e.runs, 0);
    let done = 0;
    for (let round = 0; entries.some((e) => e.samples.length < e.runs); round++) {
      for (const e of entries) {
        if (e.samples.length >= e.runs) continue;
        const r = timeOnce(e.next(), e.env);
        if (r.status !== 0) throw new Error(`exit ${r.status ?? r.signal} during timed run ${e.samples.length + 1} of ${e.name}`);
        e.samples.push(r.ms);
        done++;
      }
      if (process.stdout.isTTY) process.stdout.write(`\r  timed runs: ${done}/${total}`);
    }
    if (process.stdout.isTTY) process.stdout.write('\r\x1b[K');
    for (const e of entries) results[e.name] = { ...stats(e.samples), command: e.display ?? display(e.cmd) };
    const goals = group.goals.map((g) => {
      const value = g.value(results);
      return { ...g, value, ratio: value / g.limit, pass: value <= g.limit };
    });
    return { group, results, goals, notes };
  } catch (err) {
    return { group, results, goals: [], notes, error: err.message };
  } finally {
    if (!opts.keep) group.teardown?.(state);
    else if (Object.keys(state).length)
      notes.push(
        `kept: ${Object.values(state)
          .filter((v) => typeof v === 'string')
          .join(', ')}`,
      );
  }
}

// ---------------------------------------------------------------------------------------------
// Reporting
// ---------------------------------------------------------------------------------------------

const colour = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code, s) => (colour ? `\x1b[${code}m${s}\x1b[0m` : s);
const verdict = (pass) => (pass ? paint('32', 'PASS') : paint('1;31', 'FAIL'));

function fmtMs(ms) {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`;
}

function fmtValue(v, unit) {
  return unit === 'ms' ? fmtMs(v) : `${v.toFixed(2)}${unit}`;
}

function table(headers, rows, align) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => stripAnsi(r[i]).length)));
  const pad = (s, i) => (align[i] === 'r' ? ' '.repeat(widths[i] - stripAnsi(s).length) + s : s + ' '.repeat(widths[i] - stripAnsi(s).length));
  return [headers.map(pad).join('  '), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map((r) => r.map(pad).join('  '))].join('\n');
}

function stripAnsi(s) {
  // eslint-disable-next-line no-control-regex
  return String(s).replace(/\x1b\[[0-9;]*m/g, '');
}

function benchRows(outcome) {
  return Object.entries(outcome.results).map(([name, r]) => [name, String(r.runs), fmtMs(r.median), fmtMs(r.p90), fmtMs(r.min), fmtMs(r.max)]);
}

function goalRows(outcome, forMarkdown) {
  return outcome.goals.map((g) => [g.name, fmtValue(g.value, g.unit), fmtValue(g.limit, g.unit), `${g.ratio.toFixed(2)}`, forMarkdown ? (g.pass ? 'PASS' : '**FAIL**') : verdict(g.pass)]);
}

const BENCH_HEADERS = ['benchmark', 'runs', 'median', 'p90', 'min', 'max'];
const GOAL_HEADERS = ['goal', 'measured', 'goal', 'measured/goal', 'result'];

function printOutcome(outcome) {
  if (outcome.error) {
    log(paint('1;31', `  ERROR: ${outcome.error}`));
    return;
  }
  log('');
  log(table(BENCH_HEADERS, benchRows(outcome), ['l', 'r', 'r', 'r', 'r', 'r']));
  log('');
  log(table(GOAL_HEADERS, goalRows(outcome, false), ['l', 'r', 'r', 'r', 'l']));
  for (const note of outcome.notes) log(`  note: ${note}`);
}

function machine() {
  const cpus = os.cpus();
  return {
    nproc: typeof os.availableParallelism === 'function' ? os.availableParallelism() : cpus.length,
    cpu: cpus[0]?.model?.trim() ?? 'unknown',
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    memGiB: (os.totalmem() / 2 ** 30).toFixed(1),
    // Other work on the machine skews wall times; recorded so that a noisy run can be spotted.
    load: os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' '),
  };
}

function gitRevision() {
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' });
  if (head.status !== 0) return 'unknown (not a git checkout)';
  // bench/RESULTS.md is this script's own output: a change there is not a change to what was measured.
  const dirty = spawnSync('git', ['status', '--porcelain', '--untracked-files=no', '--', '.', ':(exclude)bench/RESULTS.md'], { cwd: ROOT, encoding: 'utf8' });
  return `${head.stdout.trim()}${dirty.stdout?.trim() ? ' + uncommitted changes' : ''}`;
}

/** The command as the user typed it, as far as we can tell. */
function invocation(argv) {
  const extra = argv.length ? ` ${argv.join(' ')}` : '';
  if (process.env.npm_lifecycle_event === 'bench') return `npm run bench${extra ? ` --${extra}` : ''}`;
  return `node bench/run.mjs${extra}`;
}

function markdownSection(outcome, meta) {
  const { group } = outcome;
  const lines = [
    `<!-- bench:${group.id}:begin -->`,
    `## ${group.id}: ${group.title}`,
    '',
    `- Date: ${meta.date}`,
    `- Machine: nproc ${meta.machine.nproc}, ${meta.machine.cpu}, ${meta.machine.memGiB} GiB, ${meta.machine.os}; node ${meta.machine.node}; load average at start ${meta.machine.load}`,
    `- Revision: ${meta.revision}`,
    `- Command: \`${meta.command}\``,
    `- Method: spawnSync wall time, stdout/stderr to /dev/null, ${ENV_DESCRIPTION}; exit code 0 checked once, then ${outcome.error ? '-' : describeRuns(outcome)}; benchmarks interleaved round-robin.`,
    '',
  ];
  if (outcome.error) {
    lines.push(`**ERROR**: ${outcome.error.split('\n')[0]}`, '');
  } else {
    const md = (headers, rows) => [`| ${headers.join(' | ')} |`, `| ${headers.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
    lines.push(
      ...md(
        BENCH_HEADERS,
        benchRows(outcome).map((r, i) => [`${r[0]} (\`${Object.values(outcome.results)[i].command}\`)`, ...r.slice(1)]),
      ),
      '',
    );
    lines.push(...md(GOAL_HEADERS, goalRows(outcome, true)), '');
    for (const note of outcome.notes) lines.push(`Note: ${note}`, '');
  }
  lines.push(`<!-- bench:${group.id}:end -->`);
  return lines.join('\n');
}

function describeRuns(outcome) {
  const warmup = outcome.meta?.warmup;
  const runs = [...new Set(Object.values(outcome.results).map((r) => r.runs))].join('/');
  return `${warmup} warm-up + ${runs} timed runs each`;
}

function writeResults(outcomes, meta) {
  const header = [
    '# Benchmark results',
    '',
    'Written by `bench/run.mjs` (`npm run bench`, or `node bench/run.mjs --only <group>` after `npm run build`).',
    'Each run replaces the sections of the groups it ran. Times are wall-clock medians and p90 over the',
    'timed runs; "measured/goal" above 1.00 means the goal is missed.',
    '',
  ].join('\n');
  let text = existsSync(RESULTS) ? readFileSync(RESULTS, 'utf8') : header;
  for (const outcome of outcomes) {
    const section = markdownSection(outcome, meta);
    const re = new RegExp(`<!-- bench:${outcome.group.id}:begin -->[\\s\\S]*?<!-- bench:${outcome.group.id}:end -->`);
    text = re.test(text) ? text.replace(re, () => section) : `${text.replace(/\n*$/, '\n\n')}${section}\n`;
  }
  writeFileSync(RESULTS, text);
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const argv = process.argv.slice(2);
  const opts = parseArgs(argv);
  if (!existsSync(join(ROOT, 'dist', 'main.cjs'))) {
    process.stderr.write('bench: dist/main.cjs is missing; run `npm run build` (or `npm run bench`).\n');
    return 1;
  }
  const meta = { date: new Date().toISOString(), machine: machine(), revision: gitRevision(), command: invocation(argv) };
  const m = meta.machine;
  log(`obs benchmarks: ${meta.date}`);
  log(`machine: nproc ${m.nproc}, ${m.cpu}, ${m.memGiB} GiB, ${m.os}; node ${m.node}; load ${m.load}; revision ${meta.revision}`);
  log(`command: ${meta.command}`);

  const outcomes = [];
  try {
    for (const group of GROUPS) {
      if (opts.only && !opts.only.has(group.id)) continue;
      const outcome = await runGroup(group, opts);
      outcome.meta = { warmup: opts.warmup ?? group.warmup };
      printOutcome(outcome);
      outcomes.push(outcome);
    }
  } finally {
    await stopAwsServers();
  }

  const goals = outcomes.flatMap((o) => o.goals);
  const failed = goals.filter((g) => !g.pass);
  const errors = outcomes.filter((o) => o.error);
  log('');
  log(`== summary: ${goals.length - failed.length} PASS, ${failed.length} FAIL${errors.length ? `, ${errors.length} group(s) ERROR` : ''}`);
  for (const g of failed) log(`  ${verdict(false)} ${g.name}: ${fmtValue(g.value, g.unit)} vs ${fmtValue(g.limit, g.unit)} (${g.ratio.toFixed(2)}x the goal)`);
  for (const o of errors) log(`  ${paint('1;31', 'ERROR')} ${o.group.id}: ${o.error.split('\n')[0]}`);

  if (opts.write) {
    writeResults(outcomes, meta);
    log(`results: ${relative(process.cwd(), RESULTS) || RESULTS}`);
  }
  // A report: failing goals exit 0. A benchmark that could not run is an error.
  return errors.length ? 1 : 0;
}

process.exitCode = await main();
