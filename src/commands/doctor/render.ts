import { GROUP_TITLES, type Check, type CheckGroup, type CheckResult, type CheckStatus } from '../../checks/types.js';

const SYMBOL: Record<CheckStatus, string> = { pass: '✔', warn: '⚠', fail: '✖', skip: '-' };

export interface Paint {
  // Function-valued properties, not methods: the checklist picks one out by status and calls it alone.
  pass: (t: string) => string;
  warn: (t: string) => string;
  fail: (t: string) => string;
  dim: (t: string) => string;
  bold: (t: string) => string;
}

export const PLAIN: Paint = { pass: (t) => t, warn: (t) => t, fail: (t) => t, dim: (t) => t, bold: (t) => t };

/** A grouped checklist: ✔ ⚠ ✖, each problem with where it is and how to fix it, then a summary. */
export function renderChecklist(checks: readonly Check[], results: CheckResult[], paint: Paint): string {
  const lines: string[] = [];
  let group = '';
  results.forEach((result, i) => {
    const check = checks[i]!;
    if (check.group !== group) {
      group = check.group;
      lines.push('', paint.bold(check.groupTitle ?? GROUP_TITLES[check.group as CheckGroup] ?? check.group));
    }
    const colour = result.status === 'pass' ? paint.pass : result.status === 'warn' ? paint.warn : result.status === 'fail' ? paint.fail : paint.dim;
    lines.push(`${colour(SYMBOL[result.status])} ${result.title}${paint.dim(` [${result.id}]`)}: ${result.detail}`);
    for (const f of result.findings ?? []) {
      const where = f.file ? `${f.file}${f.line ? `:${f.line}${f.col ? `:${f.col}` : ''}` : ''}: ` : '';
      lines.push(`    ${where}${f.message}`);
      if (f.fix && f.fix !== result.fix) lines.push(`      fix: ${f.fix}`);
    }
    if (result.fix && result.status !== 'pass') lines.push(`    fix: ${result.fix}`);
  });
  lines.push('', summaryLine(results));
  return `${lines.join('\n')}\n`;
}

export function summaryLine(results: CheckResult[]): string {
  const n = (s: CheckStatus) => results.filter((r) => r.status === s).length;
  return `${n('pass')} passed, ${n('warn')} warnings, ${n('fail')} failed, ${n('skip')} skipped`;
}
