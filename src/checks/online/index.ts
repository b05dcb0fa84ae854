import type { Check } from '../types.js';
import { awsIdentity } from './aws-identity.js';
import { awsResources } from './aws-resources.js';
import { transactionSearch } from './transaction-search.js';

export { parseHoneycombApiUrl } from './honeycomb.js';

/** The online checks of no backend in particular (src/backends/index.ts adds each backend's before them). */
export const CORE_ONLINE_CHECKS: readonly Check[] = [awsIdentity, awsResources, transactionSearch];
