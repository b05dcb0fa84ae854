import type { ComposeFile } from '../../compose/parse.js';
import type { Check } from '../types.js';
import type { EnvEntry } from './lib/env.js';
import { composeOrWhy, fail, listing, report, skipped, type Issue } from './lib/report.js';
import { serviceWhere, throughCollector, xrayDaemonService, xrayInUse, xrayVariables } from './lib/services.js';

/** A `# xray-daemon:` line: the daemon service commented out. */
export function commentedDaemon(files: readonly ComposeFile[]): { file: string; line: number } | undefined {
  for (const file of files) {
    const lines = file.text.split('\n');
    const index = lines.findIndex((l) => /^\s*#\s*[\w.-]*x-?ray[\w.-]*\s*:\s*$/i.test(l));
    if (index !== -1) return { file: file.path, line: index + 1 };
  }
  return undefined;
}

/** Apps send segments to a daemon; with no daemon service they go nowhere. */
export const xrayDaemonPresentCheck: Check = {
  id: 'xray-daemon-present',
  title: 'X-Ray daemon service',
  group: 'xray',
  run(project) {
    const ready = composeOrWhy(project);
    if ('why' in ready) return skipped(this, ready.why);
    if (!xrayInUse(project)) return skipped(this, 'X-Ray is not used (no AWS_XRAY_* variables, no daemon, not in obs.yaml)');
    const daemon = xrayDaemonService(project);
    if (!daemon && throughCollector(project)) return skipped(this, 'the collector exports to X-Ray (obs.yaml: pipeline collector); see the collector checks');
    if (daemon) return report(this, [], `${daemon.name} runs the daemon (${daemon.config.image ?? `built from ${daemon.config.buildContext}`})`);
    const commented = commentedDaemon(project.compose);
    const note = commented ? ` (the daemon at ${commented.file}:${commented.line} is commented out)` : '';
    const fix = 'obs init --xray (adds the daemon service), or remove the AWS_XRAY_* variables';
    const byService = new Map<string, EnvEntry[]>();
    for (const entry of xrayVariables(project)) byService.set(entry.service, [...(byService.get(entry.service) ?? []), entry]);
    const issues: Issue[] = [];
    for (const [service, entries] of byService) {
      issues.push(
        fail({ file: entries[0]!.file, line: entries[0]!.line }, `${service} sets ${listing(entries.map((e) => e.key))}, but no service runs the X-Ray daemon${note}: its segments go nowhere`, fix),
      );
    }
    if (issues.length === 0) {
      const first = ready.compose.services[0];
      issues.push(fail(first ? { file: serviceWhere(first).file } : {}, `obs.yaml turns X-Ray on, but no service runs the X-Ray daemon${note}`, 'obs init --xray'));
    }
    return report(this, issues, '');
  },
};
