/**
 * How obs shows text that may hold secrets: pure functions, used by every renderer (diffs, JSON,
 * doctor's checklist, error messages) and by the output streams as a last net.
 *
 * Secrets are found by *position*, whatever their shape: the value of a key-like variable
 * (`DB_PASSWORD=…`, `api.token: …`, `--api-key …`), every header value of an OTLP headers variable,
 * the userinfo of a URL (`http://user:pass@host`). Known credential shapes (v2 Honeycomb keys, AWS
 * key ids, 32-hex tokens) are masked anywhere in a diff, where a token sits in a neighbouring
 * `labels:` or `command:` line without a telling name.
 */
import { maskSecret, secretKind } from './shapes.js';

/**
 * Names whose values are credentials: KEY, PASS, PWD, AUTH, DSN as a word (`DB_PASS`, `x-api-key`,
 * `apiKey`), and PASSWORD, SECRET, TOKEN, CREDENTIAL, PRIVATE and friends anywhere in the name.
 * `MONKEY`, `KEYCLOAK_URL`, `BYPASS`, `AUTHOR` are not.
 */
const WORD = /(?:^|[^A-Za-z])(?:key|keys|pass|pwd|auth|dsn)(?![A-Za-z])/i;
const ANYWHERE = /password|passwd|passphrase|secret|token|credential|private|api_?key|access_?key|write_?key|authorization|cookie|signature/i;

/** `AWS_SHARED_CREDENTIALS_FILE`, `SSH_AUTH_SOCK`: where a secret is kept, not the secret. */
const LOCATION = /[_.-](?:file|files|path|dir|sock|socket)$/i;

/** The shell's working directories (`PWD`, `OLDPWD`): paths every shell sets, not passwords. */
const SHELL_DIRECTORIES = new Set(['PWD', 'OLDPWD']);

export function isSecretName(name: string): boolean {
  return (ANYWHERE.test(name) || WORD.test(name) || camelWord(name)) && !LOCATION.test(name) && !SHELL_DIRECTORIES.has(name);
}

/** `x-honeycomb-team=HONEYCOMB_API_KEY`: a variable's name written where its value belongs (a mistake doctor reports), not a secret. */
function isVariableName(value: string): boolean {
  return /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/.test(value) && isSecretName(value);
}

/** `apiKey`, `dbPass`: the word starts with a capital letter after a lower-case one. */
function camelWord(name: string): boolean {
  return /[a-z](?:Key|Keys|Pass|Pwd|Auth|Dsn)(?![a-z])/.test(name);
}

/** Variables whose value is a list of `name=value` headers (OTEL_EXPORTER_OTLP_HEADERS and kin). */
export function isHeadersName(name: string): boolean {
  return /(^|_)HEADERS$/i.test(name);
}

/** Header values obs may show: the dataset is a name, not a credential. */
const PUBLIC_HEADERS = new Set(['x-honeycomb-dataset']);

/**
 * How a secret is shown: the first 4 characters and the length for key-length values, only the
 * length for shorter ones (4 characters would be most of them), and only the length when the first
 * characters are not plain letters and digits (so the mask is safe inside JSON and quotes).
 */
export function maskValue(value: string): string {
  if (value.length >= 12 && /^[A-Za-z0-9_+/.-]{4}/.test(value)) return maskSecret(value);
  return `(${value.length} chars)`;
}

/** A URL as it may be shown: `http://user:***@host`, `https://***@host` (a lone user name can be a token). */
export function displayUrl(url: string): string {
  return maskUserinfo(url, () => {});
}

// ---------------------------------------------------------------------------------------------
// One scanner, two uses: `redactText` replaces what it finds, `findSecrets` collects it. A found
// value is first replaced by a placeholder (\u0001n\u0002) that no later pattern matches, so a
// mask is never masked again; the placeholders become masks at the end.
// ---------------------------------------------------------------------------------------------

type Found = (value: string) => string;

const HIDDEN = /\u0001(\d+)\u0002/g;

