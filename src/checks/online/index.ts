import type { Check } from '../types.js';

/** The online checks, in display order. */
export const ONLINE_CHECKS: readonly Check[] = [];
