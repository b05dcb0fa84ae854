import type { Check } from '../types.js';

/** The secrets checks, in display order. */
export const SECRET_CHECKS: readonly Check[] = [];
