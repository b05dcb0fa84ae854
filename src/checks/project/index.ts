import type { Check } from '../types.js';

/** The project checks, in display order. */
export const PROJECT_CHECKS: readonly Check[] = [];
