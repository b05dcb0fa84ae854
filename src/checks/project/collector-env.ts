import type { Check } from '../types.js';
import { envReferences } from '../../collector/parse.js';
import { collectorsWithConfig, reachOf } from './lib/collector.js';
import { composeOrWhy, fail, listing, report, skipped, warn, type Issue } from './lib/report.js';
import { keyWhere } from './lib/services.js';
import { shellInstead } from './lib/env.js';

/** Variables that hold a credential: in compose they are a `${VAR}` reference, the value lives in .env. */
export const SECRET_VARIABLES = new Set(['HONEYCOMB_API_KEY', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']);

/**
 * Every `${env:X}` the collector config needs (no `:-default`) reaches the container with a
 * value: the collector replaces an unset one with an empty string and sends without a key.
 */
export const collectorEnvCheck: Check = {
  id: 'collector-env',
  title: 'Collector variables',
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
      const seen = new Set<string>();
      for (const ref of envReferences(config)) {
        if (seen.has(ref.name)) continue;
        seen.add(ref.name);
        if (ref.fallback !== undefined) continue;
        const reach = reachOf(project, name, ref.name);
        if (reach.status === 'missing') {
          issues.push(
            fail(
              { file: config.path, line: ref.line },
              `${config.path} uses ${ref.text}, but ${ref.name} is not in the environment of ${name}: the collector sees an empty value`,
              `add ${ref.name}: "\${${ref.name}}" to the environment of ${name} (${keyWhere(collector.service, 'environment').file}:${keyWhere(collector.service, 'environment').line}) and set it in .env`,
            ),
          );
          continue;
        }
        if (reach.status === 'empty') {
          issues.push(
            warn(
              { file: reach.file, line: reach.line },
              `${ref.name} reaches ${name} empty (${reach.why}): ${ref.text} in ${config.path} expands to nothing`,
              shellInstead(project, reach.variable) ?? `set ${reach.variable} in .env`,
            ),
          );
          continue;
        }
        if (SECRET_VARIABLES.has(ref.name) && reach.from === 'environment' && reach.literal) {
          issues.push(
            fail(
              { file: reach.file, line: reach.line },
              `${ref.name} is written as a literal value in the environment of ${name}: the key is in a file git tracks`,
              `${ref.name}: "\${${ref.name}}" (and the value in .env, which git ignores)`,
            ),
          );
          continue;
        }
        ok.push(ref.name);
      }
    }
    if (issues.length === 0 && ok.length === 0) return report(this, [], 'the collector config uses no variables without a default');
    return report(this, issues, `${listing([...new Set(ok)])} reach${ok.length === 1 ? 'es' : ''} the collector`);
  },
};
