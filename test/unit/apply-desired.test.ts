import { describe, expect, it } from 'vitest';
import { desiredFromConfig } from '../../src/config/desired.js';
import { parseObsConfig } from '../../src/config/obs-config.js';
import { formatError, UsageError } from '../../src/errors.js';

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
    return formatError(err as UsageError);
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
      'obs.yaml:7: xray.groups must be a list (- name: ...), got a mapping',
    );
    expect(refused(yaml((t) => t.replace(/  logGroups:\n[^]*$/, '  logGroups: /app\n')))).toBe('obs.yaml:23: cloudwatch.logGroups must be a list (- name: ...), got "/app"');
    expect(refused(yaml((t) => t.replace('    - name: /app\n      retentionInDays: 14', '    - /app')))).toBe('obs.yaml:24: cloudwatch.logGroups[0] must be a mapping (name: ...), got "/app"');
  });

  it('refuses a misspelt setting instead of silently leaving it out', () => {
    expect(refused(yaml((t) => t.replace('      reservoirSize: 5', '      resevoirSize: 3')))).toBe(
      'obs.yaml:14: xray.samplingRules[0].resevoirSize is not a sampling rule setting (did you mean reservoirSize?)',
    );
    expect(refused(yaml((t) => t.replace('      retentionInDays: 14', '      retention: 14')))).toBe(
      'obs.yaml:25: cloudwatch.logGroups[0].retention is not a log group setting (name, retentionInDays, logStreams)',
    );
    expect(refused(yaml((t) => t.replace('      filterExpression:', '      filter:')))).toMatch(/^obs\.yaml:9: xray\.groups\[0\]\.filter is not an X-Ray group setting/);
  });

  it('refuses two resources with one name: each run would undo the other', () => {
    expect(refused(yaml((t) => t.replace('    - name: /app\n      retentionInDays: 14', '    - name: /app\n      retentionInDays: 14\n    - name: /app\n      retentionInDays: 30')))).toBe(
      'obs.yaml:26: cloudwatch.logGroups[1].name "/app" is already used by cloudwatch.logGroups[0]: give each log group its own name',
    );
    expect(refused(yaml((t) => t.replace('  samplingRules:\n', '  samplingRules:\n    - { ruleName: App, priority: 1, fixedRate: 0.5, reservoirSize: 1 }\n')))).toBe(
      'obs.yaml:12: xray.samplingRules[1].ruleName "App" is already used by xray.samplingRules[0]: give each sampling rule its own name',
    );
  });

  it('refuses an enabled flag that is not true or false', () => {
    expect(refused(yaml((t) => t.replace('xray:\n  enabled: true', 'xray:\n  enabled: yes-please')))).toBe('obs.yaml:6: xray.enabled must be true or false, got "yes-please"');
  });

  it('names the line of a bad value: obs.yaml:LINE, as compose errors do', () => {
    expect(refused(yaml((t) => t.replace('fixedRate: 0.1', 'fixedRate: 2')))).toBe('obs.yaml:13: xray.samplingRules[0].fixedRate must be a number from 0 to 1, got 2');
    expect(refused(yaml((t) => t.replace('retentionInDays: 14', 'retentionInDays: 15')))).toBe(
      'obs.yaml:25: cloudwatch.logGroups[0].retentionInDays must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 (days), got 15',
    );
    expect(refused(yaml((t) => t.replace('    - name: App\n', '    - name: Bad_Group\n')))).toBe('obs.yaml:8: xray.groups[0].name may contain only letters, digits and dashes: "Bad_Group"');
    expect(refused(yaml((t) => t.replace('    - name: /app', '    - name: aws/app')))).toBe('obs.yaml:24: cloudwatch.logGroups[0].name cannot start with "aws/": AWS reserves that prefix');
    expect(refused(yaml((t) => t.replace('      priority: 9000', '      priority: "high"')))).toBe('obs.yaml:12: xray.samplingRules[0].priority must be a number, got "high"');
    // A setting left out is reported on its entry's first line.
    expect(refused(yaml((t) => t.replace('    - ruleName: App\n      priority: 9000\n', '    - priority: 9000\n')))).toBe('obs.yaml:11: xray.samplingRules[0].ruleName must be a string, got null');
    // Flow mappings, as hand edits often are.
    expect(refused(yaml((t) => t.replace('    - name: /app\n      retentionInDays: 14', '    - { name: /app, retentionInDays: 0 }')))).toMatch(
      /^obs\.yaml:24: cloudwatch\.logGroups\[0\]\.retentionInDays must be one of /,
    );
  });
});

