/**
 * Typed errors. Commands throw these; only src/main.ts turns them into an exit code,
 * so no helper ever calls process.exit.
 */
export const EXIT_OK = 0;
/** A check failed, an AWS call failed, or drift was found with --no-update. */
export const EXIT_FAILURE = 1;
/** Bad usage or bad input: nothing was changed. */
export const EXIT_USAGE = 2;
/** The user cancelled at a prompt (128 + SIGINT, as shells report Ctrl-C). */
export const EXIT_CANCELLED = 130;

export interface ObsErrorOptions {
  exitCode?: number;
  /** One line telling the user what to do about it. */
  hint?: string;
  file?: string;
  line?: number;
  col?: number;
  cause?: unknown;
}

export class ObsError extends Error {
  readonly exitCode: number;
  readonly hint?: string;
  readonly file?: string;
  readonly line?: number;
  readonly col?: number;

  constructor(message: string, options: ObsErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ObsError';
    this.exitCode = options.exitCode ?? EXIT_FAILURE;
    this.hint = options.hint;
    this.file = options.file;
    this.line = options.line;
    this.col = options.col;
  }

  /** `file:line:col: message`, the one line users see. */
  get location(): string {
    if (!this.file) return '';
    let loc = this.file;
    if (this.line !== undefined) loc += `:${this.line}`;
    if (this.line !== undefined && this.col !== undefined) loc += `:${this.col}`;
    return loc;
  }
}

/** Bad input or usage: exit 2, nothing changed on disk. */
export class UsageError extends ObsError {
  constructor(message: string, options: Omit<ObsErrorOptions, 'exitCode'> = {}) {
    super(message, { ...options, exitCode: EXIT_USAGE });
    this.name = 'UsageError';
  }
}

export function formatError(err: ObsError): string {
  const loc = err.location;
  return loc ? `${loc}: ${err.message}` : err.message;
}
