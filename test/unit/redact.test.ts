import { describe, expect, it } from 'vitest';
import {
  displayUrl,
  findSecrets,
  isSecretName,
  redactDiff,
  redactKnown,
  redactMessage,
  redactSecrets,
  redactText,
  secretsInArguments,
  secretsInEnvironment,
  worthMaskingEverywhere,
} from '../../src/secrets/redact.js';

describe('redactSecrets', () => {
  it('masks every known secret value wherever it appears', () => {
    const diff = '-      OTEL_EXPORTER_OTLP_HEADERS: "x-honeycomb-team=Ab3dEf6hIj9kLm2nOp5qRs"\n+HONEYCOMB_API_KEY=Ab3dEf6hIj9kLm2nOp5qRs\n';
    expect(redactSecrets(diff, ['Ab3dEf6hIj9kLm2nOp5qRs'])).toBe('-      OTEL_EXPORTER_OTLP_HEADERS: "x-honeycomb-team=Ab3d…(22 chars)"\n+HONEYCOMB_API_KEY=Ab3d…(22 chars)\n');
  });

  it('masks values of secret-named variables in .env and compose lines, keeps references and other values', () => {
    const text = [
      ' DB_PASSWORD=hunter2secret',
      '+      ROLLBAR_ACCESS_TOKEN: "abcdef0123456789abcdef0123456789"',
      '       AWS_SECRET_ACCESS_KEY: "${AWS_SECRET_ACCESS_KEY}"',
      ' PORT=4567',
      '+      - API_KEY=plainvalue12 # note',
    ].join('\n');
    expect(redactSecrets(text, [])).toBe(
      [
        ' DB_PASSWORD=hunt…(13 chars)',
        '+      ROLLBAR_ACCESS_TOKEN: "abcd…(32 chars)"',
        '       AWS_SECRET_ACCESS_KEY: "${AWS_SECRET_ACCESS_KEY}"',
        ' PORT=4567',
        '+      - API_KEY=plai…(12 chars) # note',
      ].join('\n'),
    );
  });
});

describe('redactText: secrets by position, whatever their shape', () => {
  it('masks values of key-like variables, header values, URL userinfo, key-like labels and flags, and known shapes in context lines', () => {
    const diff = [
      '       HONEYCOMB_API_KEY: "Odd-Shaped.Key-zq7x1"',
      '       DB_PASSWORD: pw-Seeded-9k2',
      '       OTEL_EXPORTER_OTLP_HEADERS: "x-honeycomb-team=hdrTeamSeed-77aa-q9,x-honeycomb-dataset=mine,authorization=Bearer bearerSeed-5511"',
      '+      OTEL_EXPORTER_OTLP_HEADERS: "x-honeycomb-team=${HONEYCOMB_API_KEY}"',
      '       DATABASE_URL: "postgres://dbuser:urlUserinfoSeed-4fz@db:5432/app"',
      '       - "com.example.token=0123abcd0123abcd0123abcd0123abcd"',
      '       - "traefik.enable=true"',
      '       - "note=0123abcd0123abcd0123abcd0123abcd"',
      '     command: ["node", "server.js", "--api-key", "cmdSeedApiKey-3141", "--port", "80"]',
      '     command: node server.js --auth-token=cmdSeed2-xyz --verbose',
      '     environment: {PGPASSWORD: flowSeed-1618, MODE: prod}',
      '       - AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY}',
      '       - MY_PASS=abc${X}defghijkl',
      '     image: postgres@sha256:0123abcd0123abcd0123abcd0123abcd0123abcd0123abcd0123abcd0123abcd',
      " export API_KEY='single quoted secret'",
      ' MONKEY=banana',
      ' KEYCLOAK_URL=http://kc',
      ' apiKey: camelSeed-9999',
      '+AWS_ACCESS_KEY_ID=AKIAABCDEFGHIJKLMNOP',
      ' trace hcaik_01abcdefghijklmnopqrstuv in a comment',
    ].join('\n');
    expect(redactText(diff)).toBe(
      [
        '       HONEYCOMB_API_KEY: "Odd-…(20 chars)"',
        '       DB_PASSWORD: pw-S…(13 chars)',
        '       OTEL_EXPORTER_OTLP_HEADERS: "x-honeycomb-team=hdrT…(19 chars),x-honeycomb-dataset=mine,authorization=Bear…(22 chars)"',
        '+      OTEL_EXPORTER_OTLP_HEADERS: "x-honeycomb-team=${HONEYCOMB_API_KEY}"',
        '       DATABASE_URL: "postgres://dbuser:***@db:5432/app"',
        '       - "com.example.token=0123…(32 chars)"',
        '       - "traefik.enable=true"',
        '       - "note=0123…(32 chars)"',
        '     command: ["node", "server.js", "--api-key", "cmdS…(18 chars)", "--port", "80"]',
        '     command: node server.js --auth-token=cmdS…(12 chars) --verbose',
        '     environment: {PGPASSWORD: flow…(13 chars), MODE: prod}',
        '       - AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY}',
        '       - MY_PASS=(3 chars)${X}(9 chars)',
        '     image: postgres@sha256:0123abcd0123abcd0123abcd0123abcd0123abcd0123abcd0123abcd0123abcd',
        " export API_KEY='sing…(20 chars)'",
        ' MONKEY=banana',
        ' KEYCLOAK_URL=http://kc',
        ' apiKey: came…(14 chars)',
        '+AWS_ACCESS_KEY_ID=AKIA…(20 chars)',
        ' trace hcai…(30 chars) in a comment',
      ].join('\n'),
    );
  });

  it('shows a variable name written where its value belongs (a mistake doctor reports)', () => {
    expect(redactText('      OTEL_EXPORTER_OTLP_HEADERS: x-honeycomb-team=HONEYCOMB_API_KEY\n API_TOKEN=AKIAABCDEFGHIJKLMNOP')).toBe(
      '      OTEL_EXPORTER_OTLP_HEADERS: x-honeycomb-team=HONEYCOMB_API_KEY\n API_TOKEN=AKIA…(20 chars)',
    );
    expect(worthMaskingEverywhere('HONEYCOMB_API_KEY')).toBe(false);
  });

  it('shows short values by their length only, and never masks a mask again', () => {
    expect(redactText('DB_PASSWORD=hunter2\nAPI_TOKEN=abcd…(40 chars)\nPASS=(7 chars)', ['hunter2'])).toBe('DB_PASSWORD=(7 chars)\nAPI_TOKEN=abcd…(40 chars)\nPASS=(7 chars)');
  });

  it('finds what it masks', () => {
    expect(findSecrets('DB_PASSWORD: pw-Seeded-9k2\nX_URL=https://me:s3cr3t-pw@h/\nOTEL_EXPORTER_OTLP_HEADERS=x-honeycomb-team=abc123def456,x-honeycomb-dataset=d\nPORT=80')).toEqual([
      'pw-Seeded-9k2',
      's3cr3t-pw',
      'abc123def456',
    ]);
  });
});

