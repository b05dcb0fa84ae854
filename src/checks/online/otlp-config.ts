import { posix } from 'node:path';
import type { ComposeService } from '../../compose/project.js';
import type { DoctorProject } from '../types.js';

/**
 * What the online checks need to know about a service's OpenTelemetry exporter, resolved the way
 * compose resolves it: env_file values first, `environment:` over them, then `${VAR}` taken from
 * the shell environment before `.env`. Values here may be secrets: never print them.
 */

/** Where a variable's value came from, for messages ("HONEYCOMB_API_KEY from .env"). */
export type ValueOrigin = 'the environment' | '.env';

export interface Lookup {
  value: string;
  origin: ValueOrigin;
}

/** A variable from the shell environment (compose reads it first) or `.env`. */
export function lookupVariable(project: DoctorProject, name: string): Lookup | undefined {
  const fromEnv = project.env[name];
  if (fromEnv !== undefined) return { value: fromEnv, origin: 'the environment' };
  const fromDotenv = project.dotenv?.values.get(name);
  if (fromDotenv !== undefined) return { value: fromDotenv, origin: '.env' };
  return undefined;
}

export interface Interpolated {
  value: string;
  /** Variables the value referenced, with where each came from (undefined: not set or empty). */
  references: { name: string; origin?: ValueOrigin }[];
}

// $$ | ${NAME} | ${NAME:-x} ${NAME-x} ${NAME:?x} ${NAME?x} ${NAME:+x} ${NAME+x} | $NAME
const REFERENCE = /\$(?:(\$)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g;

/** Compose's interpolation (without nesting), reading variables with lookupVariable. */
export function interpolate(project: DoctorProject, text: string): Interpolated {
  const references: Interpolated['references'] = [];
  const value = text.replace(REFERENCE, (_all, dollar: string | undefined, braced: string | undefined, op: string | undefined, arg: string | undefined, bare: string | undefined) => {
    if (dollar) return '$';
    const name = (braced ?? bare)!;
    const found = lookupVariable(project, name);
    const isSet = found !== undefined;
    const nonEmpty = isSet && found.value !== '';
    references.push({ name, origin: nonEmpty ? found.origin : undefined });
    switch (op) {
      case ':-':
        return nonEmpty ? found.value : arg!;
      case '-':
        return isSet ? found.value : arg!;
      case ':+':
        return nonEmpty ? arg! : '';
      case '+':
        return isSet ? arg! : '';
      default:
        // `:?` and `?` make compose refuse to start; doctor treats the value as empty.
        return found?.value ?? '';
    }
  });
  return { value, references };
}

export interface ResolvedVariable extends Interpolated {
  key: string;
  /** The text as written (before interpolation). */
  raw: string;
  /** Where it is written: `environment` or the env_file path. */
  source: string;
}

/** A service's environment as the container would get it (the variables obs reads). */
export function serviceVariable(project: DoctorProject, service: ComposeService, key: string): ResolvedVariable | undefined {
  if (service.config.environment.has(key)) {
    const raw = service.config.environment.get(key);
    // `- KEY` with no value: compose passes the variable from its own environment (shell, then .env).
    if (raw === null || raw === undefined) {
      const found = lookupVariable(project, key);
      if (!found) return undefined;
      return { key, raw: `\${${key}}`, source: 'environment', value: found.value, references: [{ name: key, origin: found.value === '' ? undefined : found.origin }] };
    }
    return { key, raw, source: 'environment', ...interpolate(project, raw) };
  }
  // Later env_file entries win over earlier ones.
  for (const entry of [...service.config.envFiles].reverse()) {
    const path = envFileKey(project, entry.path);
    const file = project.envFiles.get(path);
    const raw = file?.values.get(key);
    if (file && file.values.has(key)) {
      if (raw === undefined) {
        const found = lookupVariable(project, key);
        if (!found) return undefined;
        return { key, raw: `\${${key}}`, source: path, value: found.value, references: [{ name: key, origin: found.value === '' ? undefined : found.origin }] };
      }
      return { key, raw, source: path, ...interpolate(project, raw) };
    }
  }
  return undefined;
}

/** The key load.ts files env_file contents under. */
function envFileKey(project: DoctorProject, path: string): string {
  return (project.projectDir === '' ? path : posix.join(project.projectDir, path)).replace(/^\.\//, '');
}

/** Parses `k1=v1,k2=v2` (OTEL_EXPORTER_OTLP_HEADERS): keys lower-cased, values percent-decoded. */
export function parseOtlpHeaders(text: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const key = part.slice(0, eq).trim().toLowerCase();
    let value = part.slice(eq + 1).trim();
    try {
      value = decodeURIComponent(value);
    } catch {
      // not percent-encoded: use as written
    }
    if (key) headers.set(key, value);
  }
  return headers;
}

export interface OtlpExporter {
  service: ComposeService;
  /** OTEL_SERVICE_NAME as resolved, else the compose service name. */
  serviceName: string;
  /** The traces URL as configured (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT verbatim, or the base + /v1/traces). */
  endpoint?: { variable: ResolvedVariable; tracesUrl: string };
  /** OTEL_EXPORTER_OTLP_TRACES_HEADERS, else OTEL_EXPORTER_OTLP_HEADERS. */
  headers?: { variable: ResolvedVariable; values: Map<string, string> };
  protocol?: string;
}

/** The exporter settings of one service (undefined when it sets no OTLP endpoint). */
export function otlpExporter(project: DoctorProject, service: ComposeService): OtlpExporter | undefined {
  const traces = serviceVariable(project, service, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  const base = serviceVariable(project, service, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  const headerVar = serviceVariable(project, service, 'OTEL_EXPORTER_OTLP_TRACES_HEADERS') ?? serviceVariable(project, service, 'OTEL_EXPORTER_OTLP_HEADERS');
  const name = serviceVariable(project, service, 'OTEL_SERVICE_NAME');
  let endpoint: OtlpExporter['endpoint'];
  if (traces && traces.value.trim() !== '') endpoint = { variable: traces, tracesUrl: traces.value.trim() };
  else if (base && base.value.trim() !== '') endpoint = { variable: base, tracesUrl: `${base.value.trim().replace(/\/+$/, '')}/v1/traces` };
  if (!endpoint && !headerVar) return undefined;
  return {
    service,
    serviceName: name?.value.trim() || service.name,
    endpoint,
    headers: headerVar ? { variable: headerVar, values: parseOtlpHeaders(headerVar.value) } : undefined,
    protocol: (serviceVariable(project, service, 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') ?? serviceVariable(project, service, 'OTEL_EXPORTER_OTLP_PROTOCOL'))?.value.trim() || undefined,
  };
}

/** Every service that exports OTLP, in compose order. */
export function otlpExporters(project: DoctorProject): OtlpExporter[] {
  return (project.project?.services ?? []).flatMap((s) => otlpExporter(project, s) ?? []);
}

/** `HONEYCOMB_API_KEY from .env`, `... which is not set`: says where a value came from, never the value. */
export function describeReferences(variable: ResolvedVariable): string {
  const refs = variable.references;
  if (refs.length === 0) return `${variable.key} (written in ${variable.source === 'environment' ? 'the compose file' : variable.source})`;
  return refs.map((r) => (r.origin ? `${r.name} from ${r.origin}` : `${r.name}, which is not set`)).join(', ');
}
