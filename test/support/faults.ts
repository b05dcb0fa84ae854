import { execa } from 'execa';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OBS_BIN, REPO_ROOT } from './run-obs.js';

/** The preload that counts obs's file-system changes and kills or fails one (see its header). */
export const FS_FAULTS = join(REPO_ROOT, 'test', 'support', 'fs-faults.cjs');

export interface FaultRun {
  exitCode: number | undefined;
  signal: string | undefined;
  stdout: string;
  stderr: string;
  /** The counted calls, "<n> <call> <path>" each (only when `log` was given). */
  calls: string[];
}

export interface Fault {
  /** Calls under this folder are counted. */
  root: string;
  /** 1-based call number to act on; 0 or undefined: only count. */
  at?: number;
  /** 'kill' (SIGKILL, the default) or an errno code the call fails with. */
  action?: string;
  /** Count only these calls (rename, open, git-rm, handle.sync, ...). */
  only?: string[];
}

/** Runs the built obs with the fault preload, the way runObs runs it otherwise. */
export async function runObsWithFault(args: string[], fault: Fault, options: { cwd?: string; env?: Record<string, string>; log?: string } = {}): Promise<FaultRun> {
  const result = await execa(process.execPath, ['--require', FS_FAULTS, OBS_BIN, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      NO_COLOR: '1',
      CI: 'true',
      OBS_FAULT_ROOT: fault.root,
      OBS_FAULT_AT: String(fault.at ?? 0),
      OBS_FAULT_ACTION: fault.action ?? 'kill',
      ...(fault.only ? { OBS_FAULT_ONLY: fault.only.join(',') } : {}),
      ...(options.log ? { OBS_FAULT_LOG: options.log } : {}),
      ...options.env,
    },
    extendEnv: false,
    reject: false,
    input: '',
    timeout: 60_000,
  });
  const calls = options.log ? (await readFile(options.log, 'utf8').catch(() => '')).split('\n').filter(Boolean) : [];
  return { exitCode: result.exitCode ?? undefined, signal: result.signal ?? undefined, stdout: result.stdout, stderr: result.stderr, calls };
}
