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

/** A literal secret value: non-empty and not merely a reference to a variable. */
export function isLiteralSecret(value: string | null | undefined): value is string {
  if (value === null || value === undefined) return false;
  const trimmed = value.trim();
  return trimmed !== '' && !isReferenceOnly(trimmed) && !/^<.*>$/.test(trimmed);
}

/** Finds `x-honeycomb-team=<literal>` in an OTLP headers value; returns the literal and where it sits. */
export function honeycombTeamLiteral(headers: string): { value: string; start: number; end: number } | undefined {
  const match = /(^|,)\s*x-honeycomb-team\s*=\s*([^,]*)/i.exec(headers);
  if (!match) return undefined;
  const value = match[2]!.trim();
  if (!isLiteralSecret(value)) return undefined;
  const start = match.index + match[0].length - match[2]!.length + (match[2]!.length - match[2]!.trimStart().length);
  return { value, start, end: start + value.length };
}

/** `hcai…` → `hcai…(64 chars)`: the first 4 characters and the length, never more. */
export function maskSecret(value: string): string {
  return `${value.slice(0, 4)}…(${value.length} chars)`;
}
