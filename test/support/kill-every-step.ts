import { execa } from 'execa';
import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { runObsWithFault, type FaultRun } from './faults.js';
import { runObs, scratchDir, snapshotTree, type ObsRun } from './run-obs.js';

/** The project's files, without obs's staging folder (what a user sees once a write settled). */
export async function settledFiles(dir: string): Promise<Record<string, string>> {
  const all = await snapshotTree(dir);
  return Object.fromEntries(Object.entries(all).filter(([path]) => !path.split('/').includes('.obs-apply')));
}

/** Whether an `.obs-apply` staging folder is left anywhere under `dir` (outside .git). */
export async function anyStaging(dir: string): Promise<boolean> {
  const walk = async (current: string): Promise<boolean> => {
    for (const entry of await readdir(current, { withFileTypes: true })) {
      if (entry.name === '.git') continue;
      if (entry.name === '.obs-apply') return true;
      if (entry.isDirectory() && (await walk(join(current, entry.name)))) return true;
    }
    return false;
  };
  return walk(dir);
}

export interface EveryStepResult {
  /** The uninterrupted run, with the file system calls it made (one step each). */
  reference: FaultRun;
  /** The folder of the uninterrupted run. */
  clean: string;
  /** The files after the uninterrupted run. */
  after: Record<string, string>;
  steps: number;
  /** One line per broken promise: a file neither old nor new, a next run that fails or ends elsewhere, staging left. */
  failures: string[];
}

/**
 * A test's own promises for one step: `afterKill` looks at the folder right after the kill (before
 * the next run) and returns what broke, and optionally a check of the next run's result.
 */
export interface StepChecks {
  /** Once, after the uninterrupted run, with its folder (e.g. to read what a finished run leaves). */
  afterReference?(clean: string): Promise<void>;
  afterKill(dir: string, where: string): Promise<{ failures: string[]; afterNext?: (next: ObsRun) => Promise<string[]> }>;
}

/**
 * Runs `args(dir)` on copies of `template` (copied under the same folder name: obs.yaml holds the
 * project name, taken from it), once uninterrupted and then `kill -9` before each of its file
 * system steps, two at a time. After each kill every file must be old or new in full (there, or
 * gone), and the next run of the same command must exit 0 and end where the uninterrupted run
 * did, leaving no staging behind; `checks` adds the test's own promises.
 */
export async function killAtEveryStep(template: string, args: (dir: string) => string[], prefix: string, checks?: StepChecks): Promise<EveryStepResult> {
  const before = await settledFiles(template);
  const copy = async () => {
    const dir = join(await scratchDir(prefix), basename(template));
    await execa('cp', ['-a', template, dir]);
    return dir;
  };
  const clean = await copy();
  const log = join(await scratchDir(`${prefix}log-`), 'calls.txt');
  const reference = await runObsWithFault(args(clean), { root: clean }, { log });
  if (reference.exitCode !== 0) throw new Error(`the uninterrupted run exited ${reference.exitCode}: ${reference.stderr}`);
  const after = await settledFiles(clean);
  await checks?.afterReference?.(clean);

  const failures: string[] = [];
  const steps = reference.calls.length;
  const checkStep = async (n: number): Promise<void> => {
    const dir = await copy();
    const killed = await runObsWithFault(args(dir), { root: dir, at: n });
    const where = `killed before step ${n}/${steps} (${reference.calls[n - 1]!.replace(clean, '<dir>')})`;
    if (killed.signal !== 'SIGKILL') failures.push(`${where}: obs was not killed (exit ${killed.exitCode})`);
    const now = await settledFiles(dir);
    for (const path of new Set([...Object.keys(before), ...Object.keys(after), ...Object.keys(now)])) {
      if (now[path] !== before[path] && now[path] !== after[path]) failures.push(`${where}: ${path} is neither old nor new`);
    }
    const own = await checks?.afterKill(dir, where);
    failures.push(...(own?.failures ?? []));
    const next = await runObs(args(dir), { env: { CI: 'true' } });
    if (next.exitCode !== 0) failures.push(`${where}: the next run exited ${next.exitCode}: ${next.stderr}`);
    if (own?.afterNext) failures.push(...(await own.afterNext(next)));
    if (JSON.stringify(await settledFiles(dir)) !== JSON.stringify(after)) failures.push(`${where}: after the next run the files differ from an uninterrupted run`);
    if (await anyStaging(dir)) failures.push(`${where}: staging left after the next run`);
  };
  const queue = Array.from({ length: steps }, (_, i) => i + 1);
  await Promise.all(
    [0, 1].map(async () => {
      for (let n = queue.shift(); n !== undefined; n = queue.shift()) await checkStep(n);
    }),
  );
  return { reference, clean, after, steps, failures };
}
