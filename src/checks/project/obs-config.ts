import { OBS_CONFIG_FILE } from '../../config/obs-config.js';
import type { Check } from '../types.js';
import { fail, report, warn } from './lib/report.js';

/** obs.yaml records what `obs init` set up; without it doctor only has the compose file to go on. */
export const obsConfigCheck: Check = {
  id: 'obs-config',
  title: 'obs.yaml present',
  group: 'project',
  run(project) {
    if (project.obsConfigError) {
      const { line, message } = project.obsConfigError;
      return report(this, [fail({ file: OBS_CONFIG_FILE, line }, message, `fix ${OBS_CONFIG_FILE}${line ? ` at line ${line}` : ''}, or delete it and run \`obs init\``)], '');
    }
    const config = project.obsConfig;
    if (!config) {
      return report(this, [warn({}, `no ${OBS_CONFIG_FILE}: doctor guesses what is instrumented from the compose file`, 'obs init')], '');
    }
    const on = (enabled: boolean) => (enabled ? 'on' : 'off');
    const services = Object.keys(config.services);
    return report(
      this,
      [],
      `${services.length} service${services.length === 1 ? '' : 's'}; Honeycomb ${config.honeycomb.enabled ? `on (${config.honeycomb.region})` : 'off'}, X-Ray ${on(config.xray.enabled)}, CloudWatch ${on(config.cloudwatch.enabled)}, Rollbar ${on(config.rollbar.enabled)}`,
    );
  },
};
