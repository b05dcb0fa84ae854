import { spawn } from 'node:child_process';
import { createServer } from 'node:net';

export interface Moto {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** A port nobody listens on right now: bind 0, read the port, close. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts `moto_server` (a local fake of the AWS APIs) on a free port and waits until it answers.
 * One server serves every service; data is kept per region, so tests use unique names.
 */
export async function startMoto(timeoutMs = 30_000): Promise<Moto> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  let exited: string | undefined;
  const spawnError = new Promise<never>((_, reject) => {
    child.once('error', (err: NodeJS.ErrnoException) => {
      reject(err.code === 'ENOENT' ? new Error("moto_server not found on PATH: install it with pip install 'moto[server]'") : err);
    });
  });
  child.once('exit', (code, signal) => (exited = `moto_server exited (${signal ?? code}) before answering:\n${stderr}`));
  spawnError.catch(() => {});

  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    // Werkzeug normally exits at once; don't let a stuck server hang the test run.
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await gone;
    clearTimeout(timer);
  };

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await Promise.race([spawnError, new Promise((r) => setTimeout(r, 150))]);
    if (exited) throw new Error(exited);
    try {
      const res = await fetch(`${url}/moto-api/`, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return { url, port, stop };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`moto_server did not answer on ${url}/moto-api/ within ${timeoutMs / 1000} s:\n${stderr}`);
    }
  }
}
