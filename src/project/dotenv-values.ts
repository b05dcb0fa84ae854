import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { dotenvToMap, parseDotenv } from '../dotenv/index.js';

/**
 * The project's `.env` as values, for commands that resolve AWS settings the way compose hands
 * them to containers (src/aws/settings.ts awsEnvironment). Missing: no values. Unreadable or
 * invalid: no values and a one-line warning (compose would refuse it too; doctor reports where).
 */
export async function readProjectDotenv(root: string): Promise<{ values?: Map<string, string | undefined>; warning?: string }> {
  let text: string;
  try {
    text = await readFile(join(root, '.env'), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? {} : { warning: `.env not read (${code ?? 'error'}); AWS settings come from the environment and profiles only` };
  }
  try {
    return { values: dotenvToMap(parseDotenv(text, '.env')) };
  } catch {
    return { warning: '.env is not valid (obs doctor shows where); AWS settings come from the environment and profiles only' };
  }
}
