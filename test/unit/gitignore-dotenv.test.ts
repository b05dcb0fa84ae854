import { describe, expect, it } from 'vitest';
import { gitignoreCoversDotenv } from '../../src/io/git.js';

/** Outside a git repository obs reads .gitignore itself to decide whether to add `.env` to it. */
describe('gitignoreCoversDotenv', () => {
  it.each(['.env', '/.env', '.env*', '*.env', '**/.env', '  .env  ', 'node_modules\r\n.env\r\n'])('%j covers .env', (text) => {
    expect(gitignoreCoversDotenv(text)).toBe(true);
  });

  it.each([
    // A trailing slash matches folders only: git still sees a .env file.
    ['.env/', 'folder-only pattern'],
    ['.env*\n!.env', 'negated by a later line'],
    ['*.env\n!/.env\n', 'negated with a leading slash'],
    ['# .env', 'a comment'],
    ['.env.local', 'another file'],
  ])('%j does not cover .env (%s)', (text) => {
    expect(gitignoreCoversDotenv(text)).toBe(false);
  });

  it('a pattern after the negation covers it again, as in git (last match wins)', () => {
    expect(gitignoreCoversDotenv('.env*\n!.env\n.env\n')).toBe(true);
  });
});