describe('isSecretName', () => {
  it.each([
    'HONEYCOMB_API_KEY',
    'DB_PASS',
    'x-api-key',
    'apiKey',
    'dbPass',
    'AWS_ACCESS_KEY_ID',
    'PGPASSWORD',
    'SENTRY_DSN',
    'com.example.token',
    'MYSQL_ROOT_PASSWORD',
    'GITHUB_PAT_TOKEN',
    'OAUTH_CLIENT_SECRET',
    'DB_PWD',
    'BASIC_AUTH',
    'authorization',
    'SSH_PRIVATE_KEY',
    'GOOGLE_CREDENTIALS',
  ])('%s is key-like', (name) => {
    expect(isSecretName(name)).toBe(true);
  });
  it.each([
    'MONKEY',
    'KEYCLOAK_URL',
    'BYPASS',
    'AUTHOR',
    'OTEL_SERVICE_NAME',
    'AWS_REGION',
    'PORT',
    'OTEL_EXPORTER_OTLP_HEADERS',
    'AWS_SHARED_CREDENTIALS_FILE',
    'SSH_AUTH_SOCK',
    'GOOGLE_CREDENTIALS_PATH',
    'PWD',
    'OLDPWD',
  ])('%s is not', (name) => {
    expect(isSecretName(name)).toBe(false);
  });
});

