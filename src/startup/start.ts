import { mkdirSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { join } from 'node:path';
import { compileCacheDir, createCompileCache } from './compile-cache.js';

/** The commands; anything else (help, a typo) shares one cache variant. */
const COMMANDS = new Set(['init', 'doctor', 'xray', 'logs', 'apply']);

/** Node >= 22.1: V8's code cache for every module loaded after the call, kept by Node itself. */
type EnableCompileCache = (dir: string) => { status: number; message?: string; directory?: string };

/** module.constants.compileCacheStatus, by value. */
const STATUS = ['failed', 'enabled', 'already enabled', 'disabled'];

type Main = { main: (argv: string[]) => Promise<number> };

/**
 * Entry of dist/start.cjs, called by bin/obs.js: loads dist/main.cjs through a compile cache
 * and runs obs. `dist` is the folder of the bundles. Where Node has module.enableCompileCache()
 * (22.1 and later) obs uses it (issue 10: Node's own cache over obs's, though obs's measured
 * 19 ms faster on Node 22, bench/RESULTS.md); on Node 20 obs's own cache (compile-cache.ts)
 * does the same job and goes when Node 20 support does.
 */
export function start(argv: string[], dist: string): void {
  const report = process.env.OBS_COMPILE_CACHE_DEBUG === '1' ? (line: string) => process.stderr.write(`obs: compile cache: ${line}\n`) : undefined;
  const dir = compileCacheDir(process.env);
  const builtin = (nodeModule as { enableCompileCache?: EnableCompileCache }).enableCompileCache;
  let loaded: Main;
  if (builtin && dir) {
    const folder = join(dir, 'node');
    try {
      // Private, like obs's own cache: whoever can write it chooses the code obs runs.
      mkdirSync(folder, { recursive: true, mode: 0o700 });
    } catch {
      // Node reports the folder it cannot use and obs runs uncached.
    }
    const result = builtin(folder);
    report?.(`node's module.enableCompileCache: ${STATUS[result.status] ?? result.status}${result.message ? ` (${result.message})` : ''}`);
    loaded = nodeModule.createRequire(join(dist, 'start.cjs'))(join(dist, 'main.cjs')) as Main;
  } else {
    const first = argv[0] ?? '';
    const variant = COMMANDS.has(first) ? (first === 'xray' || first === 'logs' ? `${first}-${argv[1] ?? ''}` : first) : 'other';
    loaded = createCompileCache(dir, variant.replace(/[^a-z-]/g, ''), report).load(join(dist, 'main.cjs')) as Main;
  }
  // main catches every error and resolves to the exit code.
  void loaded.main(argv).then((code) => {
    process.exitCode = code;
  });
}
