import type { Check } from '../types.js';
import { projectCollectors } from './lib/collector.js';
import { effectiveValue, networkNames, serviceEnvs, type EnvEntry } from './lib/env.js';
import { honeycombRegionOf, hostOf, protocolOf } from './lib/otlp.js';
import { composeOrWhy, fail, listing, report, skipped, warn, type Issue } from './lib/report.js';
import { isApplication } from './lib/services.js';
import { KNOWN_VARIABLES } from './lib/known-vars.js';

/** Where an SDK sends traces, most specific first (the Honeycomb distributions read HONEYCOMB_*_ENDPOINT). */
const ENDPOINT_KEYS = ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_EXPORTER_OTLP_ENDPOINT', 'HONEYCOMB_TRACES_ENDPOINT', 'HONEYCOMB_API_ENDPOINT'];

/** `http://otel-collector:4318`, or the port of gRPC. */
function expectedUrl(collector: string, grpc: boolean): string {
  return `http://${collector}:${grpc ? 4317 : 4318}`;
}

/**
 * With a collector in the project, apps send to it (OTLP on 4318, or 4317 for gRPC) and hold no
 * Honeycomb key: the collector adds it. An app that still sends straight to Honeycomb works, but
 * skips the collector and keeps the key in one more container.
 */
export const collectorAppsCheck: Check = {
  id: 'collector-apps',
  title: 'Apps send to the collector',
  group: 'collector',
  run(project) {
    const ready = composeOrWhy(project);
    if ('why' in ready) return skipped(this, ready.why);
    const collectors = projectCollectors(project).map((c) => c.collector.service);
    if (collectors.length === 0) return skipped(this, 'no collector service');
    const collectorNames = new Set(collectors.map((s) => s.name));
    const collectorHosts = new Map<string, string>();
    for (const s of collectors) for (const host of networkNames(s)) collectorHosts.set(host, s.name);
    const main = collectors[0]!.name;
    const issues: Issue[] = [];
    const ok: string[] = [];
    for (const [name, env] of serviceEnvs(project)) {
      if (collectorNames.has(name) || !isApplication(project, name)) continue;
      // SDK settings only: OTEL_COLLECTOR_HOST and the like are the app's own names.
      const otel = [...env.keys()].filter((k) => k.startsWith('OTEL_') && KNOWN_VARIABLES.has(k));
      if (otel.length === 0) continue;
      const before = issues.length;
      const protocol = protocolOf(project, env, 'TRACES');
      const grpc = protocol === 'grpc';
      const entry = ENDPOINT_KEYS.map((k) => env.get(k)).find((e): e is EnvEntry => e !== undefined);
      const fixLine = `OTEL_EXPORTER_OTLP_ENDPOINT: "${expectedUrl(main, grpc)}"`;
      if (!entry) {
        const first = env.get(otel[0]!)!;
        issues.push(
          fail(
            { file: first.file, line: first.line },
            `${name} sets ${otel[0]} but no OTEL_EXPORTER_OTLP_ENDPOINT: its SDK sends to localhost, inside its own container, and nothing reaches ${main}`,
            fixLine,
          ),
        );
      } else {
        const value = effectiveValue(project, entry);
        if (value.complete) issues.push(...endpointIssues(name, entry, value.value.trim(), { collectorHosts, main, grpc, protocolSet: protocol !== undefined, fixLine }));
      }
      for (const [key, e] of env) {
        if (key === 'HONEYCOMB_API_KEY') {
          issues.push(
            warn(
              { file: e.file, line: e.line },
              `${name} holds HONEYCOMB_API_KEY while ${main} exists: the key belongs to the collector only`,
              `remove HONEYCOMB_API_KEY from ${name} (the collector adds x-honeycomb-team)`,
            ),
          );
        } else if (/^OTEL_EXPORTER_OTLP_(TRACES_|LOGS_|METRICS_)?HEADERS$/.test(key) && /x-honeycomb-team/i.test(e.value ?? '')) {
          issues.push(
            warn(
              { file: e.file, line: e.line },
              `${name} sends an x-honeycomb-team header (${key}) while ${main} exists: the key belongs to the collector only`,
              `remove ${key} from ${name} (the collector adds the header)`,
            ),
          );
        }
      }
      if (issues.length === before) ok.push(name);
    }
    if (issues.length === 0 && ok.length === 0) return skipped(this, 'no service sets OTEL_* variables');
    return report(this, issues, `${listing(ok)} send${ok.length === 1 ? 's' : ''} to ${main}`);
  },
};

function endpointIssues(
  name: string,
  entry: EnvEntry,
  url: string,
  { collectorHosts, main, grpc, protocolSet, fixLine }: { collectorHosts: Map<string, string>; main: string; grpc: boolean; protocolSet: boolean; fixLine: string },
): Issue[] {
  const where = { file: entry.file, line: entry.line };
  if (honeycombRegionOf(url)) return [warn(where, `${name} sends straight to Honeycomb (${entry.key}) while ${main} exists: its spans skip the collector and the key sits in the app`, fixLine)];
  const host = hostOf(url);
  const target = host ? collectorHosts.get(host) : undefined;
  if (!target) return [warn(where, `${name} sends to ${host ?? url} (${entry.key}), not to ${main}`, fixLine)];
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [fail(where, `${entry.key} on ${name} is not a URL (${url}): OTLP endpoints are http://host:port`, fixLine)];
  }
  const port = parsed.port || (parsed.protocol === 'https:' ? '443' : '80');
  const want = grpc ? '4317' : '4318';
  if (parsed.protocol !== 'http:') return [fail(where, `${entry.key} on ${name} uses ${parsed.protocol.slice(0, -1)}, but ${target} listens on plain http`, fixLine)];
  if (port === '4317' && !protocolSet) {
    // An exporter chosen in code (a gRPC one) ignores the variable; one configured from the environment defaults to http/protobuf.
    return [
      warn(
        where,
        `${entry.key} on ${name} sends to port 4317 (gRPC) of ${target} without OTEL_EXPORTER_OTLP_PROTOCOL=grpc: right for a gRPC exporter chosen in code, but an SDK configured from the environment sends http/protobuf there and nothing arrives`,
        'OTEL_EXPORTER_OTLP_PROTOCOL: "grpc"',
      ),
    ];
  }
  if (port !== want) {
    const why = grpc ? 'OTLP/gRPC (OTEL_EXPORTER_OTLP_PROTOCOL=grpc) goes to 4317' : port === '4317' ? '4317 is gRPC, and OTEL_EXPORTER_OTLP_PROTOCOL says http (use 4318)' : 'OTLP/HTTP goes to 4318';
    return [fail(where, `${entry.key} on ${name} sends to port ${port} of ${target}: ${why}`, fixLine)];
  }
  if (/_TRACES_ENDPOINT$/.test(entry.key) && !grpc && parsed.pathname !== '/v1/traces') {
    return [fail(where, `${entry.key} on ${name} is used as written: without /v1/traces the collector answers 404`, `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://${target}:4318/v1/traces"`)];
  }
  return [];
}
