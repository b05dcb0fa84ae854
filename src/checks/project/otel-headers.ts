import { OTLP_HEADER_KEYS, isLiteralSecret, maskSecret } from '../../secrets/shapes.js';
import type { Check, DoctorProject } from '../types.js';
import { effectiveValue, projectLookup, serviceEnvs, type EnvEntry } from './lib/env.js';
import { referencesIn, soleReference, templateErrors } from '../../compose/interpolation.js';
import { isClassicHoneycombKey } from '../../secrets/shapes.js';
import { honeycombRegionOf, tracesEndpoint } from './lib/otlp.js';
import { composeOrWhy, fail, report, skipped, warn, type Issue } from './lib/report.js';
import { entryLine, quote } from './lib/text.js';

const TEAM = 'x-honeycomb-team';
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * OTEL_EXPORTER_OTLP_HEADERS is `name=value,name=value` with percent-encoded values, and carries
 * the Honeycomb key as a `${VAR}` reference (the key itself lives in `.env`). A classic key also
 * needs `x-honeycomb-dataset`.
 */
export const otelHeadersCheck: Check = {
  id: 'otel-headers',
  title: 'OTLP headers',
  group: 'otel',
  run(project) {
    const ready = composeOrWhy(project);
    if ('why' in ready) return skipped(this, ready.why);
    const issues: Issue[] = [];
    const seen: string[] = [];
    for (const [service, env] of serviceEnvs(project)) {
      const headerEntries = [...OTLP_HEADER_KEYS].map((k) => env.get(k)).filter((e): e is EnvEntry => e !== undefined);
      for (const entry of headerEntries) {
        seen.push(`${service} ${entry.key}`);
        issues.push(...headerIssues(project, service, entry));
      }
      const endpoint = tracesEndpoint(project, env);
      const toHoneycomb = endpoint !== undefined && honeycombRegionOf(endpoint) !== undefined;
      const traceHeaders = env.get('OTEL_EXPORTER_OTLP_TRACES_HEADERS') ?? env.get('OTEL_EXPORTER_OTLP_HEADERS');
      if (toHoneycomb && !traceHeaders && !env.has('HONEYCOMB_API_KEY') && !env.has('HONEYCOMB_TRACES_APIKEY')) {
        const at = env.get('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') ?? env.get('OTEL_EXPORTER_OTLP_ENDPOINT') ?? [...env.values()][0]!;
        seen.push(`${service} (no headers)`);
        issues.push(
          fail(
            { file: at.file, line: at.line },
            `${service} sends to Honeycomb (${endpoint}) without OTEL_EXPORTER_OTLP_HEADERS: no ${TEAM} header, so Honeycomb refuses the spans`,
            entryLine(at.form, 'OTEL_EXPORTER_OTLP_HEADERS', `${TEAM}=\${HONEYCOMB_API_KEY}`),
          ),
        );
      }
    }
    if (seen.length === 0) return skipped(this, 'no service sets OTLP headers or sends to Honeycomb');
    return report(this, issues, `${seen.length} header setting${seen.length === 1 ? '' : 's'}, each name=value with the key as a \${VAR} reference`);
  },
};

