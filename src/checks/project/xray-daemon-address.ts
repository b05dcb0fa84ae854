import type { Check, DoctorProject } from '../types.js';
import type { ComposeService } from '../../compose/project.js';
import { effectiveValue, findServiceByHost, serviceEnvs, type EnvEntry } from './lib/env.js';
import { composeOrWhy, fail, listing, report, skipped, type Issue } from './lib/report.js';
import { deployedToEcs, xrayDaemonService, xraySdkDisabled } from './lib/services.js';
import { entryLine, quote } from './lib/text.js';
import { commandArgs, DAEMON_PORT, parseDaemonFlags, shellWords } from '../../compose/xray-daemon-args.js';

/** The UDP port the daemon listens on: `-b host:port` in its command, else the image's 2000. */
export function daemonPort(daemon: ComposeService): string {
  const words = (commandArgs(daemon.config.command) ?? []).flatMap((a) => shellWords(a));
  const bind = parseDaemonFlags(words.filter((w) => !/(^|\/)xray$/.test(w))).flags.get('-b');
  return bind && /:\d+$/.test(bind) ? bind.slice(bind.lastIndexOf(':') + 1) : DAEMON_PORT;
}

/** AWS_XRAY_DAEMON_ADDRESS is `host:port` of the daemon service, as the app container sees it. */
export const xrayDaemonAddressCheck: Check = {
  id: 'xray-daemon-address',
  title: 'AWS_XRAY_DAEMON_ADDRESS',
  group: 'xray',
  run(project) {
    const ready = composeOrWhy(project);
    if ('why' in ready) return skipped(this, ready.why);
    const daemon = xrayDaemonService(project);
    if (!daemon) return skipped(this, 'no X-Ray daemon service (see xray-daemon-present)');
    if (deployedToEcs(project)) return skipped(this, 'deployed to ECS (x-aws-* keys): containers of a task reach the daemon on 127.0.0.1:2000');
    const issues: Issue[] = [];
    const ok: string[] = [];
    const port = daemonPort(daemon);
    const good = `${daemon.name}:${port}`;
    for (const [service, env] of serviceEnvs(project)) {
      if (service === daemon.name || xraySdkDisabled(env)) continue;
      const xrayKeys = [...env.values()].filter((e) => e.key.startsWith('AWS_XRAY_'));
      const entry = env.get('AWS_XRAY_DAEMON_ADDRESS');
      if (!entry) {
        if (xrayKeys.length > 0) {
          const at = xrayKeys[0]!;
          issues.push(
            fail(
              { file: at.file, line: at.line },
              `${service} sets ${listing(xrayKeys.map((e) => e.key))} but no AWS_XRAY_DAEMON_ADDRESS: the SDK sends to 127.0.0.1:2000, its own container, not ${daemon.name}`,
              entryLine(at.form, 'AWS_XRAY_DAEMON_ADDRESS', good),
            ),
          );
        }
        continue;
      }
      const value = effectiveValue(project, entry);
      if (!value.complete) continue;
      const found = addressIssues(project, service, entry, value.value.trim(), daemon, port);
      if (found.length === 0) ok.push(`${service} -> ${value.value.trim()}`);
      issues.push(...found);
    }
    if (issues.length === 0 && ok.length === 0) return skipped(this, 'no service sets AWS_XRAY_DAEMON_ADDRESS');
    return report(this, issues, ok.join(', '));
  },
};

function addressIssues(project: DoctorProject, service: string, entry: EnvEntry, value: string, daemon: ComposeService, port: string): Issue[] {
  const where = { file: entry.file, line: entry.line };
  const fix = entryLine(entry.form, 'AWS_XRAY_DAEMON_ADDRESS', `${daemon.name}:${port}`);
  const prefix = `AWS_XRAY_DAEMON_ADDRESS on ${service} is ${quote(value)}`;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return [fail(where, `${prefix}: a URL scheme does not belong there, the SDK wants host:port`, fix)];
  // `tcp:host:port udp:host:port` splits the two; judge each.
  const parts = /^(tcp|udp):/i.test(value) ? value.split(/\s+/).map((p) => p.replace(/^(tcp|udp):/i, '')) : [value];
  for (const part of parts) {
    const match = /^\[?([^\]\s]+?)\]?:(\d+)$/.exec(part);
    if (!match) return [fail(where, `${prefix}, not host:port`, fix)];
    const [, host, p] = match as unknown as [string, string, string];
    if (host === '0.0.0.0') return [fail(where, `${prefix}: 0.0.0.0 is where a daemon listens, not an address to send to`, fix)];
    if (host === 'localhost' || host.startsWith('127.') || host === '::1') {
      return [fail(where, `${prefix}: inside the ${service} container that is ${service} itself, not ${daemon.name}`, fix)];
    }
    const target = findServiceByHost(project, host);
    if (!target) return [fail(where, `${prefix}, but no service is named ${host}; the daemon runs as ${daemon.name}`, fix)];
    if (target.name !== daemon.name) return [fail(where, `${prefix}, but ${host} is not the X-Ray daemon (${daemon.name} is)`, fix)];
    if (p !== port) return [fail(where, `${prefix}, but ${daemon.name} listens on port ${port}`, fix)];
  }
  return [];
}
