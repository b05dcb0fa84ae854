import type { Check } from '../types.js';
import { networksOf, shareNetwork } from '../../compose/networks.js';
import { effectiveValue, findServiceByHost, serviceEnvs } from './lib/env.js';
import { composeOrWhy, fail, listing, report, skipped, type Issue } from './lib/report.js';
import { deployedToEcs, keyWhere } from './lib/services.js';

/** Variables whose value names where a service sends telemetry: a host:port or a URL. */
const DESTINATIONS = ['AWS_XRAY_DAEMON_ADDRESS', 'OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_EXPORTER_OTLP_LOGS_ENDPOINT'];

/** The hosts a destination value names: `host:port`, `tcp:h:p udp:h:p`, or a URL. */
export function destinationHosts(value: string): string[] {
  const trimmed = value.trim();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
    try {
      return [new URL(trimmed).hostname.replace(/^\[|\]$/g, '')];
    } catch {
      return [];
    }
  }
  return trimmed
    .split(/\s+/)
    .map((part) => part.replace(/^(tcp|udp):/i, ''))
    .map((part) => /^\[?([^\]\s]+?)\]?:\d+$/.exec(part)?.[1])
    .filter((host): host is string => host !== undefined);
}

/**
 * A service that sends telemetry to another compose service (the X-Ray daemon, a collector) must
 * share a compose network with it, or the name does not resolve and every span is dropped.
 */
export const telemetryNetworkCheck: Check = {
  id: 'telemetry-network',
  title: 'Telemetry destinations reachable',
  group: 'compose',
  run(project) {
    const ready = composeOrWhy(project);
    if ('why' in ready) return skipped(this, ready.why);
    if (deployedToEcs(project)) return skipped(this, 'deployed to ECS (x-aws-* keys): containers of a task share localhost');
    const issues: Issue[] = [];
    const ok: string[] = [];
    const byName = new Map(ready.compose.services.map((s) => [s.name, s]));
    for (const [name, env] of serviceEnvs(project)) {
      const sender = byName.get(name)!;
      for (const key of DESTINATIONS) {
        const entry = env.get(key);
        if (!entry) continue;
        const value = effectiveValue(project, entry);
        if (!value.complete) continue;
        for (const host of destinationHosts(value.value)) {
          const target = findServiceByHost(project, host);
          if (!target || target.name === name) continue;
          if (shareNetwork(sender, target)) {
            ok.push(`${name} -> ${target.name}`);
            continue;
          }
          const senderNets = networksOf(sender);
          const why =
            sender.config.networkMode !== undefined
              ? `${name} has network_mode ${sender.config.networkMode}`
              : `${name} is on ${listing(senderNets)}, ${target.name} on ${listing(networksOf(target))}`;
          const targetWhere = keyWhere(target, 'networks');
          issues.push(
            fail(
              { file: entry.file, line: entry.line },
              `${key} on ${name} names ${target.name}, but they share no network (${why}): ${host} does not resolve and nothing arrives`,
              senderNets.length > 0 ? `add ${listing(senderNets)} to the networks of ${target.name} (${targetWhere.file}:${targetWhere.line})` : `give ${name} an address it can reach`,
            ),
          );
        }
      }
    }
    if (issues.length === 0 && ok.length === 0) return skipped(this, 'no service sends telemetry to another compose service');
    return report(this, issues, [...new Set(ok)].join(', '));
  },
};
