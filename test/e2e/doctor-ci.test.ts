import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { REPO_ROOT, runObs, tempProject } from '../support/run-obs.js';

const CRUDDUR = join(REPO_ROOT, 'examples', 'cruddur');

interface DoctorJson {
  ok: boolean;
  checks: { id: string; status: string }[];
}

/** obs doctor in CI: leave accepted checks out with --skip, and annotate pull requests on GitHub Actions. */
describe('obs doctor in CI', () => {
  it('--skip leaves checks out, comma-separated or repeated, and refuses unknown ids or an id also in --check', async () => {
    const dir = await tempProject(CRUDDUR);
    const all = JSON.parse((await runObs(['doctor', '--dir', dir, '--json'])).stdout) as DoctorJson;
    const warned = all.checks.filter((c) => c.status === 'warn').map((c) => c.id);
    expect(warned.length).toBeGreaterThan(1);

    const strictAll = await runObs(['doctor', '--dir', dir, '--strict', '--json', '--check', warned.join(',')]);
    expect(strictAll.exitCode).toBe(1);
    const skipped = await runObs(['doctor', '--dir', dir, '--json', '--skip', warned[0]!, '--skip', warned.slice(1).join(',')]);
    const ids = (JSON.parse(skipped.stdout) as DoctorJson).checks.map((c) => c.id);
    expect(ids).toEqual(all.checks.map((c) => c.id).filter((id) => !warned.includes(id)));

    const unknown = await runObs(['doctor', '--dir', dir, '--skip', 'no-such-check']);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toMatch(/--skip names unknown check no-such-check/);
    const both = await runObs(['doctor', '--dir', dir, '--check', warned[0]!, '--skip', warned[0]!]);
    expect(both.exitCode).toBe(2);
    expect(both.stderr).toMatch(new RegExp(`--check and --skip both name ${warned[0]}`));
  });

  it('writes GitHub Actions annotations on stdout when GITHUB_ACTIONS is true, one per finding with its file and line', async () => {
    const dir = await tempProject(CRUDDUR);
    const plain = await runObs(['doctor', '--dir', dir]);
    // Off GitHub, stdout is the checklist alone: no workflow commands.
    expect(plain.stdout).toMatch(/\d+ passed, \d+ warnings, \d+ failed, \d+ skipped$/);
    expect(plain.stdout).not.toMatch(/^::/m);

    const onGithub = await runObs(['doctor', '--dir', dir], { env: { GITHUB_ACTIONS: 'true' } });
    expect(onGithub.exitCode).toBe(plain.exitCode);
    // On GitHub the same checklist, then the annotations after it.
    expect(onGithub.stdout.startsWith(`${plain.stdout}\n`)).toBe(true);
    const annotations = onGithub.stdout.slice(plain.stdout.length).trim().split('\n');
    expect(annotations.length).toBeGreaterThan(0);
    for (const line of annotations) expect(line).toMatch(/^::(error|warning) (file=[^,]+,(line=\d+,)?(col=\d+,)?)?title=obs doctor%3A [^:]+::\S/);
    // The compose finding points at its line in the compose file, as the checklist does.
    const report = JSON.parse((await runObs(['doctor', '--dir', dir, '--json'])).stdout) as { checks: { id: string; findings?: { file?: string; line?: number }[] }[] };
    const located = report.checks.flatMap((c) => (c.findings ?? []).filter((f) => f.file && f.line).map((f) => `file=${f.file},line=${f.line}`));
    expect(located.length).toBeGreaterThan(0);
    for (const where of located) expect(onGithub.stdout).toContain(where);

    // Under --strict a warning fails the run, so it is an error annotation; --json keeps stdout for JSON only.
    const strict = await runObs(['doctor', '--dir', dir, '--strict'], { env: { GITHUB_ACTIONS: 'true' } });
    expect(strict.stdout).not.toMatch(/^::warning/m);
    const json = await runObs(['doctor', '--dir', dir, '--json'], { env: { GITHUB_ACTIONS: 'true' } });
    expect(() => JSON.parse(json.stdout)).not.toThrow();
  });
});
