#!/usr/bin/env node
// `obs-init ...` is `obs init ...`, so `npx obs-init` works from any repo.
import { main } from '../dist/main.js';

main(['init', ...process.argv.slice(2)]).then((code) => {
  process.exitCode = code;
});
