import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { SecretNet } from '../../src/secrets/net.js';
import type { Context } from '../../src/context.js';
import { main } from '../../src/main.js';
import { readServices } from '../support/compose-read.js';
import { snapshotTree } from '../support/run-obs.js';

/**
 * Issue 13's property: whatever compose file, .env and obs.yaml a careless or hostile user
 * writes, obs init --dry-run, obs init --yes and obs doctor end with a sentence and an exit
 * code, never a stack trace: init 0 or 2, doctor 0, 1 or 2; nothing changes on an exit 2 (or
 * in a dry run); and after an exit 0 the chosen service has obs's variables while every other
 * service reads exactly the environment it had. Run in-process through main() (the same entry
 * the binary calls), so thousands of cases fit in the suite; OBS_PROPERTY_RUNS raises the count.
 */
// 2,000 generated projects: about 60 s on a quiet two-core machine (1,000 took 31 s).
const RUNS = Number(process.env.OBS_PROPERTY_RUNS ?? 2000);

// ---------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------

const oddString = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    'x',
    'a: b',
    '# not a comment',
    '${HOME}',
    '${UNSET:-d}',
    '$$',
    "it's",
    'say "hi"',
    'ünïcödé',
    '日本',
    '😀',
    'a\tb',
    'on',
    'yes',
    'null',
    '~',
    '0x1F',
    '1e3',
    '-',
    '[x]',
    '{a}',
    '*a',
    '&a',
    '!tag',
    '%',
    '@',
  ),
  fc.string({ maxLength: 8 }),
  fc.string({ unit: 'grapheme', maxLength: 6 }),
);
const oddScalar = fc.oneof(oddString, fc.integer({ min: -5, max: 70000 }), fc.double({ noNaN: false }), fc.boolean(), fc.constant(null));
const envKey = fc.oneof(fc.constantFrom('A', 'PORT', 'DB_HOST', 'FLASK_ENV', 'X-Y', 'a b', '', 'ÜBER', '1ST'), fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,6}$/));
const environment = fc.oneof(
  fc.dictionary(envKey, oddScalar, { maxKeys: 4 }),
  fc.array(
    fc.oneof(
      envKey.map((k) => `${k}=v`),
      envKey,
      oddString,
    ),
    { maxLength: 4 },
  ),
  fc.array(fc.dictionary(envKey, oddScalar, { maxKeys: 1 }), { maxLength: 2 }), // list of maps: compose refuses it
  oddScalar, // `environment: FOO` / `environment: 5`
);
const serviceName = fc.oneof(fc.constantFrom('web', 'api', 'db', 'worker', 'front-end', 'x.y', 'we b', 'ñ', '1'), fc.stringMatching(/^[a-z][a-z0-9-]{0,5}$/));
const service = fc.record(
  {
    build: fc.oneof(fc.constant('./app'), fc.constant('.'), fc.record({ context: fc.constant('./app') }), fc.constant(['a', 'b']), oddScalar),
    image: fc.oneof(fc.constantFrom('postgres:16', 'redis', 'nginx', 'amazon/aws-xray-daemon'), oddString),
    environment,
    ports: fc.oneof(fc.array(fc.constantFrom('80:80', '2000:2000/udp', 8080, '${PORT:-3000}:3000'), { maxLength: 2 }), oddScalar),
    command: fc.oneof(oddString, fc.array(oddString, { maxLength: 3 })),
    enviroment: fc.constant({ A: '1' }), // a typo compose refuses
  },
  { requiredKeys: [] },
);
/** What compose accepts, with odd but valid values (unicode, quotes, `${}`, numbers, null). */
const validKey = fc.oneof(fc.constantFrom('A', 'PORT', 'DB_HOST', 'FLASK_ENV', 'ÜBER', 'a.b'), fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,6}$/));
const validService = fc.record(
  {
    build: fc.constantFrom('./app', '.', { context: './app' }),
    environment: fc.oneof(
      fc.dictionary(validKey, fc.oneof(oddString, fc.integer(), fc.boolean(), fc.constant(null)), { maxKeys: 4 }),
      fc.uniqueArray(
        fc.tuple(validKey, oddString).map(([k, v]) => `${k}=${v}`),
        { maxLength: 4 },
      ),
    ),
    ports: fc.uniqueArray(fc.constantFrom('80:80', '2000:2000/udp', 8080, '${PORT:-3000}:3000'), { maxLength: 2 }),
    command: fc.oneof(oddString, fc.array(oddString, { maxLength: 3 })),
  },
  { requiredKeys: ['build'] },
);
const validImageService = fc.record({ image: fc.constantFrom('postgres:16', 'redis', 'nginx'), environment: fc.dictionary(validKey, oddString, { maxKeys: 3 }) }, { requiredKeys: ['image'] });
const validName = fc.oneof(fc.constantFrom('web', 'api', 'db', 'worker', 'front-end', 'x.y'), fc.stringMatching(/^[a-z][a-z0-9-]{0,5}$/));
const validCompose = fc.record(
  { services: fc.dictionary(validName, fc.oneof(validService, validImageService), { minKeys: 1, maxKeys: 3 }), 'x-extra': fc.dictionary(fc.string({ maxLength: 3 }), oddScalar, { maxKeys: 2 }) },
  { requiredKeys: ['services'] },
);

