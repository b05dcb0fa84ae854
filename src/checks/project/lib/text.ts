import { maskSecret, secretKind } from '../../../secrets/shapes.js';

const SHAPED = ['HONEYCOMB_API_KEY', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'ROLLBAR_ACCESS_TOKEN'];

/** True when `token` has the shape of a credential. */
export function looksSecret(token: string): boolean {
  return SHAPED.some((key) => secretKind(key, token) !== undefined);
}

/** `text` with every credential-shaped token masked, safe to show in a message. */
export function redact(text: string): string {
  return text.replace(/[A-Za-z0-9_/+=]{16,}/g, (token) => {
    if (looksSecret(token)) return maskSecret(token);
    // `x-honeycomb-team=KEY` arrives as one token when the key has no `_`.
    const eq = token.lastIndexOf('=');
    if (eq > 0 && looksSecret(token.slice(eq + 1))) return `${token.slice(0, eq + 1)}${maskSecret(token.slice(eq + 1))}`;
    return token;
  });
}

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
