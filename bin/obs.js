#!/usr/bin/env node
// Tiny launcher: all logic lives in dist/ (built from src/ by `npm run build`).
// `obs --version` is answered here, before any module loads, so it starts as fast as node.
import { readFileSync } from 'node:fs';

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  process.stdout.write(`${JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version}\n`);
} else {
  const { main } = await import('../dist/main.js');
  process.exitCode = await main(argv);
}
