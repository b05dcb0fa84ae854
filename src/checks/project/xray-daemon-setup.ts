import type { Check } from '../types.js';
import { effectiveValue, rawService, serviceEnv } from './lib/env.js';
import { referencesIn } from '../../compose/interpolation.js';
import { composeOrWhy, fail, report, skipped, warn, type Issue } from './lib/report.js';
import { deployedToEcs, keyWhere, serviceWhere, xrayDaemonService } from './lib/services.js';
import { environmentIndex } from './lib/env.js';
import { entryLine, quote, redact } from './lib/text.js';
import { AWS_REGION, commandArgs, flagSuggestion, parseDaemonFlags, shellWords, suggestedCommand } from '../../compose/xray-daemon-args.js';
import { daemonPort } from './xray-daemon-address.js';

/**
 * Off EC2 the daemon needs local mode (-o), a region (AWS_REGION or -n; it does not read
 * AWS_DEFAULT_REGION) and credentials, and publishes UDP 2000 for apps outside compose.
 */
export const xrayDaemonSetupCheck: Check = {
  id: 'xray-daemon-setup',
  title: 'X-Ray daemon region, credentials and port',
  group: 'xray',
  run(project) {
    const ready = composeOrWhy(project);
    if ('why' in ready) return skipped(this, ready.why);
    const daemon = xrayDaemonService(project);
    if (!daemon) return skipped(this, 'no X-Ray daemon service');
    if (deployedToEcs(project)) return skipped(this, 'deployed to ECS (x-aws-* keys): the task role and ECS metadata give credentials and region');
    const env = serviceEnv(project, daemon.name);
    const issues: Issue[] = [];
    const where = serviceWhere(daemon);
    const envWhere = keyWhere(daemon, 'environment');
    const form = [...env.values()].find((e) => e.from === 'environment')?.form ?? 'map';

    // Flags as meant (a command written as one string item is split, `xray` dropped, `-0` read as -o).
    const words = (commandArgs(daemon.config.command) ?? []).flatMap((a) => shellWords(a)).filter((w) => !/(^|\/)xray$/.test(w));
    const flags = parseDaemonFlags(words.map((w) => (flagSuggestion(w) === '-o' ? '-o' : w))).flags;
    if (!flags.has('-o') && daemon.config.entrypoint === undefined) {
      issues.push(
        warn(keyWhere(daemon, 'command'), `${daemon.name} does not run in local mode (-o): off EC2 it probes instance metadata it cannot reach`, suggestedCommand(parseDaemonFlags(['-o', ...words]))),
      );
    }

    // A variable may come from an env_file doctor could not read: then only what is written here is judged.
    const unreadable = (environmentIndex(project).services.get(daemon.name)?.envFiles ?? []).some((f) => f.state !== 'read');
    const regionFlag = flags.get('-n');
    const region = env.get('AWS_REGION');
    if (regionFlag !== undefined) {
      if (!regionFlag.includes('$') && !AWS_REGION.test(regionFlag))
        issues.push(fail(keyWhere(daemon, 'command'), `-n ${quote(regionFlag)} on ${daemon.name} is not an AWS region`, 'command: ["-o", "-n", "us-east-1"]'));
    } else if (region) {
      const value = effectiveValue(project, region);
      const at = { file: region.file, line: region.line };
      if (value.complete && value.value.trim() === '')
        issues.push(fail(at, `AWS_REGION on ${daemon.name} is empty: the daemon exits ("Cannot fetch region variable")`, entryLine(region.form, 'AWS_REGION', 'us-east-1')));
      else if (value.complete && !AWS_REGION.test(value.value.trim()))
        issues.push(fail(at, `AWS_REGION on ${daemon.name} is ${quote(value.value)}, which is not an AWS region`, entryLine(region.form, 'AWS_REGION', 'us-east-1')));
    } else if (!unreadable) {
      const alt = env.get('AWS_DEFAULT_REGION');
      const at = alt ? { file: alt.file, line: alt.line } : envWhere;
      issues.push(
        fail(
          at,
          `${daemon.name} has no AWS_REGION${alt ? ' (the daemon does not read AWS_DEFAULT_REGION)' : ''} and no -n flag: it exits with "Cannot fetch region variable"`,
          entryLine(alt?.form ?? form, 'AWS_REGION', '${AWS_DEFAULT_REGION}'),
        ),
      );
    }

    const raw = rawService(daemon);
    const volumes = Array.isArray(raw.volumes) ? raw.volumes : [];
    const mountsAws = volumes.some((v) => (typeof v === 'string' ? v : JSON.stringify(v)).includes('.aws'));
    const hasKeys = env.has('AWS_ACCESS_KEY_ID') && env.has('AWS_SECRET_ACCESS_KEY');
    if (!unreadable && !hasKeys && !mountsAws && !env.has('AWS_PROFILE') && !env.has('AWS_CONTAINER_CREDENTIALS_FULL_URI')) {
      issues.push(
        fail(
          envWhere,
          `${daemon.name} has no AWS credentials (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY): it cannot upload segments`,
          `${entryLine(form, 'AWS_ACCESS_KEY_ID', '${AWS_ACCESS_KEY_ID}')} and ${entryLine(form, 'AWS_SECRET_ACCESS_KEY', '${AWS_SECRET_ACCESS_KEY}')}`,
        ),
      );
    }
    for (const key of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) {
      const entry = env.get(key);
      if (!entry || entry.from !== 'environment' || entry.value === null || referencesIn(entry.value).length > 0 || redact(entry.value) === entry.value) continue;
      issues.push(
        fail(
          { file: entry.file, line: entry.line },
          `${key} on ${daemon.name} is written out (${redact(entry.value)}): reference it and keep the value in .env`,
          entryLine(entry.form, key, `\${${key}}`),
        ),
      );
    }

    const port = daemonPort(daemon);
    const published = daemon.config.ports.filter((p) => p.target === port || p.published === port);
    const udp = published.some((p) => p.protocol?.toLowerCase() === 'udp');
    if (!udp) {
      issues.push(
        warn(
          daemon.config.ports.length > 0 ? keyWhere(daemon, 'ports') : where,
          published.length > 0
            ? `${daemon.name} publishes port ${port} over TCP only; segments travel over UDP`
            : `${daemon.name} publishes no UDP port ${port}: containers on the compose network still reach it by name, but an app run on the host cannot`,
          `ports: ["${port}:${port}/udp"]`,
        ),
      );
    }
    const regionText = regionFlag ?? (region ? (effectiveValue(project, region).complete ? effectiveValue(project, region).value : (region.value ?? '')) : '?');
    return report(this, issues, `${daemon.name}: local mode, region ${regionText}, credentials set, ${port}/udp published`);
  },
};
