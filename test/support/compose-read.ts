import { parse } from 'yaml';

/**
 * An independent reading of compose files for assertions: the `yaml` package with merge keys
 * (as compose resolves them) and compose's merge of environments across files. Deliberately
 * not obs's own code, so tests do not grade obs with its own ruler.
 */
export type Env = Record<string, string | null>;

export function readServices(texts: string[]): Record<string, { image?: string; environment: Env }> {
  const out: Record<string, { image?: string; environment: Env }> = {};
  for (const text of texts) {
    const doc = parse(text, { merge: true, maxAliasCount: -1 }) as { services?: Record<string, Record<string, unknown> | null> };
    for (const [name, raw] of Object.entries(doc.services ?? {})) {
      const service = (out[name] ??= { environment: {} });
      if (typeof raw?.image === 'string') service.image = raw.image;
      Object.assign(service.environment, envOf(raw?.environment));
    }
  }
  return out;
}

function envOf(value: unknown): Env {
  const env: Env = {};
  if (Array.isArray(value)) {
    for (const item of value.map(String)) {
      const eq = item.indexOf('=');
      if (eq === -1) env[item] = null;
      else env[item.slice(0, eq)] = item.slice(eq + 1);
    }
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) env[k] = v === null ? null : String(v);
  }
  return env;
}

/** Published credential formats: AWS key pairs, Honeycomb v1 (22-23, 32 chars) and v2 (hc?i?_) keys, Rollbar's 32. */
const SHAPES: Record<string, RegExp> = {
  AWS_SECRET_ACCESS_KEY: /^[A-Za-z0-9/+=]{40}$/,
  HONEYCOMB_API_KEY: /^(?:[A-Za-z0-9]{22,23}|[A-Za-z0-9]{32}|hc[a-z]i[kc]_\w+)$/,
  ROLLBAR_ACCESS_TOKEN: /^[A-Za-z0-9]{32}$/,
};

/** Literal credentials of the shapes the corpus holds (redacted keys keep length and prefix). */
export function literalSecretsIn(env: Env): string[] {
  const found: string[] = [];
  for (const [key, value] of Object.entries(env)) {
    if (value === null || value.includes('$')) continue;
    const shape = SHAPES[key];
    if (/^AKIA[A-Z0-9]{16}$/.test(value) || (shape && shape.test(value))) found.push(key);
    else if (/x-honeycomb-team\s*[=:]?\s*(?:hc[a-z]i[kc]_\w+|[A-Za-z0-9]{22,32})\b/.test(value)) found.push(key);
  }
  return found;
}

/** Comment-only lines of a text, for checking an edit kept every one of them. */
export function commentLines(text: string): string[] {
  return text.split(/\r?\n/).filter((line) => line.trim().startsWith('#'));
}
