#!/usr/bin/env node
// Tiny launcher (CommonJS, see bin/package.json): all logic lives in dist/, built from src/ by
// `npm run build`. `obs --version` is answered here, before any bundle loads, so it starts as
// fast as node does.
'use strict';
const { join } = require('node:path');

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  process.stdout.write(`${require('../package.json').version}\n`);
} else {
  require('../dist/start.cjs').start(argv, join(__dirname, '..', 'dist'));
}
