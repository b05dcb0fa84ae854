/**
 * The real OpenTelemetry Collector for tests: test/support/otelcol, built by
 * `node scripts/build-test-collector.mjs` into a cache outside the repo (`.ci/run` builds it).
 *
 * - collectorBinary(): where that build is; throws a clear error when it is missing (tests fail, never skip).
 * - validateCollectorConfig(file, env): `otelcol validate --config file`, as obs-written configs are checked.
 * - startCollector({ config, env }): runs the collector on free ports — the listening endpoints of the
 *   config's otlp and awsxray receivers and health_check extensions are replaced (with `--set`) by free
 *   127.0.0.1 ports, so the config file itself is used as written — waits until it is ready, and keeps
 *   its output for assertions. Every collector still running when a test file ends is stopped
 *   (cleanup.ts), and killed if the test process exits first.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import dgram from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';

const root = join(import.meta.dirname, '..', '..');
const SOURCE = join(root, 'test', 'support', 'otelcol');
// The same inputs and hash as scripts/build-test-collector.mjs (a support test checks they agree).
const INPUTS = ['go.mod', 'go.sum', 'main.go'];

/** Where the build of the current test/support/otelcol belongs. */
export function collectorBinaryPath(): string {
  const cacheRoot = process.env.OBS_TEST_OTELCOL_CACHE || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'obs-test-otelcol');
  const hash = createHash('sha256');
  for (const name of INPUTS) hash.update(readFileSync(join(SOURCE, name)));
  return join(cacheRoot, hash.digest('hex').slice(0, 16), 'otelcol');
}

/** The test collector's binary; throws (so the test fails) when it has not been built. */
export function collectorBinary(): string {
  const path = collectorBinaryPath();
  if (!existsSync(path)) {
    throw new Error(
      `the test OpenTelemetry Collector is not built (no ${path}): run \`node scripts/build-test-collector.mjs\` ` + '(needs Go 1.26 and the Go module proxy; .ci/run does it before npm test)',
    );
  }
  return path;
}

/**
 * The environment a collector child gets: PATH and what the test gives, nothing else of the test
 * process (no real AWS credentials or profiles). The instance metadata service is switched off so
 * the AWS credential and region chains never leave this machine.
 */
function collectorEnv(env: Record<string, string>, scratch: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: scratch,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: join(scratch, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(scratch, 'no-aws-credentials'),
    ...env,
  };
}

export interface ValidateResult {
  ok: boolean;
  exitCode: number | null;
  /** stdout and stderr together. */
  output: string;
}

/** `otelcol validate --config <file>` with the given environment (for `${env:...}` references). */
export function validateCollectorConfig(configFile: string, env: Record<string, string> = {}): ValidateResult {
  const scratch = mkdtempSync(join(tmpdir(), 'obs-otelcol-'));
  try {
    const run = spawnSync(collectorBinary(), ['validate', `--config=file:${configFile}`], { env: collectorEnv(env, scratch), encoding: 'utf8', timeout: 30_000 });
    return { ok: run.status === 0, exitCode: run.status, output: `${run.stdout}${run.stderr}` };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

export interface CollectorPorts {
  /** By receiver id (e.g. `otlp`, `otlp/browser`): the ports it was given. */
  otlp: Record<string, { grpc?: number; http?: number }>;
  /** By receiver id: UDP segment port and TCP sampling-proxy port. */
  awsxray: Record<string, { udp: number; proxy: number }>;
  /** By extension id. */
  healthCheck: Record<string, number>;
}

export interface StartCollectorOptions {
  /** The config file, used as written (endpoints of listeners are overridden by `--set`). */
  config: string;
  /** Environment for `${env:NAME}` references, credentials, region. */
  env?: Record<string, string>;
  /** More command-line arguments (e.g. `--set=...`). */
  args?: string[];
  readyTimeoutMs?: number;
}

export interface RunningCollector {
  pid: number;
  ports: CollectorPorts;
  /** http://127.0.0.1:<port> of the first otlp receiver's HTTP protocol (what SDKs take as OTEL_EXPORTER_OTLP_ENDPOINT). */
  otlpHttpUrl?: string;
  /** Everything it printed so far (the collector logs to stderr). */
  output(): string;
  /** Resolves when its output matches; rejects after timeoutMs or when it exits. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** SIGTERM, then SIGKILL after 10 s; resolves with how it ended. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Stops every collector this test process started and that still runs (cleanup.ts calls it after each file). */
export async function stopAllCollectors(): Promise<void> {
  await Promise.all([...running].map((child) => stopChild(child)));
}

function stopChild(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal });
    });
    child.kill('SIGTERM');
  });
}

