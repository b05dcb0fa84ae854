import { HONEYCOMB_ENDPOINTS, type HoneycombRegion } from '../../config/obs-config.js';
import { UsageError } from '../../errors.js';
import type { DoctorProject } from '../types.js';
import { request } from './http.js';
import { describeReferences, lookupVariable, otlpExporters, type OtlpExporter } from './otlp-config.js';
import { collectorHoneycomb } from './collector-honeycomb.js';

export const REGION_LABEL: Record<HoneycombRegion, string> = { us: 'Honeycomb US', eu: 'Honeycomb EU' };
export const OTHER_REGION: Record<HoneycombRegion, HoneycombRegion> = { us: 'eu', eu: 'us' };

/**
 * `--honeycomb-api-url`, for private endpoints (a proxy in front of Honeycomb) and for tests:
 *
 *   --honeycomb-api-url URL                 the API of the region being checked (the region of the
 *                                           configured endpoint); the other region stays public
 *   --honeycomb-api-url us=URL,eu=URL       each region's API (either may be left out)
 *
 * A region's URL replaces that region's public base (https://api.honeycomb.io,
 * https://api.eu1.honeycomb.io) everywhere doctor would reach it: `GET /1/auth` for the key
 * check, and `/v1/traces` for --send-test-span when the project sends spans to that region's
 * public endpoint (Honeycomb serves its API and OTLP ingest on one host). The key goes only to
 * these URLs and to the endpoint the project itself configures.
 */
export interface HoneycombApiUrls {
  byRegion: Partial<Record<HoneycombRegion, string>>;
  /** The single-URL form: the region being checked. */
  checked?: string;
}

/** Parses --honeycomb-api-url; throws an Error whose message names the flag and the problem. */
export function parseHoneycombApiUrl(value: string | undefined): HoneycombApiUrls {
  const out: HoneycombApiUrls = { byRegion: {} };
  if (value === undefined || value.trim() === '') return out;
  const text = value.trim();
  if (!/^(us|eu)\s*=/i.test(text)) {
    out.checked = baseUrl(text, '--honeycomb-api-url');
    return out;
  }
  for (const part of text.split(',')) {
    const match = /^\s*([A-Za-z0-9]+)\s*=\s*(.*?)\s*$/.exec(part);
    const region = match?.[1]?.toLowerCase();
    if (!match || (region !== 'us' && region !== 'eu')) {
      throw new UsageError(`--honeycomb-api-url takes a URL or us=URL,eu=URL; ${JSON.stringify(part.trim())} is neither`);
    }
    if (out.byRegion[region]) throw new UsageError(`--honeycomb-api-url gives ${region} twice`);
    out.byRegion[region] = baseUrl(match[2]!, `--honeycomb-api-url ${region}`);
  }
  return out;
}

