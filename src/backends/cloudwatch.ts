import { validateLogGroup } from '../aws/log-group.js';
import { DEFAULT_RETENTION_DAYS, RETENTION_DAYS } from '../aws/retention.js';
import { UsageError } from '../errors.js';
import { BROWSER_STACKS } from '../stacks/detect.js';
import { AWS_PLACEHOLDERS } from './aws-placeholders.js';
import { given, validationMessage } from './flags.js';
import type { Backend, BackendSettings } from './types.js';

/** The stream the collector's CloudWatch Logs exporter writes to, in the chosen log group (obs apply creates both). */
export const COLLECTOR_LOG_STREAM = 'otel-collector';

export interface CloudwatchSettings extends BackendSettings {
  logGroup: string;
  retentionInDays: number;
}

/** The same rules `obs logs create-group` applies, here for --log-group. */
export function validateLogGroupName(name: string, flag = '--log-group'): string {
  validateLogGroup({ name, tags: new Map() }, () => flag);
  return name;
}

export function parseRetention(value: string, flag = '--retention'): number {
  // Plain decimal digits only: Number() would also take ' 14 ', '0x0e' and '1.4e1'.
  const days = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(days) || !(RETENTION_DAYS as readonly number[]).includes(days)) {
    throw new UsageError(`${flag} must be one of ${RETENTION_DAYS.join(', ')} (days), got ${JSON.stringify(value)}`);
  }
  return days;
}

/** Application logs to a CloudWatch Logs log group, which `obs apply` creates with its retention. */
export const cloudwatch: Backend<CloudwatchSettings> = {
  id: 'cloudwatch',
  label: 'CloudWatch Logs',
  help: { on: 'add CloudWatch Logs settings (default: off)', off: 'do not set up CloudWatch Logs' },
  flags: [
    { flags: '--log-group <name>', key: 'logGroup', description: 'CloudWatch Logs log group recorded in obs.yaml (default: /<project name>)' },
    { flags: '--retention <days>', key: 'retention', description: 'log retention in days: 1, 3, 5, 7, 14, 30, 60, 90, ... 3653 (default: 14)' },
  ],
  question: 'Send logs to CloudWatch Logs?',
  enabledByDefault: () => false,
  validateFlags(options) {
    const logGroup = given<string>(options, 'logGroup');
    if (logGroup !== undefined) validateLogGroupName(logGroup);
    const retention = given<string>(options, 'retention');
    if (retention !== undefined) parseRetention(retention);
  },
  async decide(enabled, { options, previous, prompter, projectName }) {
    const flagLogGroup = given<string>(options, 'logGroup');
    const flagRetention = given<string>(options, 'retention');
    let logGroup = flagLogGroup ?? previous?.cloudwatch.logGroups[0]?.name ?? `/${projectName}`;
    let retention = flagRetention !== undefined ? parseRetention(flagRetention) : (previous?.cloudwatch.logGroups[0]?.retentionInDays ?? DEFAULT_RETENTION_DAYS);
    if (enabled && prompter) {
      if (flagLogGroup === undefined) logGroup = await prompter.text('CloudWatch log group name', logGroup, (v) => validationMessage(() => validateLogGroupName(v, 'the log group name')));
      if (flagRetention === undefined) retention = await prompter.retention(retention, RETENTION_DAYS);
    }
    if (enabled) validateLogGroupName(logGroup);
    return { enabled, logGroup, retentionInDays: retention };
  },
  describe: (s) => `CloudWatch Logs (${s.logGroup}, ${s.retentionInDays} days)`,
  environment({ stack, pipeline }) {
    // Through a collector, logs go over OTLP to the collector, which alone holds AWS credentials.
    if (BROWSER_STACKS.has(stack) || pipeline === 'collector') return [];
    return [
      { key: 'AWS_DEFAULT_REGION', value: '${AWS_DEFAULT_REGION}' },
      { key: 'AWS_ACCESS_KEY_ID', value: '${AWS_ACCESS_KEY_ID}' },
      { key: 'AWS_SECRET_ACCESS_KEY', value: '${AWS_SECRET_ACCESS_KEY}' },
    ];
  },
  placeholders: AWS_PLACEHOLDERS,
  configSection: ({ settings, pipeline }) =>
    settings.enabled
      ? {
          enabled: true,
          // The collector's logs exporter writes to one stream, which must exist: obs apply creates it.
          logGroups: [{ name: settings.logGroup, retentionInDays: settings.retentionInDays, ...(pipeline === 'collector' ? { logStreams: [COLLECTOR_LOG_STREAM] } : {}) }],
        }
      : { enabled: false, logGroups: [] },
  settingsFromConfig(config) {
    const logGroup = config.cloudwatch.logGroups[0];
    return { enabled: config.cloudwatch.enabled, logGroup: logGroup?.name ?? '', retentionInDays: logGroup?.retentionInDays ?? 0 };
  },
  checks: {},
};
