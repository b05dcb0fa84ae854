import { join } from 'node:path';
import { compileCacheDir, createCompileCache } from './compile-cache.js';

/** The commands; anything else (help, a typo) shares one cache variant. */
const COMMANDS = new Set(['init', 'doctor', 'xray', 'logs', 'apply']);

/**
 * Entry of dist/start.cjs, called by bin/obs.js: loads dist/main.cjs through the compile cache
 * and runs obs. `dist` is the folder of the bundles.
 */
export function start(argv: string[], dist: string): void {
  const first = argv[0] ?? '';
  const variant = COMMANDS.has(first) ? (first === 'xray' || first === 'logs' ? `${first}-${argv[1] ?? ''}` : first) : 'other';
  const report = process.env.OBS_COMPILE_CACHE_DEBUG === '1' ? (line: string) => process.stderr.write(`obs: compile cache: ${line}\n`) : undefined;
  const cache = createCompileCache(compileCacheDir(process.env), variant.replace(/[^a-z-]/g, ''), report);
  const { main } = cache.load(join(dist, 'main.cjs')) as { main: (argv: string[]) => Promise<number> };
  // main catches every error and resolves to the exit code.
  void main(argv).then((code) => {
    process.exitCode = code;
  });
}
