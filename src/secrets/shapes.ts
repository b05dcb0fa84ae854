/** Which environment values are secrets, and how to show one without revealing it. */

/** Keys whose value is a credential: it belongs in `.env`, referenced as `${KEY}`. */
export const SECRET_KEYS: ReadonlySet<string> = new Set(['HONEYCOMB_API_KEY', 'HONEYCOMB_WRITEKEY', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'ROLLBAR_ACCESS_TOKEN']);

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
/** Rollbar project access tokens: 32 hex (32 alphanumerics accepted: redacted or retyped). */
const ROLLBAR_TOKEN = /^[A-Za-z0-9]{32}$/;
const SHAPES: Record<string, { label: string; pattern: RegExp }> = {
  HONEYCOMB_API_KEY: { label: 'Honeycomb API key', pattern: HONEYCOMB_KEY },
  HONEYCOMB_WRITEKEY: { label: 'Honeycomb API key', pattern: HONEYCOMB_KEY },
  AWS_ACCESS_KEY_ID: { label: 'AWS access key id', pattern: /^(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|APKA|AROA)[A-Z0-9]{16}$/ },
  AWS_SECRET_ACCESS_KEY: { label: 'AWS secret access key', pattern: /^[A-Za-z0-9/+=]{40}$/ },
  AWS_SESSION_TOKEN: { label: 'AWS session token', pattern: /^[A-Za-z0-9/+=]{100,}$/ },
  ROLLBAR_ACCESS_TOKEN: { label: 'Rollbar access token', pattern: ROLLBAR_TOKEN },
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

/**
 * A compose environment value that holds a credential literally: a secret-shaped value of a
 * secret key, or a Honeycomb key written into an OTLP headers value. These are what obs moves
 * to `.env`, and the only values its edits may change in services it leaves alone.
 */
export function holdsLiteralSecret(key: string, value: string | null): boolean {
  if (value === null) return false;
  return isLiteralSecret(key, value) || (OTLP_HEADER_KEYS.has(key) && honeycombTeamLiteral(value) !== undefined);
}

/** `hcai…` → `hcai…(64 chars)`: the first 4 characters and the length, never more. */
export function maskSecret(value: string): string {
  return `${value.slice(0, 4)}…(${value.length} chars)`;
}

/** Honeycomb's classic-key test (husky IsClassicApiKey): classic keys need the x-honeycomb-dataset header. */
export function isClassicHoneycombKey(key: string): boolean {
  return (key.length === 32 && /^[0-9a-f]+$/.test(key)) || (key.length === 64 && /^hc[a-z]ic_[0-9a-z]*$/.test(key));
}

// ---------------------------------------------------------------------------------------------
// What doctor's secrets checks ask beyond "is this a credential": which kind of Honeycomb key a
// value is, where keys sit inside longer text, and which strings are placeholders.
// ---------------------------------------------------------------------------------------------

export type HoneycombKeyKind = 'configuration' | 'classic' | 'ingest' | 'classic-ingest';

export interface HoneycombKeyShape {
  kind: HoneycombKeyKind;
  /** 'ingest key', 'classic key', ... for messages. */
  label: string;
  /** Classic keys need `x-honeycomb-dataset` (husky's IsClassicApiKey). */
  classic: boolean;
}

const HONEYCOMB_SHAPES: { pattern: RegExp; shape: HoneycombKeyShape }[] = [
  // v1 Environments & Services configuration key.
  { pattern: /^[A-Za-z0-9]{22,23}$/, shape: { kind: 'configuration', label: 'configuration key', classic: false } },
  // v1 classic key: 32 hex.
  { pattern: /^[0-9a-f]{32}$/i, shape: { kind: 'classic', label: 'classic key', classic: true } },
  // v2 keys: `hc` + region letter + `i` + `k` (ingest) or `c` (classic ingest) + `_`; 64 characters documented.
  { pattern: /^hc[a-z]ic_[A-Za-z0-9]{16,}$/, shape: { kind: 'classic-ingest', label: 'classic ingest key', classic: true } },
  { pattern: /^hc[a-z]ik_[A-Za-z0-9]{16,}$/, shape: { kind: 'ingest', label: 'ingest key', classic: false } },
];

/** Which Honeycomb key `value` is by its shape, or undefined when it looks like none of them. */
export function classifyHoneycombKey(value: string): HoneycombKeyShape | undefined {
  return HONEYCOMB_SHAPES.find((s) => s.pattern.test(value))?.shape;
}

/** Rollbar project access tokens: 32 hex (32 alphanumerics accepted: redacted or retyped). */
export function isRollbarTokenShape(value: string): boolean {
  return ROLLBAR_TOKEN.test(value);
}

/** `AKIA…`/`ASIA…` access key ids, wherever they appear in a line. */
export const AWS_ACCESS_KEY_ID_ANYWHERE = /(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])/g;

/** v2 Honeycomb keys (`hcaik_…`, `hcxic_…`), wherever they appear; any length from 16 after the prefix. */
export const HONEYCOMB_V2_ANYWHERE = /(?<![A-Za-z0-9_])hc[a-z]i[kc]_[A-Za-z0-9]{16,}(?![A-Za-z0-9])/g;

/**
 * Placeholder words: `your-api-key`, `changeme`, AWS's documented `…EXAMPLE` keys. All-X strings
 * are NOT placeholders here: the corpus redacted real keys with X of the same length, and a
 * string of a real key's shape is treated as that key.
 */
const PLACEHOLDER = /example|placeholder|change_?me|dummy|bogus|your|replace|fake|sample/i;

export function isPlaceholder(value: string): boolean {
  return PLACEHOLDER.test(value) || isRepeatedNonX(value);
}

/** `aaaaaaaa…`, `00000000…`: one character repeated, except X (redaction keeps those). */
function isRepeatedNonX(value: string): boolean {
  return value.length > 0 && value[0] !== 'X' && /^(.)\1*$/.test(value);
}

/**
 * maskSecret (first 4 characters and the length) for key-length values; a short value shows only
 * its length, since its first 4 characters would be most of it.
 */
export function maskValue(value: string): string {
  return value.length >= 12 ? maskSecret(value) : `(${value.length} chars)`;
}
