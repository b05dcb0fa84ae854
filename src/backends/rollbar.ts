import { rollbarTokenCheck } from '../checks/project/rollbar-token-reference.js';
import { rollbarToken } from '../checks/secrets/rollbar-token.js';
import { BROWSER_STACKS } from '../stacks/detect.js';
import type { Backend, BackendSettings } from './types.js';

/** Errors to Rollbar: the access token, kept in .env, on each server-side service. */
export const rollbar: Backend<BackendSettings> = {
  id: 'rollbar',
  label: 'Rollbar',
  help: { on: 'add the Rollbar access token setting (default: off)', off: 'do not set up Rollbar' },
  flags: [],
  question: 'Report errors to Rollbar?',
  enabledByDefault: () => false,
  validateFlags() {},
  decide: async (enabled) => ({ enabled }),
  describe: () => 'Rollbar',
  environment: ({ stack }) => (BROWSER_STACKS.has(stack) ? [] : [{ key: 'ROLLBAR_ACCESS_TOKEN', value: '${ROLLBAR_ACCESS_TOKEN}' }]),
  placeholders: {
    ROLLBAR_ACCESS_TOKEN: 'Rollbar project access token with the post_server_item scope. Never commit it.',
  },
  configSection: ({ settings }) => ({ enabled: settings.enabled }),
  settingsFromConfig: (config) => ({ enabled: config.rollbar.enabled }),
  checks: { project: [rollbarTokenCheck], secrets: [rollbarToken] },
};
