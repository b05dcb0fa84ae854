import type { Check } from '../types.js';
import { definedIds, lineAt, settingsOf, type CollectorConfig } from '../../collector/parse.js';
import { projectCollectors } from './lib/collector.js';
import { composeOrWhy, fail, listing, report, skipped, type Issue } from './lib/report.js';

const PIPELINE_PARTS = ['receivers', 'processors', 'exporters'] as const;

/** What is wrong with a parsed config's wiring: pipelines naming undefined components, authenticators not enabled. */
export function wiringIssues(config: CollectorConfig): Issue[] {
  const issues: Issue[] = [];
  const at = (keys: (string | number)[]) => ({ file: config.path, line: lineAt(config, keys) });
  const service = config.value.service as Record<string, unknown> | undefined;
  const pipelines = service?.pipelines;
  if (!pipelines || typeof pipelines !== 'object' || Object.keys(pipelines).length === 0) {
    issues.push(
      fail(
        at(['service']),
        'service.pipelines is empty: the collector refuses to start without a pipeline',
        'service: { pipelines: { traces: { receivers: [otlp], processors: [batch], exporters: [...] } } }',
      ),
    );
    return issues;
  }
  const connectors = definedIds(config, 'connectors');
  for (const [name, raw] of Object.entries(pipelines as Record<string, unknown>)) {
    const pipeline = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
    for (const part of PIPELINE_PARTS) {
      const ids = Array.isArray(pipeline[part]) ? (pipeline[part] as unknown[]).map(String) : [];
      if (ids.length === 0 && part !== 'processors') {
        issues.push(fail(at(['service', 'pipelines', name]), `pipeline ${name} has no ${part}: the collector refuses to start`));
        continue;
      }
      const defined = new Set([...definedIds(config, part), ...(part === 'processors' ? [] : connectors)]);
      ids.forEach((id, index) => {
        if (defined.has(id)) return;
        const known = [...defined];
        issues.push(
          fail(
            at(['service', 'pipelines', name, part, index]),
            `pipeline ${name} uses ${part.slice(0, -1)} ${id}, which is not defined under ${part} (defined: ${known.length ? listing(known) : 'none'}): the collector refuses to start`,
            `define ${id} under ${part}:, or use one of ${known.length ? listing(known) : 'the defined ones'}`,
          ),
        );
      });
    }
  }
  const enabled = Array.isArray(service?.extensions) ? (service.extensions as unknown[]).map(String) : [];
  const extensions = new Set(definedIds(config, 'extensions'));
  enabled.forEach((id, index) => {
    if (!extensions.has(id)) issues.push(fail(at(['service', 'extensions', index]), `service.extensions lists ${id}, which is not defined under extensions:; the collector refuses to start`));
  });
  for (const id of definedIds(config, 'exporters')) {
    const auth = settingsOf(config, 'exporters', id).auth as { authenticator?: unknown } | undefined;
    const authenticator = typeof auth?.authenticator === 'string' ? auth.authenticator : undefined;
    if (!authenticator) continue;
    const where = at(['exporters', id, 'auth', 'authenticator']);
    if (!extensions.has(authenticator))
      issues.push(fail(where, `exporter ${id} authenticates with ${authenticator}, which is not defined under extensions:`, `extensions: { ${authenticator}: { ... } }`));
    else if (!enabled.includes(authenticator)) {
      issues.push(
        fail(
          where,
          `exporter ${id} authenticates with ${authenticator}, which is not listed in service.extensions: the collector refuses to start`,
          `service: { extensions: [${[...enabled, authenticator].join(', ')}] }`,
        ),
      );
    }
  }
  return issues;
}

/** The collector's config is found, parses, and its pipelines are wired to defined components. */
export const collectorConfigCheck: Check = {
  id: 'collector-config',
  title: 'Collector config',
  group: 'collector',
  run(project) {
    const ready = composeOrWhy(project);
    if ('why' in ready) return skipped(this, ready.why);
    const collectors = projectCollectors(project);
    if (collectors.length === 0) return skipped(this, 'no collector service');
    const issues: Issue[] = [];
    const ok: string[] = [];
    for (const { collector, config, problem } of collectors) {
      if (problem) {
        issues.push(fail({ file: problem.file, line: problem.line, ...(problem.col !== undefined && { col: problem.col }) }, `${problem.message}`, problem.fix));
        continue;
      }
      const found = wiringIssues(config!);
      issues.push(...found);
      if (found.length === 0) {
        const pipelines = Object.keys((config!.value.service as { pipelines: object }).pipelines);
        ok.push(`${collector.service.name} runs ${config!.path} (pipelines: ${listing(pipelines)})`);
      }
    }
    return report(this, issues, ok.join('; '));
  },
};
