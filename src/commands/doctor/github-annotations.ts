import type { CheckResult } from '../../checks/types.js';

/**
 * GitHub Actions workflow commands (`::error file=F,line=L,title=T::message`) for each failed or
 * warned check, one per finding with a file, so problems show on the lines they are about in a
 * pull request. Under --strict a warning fails the run, so it is annotated as an error.
 */
export function githubAnnotations(results: readonly CheckResult[], strict: boolean): string {
  const lines: string[] = [];
  for (const result of results) {
    if (result.status !== 'fail' && result.status !== 'warn') continue;
    const level = result.status === 'fail' || strict ? 'error' : 'warning';
    const title = `obs doctor: ${result.title} [${result.id}]`;
    const findings = result.findings?.length ? result.findings : [{ message: result.detail, fix: result.fix }];
    for (const f of findings) {
      const where = 'file' in f && f.file ? [`file=${property(f.file)}`, ...('line' in f && f.line ? [`line=${f.line}`] : []), ...('col' in f && f.col ? [`col=${f.col}`] : [])] : [];
      const message = f.fix ? `${f.message} (fix: ${f.fix})` : f.message;
      lines.push(`::${level} ${[...where, `title=${property(title)}`].join(',')}::${data(message)}`);
    }
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}

// Escapes from GitHub's toolkit (@actions/core command.ts): data escapes %, CR, LF; properties also : and ,.
function data(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
function property(text: string): string {
  return data(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
