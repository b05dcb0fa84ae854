import { afterAll } from 'vitest';
import { stopAllCollectors } from './collector.js';
import { removeScratchDirs } from './run-obs.js';

// Runs in every test file (vitest setupFiles): the temp projects of the file go when it ends.
afterAll(removeScratchDirs);
// Collectors a file started and did not stop: stopped when it ends.
afterAll(stopAllCollectors);
