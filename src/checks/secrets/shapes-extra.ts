import { maskSecret } from '../../secrets/shapes.js';

/**
 * Key shapes the secrets checks need beyond src/secrets/shapes.ts: which kind of Honeycomb key a
 * value is, and which strings are placeholders rather than credentials.
 */

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
  return /^[A-Za-z0-9]{32}$/.test(value);
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
