/** Rendering YAML scalars the way a person would write them in a compose file. */

export type QuoteStyle = 'double' | 'single' | 'plain';

/** Double-quoted YAML is a superset of JSON strings, so JSON escaping is always valid. */
export function doubleQuoted(value: string): string {
  return JSON.stringify(value);
}

export function singleQuoted(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * True when `value` can be written as a plain scalar and still read back as the same string
 * (not a number, boolean or null, no comment or mapping indicators).
 */
export function isSafePlain(value: string): boolean {
  if (value === '' || value !== value.trim()) return false;
  if (/^[-?:,[\]{}#&*!|>'"%@`]/.test(value)) return false;
  if (/: |:$| #|[\r\n\t]/.test(value)) return false;
  if (/^(?:~|null|true|false|yes|no|on|off|y|n)$/i.test(value)) return false;
  if (/^[-+]?(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?$/i.test(value)) return false;
  if (/^0[box]/i.test(value) || /^[-+]?\.(?:inf|nan)$/i.test(value)) return false;
  return true;
}

export function renderScalar(value: string, style: QuoteStyle): string {
  if (style === 'single') return singleQuoted(value);
  if (style === 'plain' && isSafePlain(value)) return value;
  return doubleQuoted(value);
}

/** YAML Scalar.type values from the `yaml` package mapped to our styles. */
export function quoteStyleOf(type: string | undefined): QuoteStyle {
  if (type === 'QUOTE_DOUBLE') return 'double';
  if (type === 'QUOTE_SINGLE') return 'single';
  return 'plain';
}