function baseUrl(text: string, what: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`${what} must be an http(s) URL, got ${JSON.stringify(text)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`${what} must be an http(s) URL, got ${JSON.stringify(text)}`);
  if (url.username || url.password) throw new UsageError(`${what} must not hold a user name or password`);
  if (url.search || url.hash) throw new UsageError(`${what} must be a base URL without ?query or #fragment`);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** The API base doctor uses for `region`, and whether it is an override. */
export function apiBase(urls: HoneycombApiUrls, region: HoneycombRegion, checkedRegion: HoneycombRegion): { url: string; overridden: boolean } {
  const override = urls.byRegion[region] ?? (region === checkedRegion ? urls.checked : undefined);
  return override ? { url: override, overridden: true } : { url: HONEYCOMB_ENDPOINTS[region], overridden: false };
}

/** The region whose public endpoint `url` points at (`https://api.eu1.honeycomb.io/v1/traces` -> eu). */
export function publicRegionOf(url: string): HoneycombRegion | undefined {
  let host: string;
  try {
    host = new URL(url).host.toLowerCase().replace(/:443$/, '');
  } catch {
    return undefined;
  }
  for (const region of ['us', 'eu'] as const) if (new URL(HONEYCOMB_ENDPOINTS[region]).host === host) return region;
  return undefined;
}

/** The region `url` is for: a public Honeycomb host, or one of the per-region overrides. */
export function regionOfUrl(url: string, urls: HoneycombApiUrls): HoneycombRegion | undefined {
  const region = publicRegionOf(url);
  if (region) return region;
  for (const r of ['us', 'eu'] as const) {
    const base = urls.byRegion[r];
    if (base && (url === base || url.startsWith(`${base}/`))) return r;
  }
  return undefined;
}

/** A URL as it may be shown: its password (or a lone user name, which can be a token) masked. */
export { displayUrl } from '../../secrets/redact.js';

export interface HoneycombSetup {
  region: HoneycombRegion;
  /** Where the region came from, for messages. */
  regionSource: string;
  /** The service whose exporter sends to Honeycomb, if one does. */
  exporter?: OtlpExporter;
  key?: { value: string; source: string };
  /** Why there is no key (when key is undefined). */
  noKey?: string;
}

/**
 * Whether the project uses Honeycomb, in which region, and with which key. The key is the
 * `x-honeycomb-team` header the exporting service sends (what Honeycomb will really see), else
 * the one a collector's Honeycomb exporter sends, else HONEYCOMB_API_KEY from the environment or .env.
 */
export function honeycombSetup(project: DoctorProject, urls: HoneycombApiUrls): HoneycombSetup | { notInUse: string } {
  const exporters = otlpExporters(project);
  const exporter = exporters.find((e) => e.headers?.values.has('x-honeycomb-team')) ?? exporters.find((e) => e.endpoint && regionOfUrl(e.endpoint.tracesUrl, urls));
  const config = project.obsConfig?.honeycomb;
  // Collector mode: apps send to the collector, which holds the key and sends to Honeycomb.
  const viaCollector = exporter ? undefined : collectorHoneycomb(project, (url) => regionOfUrl(url, urls));
  if (viaCollector) {
    const region = viaCollector.region ?? (config?.enabled ? (regionOfUrl(config.endpoint, urls) ?? config.region) : 'us');
    const regionSource = viaCollector.region ? `${viaCollector.exporter} of ${viaCollector.collector}` : config?.enabled ? 'obs.yaml honeycomb.region' : 'the default region';
    return { region, regionSource, ...(viaCollector.key ? { key: viaCollector.key } : { noKey: viaCollector.noKey }) };
  }
  if (!exporter && !config?.enabled) {
    return { notInUse: project.obsConfig ? 'Honeycomb is off in obs.yaml and no service sends to it' : 'no service sends to Honeycomb and there is no obs.yaml' };
  }

  let region: HoneycombRegion | undefined;
  let regionSource: string;
  const endpointRegion = exporter?.endpoint ? regionOfUrl(exporter.endpoint.tracesUrl, urls) : undefined;
  if (exporter?.endpoint && endpointRegion) {
    region = endpointRegion;
    regionSource = `${exporter.endpoint.variable.key} of ${exporter.service.name}`;
  } else if (config?.enabled) {
    region = regionOfUrl(config.endpoint, urls) ?? config.region;
    regionSource = 'obs.yaml honeycomb.region';
  } else {
    region = 'us';
    regionSource = 'the default region';
  }

  const team = exporter?.headers?.values.get('x-honeycomb-team');
  if (exporter?.headers && team !== undefined) {
    const where = `x-honeycomb-team in ${exporter.headers.variable.key} of ${exporter.service.name}`;
    if (team.trim() === '') return { region, regionSource, exporter, noKey: `${where} is empty (${describeReferences(exporter.headers.variable)})` };
    // `x-honeycomb-team=${HONEYCOMB_API_KEY}`: name the variable the user sets, and who sends it.
    const refs = exporter.headers.variable.references.filter((r) => r.origin);
    const source =
      refs.length === 1
        ? `${refs[0]!.name} from ${refs[0]!.origin} (${exporter.service.name}'s x-honeycomb-team)`
        : refs.length
          ? `${where} (${describeReferences(exporter.headers.variable)})`
          : where;
    return { region, regionSource, exporter, key: { value: team.trim(), source } };
  }
  const fromVar = lookupVariable(project, 'HONEYCOMB_API_KEY');
  if (!fromVar || fromVar.value.trim() === '') {
    return { region, regionSource, exporter, noKey: 'HONEYCOMB_API_KEY is not set in the environment or .env' };
  }
  return { region, regionSource, exporter, key: { value: fromVar.value.trim(), source: `HONEYCOMB_API_KEY from ${fromVar.origin}` } };
}

export interface NameSlug {
  name?: string;
  slug?: string;
}

export type AuthOutcome =
  | { kind: 'ok'; team?: NameSlug; environment?: NameSlug; access?: Record<string, unknown> }
  | { kind: 'refused'; status: number; message?: string }
  | { kind: 'http'; status: number; message?: string }
  | { kind: 'network'; message: string }
  /** A 200 without what Honeycomb's /1/auth always returns: not Honeycomb answering. */
  | { kind: 'unexpected'; message: string };

/** `GET {base}/1/auth` with the key: Honeycomb's way to validate a key and name its team and environment. */
export async function checkKey(base: string, key: string): Promise<AuthOutcome> {
  const result = await request(`${base}/1/auth`, { method: 'GET', headers: { 'x-honeycomb-team': key, accept: 'application/json' } });
  if ('error' in result) return { kind: 'network', message: result.error };
  const { answer } = result;
  const body = (answer.json ?? {}) as { team?: NameSlug; environment?: NameSlug; api_key_access?: Record<string, unknown>; message?: unknown; error?: unknown };
  const message = typeof body.error === 'string' ? body.error : typeof body.message === 'string' ? body.message : answer.text.split('\n')[0]?.slice(0, 200) || undefined;
  if (answer.status === 200) {
    // Honeycomb's /1/auth always names the key's team and what the key may do.
    const missing = [isObject(body.team) ? undefined : '`team`', isObject(body.api_key_access) ? undefined : '`api_key_access`'].filter(Boolean);
    if (missing.length > 0) {
      return {
        kind: 'unexpected',
        message: `${base}/1/auth answered HTTP 200 without ${missing.join(' and ')}, which Honeycomb always returns: it is not the Honeycomb API, so obs does not trust the answer`,
      };
    }
    return { kind: 'ok', team: body.team, environment: body.environment, access: body.api_key_access };
  }
  if (answer.status === 401) return { kind: 'refused', status: 401, message };
  return { kind: 'http', status: answer.status, message: message ? `${message}` : answer.statusText };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
