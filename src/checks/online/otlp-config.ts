import type { ComposeService } from '../../compose/project.js';
import { effectiveValue, projectLookup, serviceEnv } from '../project/lib/env.js';
import type { RefEvent } from '../../compose/interpolation.js';
import type { DoctorProject } from '../types.js';

/**
 * What the online checks need to know about a service's OpenTelemetry exporter, resolved the way
 * compose resolves it (through the same code as the offline checks: project/lib/env.ts and
 * interpolation.ts), plus where each referenced value came from. Values here may be secrets:
 * never print them.
 */

/** Where a variable's value came from, for messages ("HONEYCOMB_API_KEY from .env"). */
export type ValueOrigin = 'the environment' | '.env';

export interface Lookup {
  value: string;
  origin: ValueOrigin;
}

/** A variable as compose interpolates it: the shell environment first, then `.env`. */
export function lookupVariable(project: DoctorProject, name: string): Lookup | undefined {
  const value = projectLookup(project)(name);
  if (value === undefined) return undefined;
  return { value, origin: project.env[name] !== undefined ? 'the environment' : '.env' };
}

export interface Interpolated {
  value: string;
  /** Variables the value referenced, with where each came from (undefined: not set or empty). */
  references: { name: string; origin?: ValueOrigin }[];
}

export interface ResolvedVariable extends Interpolated {
  key: string;
  /** The text as written (before interpolation). */
  raw: string;
  /** Where it is written: `environment` or the env_file path. */
  source: string;
}

/** A service's variable as the container would get it (env_file under `environment:`), or undefined. */
export function serviceVariable(project: DoctorProject, service: ComposeService, key: string): ResolvedVariable | undefined {
  const entry = serviceEnv(project, service.name).get(key);
  if (!entry) return undefined;
  const source = entry.from === 'environment' ? 'environment' : entry.file;
  // `- KEY` with no value: compose passes the variable from its own environment (shell, then .env).
  if (entry.value === null) {
    const found = lookupVariable(project, key);
    if (!found) return undefined;
    return { key, raw: `\${${key}}`, source, value: found.value, references: [{ name: key, origin: found.value === '' ? undefined : found.origin }] };
  }
  const { value, events } = effectiveValue(project, entry);
  return { key, raw: entry.value, source, value, references: referencesOf(project, events) };
}

/** The references compose evaluated, each with where its (non-empty) value came from. */
function referencesOf(project: DoctorProject, events: readonly RefEvent[]): Interpolated['references'] {
  const references: Interpolated['references'] = [];
  for (const event of events) {
    if (event.kind === 'error') continue;
    const found = lookupVariable(project, event.ref.name);
    references.push({ name: event.ref.name, origin: found && found.value !== '' ? found.origin : undefined });
  }
  return references;
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