async function freeTcpPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function freeUdpPort(): Promise<number> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve, reject) => socket.once('error', reject).bind(0, '127.0.0.1', () => resolve()));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const typeOf = (id: string) => id.split('/')[0]!;

/** Free ports for every listener the config defines, and the `--set` flags that put them there. */
async function assignPorts(configFile: string): Promise<{ ports: CollectorPorts; sets: string[] }> {
  const config = obj(parse(readFileSync(configFile, 'utf8')));
  const ports: CollectorPorts = { otlp: {}, awsxray: {}, healthCheck: {} };
  const sets: string[] = [];
  const set = (path: string[], port: number) => sets.push(`--set=${path.join('::')}=127.0.0.1:${port}`);
  for (const [id, raw] of Object.entries(obj(config.receivers))) {
    if (typeOf(id) === 'otlp') {
      const protocols = obj(obj(raw).protocols);
      const given: { grpc?: number; http?: number } = {};
      for (const protocol of ['grpc', 'http'] as const) {
        if (!(protocol in protocols)) continue;
        given[protocol] = await freeTcpPort();
        set(['receivers', id, 'protocols', protocol, 'endpoint'], given[protocol]);
      }
      ports.otlp[id] = given;
    } else if (typeOf(id) === 'awsxray') {
      const given = { udp: await freeUdpPort(), proxy: await freeTcpPort() };
      set(['receivers', id, 'endpoint'], given.udp);
      set(['receivers', id, 'proxy_server', 'endpoint'], given.proxy);
      ports.awsxray[id] = given;
    }
  }
  for (const id of Object.keys(obj(config.extensions))) {
    if (typeOf(id) !== 'health_check') continue;
    ports.healthCheck[id] = await freeTcpPort();
    set(['extensions', id, 'endpoint'], ports.healthCheck[id]);
  }
  return { ports, sets };
}

/** The collector's own metrics endpoint (8888 by default) would clash between parallel collectors. */
const QUIET_TELEMETRY = ['--set=service::telemetry::metrics::level=none'];

export async function startCollector(options: StartCollectorOptions): Promise<RunningCollector> {
  const binary = collectorBinary();
  const { ports, sets } = await assignPorts(options.config);
  const scratch = mkdtempSync(join(tmpdir(), 'obs-otelcol-'));
  const child = spawn(binary, [`--config=file:${options.config}`, ...sets, ...QUIET_TELEMETRY, ...(options.args ?? [])], {
    env: collectorEnv(options.env ?? {}, scratch),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let output = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    for (const listener of [...listeners]) listener();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => {
    running.delete(child);
    rmSync(scratch, { recursive: true, force: true });
    for (const listener of [...listeners]) listener();
  });
  const ended = () => child.exitCode !== null || child.signalCode !== null;

  const waitForOutput = (pattern: RegExp, timeoutMs = 10_000) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (pattern.test(output)) return done(resolve);
        if (ended()) return done(() => reject(new Error(`the collector exited (code ${child.exitCode}, signal ${child.signalCode}) before printing ${pattern}; output:\n${output}`)));
      };
      const done = (finish: () => void) => {
        clearTimeout(timer);
        listeners.delete(check);
        finish();
      };
      const timer = setTimeout(() => done(() => reject(new Error(`the collector did not print ${pattern} within ${timeoutMs} ms; output:\n${output}`))), timeoutMs);
      listeners.add(check);
      check();
    });

  const collector: RunningCollector = {
    pid: child.pid!,
    ports,
    otlpHttpUrl: Object.values(ports.otlp).find((p) => p.http)?.http ? `http://127.0.0.1:${Object.values(ports.otlp).find((p) => p.http)!.http}` : undefined,
    output: () => output,
    waitForOutput,
    stop: () => stopChild(child),
  };

  try {
    const timeoutMs = options.readyTimeoutMs ?? 30_000;
    // The collector logs this once every pipeline and extension has started.
    await waitForOutput(/Everything is ready\. Begin running and processing data\./, timeoutMs);
    for (const port of Object.values(ports.healthCheck)) await waitForHealthy(port, timeoutMs, () => output);
  } catch (err) {
    await stopChild(child);
    throw err;
  }
  return collector;
}

/** health_check answers 200 once the collector is ready (503 before). */
async function waitForHealthy(port: number, timeoutMs: number, output: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/`);
      last = `HTTP ${res.status} ${await res.text()}`;
      if (res.status === 200) return;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`health_check on port ${port} did not answer 200 within ${timeoutMs} ms (last: ${last}); output:\n${output()}`);
}

/** Writes a config to a temp file (removed with the test's scratch dirs by the caller) and returns its path. */
export function writeCollectorConfig(dir: string, text: string, name = 'collector.yaml'): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}
