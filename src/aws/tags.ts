import { UsageError } from '../errors.js';
import type { Difference } from './resource.js';

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

/**
 * The tags to keep in line on a resource that already exists: those the user asked for.
 * managed-by=obs goes only on what obs creates, so it is not added to someone else's resource.
 */
export function requestedTags(tags: Map<string, string>): Map<string, string> {
  return new Map([...tags].filter(([key]) => key !== MANAGED_TAG.key));
}

/** Pure: tags asked for that the resource lacks or holds with another value. Other tags stay as they are. */
export function tagDifferences(requested: Map<string, string>, current: Record<string, string> | undefined): Difference[] {
  if (!current) return [];
  return [...requested].filter(([key, value]) => current[key] !== value).map(([key, value]) => ({ field: `${TAG_FIELD}${key}`, before: current[key], after: value }));
}

/** The tags a create sends (managed-by=obs included), as plan lines: `tag team: "web"`. */
export function createdTags(tags: Map<string, string>): Difference[] {
  return [...tags].map(([key, value]) => ({ field: `${TAG_FIELD}${key}`, before: undefined, after: value }));
}

/** Differences on tags read `tag team: null -> "web"`. */
export const TAG_FIELD = 'tag ';

/** Whether anything but tags differs: a tag alone is a TagResource, not the resource's own update call. */
export function differsBeyondTags(differences: Difference[]): boolean {
  return differences.some((d) => !d.field.startsWith(TAG_FIELD));
}

/** The tags the differences ask for, as TagResource takes them. */
export function tagsToSet(differences: Difference[]): Record<string, string> {
  return Object.fromEntries(differences.filter((d) => d.field.startsWith(TAG_FIELD)).map((d) => [d.field.slice(TAG_FIELD.length), String(d.after)]));
}

/** Names the API operation in errors (the IAM action to add), when it is not the handler's own. */
export async function during<T>(operation: string, call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (err) {
    if (err && typeof err === 'object') Object.assign(err, { obsOperation: operation });
    throw err;
  }
}
