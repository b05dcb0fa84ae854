import { describe, expect, it } from 'vitest';
import { mergeObsConfig } from '../../src/config/merge.js';
import type { ObsConfig, SamplingRuleConfig } from '../../src/config/obs-config.js';

/** What obs init writes for group `group` with X-Ray and CloudWatch on. */
function written(group = 'App', retentionInDays = 14): ObsConfig {
  return {
    version: 1,
    compose: { files: ['docker-compose.yml'] },
    services: { web: { serviceName: 'web', stack: 'flask' } },
    honeycomb: { enabled: true, region: 'us', endpoint: 'https://api.honeycomb.io' },
    xray: { enabled: true, daemonService: 'xray-daemon', groups: [{ name: group, filterExpression: 'service("web") {fault OR error}' }], samplingRules: [rule(group)] },
    cloudwatch: { enabled: true, logGroups: [{ name: '/app', retentionInDays }] },
    rollbar: { enabled: false },
  };
}

function rule(name: string, edit: Partial<SamplingRuleConfig> = {}): SamplingRuleConfig {
  return { ruleName: name, priority: 9000, fixedRate: 0.1, reservoirSize: 5, serviceName: 'web', serviceType: '*', host: '*', httpMethod: '*', urlPath: '*', resourceArn: '*', ...edit };
}

function edited(edit: (c: ObsConfig) => void): ObsConfig {
  const c = written();
  edit(c);
  return c;
}

describe('mergeObsConfig', () => {
  it('nothing edited, nothing new: the same config, nothing reported', () => {
    expect(mergeObsConfig(written(), written(), written(), false)).toEqual({ config: written(), kept: [], replaced: [] });
  });

  it('keeps each value the user edited and reports it; --force reports and replaces it', () => {
    const previous = edited((c) => (c.xray.samplingRules[0] = rule('Mine', { fixedRate: 0.5, urlPath: '/api/*' })));
    const kept = mergeObsConfig(previous, written(), written(), false);
    expect(kept.config).toEqual(previous);
    expect(kept.kept).toEqual([
      { path: 'xray.samplingRules[0].ruleName', user: 'Mine', obs: 'App' },
      { path: 'xray.samplingRules[0].fixedRate', user: 0.5, obs: 0.1 },
      { path: 'xray.samplingRules[0].urlPath', user: '/api/*', obs: '*' },
    ]);
    const forced = mergeObsConfig(previous, written(), written(), true);
    expect(forced.config).toEqual(written());
    expect(forced.replaced.map((r) => r.path)).toEqual(['xray.samplingRules[0].ruleName', 'xray.samplingRules[0].fixedRate', 'xray.samplingRules[0].urlPath']);
  });

  it('a value obs wrote follows this run (a flag): group and rule renamed, retention changed', () => {
    const merged = mergeObsConfig(written(), written(), written('Other', 30), false);
    expect(merged.config).toEqual(written('Other', 30));
    expect(merged.kept).toEqual([]);
  });

  it('a flag changes one value while the user edits elsewhere stay', () => {
    const previous = edited((c) => (c.xray.samplingRules[0]!.priority = 10));
    const merged = mergeObsConfig(previous, written(), written('App', 30), false);
    expect(merged.config.xray.samplingRules[0]!.priority).toBe(10);
    expect(merged.config.cloudwatch.logGroups[0]!.retentionInDays).toBe(30);
  });

  it('entries and settings the user added stay, wherever they are', () => {
    const previous = edited((c) => {
      c.xray.samplingRules.unshift(rule('Health', { priority: 10, fixedRate: 0, urlPath: '/health' }));
      c.xray.groups[0]!.insights = true;
    });
    const merged = mergeObsConfig(previous, written(), written(), false);
    expect(merged.config).toEqual(previous);
    expect(merged.kept).toEqual([]);
  });

  it('services listed follow the choices; a service the user renamed keeps its serviceName; stack is obs-owned', () => {
    const previous = edited((c) => (c.services = { web: { serviceName: 'frontdoor', stack: 'unknown' }, old: { serviceName: 'old', stack: 'node' } }));
    const merged = mergeObsConfig(previous, written(), written(), false);
    expect(merged.config.services).toEqual({ web: { serviceName: 'frontdoor', stack: 'flask' } });
  });

  it('X-Ray switched off: obs’s own entries go, user-edited ones stay', () => {
    const off = edited((c) => (c.xray = { enabled: false, groups: [], samplingRules: [] }));
    expect(mergeObsConfig(written(), written(), off, false).config.xray).toEqual({ enabled: false, groups: [], samplingRules: [] });
    const previous = edited((c) => (c.xray.samplingRules[0]!.fixedRate = 0.5));
    const merged = mergeObsConfig(previous, written(), off, false);
    expect(merged.config.xray.groups).toEqual([]);
    expect(merged.config.xray.samplingRules).toEqual([rule('App', { fixedRate: 0.5 })]);
  });

  it('compose.files always records what this run edited', () => {
    const previous = edited((c) => (c.compose.files = ['compose.yaml']));
    expect(mergeObsConfig(previous, written(), written(), false).config.compose.files).toEqual(['docker-compose.yml']);
  });
  it('Transaction Search and log streams the user added or edited stay (obs init writes neither)', () => {
    const previous = edited((c) => {
      c.xray.transactionSearch = { indexingPercentage: 5 };
      c.cloudwatch.logGroups[0]!.logStreams = ['collector', 'mine'];
    });
    const merged = mergeObsConfig(previous, written(), written('App', 30), false);
    expect(merged.config.xray.transactionSearch).toEqual({ indexingPercentage: 5 });
    expect(merged.config.cloudwatch.logGroups[0]).toEqual({ name: '/app', retentionInDays: 30, logStreams: ['collector', 'mine'] });
    expect(merged.kept).toEqual([]);
    const on = mergeObsConfig(
      edited((c) => (c.xray.transactionSearch = true)),
      written(),
      written(),
      true,
    );
    expect(on.config.xray.transactionSearch).toBe(true);
  });

  it("a list of names pairs up by name: obs adding a stream does not duplicate the user's", () => {
    const withStreams = (streams: string[]) => edited((c) => (c.cloudwatch.logGroups[0]!.logStreams = streams));
    const merged = mergeObsConfig(withStreams(['mine', 'collector']), withStreams(['collector']), withStreams(['collector', 'new']), false);
    expect(merged.config.cloudwatch.logGroups[0]!.logStreams).toEqual(['mine', 'collector', 'new']);
    expect(merged.kept).toEqual([]);
  });
});
