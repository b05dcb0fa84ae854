import type { Check } from '../types.js';
import { awsCredentials } from './aws-credentials.js';
import { dotenvIgnored } from './dotenv-ignored.js';
import { noHardcodedSecrets } from './no-hardcoded-secrets.js';

/** The key and secret checks of no backend in particular (src/backends/index.ts adds each backend's before them). */
export const CORE_SECRET_CHECKS: readonly Check[] = [awsCredentials, noHardcodedSecrets, dotenvIgnored];