class Hider {
  readonly values: string[] = [];
  /** Besides whole values: the words of `Bearer <token>`, since a token alone may be shown elsewhere. */
  readonly words: string[] = [];
  readonly hide: Found = (value) => {
    this.values.push(value);
    if (/\s/.test(value.trim())) this.words.push(...value.trim().split(/\s+/));
    return `\u0001${this.values.length - 1}\u0002`;
  };

  found(): string[] {
    return [...new Set([...this.values, ...this.words].map((v) => v.trim()))].filter((v) => v !== '');
  }

  reveal(text: string, show: (value: string) => string): string {
    return text.includes('\u0001') ? text.replace(HIDDEN, (_, i: string) => show(this.values[Number(i)]!)) : text;
  }
}

function maskUserinfo(text: string, found: (value: string) => void): string {
  // Only the stretch around each `://` is looked at: output runs to megabytes.
  let at = text.indexOf('://');
  if (at === -1) return text;
  let out = '';
  let cursor = 0;
  while (at !== -1) {
    let start = at;
    while (start > 0 && /[A-Za-z0-9+.-]/.test(text[start - 1]!)) start--;
    const m = URL_USERINFO_AT.exec(text.slice(start, Math.min(text.length, at + 3 + 2048)));
    if (m && start >= cursor) {
      out += text.slice(cursor, start) + userinfoMasked(m[0], m[1]!, m[2]!, found);
      cursor = start + m[0].length;
    }
    at = text.indexOf('://', Math.max(at + 3, cursor));
  }
  return cursor === 0 ? text : out + text.slice(cursor);
}

const URL_USERINFO_AT = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^\s/?#@"'`<>\u0001]+)@/;

function userinfoMasked(match: string, scheme: string, userinfo: string, found: (value: string) => void): string {
  const colon = userinfo.indexOf(':');
  const user = colon === -1 ? userinfo : userinfo.slice(0, colon);
  const password = colon === -1 ? undefined : userinfo.slice(colon + 1);
  if (password === undefined) {
    if (isReference(user) || user === '***') return match;
    found(user);
    return `${scheme}***@`;
  }
  if (isReference(password) || password === '***' || password === '') return match;
  found(password);
  return `${scheme}${user}:***@`;
}

/** What obs writes where a value goes: `<your key>`, `...`, `…`. */
function isPlaceholderText(value: string): boolean {
  return /^<[A-Za-z _-]*>?[^A-Za-z0-9]*$|^(?:\.\.\.|\u2026)$/.test(value);
}

/** `${VAR}`, `${VAR:-x}`, `$VAR`: interpolation carries no literal secret. */
function isReference(value: string): boolean {
  return /^(?:\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*)$/.test(value.trim());
}

/**
 * A secret value as written, with the parts that are references kept: `${A}` stays, `p4ss${A}`
 * masks `p4ss`. Masked values (`abcd…(40 chars)`, `***`, placeholders) are left alone.
 */
