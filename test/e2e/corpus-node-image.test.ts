import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, removeScratchDirs, runObs, tempProject } from '../support/run-obs.js';

/**
 * Issue 12 (left open by session 6): notiz-dev/nestjs-prisma-starter builds a two-stage image whose
 * final stage copies only node_modules, package*.json and dist `--from=builder`. init says the
 * image lacks tracing.cjs (NODE_OPTIONS preloads it: node stops at startup), yet doctor's
 * instrumentation-wired passed. Doctor must read the image the way init does (the Dockerfile
 * compose builds with, its stage chain, COPY lines) and count a bind mount of the source folder
 * as the file being there. The case runs Node 16; moved to Node 20 here, as a user would.
 */
afterAll(() => removeScratchDirs());

const NEST = join(REPO_ROOT, 'test', 'fixtures', 'corpus', 'notiz-dev__nestjs-prisma-starter');
const ENV = { CI: 'true' };

interface CheckJson {
  status: string;
  detail: string;
  fix?: string;
  findings?: { file?: string; message: string; fix?: string }[];
}

async function wired(dir: string): Promise<CheckJson> {
  const run = await runObs(['doctor', '--dir', dir, '--json', '--check', 'instrumentation-wired'], { env: ENV });
  return (JSON.parse(run.stdout) as { checks: (CheckJson & { id: string })[] }).checks.find((c) => c.id === 'instrumentation-wired')!;
}

async function edit(path: string, change: (text: string) => string): Promise<void> {
  const before = await readFile(path, 'utf8');
  const after = change(before);
  expect(after).not.toBe(before);
  await writeFile(path, after);
}

/** The case on Node 20: the Dockerfile's two stages and .node-version. */
async function onNode20(): Promise<string> {
  const dir = await tempProject(NEST);
  await edit(join(dir, 'Dockerfile'), (t) => t.replaceAll('FROM node:16', 'FROM node:20'));
  await writeFile(join(dir, '.node-version'), '20.11.1\n');
  return dir;
}

describe('notiz-dev/nestjs-prisma-starter: a multi-stage image whose final stage copies dist only', () => {
  it('doctor fails where init warned: the final stage lacks tracing.cjs; it passes once the Dockerfile copies it', async () => {
    const dir = await onNode20();
    const init = await runObs(['init', '--dir', dir, '--yes'], { env: ENV });
    expect(init.exitCode, init.stderr).toBe(0);
    expect(init.stderr).toContain('nest-api: the Dockerfile does not copy the whole build context into the image: add `COPY tracing.cjs ./`');
    const failed = await wired(dir);
    expect(failed).toMatchObject({
      status: 'fail',
      detail:
        'nest-api: NODE_OPTIONS preloads ./tracing.cjs, which the image compose builds (Dockerfile) does not hold: the Dockerfile does not copy the whole build context into the image, so node stops at startup ("Cannot find module")',
      fix: 'add `COPY tracing.cjs ./` next to the COPY of package.json in Dockerfile (the stage compose builds), then run docker compose build nest-api',
    });
    expect(failed.findings?.[0]?.file).toBe('Dockerfile');

    // The fix doctor names: the final stage copies the module next to package.json.
    await edit(join(dir, 'Dockerfile'), (t) => t.replace('COPY --from=builder /app/dist ./dist\n', 'COPY --from=builder /app/dist ./dist\nCOPY tracing.cjs ./\n'));
    expect(await wired(dir)).toMatchObject({ status: 'pass', detail: 'nest-api: the SDK is loaded and its packages are declared' });
    // A re-run of init agrees: no note any more.
    const again = await runObs(['init', '--dir', dir, '--yes'], { env: ENV });
    expect(again.stderr).not.toContain('does not copy the whole build context');
  }, 120_000);

  it('a bind mount of the source folder onto the WORKDIR counts as the file being there, for init and doctor alike', async () => {
    const dir = await onNode20();
    await edit(join(dir, 'docker-compose.yml'), (t) => t.replace("      - '3000:3000'\n", "      - '3000:3000'\n    volumes:\n      - ./:/app\n      - /app/node_modules\n"));
    const init = await runObs(['init', '--dir', dir, '--yes'], { env: ENV });
    expect(init.exitCode, init.stderr).toBe(0);
    expect(init.stderr).not.toContain('does not copy the whole build context');
    expect(await wired(dir)).toMatchObject({ status: 'pass' });
    // Mounted elsewhere than the WORKDIR, the image still lacks ./tracing.cjs.
    await edit(join(dir, 'docker-compose.yml'), (t) => t.replace('      - ./:/app\n', '      - ./:/src\n'));
    expect((await wired(dir)).status).toBe('fail');
  }, 120_000);
});
