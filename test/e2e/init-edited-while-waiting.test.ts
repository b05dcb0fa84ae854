import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runInPty, type PtyStep } from '../support/pty.js';
import { REPO_ROOT, snapshotTree, tempProject } from '../support/run-obs.js';

/**
 * A person edits a file while `obs init` waits at "Apply these changes?", then says yes. obs
 * planned from the old text: writing would throw the edit away. It re-reads (content hashes)
 * every file it read for the plan right before writing, and refuses with one line naming the
 * file, exit 1, writing nothing -- the edit stays.
 */
const CRUDDUR = join(REPO_ROOT, 'examples', 'cruddur');
const ENTER = '\r';
const TEST_TIMEOUT = 45_000;

function terminalEnv(): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', TERM: 'xterm', NO_COLOR: '1' };
}

/** Every question answered with its default; at the last one, `edit` runs before the yes. */
function stepsEditingAtApply(edit: string[]): PtyStep[] {
  const questions = [
    'Which services should send telemetry?',
    'How should telemetry leave your apps?',
    'Send traces to Honeycomb (OpenTelemetry)?',
    'Honeycomb region of your team',
    'Send traces to AWS X-Ray?',
    'X-Ray group name',
    'Send logs to CloudWatch Logs?',
    'Report errors to Rollbar?',
  ];
  return [...questions.map((q) => ({ expect: `? ${q}`, send: ENTER })), { expect: '? Apply these changes?', run: edit, send: ENTER }];
}

async function refusedAfterEdit(edit: string[], editedPath: string, message: RegExp): Promise<void> {
  const dir = await tempProject(CRUDDUR);
  const before = await snapshotTree(dir);
  const run = await runInPty(['init'], { cwd: dir, env: terminalEnv(), steps: [...stepsEditingAtApply(edit), { expect: 'obs: ' }] });
  expect(run.exitCode, run.transcript).toBe(1);
  const errors = run.transcript.split('\n').filter((l) => l.startsWith('obs: '));
  expect(errors, run.transcript).toHaveLength(1);
  expect(errors[0]).toMatch(message);
  expect(run.transcript).not.toMatch(/Wrote \d+ file|unexpected error/);
  // Only the person's edit changed anything.
  const after = await snapshotTree(dir);
  expect(Object.keys(after).sort()).toEqual([...new Set([...Object.keys(before), editedPath])].sort());
  for (const path of Object.keys(after)) {
    if (path === editedPath) expect(after[path]).not.toBe(before[path]);
    else expect(after[path], path).toBe(before[path]);
  }
}

describe.skipIf(process.platform === 'win32')('edits made while "Apply these changes?" waits', () => {
  it('a service appended to the compose file: refused, naming the file, the service kept', { timeout: TEST_TIMEOUT }, async () => {
    await refusedAfterEdit(
      ['sh', '-c', 'printf "  cache:\\n    image: redis:7\\n" >> docker-compose.yml'],
      'docker-compose.yml',
      /^obs: docker-compose\.yml: changed since obs read it \(while obs was planning or asking\); nothing was written$/,
    );
  });

  it('a line added to requirements.txt: refused, naming it, the line kept', { timeout: TEST_TIMEOUT }, async () => {
    const dir = await tempProject(CRUDDUR);
    const run = await runInPty(['init'], {
      cwd: dir,
      env: terminalEnv(),
      steps: [...stepsEditingAtApply(['sh', '-c', 'echo "requests==2.32.3" >> backend-flask/requirements.txt']), { expect: 'obs: ' }],
    });
    expect(run.exitCode, run.transcript).toBe(1);
    expect(run.transcript).toMatch(/^obs: backend-flask\/requirements\.txt: changed since obs read it/m);
    expect(await readFile(join(dir, 'backend-flask', 'requirements.txt'), 'utf8')).toMatch(/requests==2\.32\.3\n$/);
    expect(await readFile(join(dir, 'docker-compose.yml'), 'utf8')).toBe(await readFile(join(CRUDDUR, 'docker-compose.yml'), 'utf8'));
  });

  it('a .env created meanwhile (obs planned to create it): refused, the new .env kept', { timeout: TEST_TIMEOUT }, async () => {
    await refusedAfterEdit(['sh', '-c', 'echo "MINE=1" > .env'], '.env', /^obs: \.env: created since obs read it/);
  });
});
