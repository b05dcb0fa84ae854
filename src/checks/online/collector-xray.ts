import { componentType, definedIds, envReferencesIn, settingsOf, withFallbacks, type CollectorConfig } from '../../collector/parse.js';
import { collectorsWithConfig } from '../project/lib/collector.js';
import { effectiveValue, serviceEnv } from '../project/lib/env.js';
import { hostOf } from '../project/lib/otlp.js';
import type { DoctorProject } from '../types.js';

/** A collector exporter that sends spans to X-Ray's OTLP endpoint (which needs Transaction Search). */
export interface XrayExport {
  /** The compose service running the collector. */
  collector: string;
  /** `otlphttp/xray`. */
  exporter: string;
  /** The region it signs for, when the config (or the collector's environment) says; else undefined. */
  region?: { value: string; from: string };
}

const XRAY_HOST = /^xray\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/;
const ENDPOINT_KEYS = ['traces_endpoint', 'endpoint'];

/**
 * The exporters that send spans to X-Ray's OTLP endpoint: an otlphttp exporter in a pipeline
 * that signs with a sigv4auth extension for service `xray`, or whose endpoint (its fallback,
 * when it is `${env:NAME:-...}`) is xray.<region>.amazonaws.com. The legacy `awsxray`
 * exporter writes segments (PutTraceSegments) and does not need Transaction Search.
 */
export function collectorXrayExports(project: DoctorProject): XrayExport[] {
  const found = collectorsWithConfig(project);
  if ('why' in found) return [];
  const out: XrayExport[] = [];
  for (const { collector, config } of found.collectors) {
    const name = collector.service.name;
    const used = exportersInPipelines(config);
    for (const id of definedIds(config, 'exporters')) {
      if (!used.has(id) || !['otlphttp', 'otlp_http'].includes(componentType(id))) continue;
      const settings = settingsOf(config, 'exporters', id);
      const authenticator = (settings.auth as { authenticator?: unknown } | undefined)?.authenticator;
      const sigv4 = typeof authenticator === 'string' && componentType(authenticator) === 'sigv4auth' ? settingsOf(config, 'extensions', authenticator) : undefined;
      const host = ENDPOINT_KEYS.map((k) => settings[k]).find((v): v is string => typeof v === 'string');
      const hostName = host === undefined ? undefined : hostOf(withFallbacks(host));
      const byHost = hostName !== undefined && XRAY_HOST.test(hostName);
      if (sigv4?.service !== 'xray' && !byHost) continue;
      const region = regionOf(project, name, typeof authenticator === 'string' ? authenticator : undefined, sigv4?.region, hostName);
      out.push({ collector: name, exporter: id, ...(region && { region }) });
    }
  }
  return out;
}

function exportersInPipelines(config: CollectorConfig): Set<string> {
  const pipelines = (config.value.service as { pipelines?: unknown } | undefined)?.pipelines;
  const used = new Set<string>();
  if (!pipelines || typeof pipelines !== 'object') return used;
  for (const pipeline of Object.values(pipelines as Record<string, unknown>)) {
    const exporters = (pipeline as { exporters?: unknown } | null)?.exporters;
    if (Array.isArray(exporters)) for (const e of exporters) if (typeof e === 'string') used.add(e);
  }
  return used;
}

/**
 * The extension's region: written out, or `${env:NAME}` as it reaches the collector's container
 * (compose interpolation included). Else the region in the endpoint's host. Undefined when
 * neither can be known here.
 */
function regionOf(project: DoctorProject, collector: string, extension: string | undefined, value: unknown, host: string | undefined): XrayExport['region'] {
  if (typeof value === 'string' && value.trim() !== '') {
    const refs = envReferencesIn(value);
    if (refs.length === 0) return { value: value.trim(), from: `${extension} of ${collector}` };
    if (refs.length === 1 && refs[0]!.text === value.trim()) {
      const ref = refs[0]!;
      const entry = serviceEnv(project, collector).get(ref.name);
      const resolved = entry ? effectiveValue(project, entry) : undefined;
      if (resolved?.complete && resolved.value.trim() !== '') return { value: resolved.value.trim(), from: `${ref.name} of ${collector}` };
      if (ref.fallback) return { value: ref.fallback, from: `${extension} of ${collector}` };
    }
  }
  const fromHost = host ? XRAY_HOST.exec(host)?.[1] : undefined;
  return fromHost ? { value: fromHost, from: `the X-Ray endpoint of ${collector}` } : undefined;
}
