import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KNOWN_KEYWORDS, validateCompose } from '../../src/compose/schema/validate.js';

/**
 * obs checks compose files with its own small interpreter of the compose-spec schema
 * (src/compose/schema/validate.ts). These tests hold it to ajv, a full JSON Schema validator,
 * on the same schema file: same verdict on every generated value.
 */
const schema = JSON.parse(readFileSync(new URL('../../src/compose/schema/compose-spec.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const ajv = new Ajv({ strict: false, allErrors: false, validateSchema: false });
const ajvValidate = ajv.compile(schema);

/** Every keyword the schema uses (property names under properties/patternProperties/definitions are names, not keywords). */
function keywordsOf(node: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(node)) node.forEach((n) => keywordsOf(n, out));
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      out.add(key);
      if ((key === 'properties' || key === 'patternProperties' || key === 'definitions') && value && typeof value === 'object') {
        for (const sub of Object.values(value)) keywordsOf(sub, out);
      } else if (key !== 'enum' && key !== 'default' && key !== 'examples' && key !== 'const') keywordsOf(value, out);
    }
  }
  return out;
}

// Keys that matter to compose at each level, plus typos and extensions, so generated values hit real schema branches.
const SERVICE_KEYS = [
  'image',
  'build',
  'environment',
  'env_file',
  'ports',
  'command',
  'entrypoint',
  'profiles',
  'labels',
  'depends_on',
  'volumes',
  'networks',
  'deploy',
  'healthcheck',
  'restart',
  'x-extra',
  'enviroment',
  'context',
  'dockerfile',
  'args',
  'target',
  'published',
  'protocol',
  'path',
  'required',
  'condition',
  'aliases',
  'test',
  'interval',
];
const TOP_KEYS = ['services', 'name', 'version', 'volumes', 'networks', 'x-base', 'include', 'secrets', 'configs', 'servces'];

const scalar = fc.oneof(
  fc.constantFrom('.', './app', 'nginx:1', 'A=1', 'A', '80:80', '2000:2000/udp', '${X}', '', 'always', 'tcp', 'service_started', '1.5', 'x y'),
  fc.string({ maxLength: 6 }),
  fc.integer({ min: -3, max: 70000 }),
  fc.constantFrom(0.5, 1e21, -0),
  fc.boolean(),
  fc.constant(null),
);

const { value: valueArb } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.constantFrom(...SERVICE_KEYS), fc.string({ maxLength: 5 })), tie('value'), { maxKeys: 4 }),
  ),
}));

const serviceArb = fc.oneof(fc.dictionary(fc.constantFrom(...SERVICE_KEYS), valueArb, { maxKeys: 5 }), valueArb);
const composeArb = fc.dictionary(
  fc.constantFrom(...TOP_KEYS),
  fc.oneof(fc.dictionary(fc.oneof(fc.constantFrom('web', 'db', 'x y', 'x-a'), fc.string({ maxLength: 4 })), serviceArb, { maxKeys: 3 }), valueArb),
  { maxKeys: 4 },
);

describe('compose schema interpreter', () => {
  it('knows every keyword the bundled compose-spec schema uses (an update using another fails here)', () => {
    const unknown = [...keywordsOf(schema)].filter((k) => !KNOWN_KEYWORDS.has(k));
    expect(unknown).toEqual([]);
  });

  it('gives ajv’s verdict on thousands of generated compose-shaped values', () => {
    fc.assert(
      fc.property(composeArb, (value) => {
        const ours = validateCompose(value) === undefined;
        expect(ours, JSON.stringify(value)).toBe(ajvValidate(value));
      }),
      { numRuns: Number(process.env.OBS_PROPERTY_RUNS ?? 3000) },
    );
  });

  it('names the deepest useful place and what compose accepts there', () => {
    expect(validateCompose({ services: { web: { environment: [{ A: 'b' }] } } })).toEqual({ path: ['services', 'web', 'environment', 0], message: 'must be a string, not a mapping' });
    expect(validateCompose({ services: { web: { build: ['a', 'b'] } } })).toEqual({ path: ['services', 'web', 'build'], message: 'must be a string or a mapping, not a list' });
    expect(validateCompose({ services: { web: { environment: 'FOO' } } })).toEqual({ path: ['services', 'web', 'environment'], message: 'must be a mapping or a list of strings, not a string' });
    expect(validateCompose({ services: { web: { enviroment: {} } } })).toEqual({
      path: ['services', 'web', 'enviroment'],
      message: 'is not a key compose knows here; did you mean `environment`?',
      atKey: true,
    });
    expect(validateCompose({ services: { web: null } })).toEqual({ path: ['services', 'web'], message: 'must be a mapping, not empty' });
    expect(validateCompose({ services: { web: { image: 'x', environment: { A: 1, B: true, C: null, D: 'd' } } }, 'x-any': [{ deep: 1 }] })).toBeUndefined();
  });
});
