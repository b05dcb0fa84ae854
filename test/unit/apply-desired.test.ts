import { describe, expect, it } from 'vitest';
import { desiredFromConfig } from '../../src/commands/apply/desired.js';
import { parseObsConfig } from '../../src/config/obs-config.js';
import { UsageError } from '../../src/errors.js';

/** An obs.yaml as `obs init --xray --cloudwatch` writes it, with `edit` applied to its text. */
function yaml(edit: (text: string) => string = (t) => t): string {
  return edit(`version: 1
compose:
  files: [docker-compose.yml]
services: {}
xray:
  enabled: true
  groups:
    - name: App
      filterExpression: service("backend-flask") {fault OR error}
  samplingRules:
    - ruleName: App
      priority: 9000
      fixedRate: 0.1
      reservoirSize: 5
      serviceName: "*"
      serviceType: "*"
      host: "*"
      httpMethod: "*"
      urlPath: "*"
      resourceArn: "*"
cloudwatch:
  enabled: true
  logGroups:
    - name: /app
      retentionInDays: 14
`);
}

const refused = (text: string): string => {
  try {
    desiredFromConfig(parseObsConfig(text), 'obs.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error('accepted');
};

describe('desiredFromConfig: the shape of obs.yaml', () => {
  it('accepts what obs init writes', () => {
    const d = desiredFromConfig(parseObsConfig(yaml()), 'obs.yaml');
    expect([d.groups.length, d.rules.length, d.logGroups.length]).toEqual([1, 1, 1]);
  });

  it('refuses a list written as a mapping or a string (was: "unexpected error ... a bug in obs")', () => {
    expect(refused(yaml((t) => t.replace('    - name: App\n      filterExpression', '    name: App\n    filterExpression')))).toBe(
      'obs.yaml xray.groups must be a list (- name: ...), got a mapping',
    );
    expect(refused(yaml((t) => t.replace(/  logGroups:\n[^]*$/, '  logGroups: /app\n')))).toBe('obs.yaml cloudwatch.logGroups must be a list (- name: ...), got "/app"');
    expect(refused(yaml((t) => t.replace('    - name: /app\n      retentionInDays: 14', '    - /app')))).toBe(
      'obs.yaml cloudwatch.logGroups[0] must be a mapping (name: ...), got "/app"',
    );
  });

  it('refuses a misspelt setting instead of silently leaving it out', () => {
    expect(refused(yaml((t) => t.replace('      reservoirSize: 5', '      resevoirSize: 3')))).toBe(
      'obs.yaml xray.samplingRules[0].resevoirSize is not a sampling rule setting (did you mean reservoirSize?)',
    );
    expect(refused(yaml((t) => t.replace('      retentionInDays: 14', '      retention: 14')))).toBe(
      'obs.yaml cloudwatch.logGroups[0].retention is not a log group setting (name, retentionInDays)',
    );
    expect(refused(yaml((t) => t.replace('      filterExpression:', '      filter:')))).toMatch(/^obs\.yaml xray\.groups\[0\]\.filter is not an X-Ray group setting/);
  });

  it('refuses two resources with one name: each run would undo the other', () => {
    expect(refused(yaml((t) => t.replace('    - name: /app\n      retentionInDays: 14', '    - name: /app\n      retentionInDays: 14\n    - name: /app\n      retentionInDays: 30')))).toBe(
      'obs.yaml cloudwatch.logGroups[1].name "/app" is already used by cloudwatch.logGroups[0]: give each log group its own name',
    );
    expect(refused(yaml((t) => t.replace('  samplingRules:\n', '  samplingRules:\n    - { ruleName: App, priority: 1, fixedRate: 0.5, reservoirSize: 1 }\n')))).toBe(
      'obs.yaml xray.samplingRules[1].ruleName "App" is already used by xray.samplingRules[0]: give each sampling rule its own name',
    );
  });

  it('refuses an enabled flag that is not true or false', () => {
    expect(refused(yaml((t) => t.replace('xray:\n  enabled: true', 'xray:\n  enabled: yes-please')))).toBe('obs.yaml xray.enabled must be true or false, got "yes-please"');
  });
});