describe('desiredFromConfig: Transaction Search and log streams', () => {
  const withTs = (ts: string, streams = '') =>
    yaml((t) => t.replace('cloudwatch:', `  transactionSearch: ${ts}\ncloudwatch:`).replace('      retentionInDays: 14\n', `      retentionInDays: 14\n${streams}`));

  it('turns Transaction Search on with the Default indexing rule at the given percentage, and lists the streams', () => {
    const d = desiredFromConfig(parseObsConfig(withTs('{ indexingPercentage: 1 }', '      logStreams: [collector, other]\n')), 'obs.yaml');
    expect(d.transactionSearch).toEqual({
      policy: { name: 'obs-transaction-search' },
      destination: { destination: 'CloudWatchLogs' },
      indexingRule: { name: 'Default', percentage: 1 },
    });
    expect(d.logStreams).toEqual([
      { logGroup: '/app', name: 'collector' },
      { logGroup: '/app', name: 'other' },
    ]);
  });

  it('true turns it on and leaves the indexing rule alone; false and X-Ray off turn it off', () => {
    expect(desiredFromConfig(parseObsConfig(withTs('true')), 'obs.yaml').transactionSearch).toEqual({
      policy: { name: 'obs-transaction-search' },
      destination: { destination: 'CloudWatchLogs' },
    });
    expect(desiredFromConfig(parseObsConfig(withTs('false')), 'obs.yaml').transactionSearch).toBeUndefined();
    expect(desiredFromConfig(parseObsConfig(withTs('true').replace('xray:\n  enabled: true', 'xray:\n  enabled: false')), 'obs.yaml').transactionSearch).toBeUndefined();
  });

  it('refuses a percentage out of range, a misspelt key, and a stream name CloudWatch refuses, naming the line', () => {
    expect(refused(withTs('{ indexingPercentage: 150 }'))).toBe('obs.yaml:21: xray.transactionSearch.indexingPercentage must be a percentage from 0 to 100, got 150');
    expect(refused(withTs('{ indexingPercentage: "1%" }'))).toBe('obs.yaml:21: xray.transactionSearch.indexingPercentage must be a number, got "1%"');
    expect(refused(withTs('{ indexingPercent: 1 }'))).toBe('obs.yaml:21: xray.transactionSearch.indexingPercent is not a Transaction Search setting (did you mean indexingPercentage?)');
    expect(refused(withTs('yes'))).toBe('obs.yaml:21: xray.transactionSearch must be true, false or a mapping (indexingPercentage: 1), got "yes"');
    expect(refused(withTs('true', '      logStreams:\n        - ok\n        - "a:b"\n'))).toBe("obs.yaml:29: cloudwatch.logGroups[0].logStreams[1] may not contain ':' or '*': \"a:b\"");
    expect(refused(withTs('true', '      logStreams: collector\n'))).toBe('obs.yaml:27: cloudwatch.logGroups[0].logStreams must be a list of stream names (- collector), got "collector"');
    expect(refused(withTs('true', '      logStreams: [c, c]\n'))).toBe(
      'obs.yaml:27: cloudwatch.logGroups[0].logStreams[1] "c" is already used by cloudwatch.logGroups[0].logStreams[0]: give each log stream its own name',
    );
  });
});