const composeValue = fc.record(
  {
    services: fc.oneof(
      { weight: 8, arbitrary: fc.dictionary(serviceName, fc.oneof({ weight: 6, arbitrary: service }, { weight: 1, arbitrary: oddScalar }), { minKeys: 1, maxKeys: 3 }) },
      { weight: 1, arbitrary: oddScalar },
    ),
    name: oddString,
    'x-extra': fc.oneof(oddScalar, fc.dictionary(fc.string({ maxLength: 3 }), oddScalar, { maxKeys: 2 })),
  },
  { requiredKeys: ['services'] },
);

/** The value written out as YAML, block or flow, with or without quotes everywhere. */
const composeFromValue = fc
  .tuple(
    fc.oneof({ weight: 3, arbitrary: validCompose }, { weight: 2, arbitrary: composeValue }),
    fc.constantFrom<'block' | 'flow' | 'any'>('block', 'flow', 'any'),
    fc.constantFrom<'PLAIN' | 'QUOTE_DOUBLE'>('PLAIN', 'QUOTE_DOUBLE'),
  )
  .map(([value, collectionStyle, defaultStringType]) => stringify(value, { collectionStyle, defaultStringType }));

/** Hand-written shapes: anchors and merges (good and bad), aliases, nesting, encodings, layouts. */
const nastyCompose = fc.oneof(
  fc.constant('x-env: &env\n  A: "1"\nservices:\n  web:\n    build: ./app\n    environment: *env\n  db:\n    image: postgres\n    environment: *env\n'),
  fc.constant('x-base: &base\n  environment:\n    A: "1"\nservices:\n  web:\n    <<: *base\n    build: ./app\n  worker:\n    <<: *base\n    image: w\n'),
  fc.constant('x-l: &l [A=1, B=2]\nservices:\n  web:\n    build: ./app\n    environment: *l\n  db:\n    image: p\n    environment: *l\n'),
  fc.constant('services:\n  web:\n    <<: 5\n    build: ./app\n'),
  fc.constant('x-l: &l [1]\nservices:\n  web:\n    <<: *l\n    build: ./app\n'),
  fc.constant('services:\n  web:\n    build: ./app\n    environment: *missing\n'),
  fc.constant('{services: {web: {build: ./app, environment: {A: b}}, db: {image: postgres}}}\n'),
  fc.constant('services: {web: {build: ./app}}\n'),
  fc.constant('services:\n  web:\n    build: ./app\n  web:\n    image: x\n'),
  fc.constant('services:\n  web:\n    build: ./app\n---\nservices: {}\n'),
  fc.constant('services:\n\tweb:\n    build: ./app\n'),
  fc.constant('\ufeffservices:\r\n  web:\r\n    build: ./app\r\n    environment:\r\n      - A=1\r\n'),
  fc.constant('services:\n  web:\n    build: ./app\n    environment:\n'),
  fc.constant('services:\n  web:\n'),
  fc.constant(''),
  fc.constant('just a string\n'),
  fc.integer({ min: 95, max: 140 }).map((d) => `services:\n  web:\n    build: ./app\nx-deep: ${'['.repeat(d)}${']'.repeat(d)}\n`),
  fc.integer({ min: 3, max: 7 }).map((n) => {
    let text = 'x-a: &a [x, x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i <= n; i++)
      text += `x-${i}: &a${i} [${Array(9)
        .fill(i === 1 ? '*a' : `*a${i - 1}`)
        .join(', ')}]\n`;
    return `${text}services:\n  web:\n    build: ./app\n`;
  }),
  composeFromValue.map((text) => text.replace(/\n/g, '\r\n')),
);
const composeText = fc.oneof({ weight: 3, arbitrary: composeFromValue }, { weight: 2, arbitrary: nastyCompose });

