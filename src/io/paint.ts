/** Painting what commands show: colours on a terminal that wants them, and the diff rendering shared by init and remove. */
import type { Context } from '../context.js';
import { NO_PAINT, paintDiff, type Paint } from './diff.js';
import type { FileChange } from '../plan/file-change.js';

export type Painter = Paint & { warn(t: string): string; ok(t: string): string; bold(t: string): string };

/** Colours only on a terminal that wants them (stderr's, unless told); chalk loads only then. */
export async function painter(ctx: Context, color = ctx.color): Promise<Painter> {
  if (!color) return { ...NO_PAINT, warn: (t) => t, ok: (t) => t, bold: (t) => t };
  const { Chalk } = await import('chalk');
  const chalk = new Chalk({ level: 1 });
  return { added: chalk.green, removed: chalk.red, header: chalk.bold, hunk: chalk.cyan, warn: chalk.yellow, ok: chalk.green, bold: chalk.bold };
}

export function renderDiffs(diffs: string[], paint: Paint): string {
  return diffs.map((d) => paintDiff(d, paint)).join('');
}

export function changeAction(change: FileChange): 'create' | 'modify' | 'delete' {
  if (change.remove) return 'delete';
  return change.before === null ? 'create' : 'modify';
}
