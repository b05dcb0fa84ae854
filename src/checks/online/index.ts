import type { Check } from '../types.js';
import { awsIdentity } from './aws-identity.js';
import { awsResources } from './aws-resources.js';
import { honeycombKeyValid } from './honeycomb-key.js';
import { sendTestSpan } from './test-span.js';

export { parseHoneycombApiUrl } from './honeycomb.js';

/** The online checks, in display order. */
export const ONLINE_CHECKS: readonly Check[] = [honeycombKeyValid, sendTestSpan, awsIdentity, awsResources];
