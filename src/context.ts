import type { Readable, Writable } from 'node:stream';

/**
 * Everything a command touches outside itself comes through here, so tests drive the real
 * prompts and streams of the built binary instead of mocking modules.
 */
export interface Context {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdin: Readable & { isTTY?: boolean };
  /** Data only (`--json` documents). */
  stdout: Writable;
  /** Everything meant for a person: progress, diffs, prompts, errors. */
  stderr: Writable & { isTTY?: boolean };
  /** Prompts are allowed: stdin and stderr are terminals and CI is not set. */
  interactive: boolean;
  color: boolean;
}

export function processContext(): Context {
  const env = process.env;
  const ci = env.CI !== undefined && env.CI !== '' && env.CI !== '0' && env.CI.toLowerCase() !== 'false';
  const interactive = Boolean(process.stdin.isTTY && process.stderr.isTTY) && !ci;
  const color = Boolean(process.stderr.isTTY) && env.NO_COLOR === undefined && env.TERM !== 'dumb' || env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0';
  return { cwd: process.cwd(), env, stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, interactive, color };
}

export function say(ctx: Context, line = ''): void {
  ctx.stderr.write(`${line}\n`);
}
