/**
 * Compose's interpolation (compose-go template/template.go) as doctor needs it: which
 * variables a value uses, what compose would substitute, and what makes it stop.
 */

export type Operator = '' | ':-' | '-' | ':?' | '?' | ':+' | '+';

export interface VarRef {
  name: string;
  op: Operator;
  /** Default, alternative or error message, as written (may hold more references). */
  arg: string;
  /** The reference exactly as written: `${A:-x}` or `$A`. */
  text: string;
  braced: boolean;
}

export interface TemplateError {
  /** The offending text, e.g. `${}`. */
  text: string;
  message: string;
}

type Part = { kind: 'text'; text: string } | { kind: 'ref'; ref: VarRef } | { kind: 'error'; error: TemplateError };

const NAME_START = /[_A-Za-z]/;
const NAME = /^[_A-Za-z][_A-Za-z0-9]*/;
const OPERATOR = /^(:-|-|:\?|\?|:\+|\+)/s;

/** Index of the `}` closing the `{` at `open`, counting nested braces; -1 when unclosed. */
function closingBrace(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    if (s[i] === '{') depth++;
    else if (s[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

export function parseTemplate(s: string): Part[] {
  const parts: Part[] = [];
  let text = '';
  let i = 0;
  const flush = () => {
    if (text) parts.push({ kind: 'text', text });
    text = '';
  };
  while (i < s.length) {
    const c = s[i]!;
    if (c !== '$') {
      text += c;
      i++;
      continue;
    }
    const next = s[i + 1];
    if (next === '$') {
      text += '$';
      i += 2;
      continue;
    }
    if (next === '{') {
      const close = closingBrace(s, i + 1);
      flush();
      if (close === -1) {
        parts.push({ kind: 'error', error: { text: s.slice(i), message: 'a `${` is never closed' } });
        return parts;
      }
      const whole = s.slice(i, close + 1);
      const body = s.slice(i + 2, close);
      const name = NAME.exec(body)?.[0];
      const rest = name ? body.slice(name.length) : '';
      const op = OPERATOR.exec(rest)?.[1] as Operator | undefined;
      if (!name || (rest !== '' && op === undefined)) {
        parts.push({ kind: 'error', error: { text: whole, message: `\`${whole}\` is not a valid interpolation (compose stops with "Invalid template")` } });
      } else {
        parts.push({ kind: 'ref', ref: { name, op: op ?? '', arg: op ? rest.slice(op.length) : '', text: whole, braced: true } });
      }
      i = close + 1;
      continue;
    }
    if (next !== undefined && NAME_START.test(next)) {
      const name = NAME.exec(s.slice(i + 1))![0];
      flush();
      parts.push({ kind: 'ref', ref: { name, op: '', arg: '', text: `$${name}`, braced: false } });
      i += 1 + name.length;
      continue;
    }
    // `$1`, `$-`, `$ ` and a trailing `$` stay as written.
    text += '$';
    i++;
  }
  flush();
  return parts;
}

/** Every reference in a value, defaults included (not only the ones compose would evaluate). */
export function referencesIn(s: string): VarRef[] {
  const refs: VarRef[] = [];
  for (const part of parseTemplate(s)) {
    if (part.kind !== 'ref') continue;
    refs.push(part.ref);
    if (part.ref.arg) refs.push(...referencesIn(part.ref.arg));
  }
  return refs;
}

export function templateErrors(s: string): TemplateError[] {
  const errors: TemplateError[] = [];
  for (const part of parseTemplate(s)) {
    if (part.kind === 'error') errors.push(part.error);
    else if (part.kind === 'ref' && part.ref.arg) errors.push(...templateErrors(part.ref.arg));
  }
  return errors;
}

export type Lookup = (name: string) => string | undefined;

export type RefEvent =
  | { kind: 'set'; ref: VarRef }
  /** Unset (or empty, for `:-`) and the default was used. */
  | { kind: 'default'; ref: VarRef }
  /** Unset with no default: compose substitutes an empty string and warns. */
  | { kind: 'missing'; ref: VarRef }
  /** `${VAR:?msg}` / `${VAR?msg}` without a value: compose stops. */
  | { kind: 'required'; ref: VarRef }
  | { kind: 'error'; error: TemplateError };

export interface Expansion {
  value: string;
  events: RefEvent[];
  /** True when every variable the value needs has a value (or a default) and nothing is invalid. */
  complete: boolean;
}

/** What compose makes of `s`, recording each reference it evaluates. */
export function expand(s: string, lookup: Lookup): Expansion {
  const events: RefEvent[] = [];
  const value = expandInto(s, lookup, events);
  const complete = events.every((e) => e.kind === 'set' || e.kind === 'default');
  return { value, events, complete };
}

function expandInto(s: string, lookup: Lookup, events: RefEvent[]): string {
  let out = '';
  for (const part of parseTemplate(s)) {
    if (part.kind === 'text') {
      out += part.text;
      continue;
    }
    if (part.kind === 'error') {
      events.push({ kind: 'error', error: part.error });
      continue;
    }
    const { ref } = part;
    const v = lookup(ref.name);
    const set = v !== undefined;
    const full = set && v !== '';
    switch (ref.op) {
      case '':
        events.push({ kind: set ? 'set' : 'missing', ref });
        out += v ?? '';
        break;
      case ':-':
      case '-': {
        const use = ref.op === ':-' ? full : set;
        events.push({ kind: use ? 'set' : 'default', ref });
        out += use ? v : expandInto(ref.arg, lookup, events);
        break;
      }
      case ':?':
      case '?': {
        const ok = ref.op === ':?' ? full : set;
        events.push({ kind: ok ? 'set' : 'required', ref });
        out += ok ? v : '';
        break;
      }
      case ':+':
      case '+': {
        const use = ref.op === ':+' ? full : set;
        events.push({ kind: set ? 'set' : 'default', ref });
        out += use ? expandInto(ref.arg, lookup, events) : (v ?? '');
        break;
      }
    }
  }
  return out;
}

/** A value that is one reference and nothing else: `${VAR}`, `$VAR`, `${VAR:-x}`. */
export function soleReference(value: string): VarRef | undefined {
  const parts = parseTemplate(value.trim());
  return parts.length === 1 && parts[0]!.kind === 'ref' ? parts[0]!.ref : undefined;
}
