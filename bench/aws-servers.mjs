// Local AWS servers for the `logs` and `apply` benchmark groups (plain Node ESM, built-ins only,
// plus the repository's own TypeScript compiler when esbuild is not installed):
//
//   - moto_server (CloudWatch Logs) on a free 127.0.0.1 port, as test/support/moto.ts starts it;
//   - the X-Ray control-plane server of test/support/xray-server.ts, compiled to JavaScript at
//     bench time (Node 20 cannot run .ts) and run in a child process.
//
// Both run as separate processes on purpose: the runner times children with spawnSync, which
// blocks this process's event loop, so a server living in this process could not answer. Their
// output goes to files, not pipes, for the same reason (a full pipe would stall the server).
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, cpSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export const REGION = 'us-east-1';

/** A port nobody listens on right now: bind 0, read the port, close. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const tail = (path) => (existsSync(path) ? readFileSync(path, 'utf8').split('\n').slice(-20).join('\n') : '');

/** Spawns a long-running child with stdout/stderr to files; stop() sends SIGTERM, then SIGKILL. */
function spawnServer(command, args, logDir, name) {
  const outPath = join(logDir, `${name}.out`);
  const errPath = join(logDir, `${name}.err`);
  const out = openSync(outPath, 'w');
  const err = openSync(errPath, 'w');
  const child = spawn(command, args, { stdio: ['ignore', out, err] });
  closeSync(out);
  closeSync(err);
  let spawnError;
  child.once('error', (e) => (spawnError = e));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null || spawnError) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await gone;
    clearTimeout(timer);
  };
  const failure = () => {
    if (spawnError) return spawnError.code === 'ENOENT' ? `${command} not found on PATH` : spawnError.message;
    if (child.exitCode !== null || child.signalCode !== null) return `${name} exited (${child.signalCode ?? child.exitCode}):\n${tail(errPath)}`;
    return undefined;
  };
  return { child, stop, failure, outPath, errPath };
}

async function waitUntil(ready, proc, what, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await sleep(100);
    const failed = proc.failure();
    if (failed) throw new Error(failed);
    const value = await ready().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) {
      await proc.stop();
      throw new Error(`${what} did not come up within ${timeoutMs / 1000} s:\n${tail(proc.errPath)}`);
    }
  }
}

/** moto_server on a free port (see test/support/moto.ts). */
export async function startMoto(logDir, timeoutMs = 30_000) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = spawnServer('moto_server', ['-H', '127.0.0.1', '-p', String(port)], logDir, 'moto');
  const answers = () =>
    new Promise((resolve) => {
      const req = http.get(`${url}/moto-api/`, { agent: false, timeout: 2_000 }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      req.on('timeout', () => req.destroy());
      req.on('error', () => resolve(false));
    });
  await waitUntil(answers, proc, `moto_server on ${url}`, timeoutMs);
  return { url, port, stop: proc.stop };
}

/**
 * Compiles test/support/xray-server.ts into `dir/xray-server.mjs` (esbuild when the repository
 * has it, else TypeScript's transpileModule: the file imports only node: built-ins) and copies the
 * model it reads at `./xray-model/` next to it.
 */
export async function buildXrayServer(root, dir) {
  const source = join(root, 'test', 'support', 'xray-server.ts');
  const outfile = join(dir, 'xray-server.mjs');
  const esbuild = join(root, 'node_modules', '.bin', 'esbuild');
  let how;
  if (existsSync(esbuild)) {
    const r = spawnSync(esbuild, [source, '--bundle', '--platform=node', '--format=esm', `--outfile=${outfile}`, '--packages=external', '--log-level=warning'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`esbuild failed on ${source}:\n${r.stderr}`);
    how = 'esbuild';
  } else {
    const { default: ts } = await import('typescript');
    const out = ts.transpileModule(readFileSync(source, 'utf8'), {
      fileName: source,
      reportDiagnostics: true,
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, isolatedModules: true },
    });
    const errors = (out.diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error);
    if (errors.length) throw new Error(`cannot transpile ${source}: ${ts.flattenDiagnosticMessageText(errors[0].messageText, '\n')}`);
    writeFileSync(outfile, out.outputText);
    how = `typescript ${ts.version} transpileModule`;
  }
  cpSync(join(root, 'test', 'support', 'xray-model'), join(dir, 'xray-model'), { recursive: true });
  return { file: outfile, how };
}

