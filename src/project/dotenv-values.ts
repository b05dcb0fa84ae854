import { NotRegularFile, readRegularTextSync } from '../io/read-regular.js';
import { join } from 'node:path';
import { dotenvToMap, parseDotenv } from '../dotenv/index.js';

/**
 * The project's `.env` as values, for commands that resolve AWS settings the way compose hands
 * them to containers (src/aws/settings.ts awsEnvironment). Missing: no values. Unreadable or
 * invalid: no values and a one-line warning (compose would refuse it too; doctor reports where).
 */
export async function readProjectDotenv(root: string): Promise<{ values?: Map<string, string | undefined>; warning?: string }> {
  let text: string | undefined;
  try {
    // Regular files only: a FIFO named .env would block apply forever.
    text = readRegularTextSync(join(root, '.env'), '.env');
  } catch (err) {
    const why = err instanceof NotRegularFile ? err.kind : ((err as NodeJS.ErrnoException).code ?? 'error');
    return { warning: `.env not read (${why}); AWS settings come from the environment and profiles only` };
  }
  if (text === undefined) return {};
  try {
    return { values: dotenvToMap(parseDotenv(text, '.env')) };
  } catch {
    return { warning: '.env is not valid (obs doctor shows where); AWS settings come from the environment and profiles only' };
  }
}
