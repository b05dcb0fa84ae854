import { UsageError } from '../errors.js';

/** Every resource obs creates carries this tag, so a user can find what obs made. */
export const MANAGED_TAG = { key: 'managed-by', value: 'obs' } as const;

/** Tag keys and values: letters, digits, spaces and _ . : / = + - @ (AWS tagging rules). */
const TAG_CHARS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/** Parses repeated `--tag KEY=VALUE` flags, validated like AWS does, managed-by=obs added. */
export function parseTags(values: string[] | undefined, flag = '--tag'): Map<string, string> {
  const tags = new Map<string, string>();
  for (const raw of values ?? []) {
    const eq = raw.indexOf('=');
    if (eq <= 0) throw new UsageError(`${flag} takes KEY=VALUE, got ${JSON.stringify(raw)}`);
    const key = raw.slice(0, eq);
    const value = raw.slice(eq + 1);
    if (key.length > 128) throw new UsageError(`${flag} key must be at most 128 characters: ${JSON.stringify(key)}`);
    if (value.length > 256) throw new UsageError(`${flag} value must be at most 256 characters (key ${key})`);
    if (!TAG_CHARS.test(key) || !TAG_CHARS.test(value)) {
      throw new UsageError(`${flag} ${JSON.stringify(raw)} has characters AWS does not allow in tags (letters, digits, spaces and _ . : / = + - @)`);
    }
    if (key.toLowerCase().startsWith('aws:')) throw new UsageError(`${flag} keys cannot start with "aws:": AWS reserves that prefix`);
    tags.set(key, value);
  }
  if (!tags.has(MANAGED_TAG.key)) tags.set(MANAGED_TAG.key, MANAGED_TAG.value);
  if (tags.size > 50) throw new UsageError(`at most 50 tags per resource, got ${tags.size}`);
  return tags;
}
