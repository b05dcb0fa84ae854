/**
 * The one reader of compose port numbers (`ports:` published and target parts): `3000` or a
 * range `3000-3002`. Interpolation is the caller's: compose's own (interpolation.ts), or the
 * default of `${PORT:-3000}` when no value is known (unsetDefault).
 */

/** First and last port of `3000` or `3000-3002` (spaces around allowed); undefined for anything else. */
export function portRange(text: string): { first: number; last: number } | undefined {
  const m = /^\s*([0-9]+)(?:-([0-9]+))?\s*$/.exec(text);
  if (!m) return undefined;
  const first = Number(m[1]);
  return { first, last: m[2] === undefined ? first : Number(m[2]) };
}

/** `${PORT:-3000}` (or `${PORT-3000}`) -> `3000`: what compose publishes while PORT is unset; other text as it is. */
export function unsetDefault(text: string): string {
  return text.trim().replace(/^\$\{[A-Za-z_][A-Za-z0-9_]*:?-([0-9]+)\}$/, '$1');
}

/** The ports of a range, first to last, at most `max` of them. */
export function portsOf(range: { first: number; last: number }, max: number): number[] {
  const count = Math.max(0, Math.min(range.last - range.first + 1, max));
  return Array.from({ length: count }, (_, i) => range.first + i);
}

/** The host port a service publishes its container port `target` on (one port to one port), if it does. */
export function publishedPortOf(ports: readonly { target?: string; published?: string }[], target: number): number | undefined {
  for (const port of ports) {
    const inside = portRange(port.target ?? '');
    const outside = portRange(port.published ?? '');
    if (inside?.first === target && inside.last === target && outside && outside.first === outside.last) return outside.first;
  }
  return undefined;
}
