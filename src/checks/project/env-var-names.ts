import type { Check } from '../types.js';
import { serviceEnvs } from './lib/env.js';
import { suggestName } from './lib/known-vars.js';
import { composeOrWhy, fail, report, warn, type Issue } from './lib/report.js';
import { entryLine, redact } from './lib/text.js';

/**
 * A misspelled variable name (OTEL_EXPORTER_OLTP_ENDPOINT, AWS_XRAY_DAEMON_ADDRSES) is not an
 * error anywhere: the SDK just never reads it, and tracing quietly stays off.
 */
export const envVarNamesCheck: Check = {
  id: 'env-var-names',
  title: 'Variable names are spelled right',
  group: 'compose',
  run(project) {
    const ready = composeOrWhy(project);
    if ('why' in ready) return { id: this.id, title: this.title, status: 'skip', detail: ready.why };
    const issues: Issue[] = [];
    let checked = 0;
    for (const [service, env] of serviceEnvs(project)) {
      for (const entry of env.values()) {
        checked++;
        const suggestion = suggestName(entry.key);
        if (!suggestion) continue;
        const meant = suggestion.name;
        const why = suggestion.why === 'case' ? 'names are case-sensitive' : suggestion.why === 'scrambled' ? 'it has the letters of a known name in another order' : 'no SDK reads this name';
        const alsoSet = env.has(meant);
        const message = `${entry.key} on ${service}: ${why}; did you mean ${meant}?${alsoSet ? ` (${meant} is set too, so this one is dead)` : ''}`;
        const value = entry.value ?? '';
        const safe = redact(value) === value;
        const fix = safe ? entryLine(entry.form, meant, entry.value) : `rename ${entry.key} to ${meant}`;
        const where = { file: entry.file, line: entry.line };
        issues.push(alsoSet ? warn(where, message, fix) : fail(where, message, fix));
      }
    }
    return report(this, issues, `${checked} variable${checked === 1 ? '' : 's'}, none a misspelling of an OpenTelemetry, X-Ray, Honeycomb or Rollbar name`);
  },
};
