import { maskSecret } from '../../secrets/shapes.js';
import type { Check } from '../types.js';
import { serviceEnv } from './lib/env.js';
import { referencesIn } from '../../compose/interpolation.js';
import { composeOrWhy, fail, report, skipped, type Issue } from './lib/report.js';
import { instrumentedServices, isBrowserService, serviceWhere } from './lib/services.js';
import { entryLine, envLine } from './lib/text.js';

/** Where obs.yaml turns Rollbar on, each backend service gets the token, by reference. */
export const rollbarTokenCheck: Check = {
  id: 'rollbar-token-reference',
  title: 'Rollbar token on backend services',
  group: 'rollbar',
  run(project) {
    const ready = composeOrWhy(project);
    if ('why' in ready) return skipped(this, ready.why);
    if (!project.obsConfig) return skipped(this, 'no obs.yaml, so whether Rollbar is used is unknown');
    if (!project.obsConfig.rollbar.enabled) return skipped(this, 'Rollbar is off in obs.yaml');
    const backends = instrumentedServices(project).names.filter((n) => !isBrowserService(project, n));
    if (backends.length === 0) return skipped(this, 'no backend service in obs.yaml');
    const issues: Issue[] = [];
    for (const name of backends) {
      const entry = serviceEnv(project, name).get('ROLLBAR_ACCESS_TOKEN');
      const service = ready.compose.services.find((s) => s.name === name)!;
      if (!entry) {
        issues.push(fail(serviceWhere(service), `${name} has no ROLLBAR_ACCESS_TOKEN: Rollbar gets no errors from it`, envLine('ROLLBAR_ACCESS_TOKEN', '${ROLLBAR_ACCESS_TOKEN}')));
        continue;
      }
      if (entry.from !== 'environment' || entry.value === null || referencesIn(entry.value).length > 0) continue;
      const where = { file: entry.file, line: entry.line };
      const fix = entryLine(entry.form, 'ROLLBAR_ACCESS_TOKEN', '${ROLLBAR_ACCESS_TOKEN}');
      issues.push(
        entry.value.trim() === ''
          ? fail(where, `ROLLBAR_ACCESS_TOKEN on ${name} is empty`, fix)
          : fail(where, `ROLLBAR_ACCESS_TOKEN on ${name} is written out (${maskSecret(entry.value.trim())}): reference \${ROLLBAR_ACCESS_TOKEN} and keep the token in .env`, fix),
      );
    }
    return report(this, issues, `${backends.join(', ')} reference \${ROLLBAR_ACCESS_TOKEN}`);
  },
};
