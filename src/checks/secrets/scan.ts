import { AWS_ACCESS_KEY_ID_ANYWHERE, classifyHoneycombKey, HONEYCOMB_V2_ANYWHERE, isPlaceholder, isRollbarTokenShape, SECRET_KEYS, secretKind } from '../../secrets/shapes.js';

/** A literal credential found in a text. Holds the value only so the caller can mask it. */
export interface SecretHit {
  /** 1-based. */
  line: number;
  /** 0-based column of the value. */
  col: number;
  /** 'AWS access key id', 'Honeycomb ingest key', ... */
  kind: string;
  /** The variable it belongs in: HONEYCOMB_API_KEY, AWS_ACCESS_KEY_ID, ... */
  envName: string;
  /** Found as `x-honeycomb-team=<key>` in a headers value. */
  header: boolean;
  value: string;
}

interface NamedRule {
  /** The name before the value; global, bounded so `MY_HONEYCOMB_API_KEY_X` still counts. */
  name: RegExp;
  envName: string;
  test(value: string): boolean;
  kind(value: string): string;
  /** Only in files that mention this (generic names such as `api_key`, `access_token`). */
  context?: RegExp;
  /** `rollbar.init('…')`: no `=`/`:` between the name and the value. */
  bare?: boolean;
  header?: boolean;
}

const honeycombKind = (value: string): string => {
  const shape = classifyHoneycombKey(value);
  return shape ? `Honeycomb ${shape.label}` : 'Honeycomb API key';
};
const isHoneycomb = (value: string) => secretKind('HONEYCOMB_API_KEY', value) !== undefined;
const B = '(?<![A-Za-z0-9_])';
const E = '(?![A-Za-z0-9_])';

