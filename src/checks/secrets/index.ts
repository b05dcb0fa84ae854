import type { Check } from '../types.js';
import { awsCredentials } from './aws-credentials.js';
import { dotenvIgnored } from './dotenv-ignored.js';
import { honeycombKey } from './honeycomb-key.js';
import { noHardcodedSecrets } from './no-hardcoded-secrets.js';
import { rollbarToken } from './rollbar-token.js';

/** The secrets checks, in display order. */
export const SECRET_CHECKS: readonly Check[] = [honeycombKey, rollbarToken, awsCredentials, noHardcodedSecrets, dotenvIgnored];
