import { OBS_CONFIG_FILE } from '../../config/obs-config.js';
import { BROWSER_STACKS, type Stack } from '../../stacks/detect.js';
import type { Check } from '../types.js';
import { effectiveValue, serviceEnv } from './lib/env.js';
import { composeOrWhy, fail, report, skipped, warn, type Issue } from './lib/report.js';
import { serviceWhere } from './lib/services.js';
import { envLine } from './lib/text.js';

/** What obs.yaml says is set up is still there: its services exist and carry the variables obs wrote. */
export const obsConfigServicesCheck: Check = {
  id: 'obs-config-services',
  title: 'obs.yaml matches the compose file',
  group: 'project',
  run(project) {
    const config = project.obsConfig;
    if (!config) return skipped(this, `no ${OBS_CONFIG_FILE}`);
    const ready = composeOrWhy(project);
    if ('why' in ready) return skipped(this, ready.why);
    const issues: Issue[] = [];
    const names = Object.keys(config.services);
    for (const name of names) {
      const service = ready.compose.services.find((s) => s.name === name);
      if (!service) {
        issues.push(fail({ file: OBS_CONFIG_FILE }, `${OBS_CONFIG_FILE} lists service ${name}, but the compose file has no such service`, `obs init (or remove ${name} from ${OBS_CONFIG_FILE})`));
        continue;
      }
      const env = serviceEnv(project, name);
      const browser = BROWSER_STACKS.has(config.services[name]!.stack as Stack);
      const collector = config.pipeline === 'collector' ? config.collector : undefined;
      // Through a collector, browser code names itself in its tracing module (no container variable).
      const wanted: [string, string, string][] = browser ? [] : [['OTEL_SERVICE_NAME', 'OpenTelemetry', config.services[name]!.serviceName]];
      if (!browser && collector) {
        wanted.push(['OTEL_EXPORTER_OTLP_ENDPOINT', 'the collector', `http://${collector.service}:4318`]);
      } else if (!browser && config.honeycomb.enabled && config.pipeline !== 'collector') {
        wanted.push(['OTEL_EXPORTER_OTLP_ENDPOINT', 'Honeycomb', config.honeycomb.endpoint]);
        wanted.push(['OTEL_EXPORTER_OTLP_HEADERS', 'Honeycomb', 'x-honeycomb-team=${HONEYCOMB_API_KEY}']);
      }
      if (!browser && config.xray.enabled && config.xray.daemonService) wanted.push(['AWS_XRAY_DAEMON_ADDRESS', 'X-Ray', `${config.xray.daemonService}:2000`]);
      if (!browser && config.rollbar.enabled) wanted.push(['ROLLBAR_ACCESS_TOKEN', 'Rollbar', '${ROLLBAR_ACCESS_TOKEN}']);
      const missing = wanted.filter(([key]) => !env.has(key) && !env.has(key.replace('OTEL_EXPORTER_OTLP_', 'OTEL_EXPORTER_OTLP_TRACES_')));
      for (const [key, feature, value] of missing) {
        issues.push(fail(serviceWhere(service), `${name} has no ${key}, which ${OBS_CONFIG_FILE} turns ${feature} on for`, `obs init (adds ${envLine(key, value)})`));
      }
      const nameEntry = env.get('OTEL_SERVICE_NAME');
      const expected = config.services[name]!.serviceName;
      if (nameEntry) {
        const actual = effectiveValue(project, nameEntry);
        if (actual.complete && actual.value !== expected) {
          issues.push(
            warn(
              { file: nameEntry.file, line: nameEntry.line },
              `${name} sends as OTEL_SERVICE_NAME ${actual.value}, but ${OBS_CONFIG_FILE} records ${expected}`,
              `obs init --force (writes ${envLine('OTEL_SERVICE_NAME', expected)}), or correct serviceName in ${OBS_CONFIG_FILE}`,
            ),
          );
        }
      }
    }
    if (config.pipeline === 'collector' && config.collector && !ready.compose.services.some((s) => s.name === config.collector!.service)) {
      issues.push(
        fail({ file: OBS_CONFIG_FILE }, `${OBS_CONFIG_FILE} names ${config.collector.service} as the collector service, but the compose file has no such service`, 'obs init --pipeline collector'),
      );
    }
    const daemon = config.xray.daemonService;
    if (config.xray.enabled && daemon && !ready.compose.services.some((s) => s.name === daemon)) {
      issues.push(fail({ file: OBS_CONFIG_FILE }, `${OBS_CONFIG_FILE} names ${daemon} as the X-Ray daemon service, but the compose file has no such service`, 'obs init --xray'));
    }
    return report(this, issues, `${names.length} service${names.length === 1 ? '' : 's'} in ${OBS_CONFIG_FILE}, each with the variables obs wrote`);
  },
};