/**
 * The X-Ray server in a child node process. maxSamplingRules is raised from AWS's 25: every
 * timed run creates a new rule, and the benchmark measures creation, not the limit.
 */
export async function startXray(root, dir, timeoutMs = 15_000) {
  const built = await buildXrayServer(root, dir);
  const script = [
    `import { startXrayServer } from ${JSON.stringify(pathToFileURL(built.file).href)};`,
    'const server = await startXrayServer({ maxSamplingRules: 100000, pageSize: 100 });',
    'process.stdout.write(server.url + "\\n");',
    'process.on("SIGTERM", () => server.close().finally(() => process.exit(0)));',
  ].join('\n');
  const proc = spawnServer(process.execPath, ['--input-type=module', '-e', script], dir, 'xray');
  const url = await waitUntil(async () => readFileSync(proc.outPath, 'utf8').split('\n')[0].trim() || undefined, proc, 'X-Ray server', timeoutMs);
  return { url, stop: proc.stop, how: built.how };
}

// ---------------------------------------------------------------------------------------------
// Querying the servers (to check that the benchmarked commands really created what they should).
// Neither server checks signatures, only the shape of the SigV4 Authorization header (the X-Ray
// server) or its credential scope (moto, to pick service and region).
// ---------------------------------------------------------------------------------------------

function fakeSigV4(service) {
  const date = new Date().toISOString().slice(0, 10).replaceAll('-', '');
  return `AWS4-HMAC-SHA256 Credential=test/${date}/${REGION}/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`;
}

/**
 * One request on a fresh connection (node:http, no keep-alive agent). Not fetch: its pooled
 * sockets go stale while spawnSync blocks this process's event loop, and the next request on one
 * fails with "fetch failed" once the server has closed it.
 */
function call(url, init, what) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: init.method, headers: init.headers, agent: false, timeout: 10_000 }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode < 200 || res.statusCode >= 300) reject(new Error(`${what}: HTTP ${res.statusCode} ${text.slice(0, 300)}`));
        else {
          try {
            resolve(JSON.parse(text || '{}'));
          } catch (err) {
            reject(new Error(`${what}: not JSON: ${text.slice(0, 300)}`));
          }
        }
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${what}: no answer within 10 s`)));
    req.on('error', (err) => reject(new Error(`${what}: ${err.message}`)));
    req.end(init.body);
  });
}

/** CloudWatch Logs (JSON 1.1 protocol) against moto. */
export function logsCall(motoUrl, operation, body) {
  return call(
    `${motoUrl}/`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `Logs_20140328.${operation}`, authorization: fakeSigV4('logs') },
      body: JSON.stringify(body),
    },
    `logs ${operation}`,
  );
}

/** X-Ray (rest-json: POST /<requestUri>) against the X-Ray server. */
export function xrayCall(xrayUrl, path, body) {
  return call(`${xrayUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: fakeSigV4('xray') }, body: JSON.stringify(body) }, `xray ${path}`);
}

/** The log group named exactly `name`, or undefined. */
export async function findLogGroup(motoUrl, name) {
  const out = await logsCall(motoUrl, 'DescribeLogGroups', { logGroupNamePrefix: name });
  return out.logGroups?.find((g) => g.logGroupName === name);
}

export async function findXrayGroup(xrayUrl, name) {
  return (await xrayCall(xrayUrl, '/GetGroup', { GroupName: name })).Group;
}

export async function findSamplingRule(xrayUrl, name) {
  let NextToken;
  do {
    const page = await xrayCall(xrayUrl, '/GetSamplingRules', NextToken ? { NextToken } : {});
    const found = page.SamplingRuleRecords?.find((r) => r.SamplingRule.RuleName === name);
    if (found) return found.SamplingRule;
    NextToken = page.NextToken;
  } while (NextToken);
  return undefined;
}

/** Starts both servers; `stop()` stops whichever started. */
export async function startAwsServers(root, dir) {
  mkdirSync(dir, { recursive: true });
  const results = await Promise.allSettled([startMoto(dir), startXray(root, dir)]);
  const started = results.filter((r) => r.status === 'fulfilled').map((r) => r.value);
  const stop = async () => {
    await Promise.all(started.map((s) => s.stop().catch(() => {})));
  };
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) {
    await stop();
    throw failed.reason;
  }
  const [moto, xray] = started;
  return { motoUrl: moto.url, xrayUrl: xray.url, xrayBuild: xray.how, stop };
}
