import type { Check } from '../types.js';
import { componentType, definedIds, envReferencesIn, lineAt, settingsOf, withFallbacks } from '../../collector/parse.js';
import { collectorsWithConfig, reachOf } from './lib/collector.js';
import { hostOf } from './lib/otlp.js';
import { shellInstead } from './lib/env.js';
import { composeOrWhy, fail, report, skipped, type Issue } from './lib/report.js';

/** The signing name AWS expects for an endpoint host: X-Ray's OTLP endpoint signs as `xray`, CloudWatch Logs' as `logs`. */
export function signingServiceFor(host: string): string | undefined {
  const m = /^(xray|logs)\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/.exec(host);
  return m?.[1];
}

const ENDPOINT_KEYS = ['endpoint', 'traces_endpoint', 'logs_endpoint', 'metrics_endpoint'];

/**
 * Every sigv4auth extension signs for a region and a service: without a region it guesses from
 * the endpoint's host (wrong behind a proxy or a stand-in), and a wrong service name gets every
 * request refused with 403.
 */
export const collectorSigv4Check: Check = {
  id: 'collector-sigv4',
  title: 'Collector SigV4 signing',
  group: 'collector',
  run(project) {
    const ready = composeOrWhy(project);
    if ('why' in ready) return skipped(this, ready.why);
    const found = collectorsWithConfig(project);
    if ('why' in found) return skipped(this, found.why);
    const { collectors } = found;
    const issues: Issue[] = [];
    const ok: string[] = [];
    for (const { collector, config } of collectors) {
      const name = collector.service.name;
      for (const id of definedIds(config, 'extensions').filter((e) => componentType(e) === 'sigv4auth')) {
        const settings = settingsOf(config, 'extensions', id);
        const where = (key?: string) => ({ file: config.path, line: lineAt(config, key ? ['extensions', id, key] : ['extensions', id]) });
        const before = issues.length;
        const region = typeof settings.region === 'string' ? settings.region.trim() : '';
        if (region === '') {
          issues.push(
            fail(where('region'), `extension ${id} of ${name} has no region: it guesses one from the endpoint's host, which a proxy or private endpoint does not carry`, 'region: "${env:AWS_REGION}"'),
          );
        } else {
          for (const ref of envReferencesIn(region)) {
            if (ref.fallback !== undefined) continue;
            const reach = reachOf(project, name, ref.name);
            if (reach.status !== 'set') {
              issues.push(
                fail(
                  where('region'),
                  `extension ${id} of ${name} takes its region from ${ref.text}, but ${ref.name} ${reach.status === 'missing' ? `is not in the environment of ${name}` : `reaches ${name} empty (${reach.why})`}`,
                  reach.status === 'missing'
                    ? `${ref.name}: "\${${ref.name}}" in the environment of ${name}, set in .env`
                    : (shellInstead(project, reach.variable) ?? `set ${reach.variable} in .env (or your shell)`),
                ),
              );
            }
          }
        }
        const service = typeof settings.service === 'string' ? settings.service.trim() : '';
        const users = definedIds(config, 'exporters').filter((e) => (settingsOf(config, 'exporters', e).auth as { authenticator?: unknown } | undefined)?.authenticator === id);
        const wanted = new Set<string>();
        for (const exporter of users) {
          const exporterSettings = settingsOf(config, 'exporters', exporter);
          for (const key of ENDPOINT_KEYS) {
            const value = exporterSettings[key];
            const host = typeof value === 'string' ? hostOf(withFallbacks(value)) : undefined;
            const signing = host ? signingServiceFor(host) : undefined;
            if (signing) wanted.add(signing);
          }
        }
        if (service === '') {
          const want = [...wanted][0];
          issues.push(
            fail(
              where('service'),
              `extension ${id} of ${name} has no service: requests are signed for the wrong service and refused${want ? ` (its exporters send to ${want}.*: service ${want})` : ''}`,
              `service: "${want ?? 'xray'}"`,
            ),
          );
        } else if (wanted.size > 0 && !wanted.has(service)) {
          const want = [...wanted][0]!;
          issues.push(fail(where('service'), `extension ${id} of ${name} signs for service ${service}, but its exporters send to ${want}.*: AWS refuses the requests (403)`, `service: "${want}"`));
        }
        if (issues.length === before) ok.push(`${id} (${service}, ${region})`);
      }
    }
    if (issues.length === 0 && ok.length === 0) return skipped(this, 'no sigv4auth extension');
    return report(this, issues, ok.join(', '));
  },
};
