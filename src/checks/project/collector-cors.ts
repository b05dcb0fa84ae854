import type { Check } from '../types.js';
import { corsOrigins } from '../../collector/cors.js';
import { componentType, definedIds, lineAt, settingsOf } from '../../collector/parse.js';
import { collectorsWithConfig } from './lib/collector.js';
import { effectiveValue, networkNames, serviceEnv } from './lib/env.js';
import { composeOrWhy, fail, listing, report, skipped, warn, type Issue } from './lib/report.js';
import { isBrowserService, isBrowserVariable } from './lib/services.js';

/**
 * Whether an allowed origin lets `origin` through, as the collector's CORS handler matches:
 * exact (case-insensitive), `*` for all, or one `*` standing for any run of characters.
 * An origin that is itself a pattern (`https://3000-*.gitpod.io`) is tried with a sample host.
 */
export function originAllowed(allowed: readonly string[], origin: string): boolean {
  const sample = origin.toLowerCase().replace('*', 'sample-workspace');
  return allowed.some((raw) => {
    const pattern = raw.toLowerCase();
    if (pattern === '*' || pattern === origin.toLowerCase()) return true;
    const star = pattern.indexOf('*');
    if (star === -1) return pattern === sample;
    const [prefix, suffix] = [pattern.slice(0, star), pattern.slice(star + 1)];
    return sample.length >= prefix.length + suffix.length && sample.startsWith(prefix) && sample.endsWith(suffix);
  });
}

/**
 * Browser code that sends spans to the collector needs the OTLP HTTP receiver's CORS to allow
 * the page's origin; without it the browser drops every request after the preflight.
 */
export const collectorCorsCheck: Check = {
  id: 'collector-cors',
  title: 'Collector CORS',
  group: 'collector',
  run(project) {
    const ready = composeOrWhy(project);
    if ('why' in ready) return skipped(this, ready.why);
    const found = collectorsWithConfig(project);
    if ('why' in found) return skipped(this, found.why);
    const { collectors } = found;
    const issues: Issue[] = [];
    const ok: string[] = [];
    const browsers = ready.compose.services.filter((s) => isBrowserService(project, s.name));
    for (const { collector, config } of collectors) {
      const name = collector.service.name;
      const hosts = networkNames(collector.service);
      const published = collector.service.config.ports.some((p) => p.target.split('/')[0] === '4318' && p.published !== undefined);
      const senders = browsers.filter((s) => {
        for (const [key, entry] of serviceEnv(project, s.name)) {
          if (!isBrowserVariable(key)) continue;
          const value = effectiveValue(project, entry).value;
          if ([...hosts].some((h) => value.includes(`//${h}:`)) || /:4318(\/|$)/.test(value)) return true;
        }
        return false;
      });
      const frontends = senders.length ? senders : published ? browsers : [];
      if (frontends.length === 0) continue;
      const { origins } = corsOrigins(
        frontends.map((s) => ({ service: s.name, ports: s.config.ports })),
        project.hints,
      );
      if (origins.length === 0) continue;
      const receivers = definedIds(config, 'receivers').filter(
        (id) => componentType(id) === 'otlp' && (settingsOf(config, 'receivers', id).protocols as { http?: unknown } | undefined)?.http !== undefined,
      );
      const who = listing(frontends.map((s) => s.name));
      // A browser variable naming the collector is certain; a published 4318 only suggests a browser sends there.
      const level = senders.length ? fail : warn;
      const sends = senders.length ? `${who} send${frontends.length === 1 ? 's' : ''} spans from the browser` : `${name} publishes 4318 for browsers (${who})`;
      if (receivers.length === 0) {
        issues.push(
          level(
            { file: config.path, line: lineAt(config, ['receivers']) },
            `${sends}, but ${name} has no OTLP receiver with the http protocol (browsers cannot use gRPC)`,
            'receivers: { otlp: { protocols: { http: { endpoint: "0.0.0.0:4318", cors: { allowed_origins: [...] } } } } }',
          ),
        );
        continue;
      }
      for (const id of receivers) {
        const http = (settingsOf(config, 'receivers', id).protocols as { http?: { cors?: { allowed_origins?: unknown } } | null }).http;
        const allowed = Array.isArray(http?.cors?.allowed_origins) ? (http.cors.allowed_origins as unknown[]).map(String) : [];
        const missing = origins.filter((o) => !originAllowed(allowed, o));
        if (missing.length === 0) {
          ok.push(`${name} (${id}) allows ${listing(origins)}`);
          continue;
        }
        const keys = ['receivers', id, 'protocols', 'http', 'cors', 'allowed_origins'];
        issues.push(
          level(
            { file: config.path, line: lineAt(config, keys) },
            allowed.length === 0
              ? `${sends}, but receiver ${id} of ${name} has no cors.allowed_origins: the browser blocks every request`
              : `receiver ${id} of ${name} does not allow ${listing(missing)} (the pages of ${who}): the browser blocks their spans`,
            `cors: { allowed_origins: [${[...allowed, ...missing].map((o) => JSON.stringify(o)).join(', ')}] }`,
          ),
        );
      }
    }
    if (issues.length === 0 && ok.length === 0) return skipped(this, 'no browser frontend sends to the collector');
    return report(this, issues, ok.join('; '));
  },
};
