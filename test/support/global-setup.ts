import { existsSync, statSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** End-to-end tests run the built binary: refuse to test a stale or missing build. */
export default function setup(): void {
  const root = join(import.meta.dirname, '..', '..');
  const built = join(root, 'dist', 'main.js');
  if (!existsSync(built)) throw new Error('dist/main.js is missing: run `npm test` (it builds first) or `npm run build`');
  const builtAt = statSync(built).mtimeMs;
  const newest = newestMtime(join(root, 'src'));
  if (newest > builtAt + 1000) throw new Error('src/ is newer than dist/: run `npm run build` (npm test does it for you)');
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}
