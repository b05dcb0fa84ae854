#!/usr/bin/env node
// Tiny launcher: all logic lives in dist/ (built from src/ by `npm run build`).
import { main } from '../dist/main.js';

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