describe('secretsInEnvironment, secretsInArguments, redactKnown, displayUrl', () => {
  it("leaves the shell's working directory alone: obs prints the project's path (it masked PWD's value as a password)", () => {
    expect(secretsInEnvironment(Object.entries({ PWD: '/home/dev/cruddur', OLDPWD: '/home/dev', DB_PWD: 'hunter2-long' }))).toEqual(['hunter2-long']);
  });

  it('collects values of key-like variables, header values and URL userinfo', () => {
    expect(
      secretsInEnvironment(
        Object.entries({ AWS_SECRET_ACCESS_KEY: 'abcdefg/xyz', OTEL_EXPORTER_OTLP_HEADERS: 'a=b1234,x-honeycomb-dataset=d', AWS_ENDPOINT_URL_XRAY: 'http://u:p4ssw0rd@h:1', PATH: '/usr/bin' }),
      ),
    ).toEqual(['abcdefg/xyz', 'b1234', 'p4ssw0rd']);
    expect(secretsInArguments(['--endpoint-url', 'http://user:flag-pw-1@127.0.0.1:1', 'https://tok3n@h'])).toEqual(['flag-pw-1', 'tok3n']);
  });

  it('masks known values, also JSON-escaped, and userinfo, in any output', () => {
    expect(redactKnown('{"x": "a\\"b secretvalue9 http://me:pw@x"} secretvalue9', ['secretvalue9', 'a"b secretvalue9'])).toBe('{"x": "(16 chars) http://me:***@x"} secr…(12 chars)');
    expect(displayUrl('http://user:pass@host:1/p')).toBe('http://user:***@host:1/p');
    expect(displayUrl('https://token123@host/')).toBe('https://***@host/');
    expect(displayUrl('http://${U}:${P}@host')).toBe('http://${U}:${P}@host');
  });

  it('keeps plain words out of the output-wide net', () => {
    expect(['postgres', 'hunter2', 'hunter2hunter2', 'Abcdefgh', 'abcdefghijklmnop'].map(worthMaskingEverywhere)).toEqual([false, false, true, true, true]);
  });
});

describe('redactMessage: what doctor and init composed', () => {
  it('masks assignments, headers and userinfo, but not prose pairs, placeholders or a trace id', () => {
    expect(redactMessage('OTEL_EXPORTER_OTLP_HEADERS: "x-honeycomb-team=HdrTeam-9Pq3Xv6B,authorization=Bearer%20HdrBearer-2Jm5Ns8D"')).toBe(
      'OTEL_EXPORTER_OTLP_HEADERS: "x-honeycomb-team=HdrT…(16 chars),authorization=Bear…(27 chars)"',
    );
    expect(redactMessage('no AWS credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set')).toBe('no AWS credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set');
    expect(redactMessage("echo 'HONEYCOMB_API_KEY=...' >> .env; add HONEYCOMB_API_KEY=<value>; put AWS_ACCESS_KEY_ID=… in .env")).toBe(
      "echo 'HONEYCOMB_API_KEY=...' >> .env; add HONEYCOMB_API_KEY=<value>; put AWS_ACCESS_KEY_ID=… in .env",
    );
    expect(redactMessage('check DB_PASSWORD=hunter2-x in http://u:pw@h (trace id 0123456789abcdef0123456789abcdef)')).toBe(
      'check DB_PASSWORD=(9 chars) in http://u:***@h (trace id 0123456789abcdef0123456789abcdef)',
    );
  });
});

describe('redactDiff', () => {
  const diff = '+DB_PASSWORD=hunter2-Secret\n+moved: AbCdEfGhIjKlMnOpQrStUv\n+build 0123456789abcdef0123456789abcdef\n';
  it('gives edited files and .env files every rule', () => {
    const masked = '+DB_PASSWORD=hunt…(14 chars)\n+moved: AbCd…(22 chars)\n+build 0123…(32 chars)\n';
    expect(redactDiff(diff, { path: 'docker-compose.yml', before: 'x' }, ['AbCdEfGhIjKlMnOpQrStUv'])).toBe(masked);
    expect(redactDiff(diff, { path: 'app/.env', before: null }, ['AbCdEfGhIjKlMnOpQrStUv'])).toBe(masked);
  });
  it('masks only the moved secrets in a file obs generates from its templates', () => {
    expect(redactDiff(diff, { path: 'api/observability.py', before: null }, ['AbCdEfGhIjKlMnOpQrStUv'])).toBe(
      '+DB_PASSWORD=hunter2-Secret\n+moved: AbCd…(22 chars)\n+build 0123456789abcdef0123456789abcdef\n',
    );
  });
});

describe('redactMessage: fixes that quote obs own lines stay readable', () => {
  it.each([
    'OTEL_EXPORTER_OTLP_HEADERS: "x-honeycomb-team=${HONEYCOMB_API_KEY}"  (and HONEYCOMB_API_KEY=<your key> in .env)',
    'leave the value empty in frontend-react-js/.env.example (HONEYCOMB_API_KEY=); then rotate the key: it stays in the git history',
  ])('%s', (text) => {
    expect(redactMessage(text)).toBe(text);
  });
  it('still masks a quoted value with text after it', () => {
    expect(redactMessage('API_TOKEN: "Tok3n-Secret-Value" (from .env)')).toBe('API_TOKEN: "Tok3…(18 chars)" (from .env)');
  });
});
