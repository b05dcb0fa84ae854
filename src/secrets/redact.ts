import { maskSecret } from './shapes.js';

/** Variable names whose values are credentials whatever their shape. */
const SECRET_NAME = /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|ACCESS_KEY|PRIVATE_KEY|WRITEKEY)/i;

/** Where a secret-named variable may start: only lines with such a name can need masking. */
const SECRET_NAME_ANYWHERE = new RegExp(SECRET_NAME.source, 'gi');

/** `KEY=value` / `KEY: value` (diff marker, list dash, quotes, `export` allowed), value maskable. */
const ASSIGNMENT = /^([-+ ]?\s*(?:-\s+)?["']?(?:export\s+)?)([A-Za-z_][A-Za-z0-9_]*)(\s*[=:]\s*)(["']?)([^"'\s#][^"'#]*?)(\4)(\s*(?:#.*)?)$/;

/**
 * Masks secrets in text obs prints (diffs, JSON): every known secret value, and in `.env`-style
 * or compose `KEY: value` / `KEY=value` lines the value of any secret-named variable.
 */
export function redactSecrets(text: string, knownSecrets: Iterable<string>): string {
  let out = text;
  for (const secret of [...knownSecrets].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length)) {
    out = out.split(secret).join(maskSecret(secret));
  }
  return maskSecretNamedValues(out);
}

/** Line by line, but only the lines that mention a secret-like name are looked at (diffs run to megabytes). */
function maskSecretNamedValues(text: string): string {
  let out = '';
  let cursor = 0;
  SECRET_NAME_ANYWHERE.lastIndex = 0;
  for (let found = SECRET_NAME_ANYWHERE.exec(text); found; found = SECRET_NAME_ANYWHERE.exec(text)) {
    const start = text.lastIndexOf('\n', found.index - 1) + 1;
    const newline = text.indexOf('\n', found.index);
    const end = newline === -1 ? text.length : newline;
    out += text.slice(cursor, start) + maskLine(text.slice(start, end));
    cursor = end;
    SECRET_NAME_ANYWHERE.lastIndex = end;
  }
  return cursor === 0 ? text : out + text.slice(cursor);
}

function maskLine(line: string): string {
  return line.replace(ASSIGNMENT, (match, pre, key, sep, q1, value, q2, post) => {
    if (!SECRET_NAME.test(key) || value.includes('$') || value.includes('…(')) return match;
    return `${pre}${key}${sep}${q1}${maskSecret(value.trim())}${q2}${post}`;
  });
}