const dotenvText = fc.option(
  fc
    .array(
      fc.oneof(
        fc.tuple(envKey, oddString).map(([k, v]) => `${k}=${v}`),
        fc.tuple(envKey, oddString).map(([k, v]) => `export ${k}="${v}"`),
        fc.constantFrom('# comment', '', 'NO_EQUALS', '=value', 'A="unterminated', "B='x'", 'C=a # trailing', 'HONEYCOMB_API_KEY=', 'D=ü'),
      ),
      { maxLength: 5 },
    )
    .map((lines) => lines.join('\n')),
  { nil: undefined },
);
const obsYamlText = fc.option(
  fc.oneof(
    fc.constant('version: 1\ncompose:\n  files:\n    - docker-compose.yml\n'),
    fc.constantFrom(
      'version: 2\n',
      'version: 1\ncompose:\n  files: [1]\n',
      'version: 1\nhoneycomb:\n  region: mars\n',
      '[]\n',
      'version: 1\nservices: 5\n',
      'version: 1\nxray:\n  groups: {}\n',
      ': :\n',
    ),
    fc.tuple(oddScalar, oddScalar).map(([a, b]) => `version: 1\nhoneycomb:\n  enabled: ${JSON.stringify(a)}\ncloudwatch:\n  logGroups: ${JSON.stringify(b)}\n`),
  ),
  { nil: undefined },
);

// ---------------------------------------------------------------------------------------------
// Running obs in-process
// ---------------------------------------------------------------------------------------------

function collector(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

async function obs(args: string[], cwd: string, home: string): Promise<{ exitCode: number; stderr: string; stdout: string }> {
  const out = collector();
  const err = collector();
  const stdin = new PassThrough();
  stdin.end();
  const ctx: Context = {
    cwd,
    env: { CI: 'true', HOME: home, PATH: process.env.PATH ?? '/usr/bin:/bin', NO_COLOR: '1' },
    stdin,
    stdout: out.stream,
    stderr: err.stream,
    interactive: false,
    color: false,
    stdoutColor: false,
    secrets: new SecretNet(),
  };
  const exitCode = await main(args, ctx);
  return { exitCode, stdout: out.text(), stderr: err.text() };
}

function expectNoStackTrace(run: { stderr: string; stdout: string }, what: string): void {
  const text = run.stderr + run.stdout;
  expect(text, `${what}:\n${text}`).not.toMatch(/unexpected error|This is a bug in obs|\n\s+at [^\n]*:\d+:\d+\)?\n/);
}

/** The first service obs may instrument: named like compose wants it and not the X-Ray daemon. */
function chosenService(text: string): string | undefined {
  try {
    const services = (parse(text, { merge: true }) as { services?: Record<string, { image?: unknown }> } | null)?.services;
    if (!services || typeof services !== 'object') return undefined;
    return Object.entries(services).find(([name, s]) => /^[a-zA-Z0-9._-]+$/.test(name) && !/xray/.test(String(s?.image ?? '')))?.[0];
  } catch {
    return undefined;
  }
}

function servicesOf(text: string): ReturnType<typeof readServices> | undefined {
  try {
    return readServices([text]);
  } catch {
    return undefined;
  }
}

