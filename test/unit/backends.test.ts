import { describe, expect, it } from 'vitest';
import { ALL_CHECKS, BACKENDS, choicesFromConfig, placeholderComments } from '../../src/backends/index.js';
import { parseObsConfig } from '../../src/config/obs-config.js';

/** The backend list is the one source for flags, checks and placeholders: it must hold together. */
describe('src/backends', () => {
  it('lists the four backends in the order init asks about them', () => {
    expect(BACKENDS.map((b) => b.id)).toEqual(['honeycomb', 'xray', 'cloudwatch', 'rollbar']);
  });

  it('names each settings flag after its backend and keys it as commander does', () => {
    for (const backend of BACKENDS) {
      for (const flag of backend.flags) {
        const name = /^--([a-z-]+)/.exec(flag.flags)![1]!;
        expect(flag.key).toBe(name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()));
      }
    }
  });

  it('gives every check a unique id', () => {
    const ids = ALL_CHECKS.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('merges the placeholders in backend order, first comment kept', () => {
    expect(Object.keys(placeholderComments())).toEqual(['HONEYCOMB_API_KEY', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_DEFAULT_REGION', 'ROLLBAR_ACCESS_TOKEN']);
  });

  it('reads the choices back from obs.yaml in --json order', () => {
    const config = parseObsConfig(
      'version: 1\nservices: { api: { serviceName: api, stack: flask } }\nhoneycomb: { enabled: true, region: eu }\nxray: { enabled: true, groups: [{ name: Api, filterExpression: x }] }\ncloudwatch: { enabled: true, logGroups: [{ name: /api, retentionInDays: 30 }] }\n',
    );
    const choices = choicesFromConfig(config);
    expect(Object.keys(choices)).toEqual(['services', 'pipeline', 'honeycomb', 'xray', 'cloudwatch', 'rollbar', 'force']);
    expect(choices).toEqual({
      services: ['api'],
      // Written before the collector pipeline existed: direct.
      pipeline: 'direct',
      honeycomb: { enabled: true, region: 'eu' },
      xray: { enabled: true, group: 'Api' },
      cloudwatch: { enabled: true, logGroup: '/api', retentionInDays: 30 },
      rollbar: { enabled: false },
      force: false,
    });
  });
});