function headerIssues(project: DoctorProject, service: string, entry: EnvEntry): Issue[] {
  const where = { file: entry.file, line: entry.line };
  const key = entry.key;
  const keyVar = referencesIn(entry.value ?? '').find((r) => /KEY|TEAM|TOKEN/i.test(r.name) && !/HEADERS?$/.test(r.name))?.name ?? 'HONEYCOMB_API_KEY';
  const good = (rest = '') => entryLine(entry.form, key, `${TEAM}=\${${keyVar}}${rest}`);
  // The whole header from a variable (`${OTEL_EXPORTER_OTLP_HEADERS}`) or `KEY:` pass-through: judge what it expands to.
  const sole = entry.value === null ? undefined : soleReference(entry.value);
  const indirect = entry.value === null || (sole !== undefined && sole.op === '');
  // An env_file is a place for the key itself, like .env: a literal there is not a finding here.
  const keyFileLiteralOk = entry.from === 'env_file';
  let text: string;
  if (indirect) {
    const value = effectiveValue(project, entry);
    if (!value.complete) return [];
    text = value.value;
  } else {
    text = entry.value ?? '';
  }
  if (text.trim() === '') return [fail(where, `${key} on ${service} is empty: no ${TEAM} header is sent`, good())];
  if (/^\s*["']|["']\s*$/.test(text)) {
    return [fail(where, `${key} on ${service} is ${quote(text)}: the quotes are part of the value (a list item keeps them)`, good())];
  }
  if (/^\s*\{/.test(text)) return [fail(where, `${key} on ${service} looks like JSON; OTLP headers are written name=value,name=value`, good())];
  const issues: Issue[] = [];
  const items = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const names = new Set<string>();
  let teamValue: string | undefined;
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq === -1) {
      issues.push(missingEquals(service, key, item, where, good()));
      continue;
    }
    const name = item.slice(0, eq).trim();
    const value = item.slice(eq + 1).trim();
    if (!HEADER_NAME.test(name)) {
      issues.push(fail(where, `${key} on ${service}: ${quote(name)} is not a header name`, good()));
      continue;
    }
    names.add(name.toLowerCase());
    if (/\s/.test(value)) {
      issues.push(fail(where, `${key} on ${service}: the value of ${name} holds a raw space; header values are percent-encoded (write %20)`, entryLine(entry.form, key, text.replace(/ /g, '%20'))));
    }
    if (name.toLowerCase() === TEAM) teamValue = value;
  }
  if (teamValue !== undefined) issues.push(...teamIssues(project, service, entry, teamValue, indirect || keyFileLiteralOk, names, good));
  else if (issues.length === 0) issues.push(fail(where, `${key} on ${service} has no ${TEAM} header: Honeycomb refuses spans without the key`, good(items.length > 0 ? `,${items.join(',')}` : '')));
  return issues;
}

function missingEquals(service: string, key: string, item: string, where: { file: string; line: number }, fix: string): Issue {
  const colon = new RegExp(`^${TEAM}\\s*:`, 'i').exec(item);
  if (colon) {
    return fail(where, `${key} on ${service} writes ${quote(item)} with a colon: OTLP header variables are name=value, so no key is sent`, fix);
  }
  if (new RegExp(`^${TEAM}\\S`, 'i').test(item)) {
    return fail(where, `${key} on ${service} writes ${quote(item)} with no = between the header name and the key, so no key is sent`, fix);
  }
  return fail(where, `${key} on ${service}: ${quote(item)} is not name=value`, fix);
}

function teamIssues(project: DoctorProject, service: string, entry: EnvEntry, value: string, indirect: boolean, names: Set<string>, good: (rest?: string) => string): Issue[] {
  const where = { file: entry.file, line: entry.line };
  const key = entry.key;
  if (value === '') return [fail(where, `${key} on ${service}: ${TEAM} is empty, so Honeycomb refuses the spans`, good())];
  const errors = templateErrors(value);
  if (errors.length > 0) {
    return [fail(where, `${key} on ${service}: ${TEAM}=${errors[0]!.text} names no variable: compose stops with "Invalid template" and no key is sent`, good())];
  }
  const refs = referencesIn(value);
  if (refs.length === 0 && !indirect) {
    if (/^[A-Z_][A-Z0-9_]*$/.test(value) && value.includes('_')) {
      return [fail(where, `${key} on ${service} sends the text ${value} as the key: write \${${value}} so compose substitutes it`, entryLine(entry.form, key, `${TEAM}=\${${value}}`))];
    }
    if (isLiteralSecret('HONEYCOMB_API_KEY', value)) {
      return [fail(where, `${key} on ${service} holds a literal Honeycomb key (${maskSecret(value)}): keep the key in .env and reference it`, `${good()}  (and HONEYCOMB_API_KEY=<your key> in .env)`)];
    }
    return [warn(where, `${key} on ${service} sets ${TEAM} to the literal ${quote(value)}, not a \${VAR} reference`, good())];
  }
  // Classic keys need a dataset header; only decidable when the key's value is known here.
  const keyValue = refs.length > 0 ? projectLookup(project)(refs[0]!.name) : indirect ? value : undefined;
  if (keyValue && isClassicHoneycombKey(keyValue.trim()) && !names.has('x-honeycomb-dataset')) {
    const source = refs.length > 0 ? refs[0]!.name : key;
    const dataset = project.obsConfig?.honeycomb.dataset ?? service;
    return [
      fail(
        where,
        `${source} holds a classic Honeycomb key (${keyValue.trim().length === 32 ? '32 hex characters' : 'hc?ic_…'}), which needs x-honeycomb-dataset too: without it Honeycomb refuses the spans`,
        good(`,x-honeycomb-dataset=${dataset}`),
      ),
    ];
  }
  return [];
}
