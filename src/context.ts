import type { Readable, Writable } from 'node:stream';
import { isatty } from 'node:tty';

/**
 * Everything a command touches outside itself comes through here, so tests drive the real
 * prompts and streams of the built binary instead of mocking modules.
 */
export interface Context {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdin: Readable & { isTTY?: boolean };
  /**
   * The command's output, what a pipe or a file should get: init's diff, doctor's checklist, the
   * result lines of apply and the AWS commands; with --json, only the JSON document (README: Output).
   */
  stdout: Writable;
  /** Everything meant for a person: what obs found, notes, progress, prompts, errors. */
  stderr: Writable & { isTTY?: boolean };
  /** Prompts are allowed: stdin and stderr are terminals and CI is not set. */
  interactive: boolean;
  /** Colour on stderr. */
  color: boolean;
  /** Colour on stdout: only when it is a terminal too, so a file or a pipe gets plain text. */
  stdoutColor: boolean;
  /** Secrets seen so far: masked in everything written to stdout and stderr. */
  secrets: SeenSecrets;
}

/** What a run has seen that it must never print (src/secrets/net.ts implements it). */
export interface SeenSecrets {
  add(values: Iterable<string>): void;
  /** Every secret that `.env`, compose or other text files hold by position or shape. */
  addFromTexts(texts: Iterable<string | undefined>): void;
  /** `text` with every secret seen so far masked. */
  clean(text: string): string;
}

const guarded = new WeakSet<NodeJS.WriteStream>();

/**
 * `obs doctor --list-checks | head -1`: once the reader exits, writes fail with EPIPE, which
 * Node throws as an unhandled 'error' event (a stack trace on stderr). Nobody is left to read
 * the rest, so it is dropped; the exit code stays what the command decided.
 */
function quietOnClosedPipe(stream: NodeJS.WriteStream): NodeJS.WriteStream {
  if (!guarded.has(stream)) {
    guarded.add(stream);
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
    });
  }
  return stream;
}

/**
 * `stream` with every string written through it passed through `net` first. A proxy, not a new
 * stream: prompts still see the terminal (isTTY, columns, resize events).
 */
function maskedStream<T extends NodeJS.WriteStream>(stream: T, net: SeenSecrets): T {
  const write = (chunk: unknown, ...rest: unknown[]): boolean => (stream.write as (...args: unknown[]) => boolean)(typeof chunk === 'string' ? net.clean(chunk) : chunk, ...rest);
  return new Proxy(stream, {
    get(target, prop) {
      if (prop === 'write') return write;
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

export function processContext(secrets: SeenSecrets): Context {
  const env = process.env;
  let stdout: NodeJS.WriteStream | undefined;
  let stderr: NodeJS.WriteStream | undefined;
  const ci = env.CI !== undefined && env.CI !== '' && env.CI !== '0' && env.CI.toLowerCase() !== 'false';
  // isatty, not process.stdin.isTTY: the first read of process.stdin/stdout builds a stream,
  // which costs start-up time that most commands (no prompts, no --json) never need.
  const interactive = isatty(0) && isatty(2) && !ci;
  const wantsColor = (fd: number) => (isatty(fd) && env.NO_COLOR === undefined && env.TERM !== 'dumb') || (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0');
  return {
    cwd: process.cwd(),
    env,
    get stdin() {
      return process.stdin;
    },
    get stdout() {
      return (stdout ??= maskedStream(quietOnClosedPipe(process.stdout), secrets));
    },
    get stderr() {
      return (stderr ??= maskedStream(quietOnClosedPipe(process.stderr), secrets));
    },
    interactive,
    color: wantsColor(2),
    stdoutColor: wantsColor(1),
    secrets,
  };
}

export function say(ctx: Context, line = ''): void {
  ctx.stderr.write(`${line}\n`);
}

/**
 * Where a command writes its output as text: stdout, unless --json puts its document there;
 * then the text goes to stderr, for the person watching.
 */
export function outputStream(ctx: Context, json: boolean | undefined): { stream: Writable; color: boolean } {
  return json ? { stream: ctx.stderr, color: ctx.color } : { stream: ctx.stdout, color: ctx.stdoutColor };
}
