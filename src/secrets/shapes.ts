/** Which environment values are secrets, and how to show one without revealing it. */

/** Keys whose value is a credential: it belongs in `.env`, referenced as `${KEY}`. */
export const SECRET_KEYS: ReadonlySet<string> = new Set([
  'HONEYCOMB_API_KEY',
  'HONEYCOMB_WRITEKEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'ROLLBAR_ACCESS_TOKEN',
]);

/** Header variables whose `x-honeycomb-team` value is the Honeycomb key itself. */
export const OTLP_HEADER_KEYS: ReadonlySet<string> = new Set([
  'OTEL_EXPORTER_OTLP_HEADERS',
  'OTEL_EXPORTER_OTLP_TRACES_HEADERS',
  'OTEL_EXPORTER_OTLP_METRICS_HEADERS',
  'OTEL_EXPORTER_OTLP_LOGS_HEADERS',
]);

/** A value that is only an interpolation (`${VAR}`, `${VAR:-x}`, `$VAR`) carries no literal secret. */
export function isReferenceOnly(value: string): boolean {
  return /^(?:\$\{[A-Za-z_][A-Za-z0-9_]*(?:[:?+-][^}]*)?\}|\$[A-Za-z_][A-Za-z0-9_]*)$/.test(value.trim());
}

/**
 * Credential shapes by length and alphabet (not by exact charset: a key redacted or typed with
 * other letters of the same shape is still a key). Placeholders such as `test` or `bogus_key`
 * match none of them.
 */
// v2 keys are documented as 64 characters; shorter hc?i?_ keys exist in the wild, so any length.
const HONEYCOMB_KEY = /^(?:[A-Za-z0-9]{22,23}|[A-Za-z0-9]{32}|hc[a-z]i[kc]_[A-Za-z0-9]{16,})$/;
const SHAPES: Record<string, { label: string; pattern: RegExp }> = {
  HONEYCOMB_API_KEY: { label: 'Honeycomb API key', pattern: HONEYCOMB_KEY },
  HONEYCOMB_WRITEKEY: { label: 'Honeycomb API key', pattern: HONEYCOMB_KEY },
  AWS_ACCESS_KEY_ID: { label: 'AWS access key id', pattern: /^(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|APKA|AROA)[A-Z0-9]{16}$/ },
  AWS_SECRET_ACCESS_KEY: { label: 'AWS secret access key', pattern: /^[A-Za-z0-9/+=]{40}$/ },
  AWS_SESSION_TOKEN: { label: 'AWS session token', pattern: /^[A-Za-z0-9/+=]{100,}$/ },
  ROLLBAR_ACCESS_TOKEN: { label: 'Rollbar access token', pattern: /^[A-Za-z0-9]{32}$/ },
};

/** What kind of credential `value` is for `key`, or undefined for references and placeholders. */
export function secretKind(key: string, value: string | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  const shape = SHAPES[key];
  // Anything with `$` is interpolation, even malformed (`${}`): a mistake for doctor, not a key.
  if (!shape || value.includes('$')) return undefined;
  return shape.pattern.test(value.trim()) ? shape.label : undefined;
}

/** A literal credential written where a `${VAR}` reference belongs. */
export function isLiteralSecret(key: string, value: string | null | undefined): boolean {
  return secretKind(key, value) !== undefined;
}

/** Finds `x-honeycomb-team=<literal>` in an OTLP headers value; returns the literal and where it sits. */
export function honeycombTeamLiteral(headers: string): { value: string; start: number; end: number } | undefined {
  const match = /(^|,)\s*x-honeycomb-team\s*=\s*([^,]*)/i.exec(headers);
  if (!match) return undefined;
  const value = match[2]!.trim();
  if (!isLiteralSecret('HONEYCOMB_API_KEY', value)) return undefined;
  const start = match.index + match[0].length - match[2]!.length + (match[2]!.length - match[2]!.trimStart().length);
  return { value, start, end: start + value.length };
}

/** `hcai…` → `hcai…(64 chars)`: the first 4 characters and the length, never more. */
export function maskSecret(value: string): string {
  return `${value.slice(0, 4)}…(${value.length} chars)`;
}

/** Honeycomb's classic-key test (husky IsClassicApiKey): classic keys need the x-honeycomb-dataset header. */
export function isClassicHoneycombKey(key: string): boolean {
  return (key.length === 32 && /^[0-9a-f]+$/.test(key)) || (key.length === 64 && /^hc[a-z]ic_[0-9a-z]*$/.test(key));
}
