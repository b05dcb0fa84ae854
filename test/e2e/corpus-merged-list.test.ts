import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readServices } from '../support/compose-read.js';
import { gitProject, REPO_ROOT, removeScratchDirs, runObs } from '../support/run-obs.js';

/**
 * Issue 12 (left open by session 6): ledermann/docker-rails gives `worker` the app's settings with
 * `<<: *app_base`, environment included, as a LIST. YAML merges mappings only: the worker's own
 * `environment:` replaces the merged one whole, so to give it its own OTEL_SERVICE_NAME obs must
 * write the worker every entry of the app's list. What a careful user expects of that copy:
 * - no credential's value in it: a secret init moves to .env is copied as the `${VAR}` reference
 *   the app's list now holds (the copy had the literal AWS secret key, in a file git tracks);
 * - a note that says what happened (a change to the app's list no longer reaches the worker);
 * - `obs remove` puts the shared list back: the worker's `environment:` goes once only the app's
 *   entries are left in it, and the file comes back byte for byte.
 */
afterAll(() => removeScratchDirs());

const RAILS = join(REPO_ROOT, 'test', 'fixtures', 'corpus', 'ledermann__docker-rails');
const ENV = { CI: 'true' };
// Key-shaped S3 credentials, as a user's own would be (the case has them redacted to X).
const KEY_ID = 'AKIAIOSFODNN7EXAMPLQ';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEQ';

async function withKeys(): Promise<string> {
  const dir = await gitProject(RAILS);
  const path = join(dir, 'docker-compose.yml');
  const text = await readFile(path, 'utf8');
  await writeFile(path, text.replace('AWS_ACCESS_KEY_ID=XXXX\n', `AWS_ACCESS_KEY_ID=${KEY_ID}\n`).replace('AWS_SECRET_ACCESS_KEY=XXXXXXXXXX\n', `AWS_SECRET_ACCESS_KEY=${SECRET}\n`));
  return dir;
}

describe('ledermann/docker-rails: the worker inherits the app environment list through <<: *app_base', () => {
  for (const pipeline of ['collector', 'direct'] as const) {
    it(`${pipeline}: the copy carries no secret, init says so, remove restores the shared list`, async () => {
      const dir = await withKeys();
      const path = join(dir, 'docker-compose.yml');
      const original = await readFile(path, 'utf8');
      const init = await runObs(['init', '--dir', dir, '--yes', '--json', '--pipeline', pipeline], { env: ENV });
      expect(init.exitCode, init.stderr).toBe(0);
      const text = await readFile(path, 'utf8');
      // The secrets went to .env; neither literal is left in the compose file, the worker's copy included.
      expect(text).not.toContain(KEY_ID);
      expect(text).not.toContain(SECRET);
      const services = readServices([text]);
      expect(services.worker!.environment.AWS_SECRET_ACCESS_KEY).toBe('${AWS_SECRET_ACCESS_KEY}');
      expect(services.worker!.environment.AWS_ACCESS_KEY_ID).toBe('${AWS_ACCESS_KEY_ID}');
      expect(services.worker!.environment.OTEL_SERVICE_NAME).toBe('worker');
      // Every other entry of the app's list reaches the worker as before.
      expect(services.worker!.environment.DB_HOST).toBe('db');
      expect(Object.keys(services.worker!.environment).length).toBe(Object.keys(services.app!.environment).length);
      const notes = (JSON.parse(init.stdout) as { notes: { kind: string; message: string }[] }).notes;
      expect(notes.find((n) => n.kind === 'environment-copied')?.message).toBe(
        "worker: its environment is app's list, merged in through `<<:`; YAML cannot extend a merged list, so obs gave worker its own copy of the 28 entries " +
          "with its own settings (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY as the ${VAR} references obs moved to .env). A change to app's list no longer reaches worker; `obs remove` puts the shared list back",
      );

      const removed = await runObs(['remove', '--dir', dir, '--yes'], { env: ENV });
      expect(removed.exitCode, removed.stderr).toBe(0);
      // The moved secrets stay in .env (remove never puts a secret back in a tracked file); the rest is the original.
      expect(await readFile(path, 'utf8')).toBe(original.replace(`=${KEY_ID}\n`, '=${AWS_ACCESS_KEY_ID}\n').replace(`=${SECRET}\n`, '=${AWS_SECRET_ACCESS_KEY}\n'));
    }, 120_000);
  }
});
