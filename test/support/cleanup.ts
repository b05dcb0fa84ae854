import { afterAll } from 'vitest';
import { removeScratchDirs } from './run-obs.js';

// Runs in every test file (vitest setupFiles): the temp projects of the file go when it ends.
afterAll(removeScratchDirs);
