import { describe, expect, it } from 'vitest';
import { parseObsConfig, renderObsConfig, renderWithYaml, type ObsConfig } from '../../src/config/obs-config.js';

function config(services: Record<string, { serviceName: string; stack: string }>, over: Partial<ObsConfig> = {}): ObsConfig {
  return {
    version: 1,
    compose: { files: ['docker-compose.yml', 'docker-compose.override.yml'] },
    services,
    honeycomb: { enabled: true, region: 'us', endpoint: 'https://api.honeycomb.io', dataset: 'my-data' },
    xray: {
      enabled: true,
      daemonService: 'xray-daemon',
      groups: [{ name: 'Cruddur', filterExpression: 'service("backend-flask") {fault OR error}' }],
      samplingRules: [{ ruleName: 'Cruddur', priority: 9000, fixedRate: 0.1, reservoirSize: 5, serviceName: '*', serviceType: '*', host: '*', httpMethod: '*', urlPath: '*', resourceArn: '*' }],
    },
    cloudwatch: { enabled: true, logGroups: [{ name: '/cruddur', retentionInDays: 14 }] },
    rollbar: { enabled: false },
    ...over,
  };
}

const entries = (...names: string[]) => Object.fromEntries(names.map((n, i) => [n, { serviceName: n, stack: i % 2 ? 'node' : 'flask' }]));

describe('renderObsConfig writes what yaml writes', () => {
  it.each([
    ['plain names', entries('backend-flask', 'frontend-react-js', 'svc_1', 'a.b', 'X9')],
    ['names yaml quotes or reads otherwise', entries('true', 'null', 'False', '1abc', '0x10', '.inf', 'a b', 'x: y', '-x', 'a #b', "it's", 'ünïcode', 'y', 'no', 'on', '~', 'a'.repeat(300))],
    ['a mix (all written by yaml)', entries('svc-1', 'true', 'svc-2')],
    ['no services', {}],
  ])('%s', (_name, services) => {
    const c = config(services);
    expect(renderObsConfig(c)).toBe(renderWithYaml(c));
    expect(parseObsConfig(renderObsConfig(c)).services).toEqual(services);
  });

  it.each([
    [
      'added keys only',
      { environment: { 'docker-compose.yml': { 'backend-flask': { added: ['OTEL_SERVICE_NAME', 'NODE_OPTIONS'] }, web: { added: ['A'] } }, 'compose.override.yml': { web: { added: ['B'] } } } },
    ],
    ['a replaced value (written by yaml)', { environment: { 'docker-compose.yml': { api: { added: ['A'], replaced: { NODE_OPTIONS: '--max-old-space-size=512', SECRET: null } } } } }],
    ['a path yaml may quote (written by yaml)', { environment: { 'smoke-tests/docker-compose.yml': { api: { added: ['A'] } } } }],
    ['nothing changed (written by yaml)', { environment: {} }],
    [
      'packages obs added to a pyproject.toml (written by yaml)',
      { environment: { 'compose.yaml': { web: { added: ['A'] } } }, packages: { 'backend/pyproject.toml': ['opentelemetry-api==1.45.1', 'rollbar'] } },
    ],
  ])('the changes record: %s', (_name, changes) => {
    const c = config(entries('backend-flask', 'web'), { changes });
    expect(renderObsConfig(c)).toBe(renderWithYaml(c));
    expect(parseObsConfig(renderObsConfig(c)).changes).toEqual(changes);
  });

  it('a large project, with X-Ray and CloudWatch off', () => {
    const services = entries(...Array.from({ length: 2000 }, (_, i) => `svc-${i + 1}`));
    const c = config(services, { xray: { enabled: false, groups: [], samplingRules: [] }, cloudwatch: { enabled: false, logGroups: [] } });
    expect(renderObsConfig(c)).toBe(renderWithYaml(c));
  });

  it('random names from a small alphabet', () => {
    const alphabet = 'aZ_9.-:# \'"!&*?tfnul';
    let seed = 42;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let round = 0; round < 200; round++) {
      const names = Array.from({ length: 5 }, () => Array.from({ length: 1 + Math.floor(next() * 6) }, () => alphabet[Math.floor(next() * alphabet.length)]).join(''));
      const c = config(entries(...new Set(names)));
      expect(renderObsConfig(c)).toBe(renderWithYaml(c));
    }
  });
});
