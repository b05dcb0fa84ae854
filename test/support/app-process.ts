import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';

/**
 * An app started as a process for an end-to-end test: only the environment given (nothing
 * inherited from the test process), its output kept, ready once its port accepts connections
 * (no HTTP request, so nothing is traced before the test asks). Every app still running when
 * the test process exits is killed.
 */
export interface AppProcess {
  child: ChildProcess;
  /** stdout and stderr together, so far. */
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then SIGKILL after 5 s. */
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export async function startApp(command: string, args: string[], options: { cwd: string; env: Record<string, string>; port: number; timeoutMs?: number }): Promise<AppProcess> {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );
  const app: AppProcess = {
    child,
    output: () => output,
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      child.kill('SIGTERM');
      await exited;
      clearTimeout(killer);
    },
  };
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${command} ${args.join(' ')} exited (${child.exitCode ?? child.signalCode}) before listening:\n${output}`);
    if (await accepts(options.port)) return app;
    if (Date.now() > deadline) {
      await app.stop();
      throw new Error(`${command} ${args.join(' ')} did not listen on ${options.port}:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
