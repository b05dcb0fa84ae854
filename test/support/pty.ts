import { execa } from 'execa';
import { join } from 'node:path';
import { OBS_BIN, REPO_ROOT } from './run-obs.js';

/** The driver: a pseudo-terminal, expect/send steps, JSON result (see its docstring). */
export const PTY_DRIVE = join(REPO_ROOT, 'test', 'support', 'pty-drive.py');

/**
 * One step of a terminal conversation: wait until the screen (ANSI escapes stripped, CRLF as LF)
 * shows `expect` after the previous match -- a substring, or a regular expression when `regex` --
 * then type `send` ("\r" enter, " " space, "\u001b[B" down arrow, "\u0015" ctrl-u).
 */
export interface PtyStep {
  expect?: string;
  regex?: boolean;
  send?: string;
  /** A command (argv) run in the project folder once `expect` shows, before `send`; it must exit 0. */
  run?: string[];
  /** Seconds to wait for `expect` (default: the run's stepTimeout). */
  timeout?: number;
}

export interface PtyRun {
  exitCode: number;
  /** Everything the command wrote to the terminal, ANSI escapes stripped. */
  transcript: string;
}

export interface PtyOptions {
  cwd: string;
  /** The command's whole environment: nothing of the test runner's leaks in. */
  env: Record<string, string>;
  steps: PtyStep[];
  /** Seconds per step and for the final exit (default 20). */
  stepTimeout?: number;
  /** Defaults to the built `obs` launcher. */
  bin?: string;
}

/** Thrown when the conversation goes off script: a step timed out or obs ended early. */
export class PtyScriptError extends Error {
  constructor(
    message: string,
    readonly transcriptTail: string,
  ) {
    super(message);
    this.name = 'PtyScriptError';
  }
}

/** Runs `node bin/obs.js ...args` in a real pseudo-terminal and plays `steps` against it. */
export async function runInPty(args: string[], options: PtyOptions): Promise<PtyRun> {
  const stepTimeout = options.stepTimeout ?? 20;
  const result = await execa(
    'python3',
    [PTY_DRIVE, '--cwd', options.cwd, '--env', JSON.stringify(options.env), '--timeout', String(stepTimeout), '--', process.execPath, options.bin ?? OBS_BIN, ...args],
    {
      input: JSON.stringify(options.steps),
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp' },
      extendEnv: false,
      reject: false,
      // Every step may take stepTimeout, then the exit: leave the driver time to report.
      timeout: (stepTimeout * (options.steps.length + 1) + 30) * 1000,
    },
  );
  if (result.exitCode === 3) {
    let detail: { error?: string; step?: number; waitingFor?: string; exitCode?: number | null; transcriptTail?: string } = {};
    try {
      detail = JSON.parse(result.stdout);
    } catch {
      // fall back to the driver's stderr below
    }
    const tail = detail.transcriptTail ?? '';
    throw new PtyScriptError(
      `pty script failed at step ${detail.step}: ${detail.error ?? 'unknown'}; waiting for ${JSON.stringify(detail.waitingFor)}` +
        ` (obs exit code ${detail.exitCode ?? 'none'})\n--- last of the transcript ---\n${tail || result.stderr}`,
      tail,
    );
  }
  if (result.exitCode !== 0) {
    throw new Error(`pty-drive.py failed (exit ${result.exitCode ?? result.signal}):\n${result.stderr}\n${result.stdout}`);
  }
  const parsed = JSON.parse(result.stdout) as { exitCode: number; transcript: string };
  return { exitCode: parsed.exitCode, transcript: parsed.transcript };
}
