#!/usr/bin/env node
// `obs-init ...` is `obs init ...`, so `npx obs-init` works from any repo.
'use strict';
const { join } = require('node:path');

require('../dist/start.cjs').start(['init', ...process.argv.slice(2)], join(__dirname, '..', 'dist'));
