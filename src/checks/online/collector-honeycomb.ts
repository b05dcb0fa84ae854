import type { HoneycombRegion } from '../../config/obs-config.js';
import { componentType, definedIds, envReferencesIn, settingsOf } from '../../collector/parse.js';
import { soleReference } from '../../compose/interpolation.js';
import { collectorsWithConfig, reachOf } from '../project/lib/collector.js';
import { effectiveValue, serviceEnv } from '../project/lib/env.js';
import type { DoctorProject } from '../types.js';
import { lookupVariable } from './otlp-config.js';

/** A collector exporter that sends to Honeycomb: the region it sends to and the key it sends (never printed). */
export interface CollectorHoneycomb {
  collector: string;
  exporter: string;
  /** undefined: its endpoint is no Honeycomb region's (a proxy), or cannot be resolved here. */
  region?: HoneycombRegion;
  key?: { value: string; source: string };
  noKey?: string;
}

/**
 * In collector mode the key lives in the collector only: its otlphttp exporter to Honeycomb sends
 * `x-honeycomb-team: ${env:HONEYCOMB_API_KEY}`. This resolves that exporter's endpoint and header as
 * the collector gets them (its compose environment, interpolated from the shell and .env).
 * `regionOf` maps a URL to a region (public hosts, or the --honeycomb-api-url overrides).
 */
export function collectorHoneycomb(project: DoctorProject, regionOf: (url: string) => HoneycombRegion | undefined): CollectorHoneycomb | undefined {
  const found = collectorsWithConfig(project);
  if ('why' in found) return undefined;
  for (const { collector, config } of found.collectors) {
    const name = collector.service.name;
    for (const id of definedIds(config, 'exporters')) {
      if (!['otlphttp', 'otlp_http'].includes(componentType(id))) continue;
      const settings = settingsOf(config, 'exporters', id);
      const endpoint = [settings.endpoint, settings.traces_endpoint].find((v): v is string => typeof v === 'string');
      const resolvedEndpoint = endpoint === undefined ? undefined : resolve(project, name, endpoint);
      const region = resolvedEndpoint?.value === undefined ? undefined : regionOf(resolvedEndpoint.value);
      const headers = settings.headers as Record<string, unknown> | undefined;
      const team = Object.entries(headers ?? {}).find(([k]) => k.toLowerCase() === 'x-honeycomb-team')?.[1];
      if (region === undefined && team === undefined) continue;
      const base = { collector: name, exporter: id, ...(region && { region }) };
      const header = `x-honeycomb-team of ${name}'s ${id}`;
      if (typeof team !== 'string') return { ...base, noKey: `${id} of ${name} sends no x-honeycomb-team header` };
      const key = resolve(project, name, team);
      if (key.value === undefined || key.value.trim() === '') return { ...base, noKey: `${header} is empty (${key.why ?? 'written empty'})` };
      return { ...base, key: { value: key.value.trim(), source: key.source ? `${key.source} (${name}'s x-honeycomb-team)` : header } };
    }
  }
  return undefined;
}

/**
 * A config value with its `${env:NAME}` references as the collector expands them: the container's
 * value, else the fallback. `source` names where a sole reference's value came from.
 */
function resolve(project: DoctorProject, collector: string, text: string): { value?: string; why?: string; source?: string } {
  let value = text;
  let source: string | undefined;
  const refs = envReferencesIn(text);
  for (const ref of refs) {
    const entry = serviceEnv(project, collector).get(ref.name);
    const got = entry ? effectiveValue(project, entry) : undefined;
    if (got?.complete && got.value.trim() !== '') {
      value = value.replace(ref.text, got.value);
      // `HONEYCOMB_API_KEY: "${HONEYCOMB_API_KEY}"` in compose: the value is the shell's or .env's.
      const inner = entry!.value === null ? ref.name : soleReference(entry!.value)?.name;
      const origin = inner ? lookupVariable(project, inner)?.origin : undefined;
      source = inner && origin ? `${inner} from ${origin}` : `${ref.name} in the environment of ${collector}`;
    } else if (ref.fallback !== undefined) {
      value = value.replace(ref.text, ref.fallback);
    } else {
      const reach = reachOf(project, collector, ref.name);
      const why = reach.status === 'empty' ? `${ref.name} reaches ${collector} empty: ${reach.why}` : `${ref.name} is not in the environment of ${collector}`;
      return { why };
    }
  }
  return { value, ...(refs.length === 1 && source && { source }) };
}
