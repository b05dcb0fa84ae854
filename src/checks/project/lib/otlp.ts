import type { HoneycombRegion } from '../../../config/obs-config.js';
import type { DoctorProject } from '../../types.js';
import { effectiveValue, findServiceByHost, type EnvEntry } from './env.js';

export const SIGNALS = ['TRACES', 'METRICS', 'LOGS'] as const;
export type Signal = (typeof SIGNALS)[number];

/** Endpoint variables: the generic ones get `/v1/<signal>` appended, the signal ones are used as written. */
export const ENDPOINT_VARS: { key: string; signal?: Signal }[] = [
  { key: 'OTEL_EXPORTER_OTLP_ENDPOINT' },
  ...SIGNALS.map((signal) => ({ key: `OTEL_EXPORTER_OTLP_${signal}_ENDPOINT`, signal })),
  { key: 'HONEYCOMB_API_ENDPOINT' },
  ...SIGNALS.map((signal) => ({ key: `HONEYCOMB_${signal}_ENDPOINT`, signal })),
];

export const PROTOCOLS = ['grpc', 'http/protobuf', 'http/json'];

/** The protocol a service's exporter uses for a signal, when the compose file says. */
export function protocolOf(project: DoctorProject, env: Map<string, EnvEntry>, signal?: Signal): string | undefined {
  const entry = (signal && env.get(`OTEL_EXPORTER_OTLP_${signal}_PROTOCOL`)) || env.get('OTEL_EXPORTER_OTLP_PROTOCOL');
  if (!entry) return undefined;
  const value = effectiveValue(project, entry);
  return value.complete ? value.value.trim() : undefined;
}

export const HONEYCOMB_HOSTS: Record<string, HoneycombRegion> = {
  'api.honeycomb.io': 'us',
  'api.eu1.honeycomb.io': 'eu',
};

/** The Honeycomb region an endpoint sends to, or undefined for another backend. */
export function honeycombRegionOf(endpoint: string): HoneycombRegion | undefined {
  const host = hostOf(endpoint);
  return host ? HONEYCOMB_HOSTS[host] : undefined;
}

export function hostOf(endpoint: string): string | undefined {
  const trimmed = endpoint.trim();
  try {
    return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '[::1]', 'host.docker.internal', '0.0.0.0']);

/** A collector next to the app: loopback, the Docker host, a compose service, or a collector-named host. */
export function isLocalHost(project: DoctorProject, host: string): boolean {
  return LOCAL_HOSTS.has(host) || findServiceByHost(project, host) !== undefined || /collector|otel|jaeger|tempo|agent/.test(host);
}

/** The endpoint a service exports traces to, when it can be known. */
export function tracesEndpoint(project: DoctorProject, env: Map<string, EnvEntry>): string | undefined {
  for (const key of ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_EXPORTER_OTLP_ENDPOINT', 'HONEYCOMB_TRACES_ENDPOINT', 'HONEYCOMB_API_ENDPOINT']) {
    const entry = env.get(key);
    if (!entry) continue;
    const value = effectiveValue(project, entry);
    if (value.complete) return value.value.trim();
  }
  return undefined;
}
