import { skip, type Check, type CheckResult } from '../types.js';
import { isRollbarTokenShape, maskValue } from '../../secrets/shapes.js';
import { composeLiteral, composeMentions, findValue, notSetDetail, resultOf, setVariableFix } from './sources.js';

const KEY = 'ROLLBAR_ACCESS_TOKEN';
const META = { id: 'rollbar-token', title: 'Rollbar access token' };

/** ROLLBAR_ACCESS_TOKEN is set where compose reads it, and is 32 characters like a project token. */
export const rollbarToken: Check = {
  ...META,
  group: 'secrets',
  run(project): CheckResult {
    if (!(project.obsConfig?.rollbar.enabled || composeMentions(project, KEY))) {
      return skip(META, `Rollbar is not set up (obs.yaml does not enable it and compose does not reference \${${KEY}})`);
    }
    const found = findValue(project, KEY, { envFiles: true }) ?? composeLiteral(project, KEY);
    const fix = `${setVariableFix(project, [KEY])} (a post_server_item token from Rollbar > Project settings > Project access tokens)`;
    if (!found) return resultOf(META, 'fail', notSetDetail(project, KEY), fix);
    const value = found.value.trim();
    if (value === '') return resultOf(META, 'fail', `${KEY} is empty in ${found.where}`, fix);
    if (!isRollbarTokenShape(value)) {
      return resultOf(
        META,
        'warn',
        `${KEY} in ${found.where} does not look like a Rollbar access token (${maskValue(value)}): expected 32 hex characters`,
        'copy the post_server_item token again from Rollbar > Project settings > Project access tokens',
      );
    }
    const detail = `set in ${found.where} (${maskValue(value)})`;
    if (found.from === 'compose') {
      return resultOf(META, 'warn', `${detail}: written in the compose file instead of .env`, `move it to .env and write \${${KEY}} in compose (see no-hardcoded-secrets)`);
    }
    return resultOf(META, 'pass', detail);
  },
};
