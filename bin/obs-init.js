#!/usr/bin/env node
// `npx obs-init` is `obs init`, so it works from any repo; `npx obs-init doctor` (any obs command
// first) is `obs doctor`, because `npx obs` resolves to an unrelated package on the registry.
'use strict';
const { join } = require('node:path');

// obs's top-level commands (test/e2e/cli.test.ts checks this list against `obs --help`).
const COMMANDS = ['init', 'remove', 'doctor', 'apply', 'xray', 'logs', 'completion', 'help'];

const argv = process.argv.slice(2);
const passThrough = argv.length > 0 && (COMMANDS.includes(argv[0]) || argv[0] === '--version' || argv[0] === '-V');
require('../dist/start.cjs').start(passThrough ? argv : ['init', ...argv], join(__dirname, '..', 'dist'));
