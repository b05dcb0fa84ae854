import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { otlpExporters, serviceVariable } from '../../src/checks/online/otlp-config.js';
import { loadDoctorProject } from '../../src/commands/doctor/load.js';
import { tempProject } from '../support/run-obs.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function project(files: Record<string, string>, env: NodeJS.ProcessEnv = {}) {
  const dir = await tempProject();
  dirs.push(dir);
  for (const [path, text] of Object.entries(files)) await writeFile(join(dir, path), text);
  return loadDoctorProject(dir, env);
}

const COMPOSE = [
  'x-otel: &otel',
  '  OTEL_EXPORTER_OTLP_ENDPOINT: "${OTLP_BASE:-https://api.honeycomb.io}"',
  'services:',
  '  api:',
  '    build: ./api',
  '    env_file: api.env',
  '    environment:',
  '      <<: *otel',
  '      OTEL_EXPORTER_OTLP_HEADERS: "x-honeycomb-team=${HONEYCOMB_API_KEY}"',
  '',
].join('\n');

describe('the online checks read a service environment like compose and the offline checks do', () => {
  it('resolves merge keys, defaults, env_file and a .env value that references another one', async () => {
    const p = await project({
      'docker-compose.yml': COMPOSE,
      '.env': 'TEAM_KEY=abc123\nHONEYCOMB_API_KEY=${TEAM_KEY}\n',
      'api.env': 'OTEL_SERVICE_NAME=api-from-env-file\n',
    });
    const [exporter] = otlpExporters(p);
    expect(exporter?.serviceName).toBe('api-from-env-file');
    expect(exporter?.endpoint?.tracesUrl).toBe('https://api.honeycomb.io/v1/traces');
    expect(exporter?.endpoint?.variable.references).toEqual([{ name: 'OTLP_BASE', origin: undefined }]);
    // The .env line `HONEYCOMB_API_KEY=${TEAM_KEY}` is expanded, as compose expands .env.
    expect(exporter?.headers?.values.get('x-honeycomb-team')).toBe('abc123');
    expect(exporter?.headers?.variable.references).toEqual([{ name: 'HONEYCOMB_API_KEY', origin: '.env' }]);
    expect(serviceVariable(p, p.project!.services[0]!, 'OTEL_SERVICE_NAME')?.source).toBe('api.env');
  });

  it('takes the shell environment over .env and says so', async () => {
    const p = await project({ 'docker-compose.yml': COMPOSE, '.env': 'HONEYCOMB_API_KEY=from-dotenv\n' }, { HONEYCOMB_API_KEY: 'from-shell', OTLP_BASE: 'https://api.eu1.honeycomb.io/' });
    const [exporter] = otlpExporters(p);
    expect(exporter?.headers?.values.get('x-honeycomb-team')).toBe('from-shell');
    expect(exporter?.headers?.variable.references).toEqual([{ name: 'HONEYCOMB_API_KEY', origin: 'the environment' }]);
    expect(exporter?.endpoint?.tracesUrl).toBe('https://api.eu1.honeycomb.io/v1/traces');
    expect(exporter?.serviceName).toBe('api');
  });
});
