import type { Check, CheckResult, CheckStatus, DoctorProject, Finding } from '../../types.js';
import type { ComposeProject } from '../../../compose/project.js';

/** A finding with how bad it is; the worst one sets the check's status. */
export interface Issue extends Finding {
  level: 'fail' | 'warn';
}

type CheckInfo = Pick<Check, 'id' | 'title'>;

export function fail(where: Pick<Finding, 'file' | 'line' | 'col'>, message: string, fix?: string): Issue {
  return { level: 'fail', ...where, message, ...(fix ? { fix } : {}) };
}

export function warn(where: Pick<Finding, 'file' | 'line'>, message: string, fix?: string): Issue {
  return { level: 'warn', ...where, message, ...(fix ? { fix } : {}) };
}

/**
 * fail when any issue fails, warn when there are only warnings, pass otherwise. The detail is
 * the first issue of the worst level (plus how many more), the fix the first one given.
 */
export function report(check: CheckInfo, issues: Issue[], pass: string): CheckResult {
  if (issues.length === 0) return { id: check.id, title: check.title, status: 'pass', detail: pass };
  const status: CheckStatus = issues.some((i) => i.level === 'fail') ? 'fail' : 'warn';
  const ordered = [...issues.filter((i) => i.level === status), ...issues.filter((i) => i.level !== status)];
  const first = ordered[0]!;
  const more = issues.length - 1;
  const findings: Finding[] = issues.map(({ level: _level, ...finding }) => finding);
  const fix = first.fix ?? ordered.find((i) => i.fix)?.fix;
  return {
    id: check.id,
    title: check.title,
    status,
    detail: more > 0 ? `${first.message} (and ${more} more)` : first.message,
    ...(fix ? { fix } : {}),
    findings,
  };
}

export function skipped(check: CheckInfo, detail: string): CheckResult {
  return { id: check.id, title: check.title, status: 'skip', detail };
}

/** The parsed compose project, or the reason checks that read it cannot run. */
export function composeOrWhy(project: DoctorProject): { compose: ComposeProject } | { why: string } {
  if (project.composeError) return { why: `skipped: ${project.composeError.file} could not be read (see compose-file)` };
  if (!project.project) return { why: 'skipped: no compose file found' };
  return { compose: project.project };
}

export { listing } from '../../../text/listing.js';