const RULES: NamedRule[] = [
  { name: new RegExp(`${B}HONEYCOMB_[A-Z0-9_]*?(?:API_?KEY|WRITE_?KEY)[A-Z0-9_]*${E}`, 'gi'), envName: 'HONEYCOMB_API_KEY', test: isHoneycomb, kind: honeycombKind },
  { name: /(?<![A-Za-z0-9_-])x-honeycomb-team(?![A-Za-z0-9_-])/gi, envName: 'HONEYCOMB_API_KEY', test: isHoneycomb, kind: honeycombKind, header: true },
  { name: new RegExp(`${B}(?:api_?key|write_?key)${E}`, 'gi'), envName: 'HONEYCOMB_API_KEY', test: isHoneycomb, kind: honeycombKind, context: /honeycomb/i },
  {
    name: new RegExp(`${B}(?:aws_?access_?key_?id|access_?key_?id)${E}`, 'gi'),
    envName: 'AWS_ACCESS_KEY_ID',
    test: (v) => secretKind('AWS_ACCESS_KEY_ID', v) !== undefined,
    kind: () => 'AWS access key id',
  },
  {
    name: new RegExp(`${B}(?:aws_?secret_?access_?key|secret_?access_?key|aws_?secret_?key)${E}`, 'gi'),
    envName: 'AWS_SECRET_ACCESS_KEY',
    test: (v) => secretKind('AWS_SECRET_ACCESS_KEY', v) !== undefined,
    kind: () => 'AWS secret access key',
  },
  {
    name: new RegExp(`${B}(?:aws_?session_?token|session_?token)${E}`, 'gi'),
    envName: 'AWS_SESSION_TOKEN',
    test: (v) => secretKind('AWS_SESSION_TOKEN', v) !== undefined,
    kind: () => 'AWS session token',
  },
  { name: new RegExp(`${B}rollbar[A-Za-z0-9_]*?(?:token|key)[A-Za-z0-9_]*${E}`, 'gi'), envName: 'ROLLBAR_ACCESS_TOKEN', test: isRollbarTokenShape, kind: () => 'Rollbar access token' },
  { name: new RegExp(`${B}access_?token${E}`, 'gi'), envName: 'ROLLBAR_ACCESS_TOKEN', test: isRollbarTokenShape, kind: () => 'Rollbar access token', context: /rollbar/i },
  { name: /(?<![A-Za-z0-9_])rollbar\.init\(/gi, envName: 'ROLLBAR_ACCESS_TOKEN', test: isRollbarTokenShape, kind: () => 'Rollbar access token', bare: true },
];

// `KEY=v`, `KEY: v`, `"KEY": "v"`, `KEY => 'v'`, `ENV['KEY'] = 'v'`, `--env KEY="v"`.
const SEPARATOR = /^["'\]]*[ \t]*(?:=>|:=|=|:)[ \t]*["']?/;
const BARE_SEPARATOR = /^[ \t]*["']?/;
// The value: up to a blank, a quote or a delimiter.
const TOKEN = /^[^\s"'`,;#(){}[\]<>\\|&]*/;
// `${VAR:-default}` / `${VAR-default}`: a default is a literal too.
const DEFAULT = /\$\{([A-Za-z_][A-Za-z0-9_]*):?-([^}]*)\}/g;
// Lines without any of these cannot hold a hit: skip them cheaply.
const PREFILTER = /honeycomb|AKIA|ASIA|hc[a-z]i[kc]_|secret|access|session|rollbar|api_?key|write_?key|\$\{/i;

function usable(value: string): boolean {
  return value !== '' && !value.includes('$') && !isPlaceholder(value);
}

/** Every literal credential in `text`, one hit per value per line. */
export function scanForSecrets(text: string): SecretHit[] {
  const hits: SecretHit[] = [];
  const seen = new Set<string>();
  const add = (hit: SecretHit) => {
    const key = `${hit.line}:${hit.value}`;
    if (seen.has(key) || !usable(hit.value)) return;
    seen.add(key);
    hits.push(hit);
  };
  const rules = RULES.filter((rule) => !rule.context || rule.context.test(text));
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (!PREFILTER.test(line)) return;
    const n = i + 1;
    for (const rule of rules) {
      rule.name.lastIndex = 0;
      for (let m = rule.name.exec(line); m; m = rule.name.exec(line)) {
        const after = line.slice(m.index + m[0].length);
        const sep = (rule.bare ? BARE_SEPARATOR : SEPARATOR).exec(after);
        if (!sep) continue;
        const value = TOKEN.exec(after.slice(sep[0].length))![0];
        if (!rule.test(value)) continue;
        add({ line: n, col: m.index + m[0].length + sep[0].length, kind: rule.kind(value), envName: rule.envName, header: rule.header === true, value });
      }
    }
    for (const pattern of [AWS_ACCESS_KEY_ID_ANYWHERE, HONEYCOMB_V2_ANYWHERE]) {
      pattern.lastIndex = 0;
      for (let m = pattern.exec(line); m; m = pattern.exec(line)) {
        const aws = pattern === AWS_ACCESS_KEY_ID_ANYWHERE;
        const kind = aws ? 'AWS access key id' : honeycombKind(m[0]);
        add({ line: n, col: m.index, kind, envName: aws ? 'AWS_ACCESS_KEY_ID' : 'HONEYCOMB_API_KEY', header: false, value: m[0] });
      }
    }
    DEFAULT.lastIndex = 0;
    for (let m = DEFAULT.exec(line); m; m = DEFAULT.exec(line)) {
      const name = m[1]!;
      const value = m[2]!.trim();
      const kind = SECRET_KEYS.has(name) ? secretKind(name, value) : undefined;
      if (!kind) continue;
      const label = kind === 'Honeycomb API key' ? honeycombKind(value) : kind;
      add({ line: n, col: m.index + m[0].indexOf(m[2]!), kind: label, envName: name, header: false, value });
    }
  });
  return hits.sort((a, b) => a.line - b.line || a.col - b.col);
}
