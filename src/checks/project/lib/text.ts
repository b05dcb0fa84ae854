/** Masking lives in src/secrets/redact.ts, the one module every renderer uses. */
export { looksLikeCredential as looksSecret, maskCredentialShapes as redact } from '../../../secrets/redact.js';
import { maskCredentialShapes as redact } from '../../../secrets/redact.js';

/** `KEY: "value"`: the line to write in a service's `environment:` map. */
export function envLine(key: string, value: string): string {
  return `${key}: ${JSON.stringify(value)}`;
}

/** Shown in backticks, masked, shortened. */
export function quote(value: string, max = 80): string {
  const safe = redact(value);
  return `\`${safe.length > max ? `${safe.slice(0, max - 1)}…` : safe}\``;
}

/** The line to write for `key` in the same form as an existing entry. */
export function entryLine(form: 'map' | 'list' | 'dotenv', key: string, value: string | null): string {
  if (form === 'dotenv') return `${key}=${value ?? ''}`;
  if (form === 'list') return value === null ? `- ${key}` : `- ${key}=${value}`;
  return value === null ? `${key}:` : envLine(key, value);
}
