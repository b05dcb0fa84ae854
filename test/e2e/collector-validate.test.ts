import { describe, expect, it } from 'vitest';
import { renderCollectorConfig, type CollectorChoices } from '../../src/collector/config.js';
import { corsOrigins } from '../../src/collector/cors.js';
import { validateCollectorConfig, writeCollectorConfig } from '../support/collector.js';
import { scratchDir } from '../support/run-obs.js';

/**
 * Every collector config obs renders passes the real collector's `validate` (test/support/otelcol,
 * built from the upstream Go modules at the release the compose image is pinned to).
 */

/** What the collector container gets: credentials for sigv4auth (validate builds the extensions), the region, the key. */
const ENV = { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', HONEYCOMB_API_KEY: 'test-key' };

const none = { xraySdkReceiver: false, browserOrigins: [], debug: false };
const logs = { logGroup: '/cruddur/backend-flask', logStream: 'collector' };
const { origins } = corsOrigins([{ service: 'frontend-react-js', ports: [{ published: '3000', target: '3000' }] }], { gitpod: true, codespaces: true });
const VARIANTS: Record<string, CollectorChoices> = {
  'Honeycomb only': { ...none, honeycomb: { region: 'us' } },
  'Honeycomb EU, classic dataset': { ...none, honeycomb: { region: 'eu', dataset: 'cruddur' } },
  'Honeycomb + X-Ray in a fixed region': { ...none, honeycomb: { region: 'us' }, xray: { region: 'us-east-1' } },
  'X-Ray only, region from AWS_REGION': { ...none, xray: {} },
  'CloudWatch Logs only': { ...none, cloudwatchLogs: logs },
  'Honeycomb without logs + CloudWatch Logs': { ...none, honeycomb: { region: 'us', logs: false }, cloudwatchLogs: logs },
  'X-Ray + X-Ray SDK receiver': { ...none, xray: { region: 'eu-west-1' }, xraySdkReceiver: true },
  'all three, receiver, browsers, debug': { honeycomb: { region: 'us' }, xray: {}, cloudwatchLogs: logs, xraySdkReceiver: true, browserOrigins: origins, debug: true },
};

describe('the real collector validates every config obs renders', () => {
  const validate = async (yaml: string) => validateCollectorConfig(writeCollectorConfig(await scratchDir('obs-collector-'), yaml), ENV);

  for (const [name, choices] of Object.entries(VARIANTS)) {
    it(name, async () => {
      const result = await validate(renderCollectorConfig(choices));
      expect(result.output).toBe('');
      expect(result.exitCode).toBe(0);
    });
  }

  it('and refuses a setting it does not know (the check is real)', async () => {
    const result = await validate(renderCollectorConfig(VARIANTS['Honeycomb only']!).replace('limit_mib:', 'limit_mb:'));
    expect(result.exitCode).toBe(1);
    expect(result.output).toContain('has invalid keys: limit_mb');
  });
});
