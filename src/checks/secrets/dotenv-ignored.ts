import type { Check, CheckResult } from '../types.js';
import { dotenvPath, resultOf } from './sources.js';

const META = { id: 'dotenv-ignored', title: '.env kept out of git' };

/** `.env` holds the keys: it must be git-ignored and never tracked. */
export const dotenvIgnored: Check = {
  ...META,
  group: 'secrets',
  run(project): CheckResult {
    const path = dotenvPath(project);
    const { isRepo, envTracked, envIgnored } = project.git;
    const ignoreFix = 'echo .env >> .gitignore';
    if (envTracked) {
      return resultOf(
        META,
        'fail',
        `${path} is tracked by git: every key in it is published with a push and stays in the history`,
        `git rm --cached ${path}${envIgnored ? '' : ` && ${ignoreFix}`}, commit, then rotate the keys it held`,
      );
    }
    if (project.dotenv) {
      if (envIgnored) return resultOf(META, 'pass', `${path} is git-ignored and not tracked`);
      if (!isRepo) return resultOf(META, 'warn', `${path} is not covered by .gitignore (not a git repository yet: a first \`git add .\` would commit it)`, ignoreFix);
      return resultOf(META, 'fail', `${path} is not git-ignored: \`git add .\` would commit the keys in it`, ignoreFix);
    }
    if (envIgnored) return resultOf(META, 'pass', `no ${path} yet, and .gitignore covers it`);
    return resultOf(META, 'warn', `no ${path} yet, and .gitignore does not cover it: keys written there later could be committed`, ignoreFix);
  },
};
