import type { Check } from '../types.js';
import { BROWSER_STACKS, type Stack } from '../../stacks/detect.js';
import { effectiveValue, serviceEnv } from './lib/env.js';
import { composeOrWhy, fail, report, skipped, warn, type Issue } from './lib/report.js';
import { instrumentedServices, serviceWhere } from './lib/services.js';
import { envLine } from './lib/text.js';

/** `service.name=x` inside OTEL_RESOURCE_ATTRIBUTES (percent-decoded as the SDKs do). */
export function resourceServiceName(attributes: string): string | undefined {
  for (const pair of attributes.split(',')) {
    const eq = pair.indexOf('=');
    if (eq === -1 || pair.slice(0, eq).trim() !== 'service.name') continue;
    try {
      return decodeURIComponent(pair.slice(eq + 1).trim());
    } catch {
      return pair.slice(eq + 1).trim();
    }
  }
  return undefined;
}

/** Without a service name spans arrive as `unknown_service` (Honeycomb names the dataset after it). */
export const otelServiceNameCheck: Check = {
  id: 'otel-service-name',
  title: 'OTEL_SERVICE_NAME set',
  group: 'otel',
  run(project) {
    const ready = composeOrWhy(project);
    if ('why' in ready) return skipped(this, ready.why);
    const { names, from } = instrumentedServices(project);
    if (names.length === 0) return skipped(this, 'no instrumented service (no obs.yaml services and no OTEL_* variables)');
    const issues: Issue[] = [];
    const named: string[] = [];
    for (const name of names) {
      const service = ready.compose.services.find((s) => s.name === name)!;
      const env = serviceEnv(project, name);
      const entry = env.get('OTEL_SERVICE_NAME');
      const attributes = env.get('OTEL_RESOURCE_ATTRIBUTES');
      const attrValue = attributes ? effectiveValue(project, attributes) : undefined;
      const fromAttributes = attrValue ? resourceServiceName(attrValue.value) : undefined;
      if (!entry) {
        if (fromAttributes) {
          named.push(`${name} (${fromAttributes})`);
          continue;
        }
        // Browser code reads no container variable: obs's tracing module carries the name itself.
        if (BROWSER_STACKS.has((project.obsConfig?.services[name]?.stack ?? 'unknown') as Stack)) {
          named.push(`${name} (in its tracing module)`);
          continue;
        }
        issues.push(fail(serviceWhere(service), `${name} has no OTEL_SERVICE_NAME: its spans arrive as unknown_service`, envLine('OTEL_SERVICE_NAME', name)));
        continue;
      }
      const value = effectiveValue(project, entry);
      if (value.complete && value.value.trim() === '') {
        issues.push(fail({ file: entry.file, line: entry.line }, `OTEL_SERVICE_NAME on ${name} is empty: its spans arrive as unknown_service`, envLine('OTEL_SERVICE_NAME', name)));
        continue;
      }
      const shown = value.complete ? value.value : (entry.value ?? '');
      named.push(`${name} (${shown})`);
      if (fromAttributes !== undefined && value.complete && fromAttributes !== value.value) {
        issues.push(
          warn(
            { file: attributes!.file, line: attributes!.line },
            `OTEL_RESOURCE_ATTRIBUTES on ${name} sets service.name=${fromAttributes}, but OTEL_SERVICE_NAME (${value.value}) wins`,
            `remove service.name=${fromAttributes} from OTEL_RESOURCE_ATTRIBUTES`,
          ),
        );
      }
    }
    return report(this, issues, `${named.join(', ')} (instrumented per ${from})`);
  },
};
