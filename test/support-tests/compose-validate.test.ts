import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { canDockerComposeRead, dockerComposeConfig, validateComposeSchema } from '../support/compose-validate.js';

const dir = mkdtempSync(join(tmpdir(), 'compose-validate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
/** Writes `text` into the temp dir and runs both checks on it. */
async function check(text: string, env?: Record<string, string>) {
  const file = `compose-${++n}.yml`;
  writeFileSync(join(dir, file), text);
  return { schema: validateComposeSchema(text), dc: await dockerComposeConfig(dir, [file], env) };
}

/** docker-compose must agree unless it is not installed. */
function expectDocker(dc: { ok: boolean; skipped?: string }, ok: boolean) {
  if (!dc.skipped) expect(dc.ok).toBe(ok);
}

const VALID = `
version: "3.8"
services:
  web:
    image: nginx:1.27
    ports: ["8080:80"]
    environment:
      OTEL_SERVICE_NAME: web
      HONEYCOMB_API_KEY: \${HONEYCOMB_API_KEY}
    depends_on: [db]
  db:
    image: postgres:16
    volumes: [db-data:/var/lib/postgresql/data]
volumes:
  db-data: {}
`;

describe('validateComposeSchema and dockerComposeConfig', () => {
  it('accept a valid file', async () => {
    const { schema, dc } = await check(VALID, { HONEYCOMB_API_KEY: 'k' });
    expect(schema).toEqual({ ok: true, errors: [] });
    expectDocker(dc, true);
  });

  it.each([
    // docker-compose leaves type errors to the schema (its types are older than today's).
    ['environment of the wrong type', 'services:\n  web:\n    image: nginx\n    environment: 5\n', '/services/web/environment must be object', 'services.web.environment', false],
    ['an unknown service key', 'services:\n  web:\n    image: nginx\n    bogus: 1\n', "/services/web must NOT have additional properties ('bogus')", 'services.web', true],
    ['a bad service name', 'services:\n  "web app":\n    image: nginx\n', "/services must NOT have additional properties ('web app')", 'web app', true],
  ])('reject %s, naming the path', async (_what, text, schemaError, dcPath, dcJudges) => {
    const { schema, dc } = await check(text);
    expect(schema.ok).toBe(false);
    expect(schema.errors).toContain(schemaError);
    expectDocker(dc, false);
    if (!dc.skipped) {
      expect(dc.stderr).toContain(dcPath);
      expect(canDockerComposeRead(dc.stderr)).toBe(dcJudges);
    }
  });

  it('resolve anchors and << merge keys', async () => {
    const { schema, dc } = await check(`
version: "3.8"
x-otel: &otel
  OTEL_EXPORTER_OTLP_ENDPOINT: https://api.honeycomb.io
  OTEL_SERVICE_NAME: app
x-base: &base
  image: python:3.12-slim
  restart: unless-stopped
services:
  api:
    <<: *base
    environment:
      <<: *otel
      OTEL_SERVICE_NAME: api
  worker:
    <<: *base
    command: ["python", "worker.py"]
`);
    expect(schema).toEqual({ ok: true, errors: [] });
    expectDocker(dc, true);
  });

  it('catch errors that only show after merging', () => {
    const r = validateComposeSchema('x-base: &base\n  bogus: 1\nservices:\n  web:\n    <<: *base\n    image: nginx\n');
    expect(r.errors).toContain("/services/web must NOT have additional properties ('bogus')");
  });

  it('allow more than 100 aliases, as Compose does', () => {
    const services = Array.from({ length: 120 }, (_, i) => `  s${i}:\n    <<: *base\n`).join('');
    expect(validateComposeSchema(`x-base: &base\n  image: nginx\nservices:\n${services}`).ok).toBe(true);
  });

  it('report YAML syntax errors', () => {
    const r = validateComposeSchema('services:\n  web:\n    image: nginx\n   ports: [\n');
    expect(r.ok).toBe(false);
    expect(r.errors[0]).toMatch(/^YAML: /);
  });

  // Valid today; docker-compose 1.29 may reject them, which must read as a gap, not invalid.
  it.each([
    ['top-level name', 'name: shop\nservices:\n  web:\n    image: nginx\n'],
    ['develop.watch', 'services:\n  web:\n    image: nginx\n    develop:\n      watch: [{path: ./src, action: sync, target: /src}]\n'],
    ['a boolean environment value', 'services:\n  web:\n    image: nginx\n    environment:\n      AWS_XRAY_SDK_ENABLED: false\n'],
    ['depends_on restart', 'services:\n  web:\n    image: nginx\n    depends_on:\n      db: {condition: service_started, restart: true}\n  db:\n    image: postgres\n'],
    ['${VAR:+alt} and a lone $', 'services:\n  web:\n    image: nginx\n    command: ["sh", "-c", "echo ${A:+set} $((1 + 2))"]\n'],
  ])('accept %s; docker-compose 1.29 failing there is unsupported, not invalid', async (_what, text) => {
    const { schema, dc } = await check(text);
    expect(schema).toEqual({ ok: true, errors: [] });
    if (!dc.skipped && !dc.ok) expect(canDockerComposeRead(dc.stderr)).toBe(false);
  });
});

describe('canDockerComposeRead', () => {
  // Shaped like docker-compose 1.29's stderr (see the runs above and the corpus survey).
  const invalid = (...errors: string[]) => `The Compose file './docker-compose.yml' is invalid because:\n${errors.join('\n')}\n`;
  const ADVICE =
    "\nYou might be seeing this error because you're using the wrong Compose file version. Either ...\n" +
    'For more on the Compose file format versions, see https://docs.docker.com/compose/compose-file/';
  const WARN = 'The HONEYCOMB_API_KEY variable is not set. Defaulting to a blank string.\n';

  it.each([
    invalid("'name' does not match any of the regexes: '^x-'") + ADVICE,
    invalid("'include' does not match any of the regexes: '^x-'") + ADVICE,
    invalid("Unsupported config option for services.web: 'develop'"),
    invalid("services.web.depends_on contains unsupported option: 'required'"),
    invalid("services.api.healthcheck value 'start_interval' does not match any of the regexes: '^x-'"),
    invalid("services.web.networks.n contains unsupported option: 'gw_priority'"),
    invalid("Additional properties are not allowed ('name' was unexpected)"),
    // advice in the middle, then more old-tool gaps
    invalid("'name' does not match any of the regexes: '^x-'" + ADVICE, 'services.api.env_file contains {"path": "./.env"}, which is an invalid type, it should be a string'),
    invalid('services.web.environment.FLAG contains false, which is an invalid type, it should be a string, number, or a null'),
    invalid('services.web.environment contains an invalid type, it should be an object, or an array'),
    'Version "4" in "./docker-compose.yml" is invalid.',
    'ERROR: Version in "./docker-compose.yml" is unsupported. You might be seeing this error because...',
    WARN + 'Invalid interpolation format for "environment" option in service "proxy": "{\n  @wt header_regexp wt X ^[0-9]$\n  ${HOST:-localhost} {\n}"',
    'Invalid interpolation format for "command" option in service "web": "echo ${A:+set} $((1 + 2))"',
  ])('says false (only an old-tool gap) for %s', (stderr) => {
    expect(canDockerComposeRead(stderr)).toBe(false);
  });

  it.each([
    invalid("Unsupported config option for services.web: 'bogus'"),
    invalid("'servics' does not match any of the regexes: '^x-'") + ADVICE,
    invalid("Unsupported config option for services.web: 'develop'", "Unsupported config option for services.web: 'bogus'"),
    "Invalid service name 'web app' - only [a-zA-Z0-9\\._\\-] characters are allowed",
    WARN + 'Invalid interpolation format for "environment" option in service "web": "x-honeycomb-team=${}"',
    'Invalid interpolation format for "environment" option in service "web": "${A"',
    WARN + "Couldn't find env file: /app/backend-flask.env",
    'build path /app/frontend either does not exist, is not accessible, or is not a valid URL.',
    'The Compose file is invalid because:\nService web has neither an image nor a build context specified. At least one must be provided.',
    'yaml.scanner.ScannerError: mapping values are not allowed here\n  in "./docker-compose.yml", line 17, column 45',
    '',
  ])('says true (a real verdict) for %s', (stderr) => {
    expect(canDockerComposeRead(stderr)).toBe(true);
  });
});

describe('dockerComposeConfig', () => {
  it('passes only PATH and the given variables', async () => {
    const text = 'services:\n  web:\n    image: "nginx:${TAG:?TAG is required}"\n';
    expectDocker((await check(text)).dc, false);
    expectDocker((await check(text, { TAG: '1.27' })).dc, true);
  });

  it('merges several -f files in order', async () => {
    writeFileSync(join(dir, 'base.yml'), 'services:\n  web:\n    image: nginx\n');
    writeFileSync(join(dir, 'override.yml'), 'services:\n  web:\n    environment: [A=1]\n');
    expectDocker(await dockerComposeConfig(dir, ['base.yml', 'override.yml']), true);
    expectDocker(await dockerComposeConfig(dir, ['override.yml']), false); // no image or build
  });
});
