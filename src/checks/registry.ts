import type { Check } from './types.js';
import { PROJECT_CHECKS } from './project/index.js';
import { SECRET_CHECKS } from './secrets/index.js';
import { ONLINE_CHECKS } from './online/index.js';

/** Every doctor check, in the order they are shown. Ids are stable: scripts use them with --check. */
export const ALL_CHECKS: readonly Check[] = [...PROJECT_CHECKS, ...SECRET_CHECKS, ...ONLINE_CHECKS];
