import { maskSecret } from './shapes.js';

/** Variable names whose values are credentials whatever their shape. */
const SECRET_NAME = /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|ACCESS_KEY|PRIVATE_KEY|WRITEKEY)/i;

/**
 * Masks secrets in text obs prints (diffs, JSON): every known secret value, and in `.env`-style
 * or compose `KEY: value` / `KEY=value` lines the value of any secret-named variable.
 */
export function redactSecrets(text: string, knownSecrets: Iterable<string>): string {
  let out = text;
  for (const secret of [...knownSecrets].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length)) {
    out = out.split(secret).join(maskSecret(secret));
  }
  return out
    .split('\n')
    .map((line) =>
      line.replace(/^([-+ ]?\s*(?:-\s+)?["']?(?:export\s+)?)([A-Za-z_][A-Za-z0-9_]*)(\s*[=:]\s*)(["']?)([^"'\s#][^"'#]*?)(\4)(\s*(?:#.*)?)$/, (match, pre, key, sep, q1, value, q2, post) => {
        if (!SECRET_NAME.test(key) || value.includes('$') || value.includes('…(')) return match;
        return `${pre}${key}${sep}${q1}${maskSecret(value.trim())}${q2}${post}`;
      }),
    )
    .join('\n');
}
