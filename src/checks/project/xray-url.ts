import { publishedPort, xrayUrlPattern } from '../../aws/xray-url.js';
import type { Check } from '../types.js';
import { effectiveValue, serviceEnvs } from './lib/env.js';
import { soleReference } from '../../compose/interpolation.js';
import { composeOrWhy, report, skipped, warn, type Issue } from './lib/report.js';
import { xrayDaemonService, xraySdkDisabled } from './lib/services.js';
import { entryLine, quote } from './lib/text.js';

/**
 * AWS_XRAY_URL is the pattern the app gives the X-Ray SDK for naming segments (dynamic naming):
 * it is matched against the Host header (`host:port`), so it needs `*` on both sides and no
 * scheme. It is not where segments go (that is AWS_XRAY_DAEMON_ADDRESS).
 */
export const xrayUrlCheck: Check = {
  id: 'xray-url',
  title: 'AWS_XRAY_URL pattern',
  group: 'xray',
  run(project) {
    const ready = composeOrWhy(project);
    if ('why' in ready) return skipped(this, ready.why);
    const daemon = xrayDaemonService(project);
    const issues: Issue[] = [];
    const ok: string[] = [];
    for (const [service, env] of serviceEnvs(project)) {
      const entry = env.get('AWS_XRAY_URL');
      if (!entry || xraySdkDisabled(env)) continue;
      // `${LOCAL_AWS_XRAY_URL}` or `KEY:` pass-through: judge the value it brings, if known.
      const sole = entry.value === null ? undefined : soleReference(entry.value);
      const indirect = entry.value === null || sole?.op === '';
      const resolved = indirect ? effectiveValue(project, entry) : undefined;
      if (resolved && !resolved.complete) continue;
      const value = (resolved ? resolved.value : entry.value!).trim();
      const shown = resolved ? `${quote(value)} (from ${entry.value ?? 'the environment'})` : quote(value);
      const where = { file: entry.file, line: entry.line };
      const compose = ready.compose.services.find((s) => s.name === service)!;
      const port = publishedPort(compose);
      const hostPattern = port ? xrayUrlPattern(port, project.hints) : undefined;
      const core = value
        .replace(/^\*+/, '')
        .replace(/\*+$/, '')
        .replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
        .replace(/\/.*$/, '');
      const looksLikeDaemon = (daemon && core.startsWith(`${daemon.name}:`)) || /:2000$/.test(core);
      const fixValue = looksLikeDaemon && hostPattern ? hostPattern : `*${core}*`;
      const fix = entryLine(entry.form, 'AWS_XRAY_URL', fixValue);
      const scheme = /^\*?[a-z][a-z0-9+.-]*:\/\//i.exec(value) ? value.replace(/^\*/, '').replace(/:\/\/.*$/, '://') : undefined;
      if (looksLikeDaemon) {
        issues.push(
          warn(
            where,
            `AWS_XRAY_URL on ${service} is ${shown}, which looks like the daemon address${scheme ? ` (with a ${scheme} scheme)` : ''}: AWS_XRAY_URL is the Host pattern segments are named by (AWS_XRAY_DAEMON_ADDRESS is where they go)`,
            fix,
          ),
        );
        continue;
      }
      const wildcards = value.startsWith('*') && value.endsWith('*');
      if (scheme || !wildcards) {
        const missing = !value.startsWith('*') && !value.endsWith('*') ? 'the leading and trailing' : value.startsWith('*') ? 'the trailing' : 'the leading';
        const problems = [
          ...(scheme ? [`it holds a ${scheme} scheme, which the Host header it is matched against never does`] : []),
          ...(!wildcards ? [`it lacks ${missing} *, so it must match the whole Host header (host:port) exactly`] : []),
        ];
        issues.push(warn(where, `AWS_XRAY_URL on ${service} is ${shown}: ${problems.join(', and ')}; segments keep the default name`, fix));
        continue;
      }
      ok.push(`${service} ${value}`);
    }
    if (issues.length === 0 && ok.length === 0) return skipped(this, 'no service sets AWS_XRAY_URL');
    return report(this, issues, ok.join(', '));
  },
};