describe('property: hostile compose, .env and obs.yaml never crash obs, and exit 0 means the intent', () => {
  it(`init --dry-run, init --yes and doctor on ${RUNS} generated projects`, async () => {
    const home = await mkdtemp(join(tmpdir(), 'obs-prop-home-'));
    let applied = 0;
    let refused = 0;
    try {
      await fc.assert(
        fc.asyncProperty(composeText, dotenvText, obsYamlText, fc.boolean(), fc.constantFrom('collector', 'direct'), async (compose, dotenv, obsYaml, utf16, pipeline) => {
          const dir = await mkdtemp(join(tmpdir(), 'obs-prop-'));
          try {
            const bytes = utf16 && compose.length < 200 ? Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(compose, 'utf16le')]) : Buffer.from(compose);
            await writeFile(join(dir, 'docker-compose.yml'), bytes);
            if (dotenv !== undefined) await writeFile(join(dir, '.env'), dotenv);
            if (obsYaml !== undefined) await writeFile(join(dir, 'obs.yaml'), obsYaml);
            const before = await snapshotTree(dir);
            const chosen = chosenService(compose);
            const services = [...(chosen ? ['--services', chosen] : []), '--pipeline', pipeline];

            const dry = await obs(['init', '--dir', dir, '--dry-run', '--no-instrument', '--no-xray', '--honeycomb', ...services], dir, home);
            expectNoStackTrace(dry, 'init --dry-run');
            expect([0, 2], dry.stderr).toContain(dry.exitCode);
            expect(await snapshotTree(dir)).toEqual(before);

            const doctor = await obs(['doctor', '--dir', dir], dir, home);
            expectNoStackTrace(doctor, 'doctor');
            expect([0, 1, 2], doctor.stderr).toContain(doctor.exitCode);
            expect(await snapshotTree(dir)).toEqual(before);

            const yes = await obs(['init', '--dir', dir, '--yes', '--no-instrument', '--no-xray', '--honeycomb', ...services], dir, home);
            expectNoStackTrace(yes, 'init --yes');
            expect([0, 2], yes.stderr).toContain(yes.exitCode);
            expect(yes.exitCode, `dry run and real run disagree:\n${dry.stderr}\n---\n${yes.stderr}`).toBe(dry.exitCode);
            if (yes.exitCode === 2) {
              refused++;
              expect(await snapshotTree(dir)).toEqual(before);
              expect(yes.stderr.split('\n').filter((l) => l.startsWith('obs: ')).length).toBe(1);
              return;
            }
            applied++;
            const after = await readFile(join(dir, 'docker-compose.yml'), 'utf8');
            const was = servicesOf(compose);
            const now = servicesOf(after);
            expect(now, after).toBeDefined();
            if (!was || !now || !chosen) return;
            const byHand = /add (these lines to \S+ )?by hand/.test(yes.stderr);
            if (!byHand) {
              // Directly, the app holds the key header; through the collector, only the collector's address.
              const wanted =
                pipeline === 'direct' ? { OTEL_EXPORTER_OTLP_HEADERS: 'x-honeycomb-team=${HONEYCOMB_API_KEY}' } : { OTEL_EXPORTER_OTLP_ENDPOINT: expect.stringMatching(/^http:\/\/[\w.-]+:4318$/) };
              expect(now[chosen]?.environment, `${chosen} lacks obs's variables:\n${after}`).toMatchObject({ OTEL_SERVICE_NAME: expect.any(String), ...wanted });
            }
            for (const [name, svc] of Object.entries(was)) {
              if (name === chosen) continue;
              expect(now[name]?.environment, `${name} changed:\n${compose}\n---\n${after}`).toEqual(svc.environment);
            }
            // A second run has nothing left to do.
            const again = await obs(['init', '--dir', dir, '--yes', '--no-instrument', '--no-xray', '--honeycomb', ...services], dir, home);
            expect(again.exitCode, again.stderr).toBe(0);
            expect(await readFile(join(dir, 'docker-compose.yml'), 'utf8')).toBe(after);
          } finally {
            await rm(dir, { recursive: true, force: true });
          }
        }),
        { numRuns: RUNS },
      );
    } finally {
      await rm(home, { recursive: true, force: true });
    }
    // The generators reach both outcomes, so neither half of the property is vacuous.
    expect(applied, `applied ${applied}, refused ${refused}`).toBeGreaterThan(RUNS / 10);
    expect(refused, `applied ${applied}, refused ${refused}`).toBeGreaterThan(RUNS / 10);
  }, 600_000);
});
