import { existsSync, statSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startMoto } from './moto.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Base URL of the moto_server shared by the whole run (tests use unique resource names). */
    motoUrl: string;
  }
}

/**
 * End-to-end tests run the built binary: refuse to test a stale or missing build. Then start one
 * moto_server for the whole run; tests read its URL with inject('motoUrl').
 */
export default async function setup({ provide }: Pick<TestProject, 'provide'>): Promise<() => Promise<void>> {
  const root = join(import.meta.dirname, '..', '..');
  const built = join(root, 'dist', 'main.cjs');
  if (!existsSync(built)) throw new Error('dist/main.cjs is missing: run `npm test` (it builds first) or `npm run build`');
  const builtAt = statSync(built).mtimeMs;
  const newest = newestMtime(join(root, 'src'));
  if (newest > builtAt + 1000) throw new Error('src/ is newer than dist/: run `npm run build` (npm test does it for you)');

  const moto = await startMoto();
  provide('motoUrl', moto.url);
  return () => moto.stop();
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}
