import type { Check } from '../types.js';
import { effectiveValue, serviceEnvs, type EnvEntry } from './lib/env.js';
import { composeOrWhy, fail, listing, report, skipped, type Issue } from './lib/report.js';

/** Two services sending under one name mix their spans into one service (one Honeycomb dataset). */
export const otelServiceNameUniqueCheck: Check = {
  id: 'otel-service-name-unique',
  title: 'OTEL_SERVICE_NAME unique',
  group: 'otel',
  run(project) {
    const ready = composeOrWhy(project);
    if ('why' in ready) return skipped(this, ready.why);
    const byName = new Map<string, EnvEntry[]>();
    for (const env of serviceEnvs(project).values()) {
      const entry = env.get('OTEL_SERVICE_NAME');
      if (!entry) continue;
      const value = effectiveValue(project, entry);
      const name = value.complete ? value.value.trim() : (entry.value ?? '').trim();
      if (name === '') continue;
      byName.set(name, [...(byName.get(name) ?? []), entry]);
    }
    if (byName.size === 0) return skipped(this, 'no service sets OTEL_SERVICE_NAME');
    const issues: Issue[] = [];
    for (const [name, entries] of byName) {
      if (entries.length < 2) continue;
      const services = entries.map((e) => e.service);
      issues.push(
        fail(
          { file: entries[0]!.file, line: entries[0]!.line },
          `${listing(services)} all send as OTEL_SERVICE_NAME ${name}: their spans mix as one service`,
          'obs init --force (writes each service its own name), or set a distinct OTEL_SERVICE_NAME on each',
        ),
      );
    }
    return report(this, issues, `${byName.size} distinct service name${byName.size === 1 ? '' : 's'}`);
  },
};
