import { HONEYCOMB_ENDPOINTS } from '../../config/obs-config.js';
import { projectCollectors } from './lib/collector.js';
import type { Check, DoctorProject } from '../types.js';
import { effectiveValue, serviceEnvs, type EnvEntry } from './lib/env.js';
import { ENDPOINT_VARS, HONEYCOMB_HOSTS, isLocalHost, PROTOCOLS, protocolOf, SIGNALS, type Signal } from './lib/otlp.js';
import { composeOrWhy, fail, report, skipped, warn, type Issue } from './lib/report.js';
import { entryLine, quote } from './lib/text.js';

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * The OTLP endpoint is a URL the exporter can use: https (plain http only to a collector next to
 * the app), no `/v1/traces` on the generic variable for HTTP (the SDK adds it), the Honeycomb
 * region obs.yaml chose.
 */
export const otelEndpointCheck: Check = {
  id: 'otel-endpoint',
  title: 'OTLP endpoint',
  group: 'otel',
  run(project) {
    const ready = composeOrWhy(project);
    if ('why' in ready) return skipped(this, ready.why);
    const issues: Issue[] = [];
    const seen: string[] = [];
    for (const [service, env] of serviceEnvs(project)) {
      for (const key of ['OTEL_EXPORTER_OTLP_PROTOCOL', ...SIGNALS.map((s) => `OTEL_EXPORTER_OTLP_${s}_PROTOCOL`)]) {
        const entry = env.get(key);
        if (!entry) continue;
        const value = effectiveValue(project, entry);
        if (value.complete && !PROTOCOLS.includes(value.value.trim())) {
          issues.push(
            fail(
              { file: entry.file, line: entry.line },
              `${key} on ${service} is ${quote(value.value)}; exporters know grpc, http/protobuf and http/json`,
              entryLine(entry.form, key, 'http/protobuf'),
            ),
          );
        }
      }
      for (const { key, signal } of ENDPOINT_VARS) {
        const entry = env.get(key);
        if (!entry) continue;
        const value = effectiveValue(project, entry);
        if (!value.complete) continue; // compose-interpolation reports what is missing
        seen.push(`${service} ${value.value.trim()}`);
        issues.push(...endpointIssues(project, service, env, entry, value.value.trim(), signal));
      }
    }
    if (seen.length === 0) return skipped(this, 'no service sets an OTLP endpoint it could be checked for');
    return report(this, issues, seen.join(', '));
  },
};

function endpointIssues(project: DoctorProject, service: string, env: Map<string, EnvEntry>, entry: EnvEntry, value: string, signal?: Signal): Issue[] {
  const where = { file: entry.file, line: entry.line };
  const key = entry.key;
  const line = (v: string) => entryLine(entry.form, key, v);
  const protocol = protocolOf(project, env, signal);
  const grpc = protocol === 'grpc';
  const region = project.obsConfig?.honeycomb.enabled ? project.obsConfig.honeycomb.region : undefined;
  const honeycombBase = HONEYCOMB_ENDPOINTS[region ?? 'us'];
  if (value === '') return [fail(where, `${key} on ${service} is empty`, line(honeycombBase))];
  if (/^["']|["']$/.test(value)) {
    return [fail(where, `${key} on ${service} is ${quote(value)}: the quotes are part of the value (a list item keeps them)`, line(value.replace(/^["']|["']$/g, '')))];
  }
  if (!SCHEME.test(value)) {
    if (grpc && /^[\w.-]+:\d+$/.test(value)) return [];
    const host = value.replace(/[:/].*$/, '');
    return [
      fail(where, `${key} on ${service} is ${quote(value)}, a host without a scheme: ${grpc ? 'the exporter' : 'an HTTP exporter'} needs a URL such as https://${host}`, line(`https://${host}`)),
    ];
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return [fail(where, `${key} on ${service} is ${quote(value)}, which is not a URL`, line(honeycombBase))];
  }
  const issues: Issue[] = [];
  const host = url.hostname.toLowerCase();
  if (url.protocol === 'http:') {
    if (projectCollectors(project).some((c) => c.collector.service.name === host)) {
      // The project's collector: apps send to it in clear inside the compose network, it sends on (collector checks).
    } else if (isLocalHost(project, host)) {
      issues.push(
        warn(
          where,
          `${key} on ${service} uses plain http to ${host}: fine for a collector next to the app, which must itself send on with https`,
          `have ${host} export over https, or send straight to the backend: ${line(honeycombBase + (signal ? `/v1/${signal.toLowerCase()}` : ''))}`,
        ),
      );
    } else {
      issues.push(fail(where, `${key} on ${service} sends to ${host} over plain http: the API key would travel in clear text`, line(value.replace(/^http:/i, 'https:'))));
    }
  } else if (url.protocol !== 'https:') {
    issues.push(fail(where, `${key} on ${service} uses ${url.protocol}//, but OTLP exporters take http:// or https:// URLs`, line(`https://${url.host}`)));
  }
  const path = url.pathname.replace(/\/+$/, '');
  const origin = `${url.protocol}//${url.host}`;
  if (!grpc) {
    const suffix = /\/v1\/(traces|metrics|logs)$/.exec(path);
    if (!signal && suffix) {
      issues.push(
        fail(
          where,
          `${key} on ${service} ends in /v1/${suffix[1]}, but the SDK appends /v1/<signal> to it: spans go to ${path}/v1/traces and are lost`,
          line(origin + path.slice(0, -suffix[0].length)),
        ),
      );
    } else if (signal && path !== `/v1/${signal.toLowerCase()}` && !path.endsWith(`/v1/${signal.toLowerCase()}`)) {
      issues.push(warn(where, `${key} on ${service} is used exactly as written over HTTP, so it needs the /v1/${signal.toLowerCase()} path`, line(`${origin}${path}/v1/${signal.toLowerCase()}`)));
    }
  } else if (path !== '') {
    issues.push(warn(where, `${key} on ${service} has a path (${path}), which gRPC ignores`, line(origin)));
  }
  if (host.includes('honeycomb') && !(host in HONEYCOMB_HOSTS)) {
    issues.push(fail(where, `${key} on ${service} names ${host}, which is not a Honeycomb endpoint (api.honeycomb.io or api.eu1.honeycomb.io)`, line(honeycombBase)));
  }
  const endpointRegion = HONEYCOMB_HOSTS[host];
  if (region && endpointRegion && endpointRegion !== region) {
    issues.push(
      fail(
        where,
        `${key} on ${service} sends to Honeycomb ${endpointRegion.toUpperCase()} (${host}), but obs.yaml says the team is in ${region.toUpperCase()}: the key is refused as unknown`,
        line(HONEYCOMB_ENDPOINTS[region] + (signal ? `/v1/${signal.toLowerCase()}` : '')),
      ),
    );
  }
  return issues;
}