function maskLiteral(value: string, found: Found): string {
  const trimmed = value.trim();
  if (trimmed === '' || isReference(trimmed) || isPlaceholderText(trimmed) || isVariableName(trimmed) || trimmed.includes('\u0001') || /\u2026\(|^\(\d+(?: chars\))?$|^\*\*\*$/.test(trimmed))
    return value;
  if (!trimmed.includes('${')) return value.replace(trimmed, found(trimmed));
  // Mixed text and references: mask each literal run between references.
  return value.replace(/((?:\$\{[^}]*\})+)|([^$]+|\$(?!\{))/g, (run, ref: string | undefined) => (ref || run.trim() === '' ? run : found(run)));
}

/** `a=b,c=d`: every header value masked, except public ones. */
function maskHeaders(value: string, found: Found): string {
  return value.replace(/(^|,)(\s*)([^=,]*?)(\s*=\s*)([^,]*)/g, (match, lead: string, space: string, name: string, eq: string, headerValue: string) => {
    if (PUBLIC_HEADERS.has(name.trim().toLowerCase())) return match;
    return `${lead}${space}${name}${eq}${maskLiteral(headerValue, found)}`;
  });
}

/**
 * `KEY=value` / `KEY: value` on a line of `.env`, compose or a diff of them (diff marker, list dash,
 * quotes, `export` allowed). Keys may hold dots and dashes (labels: `com.example.api-token=…`).
 * A quoted value ends at its closing quote; what follows (a comment, prose) is left to the other rules.
 */
const ASSIGNMENT_HEAD = /^([-+ ]?\s*(?:-\s+)?["']?(?:export\s+)?)([A-Za-z_][A-Za-z0-9_.-]*)(\s*[=:]\s*)/;

function maskAssignmentLine(line: string, found: Found): string {
  const m = ASSIGNMENT_HEAD.exec(line);
  if (!m) return line;
  const [head, , key] = m as unknown as [string, string, string];
  const headers = isHeadersName(key);
  if (!headers && !isSecretName(key)) return line;
  const rest = line.slice(head.length);
  let value: string;
  let tail: string;
  const quote = rest[0];
  if (quote === '"' || quote === "'") {
    const close = rest.indexOf(quote, 1);
    value = close === -1 ? rest.slice(1) : rest.slice(1, close);
    tail = close === -1 ? '' : rest.slice(close);
  } else {
    const comment = rest.search(/\s#/);
    value = comment === -1 ? rest : rest.slice(0, comment);
    tail = comment === -1 ? '' : rest.slice(comment);
    // `- "com.example.token=abc"`: the closing quote of a quoted list item is not the value's.
    const closing = /^(.*?)(["']?)(\s*)$/.exec(value)!;
    if (closing[2] && /^[-+ ]?\s*(?:-\s+)?["']/.test(head)) {
      value = closing[1]!;
      tail = closing[2] + closing[3] + tail;
    }
  }
  // `KEY:` with nothing after it opens a nested block; `KEY: |` a block scalar.
  if (value.trim() === '' || (m[3]!.includes(':') && /^[|>][-+0-9]*$/.test(value.trim()))) return line;
  const masked = headers ? maskHeaders(value, found) : maskLiteral(value, found);
  return `${head}${quote === '"' || quote === "'" ? quote : ''}${masked}${tail}`;
}

/** `--api-key value`, `--api-key=value`, `"--api-key", "value"` (a compose `command:` list). */
const FLAG_VALUE = /(--?[A-Za-z][A-Za-z0-9_.-]*)(=|\s+|["']?\s*,\s*["']?)([^\s"',\]}]+)/g;

function maskFlagValues(line: string, found: Found): string {
  if (!line.includes('-')) return line;
  return line.replace(FLAG_VALUE, (match, flag: string, sep: string, value: string) => {
    if (!isSecretName(flag.replace(/^-+/, '')) || value.startsWith('-')) return match;
    return `${flag}${sep}${maskLiteral(value, found)}`;
  });
}

/** `{DB_PASSWORD: x, API_TOKEN: "y"}` and `KEY=value` pairs inside a longer line (flow style, labels). */
const INLINE_PAIR = /(?<![A-Za-z0-9_.-])([A-Za-z_][A-Za-z0-9_.-]*)(\s*(?::\s+|=)\s*)("[^"]*"|'[^']*'|(?:\$\{[^}]*\}|[^\s,{}[\]()<>;"'#$]|\$(?!\{))+)/g;

function maskInlinePairs(line: string, found: Found, colon: boolean): string {
  return line.replace(INLINE_PAIR, (match, key: string, sep: string, raw: string, offset: number) => {
    if (!colon && !sep.includes('=')) return match;
    // `abcd…(40 chars)`: a mask the value stops short of.
    if (line.startsWith('(', offset + match.length) && /^\(\d+ chars\)/.test(line.slice(offset + match.length))) return match;
    const headers = isHeadersName(key);
    if (!headers && !isSecretName(key)) return match;
    const quote = raw[0] === '"' || raw[0] === "'" ? raw[0] : '';
    const inner = quote ? raw.slice(1, -1) : raw;
    const masked = headers ? maskHeaders(inner, found) : maskLiteral(inner, found);
    return `${key}${sep}${quote}${masked}${quote}`;
  });
}

/** Credential shapes worth masking anywhere in a diff: no name says what they are. */
const SHAPES_ANYWHERE = [
  /(?<![A-Za-z0-9_])hc[a-z]i[kc]_[A-Za-z0-9]{16,}(?![A-Za-z0-9])/g, // Honeycomb v2 keys
  /(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])/g, // AWS access key ids
  /(?<![A-Za-z0-9:\u0001])[0-9a-fA-F]{32}(?![A-Za-z0-9])/g, // classic Honeycomb keys, Rollbar tokens (not sha256:… digests)
];

function maskShapes(line: string, found: Found): string {
  let out = line;
  for (const shape of SHAPES_ANYWHERE) out = out.replace(shape, (token) => found(token));
  return out;
}

/** Lines that can hold a secret by position or shape: a cheap pre-check (32-hex runs are found apart, see hexRunAt). */
const MAYBE_SECRET = new RegExp(`${ANYWHERE.source}|key|pass|pwd|auth|dsn|headers|://|hc[a-z]i[kc]_|AKIA|ASIA`, 'i');

/** File text (a diff) gets every rule; a message obs composed gets no shapes and no `word: value` pairs, which prose is full of. */
function maskLine(line: string, found: Found, file = true): string {
  if (!MAYBE_SECRET.test(line) && hexRunAt(line, 0) === -1) return line;
  let out = maskUserinfo(line, (v) => void found(v));
  out = maskAssignmentLine(out, found);
  out = maskInlinePairs(out, found, file);
  out = maskFlagValues(out, found);
  return file ? maskShapes(out, found) : out;
}

function hideKnown(text: string, knownSecrets: Iterable<string>, hide: Found): string {
  let out = text;
  const secrets = [...new Set(knownSecrets)].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
  for (const secret of secrets) {
    if (out.includes(secret)) out = out.split(secret).join(hide(secret));
    for (const form of [JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)]) {
      if (form !== secret && out.includes(form)) out = out.split(form).join(hide(secret));
    }
  }
  return out;
}

/**
 * Text obs prints from files it read (a diff, a `.env` line): every known secret value masked,
 * then every secret found by position or shape. Exact: what is not a secret stays byte for byte.
 */
export function redactText(text: string, knownSecrets: Iterable<string> = [], { message = false } = {}): string {
  const hider = new Hider();
  const hidden = hideKnown(text, knownSecrets, hider.hide);
  return hider.reveal(
    mapCandidateLines(hidden, (line) => maskLine(line, hider.hide, !message)),
    maskValue,
  );
}

const MAYBE_SECRET_ALL = new RegExp(MAYBE_SECRET.source, 'gi');

/**
 * `text` with `map` applied to each line that may hold a secret, the others untouched: diffs run
 * to megabytes and only a few percent of their lines mention anything secret-like.
 */
function mapCandidateLines(text: string, map: (line: string) => string): string {
  let out = '';
  let cursor = 0;
  MAYBE_SECRET_ALL.lastIndex = 0;
  let word = MAYBE_SECRET_ALL.exec(text)?.index ?? -1;
  let hex = hexRunAt(text, 0);
  while (word !== -1 || hex !== -1) {
    const hit = word === -1 ? hex : hex === -1 ? word : Math.min(word, hex);
    const start = text.lastIndexOf('\n', hit - 1) + 1;
    const newline = text.indexOf('\n', hit);
    const end = newline === -1 ? text.length : newline;
    // A CR before the newline stays out of the line, as split(/\r?\n/) would leave it.
    const lineEnd = end > start && text[end - 1] === '\r' ? end - 1 : end;
    out += text.slice(cursor, start) + map(text.slice(start, lineEnd));
    cursor = lineEnd;
    if (word !== -1 && word < end) {
      MAYBE_SECRET_ALL.lastIndex = end;
      word = MAYBE_SECRET_ALL.exec(text)?.index ?? -1;
    }
    if (hex !== -1 && hex < end) hex = hexRunAt(text, end);
  }
  return cursor === 0 ? text : out + text.slice(cursor);
}

/** Where the first run of 32 or more hex digits at or after `from` starts, or -1 (a loop: a regex here costs more than the rest). */
function hexRunAt(text: string, from: number): number {
  let run = 0;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i) | 0x20; // lower-cases letters, keeps digits
    if ((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66)) {
      if (++run === 32) return i - 31;
    } else run = 0;
  }
  return -1;
}

/**
 * A message obs composed (a doctor finding, a fix to paste): secrets by position masked, but no
 * shapes (a message may carry a 32-hex trace id on purpose) and no prose `word: value` pairs.
 */
export function redactMessage(text: string): string {
  return redactText(text, [], { message: true });
}

/** Kept for callers of the old name. */
export const redactSecrets = redactText;

/**
 * The diff of one planned file change, as shown. A file obs creates from its own templates holds
 * no user value but the secrets it moves (`knownSecrets`), so only those are masked there: these
 * files are most of a large project's diff. Edited files and `.env*` get every rule.
 */
export function redactDiff(diff: string, change: { path: string; before: string | null }, knownSecrets: Iterable<string>): string {
  const generated = change.before === null && !/(^|\/)\.env[^/]*$/.test(change.path);
  return generated ? redactKnown(diff, knownSecrets) : redactText(diff, knownSecrets);
}

/** The values `redactText` would mask by position or shape: what a command must never print. */
export function findSecrets(text: string): string[] {
  const hider = new Hider();
  mapCandidateLines(text, (line) => maskLine(line, hider.hide));
  return hider.found();
}

/** The secrets an environment holds: key-like variables, header values, URL userinfo. */
export function secretsInEnvironment(env: Iterable<[string, string | null | undefined]>): string[] {
  const hider = new Hider();
  for (const [key, value] of env) {
    if (typeof value !== 'string' || value === '') continue;
    if (isHeadersName(key)) maskHeaders(value, hider.hide);
    else if (isSecretName(key)) maskLiteral(value, hider.hide);
    maskUserinfo(value, (v) => void hider.hide(v));
  }
  return hider.found();
}

/** URL userinfo in command-line arguments (`--endpoint-url http://user:pass@host`). */
export function secretsInArguments(argv: readonly string[]): string[] {
  const out = new Set<string>();
  for (const arg of argv) maskUserinfo(arg, (v) => void out.add(v));
  return [...out];
}

/**
 * Whether a value found by position is worth masking wherever it appears in output (the net over
 * the streams): long enough to be a credential, and not a plain word such as `postgres` that would
 * also mask image and service names.
 */
export function worthMaskingEverywhere(value: string): boolean {
  if (value.length < 8 || value.includes('…(') || isVariableName(value)) return false;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((c) => c.test(value)).length;
  return classes >= 2 || value.length >= 16;
}

/**
 * Output as a command writes it (any stream, any format): every known secret masked, also in its
 * JSON-escaped form, and URL userinfo masked. No shapes here: a 32-hex trace id is not a key.
 */
export function redactKnown(text: string, knownSecrets: Iterable<string>): string {
  const hider = new Hider();
  const hidden = maskUserinfo(hideKnown(text, knownSecrets, hider.hide), () => {});
  return hider.reveal(hidden, maskValue);
}

const SHAPED = ['HONEYCOMB_API_KEY', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'ROLLBAR_ACCESS_TOKEN'];

/** True when `token` has the shape of a credential obs knows (doctor's checks ask this of values they quote). */
export function looksLikeCredential(token: string): boolean {
  return SHAPED.some((key) => secretKind(key, token) !== undefined);
}

/** `text` with every credential-shaped token masked: for a value a check quotes in its message. */
export function maskCredentialShapes(text: string): string {
  return text.replace(/[A-Za-z0-9_/+=]{16,}/g, (token) => {
    if (looksLikeCredential(token)) return maskSecret(token);
    // `x-honeycomb-team=KEY` arrives as one token when the key has no `_`.
    const eq = token.lastIndexOf('=');
    if (eq > 0 && looksLikeCredential(token.slice(eq + 1))) return `${token.slice(0, eq + 1)}${maskSecret(token.slice(eq + 1))}`;
    return token;
  });
}
