import { describe, expect, it } from 'vitest';
import { isMap, parse, type YAMLMap } from 'yaml';
import { addEnvironment, findEnvEntry, makeEnvEditContext, replaceEnvValue, type EnvSetting } from '../../src/compose/edit-env.js';
import { parseComposeText, servicesMap, type ComposeFile } from '../../src/compose/parse.js';
import { buildProject } from '../../src/compose/project.js';
import { applyTextEdits } from '../../src/text/edits.js';

/** A file written line by line: `lf('a', 'b')` is "a\nb\n". */
const lf = (...lines: string[]) => lines.map((l) => `${l}\n`).join('');
const crlf = (...lines: string[]) => lines.map((l) => `${l}\r\n`).join('');

function serviceMap(file: ComposeFile, name: string): YAMLMap {
  const node = servicesMap(file)!.get(name, true);
  if (!isMap(node)) throw new Error(`no service ${name} with settings`);
  return node;
}

/** The file after adding `settings` to each named service, checked to still be a valid compose file. */
function addTo(text: string, services: string | string[], settings: EnvSetting[]): string {
  const file = parseComposeText('docker-compose.yml', text);
  const ctx = makeEnvEditContext(file);
  const edits = [services].flat().flatMap((name) => addEnvironment(ctx, serviceMap(file, name), settings));
  const out = applyTextEdits(text, edits);
  parseComposeText('docker-compose.yml', out);
  return out;
}

/** The environment compose would give `service` in `text`, as a plain object. */
function envOf(text: string, service: string): Record<string, string | null> {
  const project = buildProject([parseComposeText('docker-compose.yml', text)]);
  return Object.fromEntries(project.services.find((s) => s.name === service)!.config.environment);
}

/** `key` set to `value` in `service`'s environment, in place. */
function replaceIn(text: string, service: string, key: string, value: string): string | undefined {
  const file = parseComposeText('docker-compose.yml', text);
  const entry = findEnvEntry(file.doc, serviceMap(file, service), key);
  if (!entry) return undefined;
  const out = applyTextEdits(text, [replaceEnvValue(text, entry, key, value)]);
  parseComposeText('docker-compose.yml', out);
  return out;
}

const NAME: EnvSetting = { key: 'OTEL_SERVICE_NAME', value: 'api' };
const PORT: EnvSetting = { key: 'PORT', value: '4567' };
const TWO = [NAME, PORT];

describe('addEnvironment: block map', () => {
  it('appends after the last key, at the column of the existing keys, double-quoted like its neighbours', () => {
    const before = lf('services:', '  api:', '    image: x', '    environment:', '      A: "1"', '      B: "two"', '  db:', '    image: postgres');
    const after = addTo(before, 'api', TWO);
    expect(after).toBe(
      lf('services:', '  api:', '    image: x', '    environment:', '      A: "1"', '      B: "two"', '      OTEL_SERVICE_NAME: "api"', '      PORT: "4567"', '  db:', '    image: postgres'),
    );
    expect(envOf(after, 'api')).toEqual({ A: '1', B: 'two', OTEL_SERVICE_NAME: 'api', PORT: '4567' });
    expect(envOf(after, 'db')).toEqual({});
  });

  it('keeps a deeper-than-usual indentation of the existing keys', () => {
    const before = lf('services:', '  api:', '    environment:', '        A: "1"', '    image: x');
    expect(addTo(before, 'api', [NAME])).toBe(lf('services:', '  api:', '    environment:', '        A: "1"', '        OTEL_SERVICE_NAME: "api"', '    image: x'));
  });

  it('uses single quotes when the neighbours do, doubling an apostrophe', () => {
    const before = lf('services:', '  api:', '    environment:', "      A: '1'", "      B: 'two'");
    expect(addTo(before, 'api', [...TWO, { key: 'Q', value: "it's" }])).toBe(
      lf('services:', '  api:', '    environment:', "      A: '1'", "      B: 'two'", "      OTEL_SERVICE_NAME: 'api'", "      PORT: '4567'", "      Q: 'it''s'"),
    );
  });

  it('writes plain values next to plain neighbours, quoting only what would not read back as the same string', () => {
    const before = lf('services:', '  api:', '    environment:', '      A: one', '      B: two', '    ports: ["80:80"]');
    const settings: EnvSetting[] = [
      NAME,
      PORT,
      { key: 'H', value: 'x-honeycomb-team=${HONEYCOMB_API_KEY}' },
      { key: 'U', value: '*localhost:4567*' },
      { key: 'E', value: 'https://api.honeycomb.io' },
      { key: 'T', value: 'true' },
    ];
    const after = addTo(before, 'api', settings);
    expect(after).toBe(
      lf(
        'services:',
        '  api:',
        '    environment:',
        '      A: one',
        '      B: two',
        '      OTEL_SERVICE_NAME: api',
        '      PORT: "4567"',
        '      H: x-honeycomb-team=${HONEYCOMB_API_KEY}',
        '      U: "*localhost:4567*"',
        '      E: https://api.honeycomb.io',
        '      T: "true"',
        '    ports: ["80:80"]',
      ),
    );
    expect(envOf(after, 'api')).toMatchObject({ PORT: '4567', T: 'true', U: '*localhost:4567*' });
  });

  it('falls back to double quotes on a tie and ignores empty (null) neighbours when counting', () => {
    const tie = lf('services:', '  api:', '    environment:', '      A: one', '      B: "two"');
    expect(addTo(tie, 'api', [NAME])).toBe(lf('services:', '  api:', '    environment:', '      A: one', '      B: "two"', '      OTEL_SERVICE_NAME: "api"'));
    const withNull = lf('services:', '  api:', '    environment:', '      A:', "      B: 'x'");
    expect(addTo(withNull, 'api', [NAME])).toBe(lf('services:', '  api:', '    environment:', '      A:', "      B: 'x'", "      OTEL_SERVICE_NAME: 'api'"));
  });

  it('adds after a map that merges another one, keeping the merge key first', () => {
    const before = lf('x-env: &env', '  A: "1"', 'services:', '  api:', '    environment:', '      <<: *env', "      B: 'x'");
    const after = addTo(before, 'api', [NAME]);
    expect(after).toBe(lf('x-env: &env', '  A: "1"', 'services:', '  api:', '    environment:', '      <<: *env', "      B: 'x'", "      OTEL_SERVICE_NAME: 'api'"));
    expect(envOf(after, 'api')).toEqual({ A: '1', B: 'x', OTEL_SERVICE_NAME: 'api' });
  });
});

describe('addEnvironment: block list', () => {
  it('appends `- KEY=value` items at the dash column', () => {
    const before = lf('services:', '  api:', '    environment:', '      - A=1', '      - B=2');
    const after = addTo(before, 'api', TWO);
    expect(after).toBe(lf('services:', '  api:', '    environment:', '      - A=1', '      - B=2', '      - OTEL_SERVICE_NAME=api', '      - PORT=4567'));
    expect(envOf(after, 'api')).toEqual({ A: '1', B: '2', OTEL_SERVICE_NAME: 'api', PORT: '4567' });
  });

  it('quotes new items when the existing ones are double-quoted', () => {
    const before = lf('services:', '  api:', '    environment:', '      - "A=1"', '      - "B=2"');
    expect(addTo(before, 'api', TWO)).toBe(lf('services:', '  api:', '    environment:', '      - "A=1"', '      - "B=2"', '      - "OTEL_SERVICE_NAME=api"', '      - "PORT=4567"'));
  });

  it('quotes new items when the existing ones are single-quoted', () => {
    const before = lf('services:', '  api:', '    environment:', "      - 'A=1'");
    expect(addTo(before, 'api', TWO)).toBe(lf('services:', '  api:', '    environment:', "      - 'A=1'", "      - 'OTEL_SERVICE_NAME=api'", "      - 'PORT=4567'"));
  });

  it('double-quotes a plain-list item that would not survive as a plain scalar', () => {
    const before = lf('services:', '  api:', '    environment:', '      - A=1');
    const after = addTo(before, 'api', [
      { key: 'U', value: '*localhost:4567*' },
      { key: 'H', value: 'a #b' },
    ]);
    expect(after).toBe(lf('services:', '  api:', '    environment:', '      - A=1', '      - U=*localhost:4567*', '      - "H=a #b"'));
    expect(envOf(after, 'api')).toEqual({ A: '1', U: '*localhost:4567*', H: 'a #b' });
  });

  it('keeps the dashes at the parent key column when the list is written that way', () => {
    const before = lf('services:', '  api:', '    environment:', '    - A=1', '    image: x');
    expect(addTo(before, 'api', [NAME])).toBe(lf('services:', '  api:', '    environment:', '    - A=1', '    - OTEL_SERVICE_NAME=api', '    image: x'));
  });

  it('keeps a trailing comment on the last item where it was', () => {
    const before = lf('services:', '  api:', '    environment:', '      - A=1 # c');
    expect(addTo(before, 'api', [NAME])).toBe(lf('services:', '  api:', '    environment:', '      - A=1 # c', '      - OTEL_SERVICE_NAME=api'));
  });

  it('works in a 4-space file', () => {
    const before = lf('services:', '    api:', '        environment:', '            - A=1');
    expect(addTo(before, 'api', [NAME])).toBe(lf('services:', '    api:', '        environment:', '            - A=1', '            - OTEL_SERVICE_NAME=api'));
  });
});

describe('addEnvironment: flow collections', () => {
  it('adds to a flow map before its closing brace', () => {
    const before = lf('services:', '  api:', '    environment: {A: "1"}');
    const after = addTo(before, 'api', TWO);
    expect(after).toBe(lf('services:', '  api:', '    environment: {A: "1", OTEL_SERVICE_NAME: "api", PORT: "4567"}'));
    expect(envOf(after, 'api')).toEqual({ A: '1', OTEL_SERVICE_NAME: 'api', PORT: '4567' });
  });

  it('adds double-quoted items to a flow list', () => {
    const before = lf('services:', '  api:', '    environment: [A=1]');
    expect(addTo(before, 'api', TWO)).toBe(lf('services:', '  api:', '    environment: [A=1, "OTEL_SERVICE_NAME=api", "PORT=4567"]'));
  });

  it('fills an empty flow list or map without a leading comma', () => {
    expect(addTo(lf('services:', '  api:', '    environment: []'), 'api', TWO)).toBe(lf('services:', '  api:', '    environment: ["OTEL_SERVICE_NAME=api", "PORT=4567"]'));
    expect(addTo(lf('services:', '  api:', '    environment: {}'), 'api', TWO)).toBe(lf('services:', '  api:', '    environment: {OTEL_SERVICE_NAME: "api", PORT: "4567"}'));
  });

  it('keeps a CRLF line end after the closing bracket', () => {
    expect(addTo(crlf('services:', '  api:', '    environment: {A: 1}'), 'api', [NAME])).toBe(crlf('services:', '  api:', '    environment: {A: 1, OTEL_SERVICE_NAME: "api"}'));
  });

  // Pins: new items go right after the last item, so a trailing comma stays last (no `,,`).
  it('adds to a flow map or list written with a trailing comma, keeping the comma last', () => {
    const map = addTo(lf('services:', '  api:', '    environment: {A: "1",}'), 'api', [NAME]);
    expect(map).toBe(lf('services:', '  api:', '    environment: {A: "1", OTEL_SERVICE_NAME: "api",}'));
    expect(parse(map).services.api.environment).toEqual({ A: '1', OTEL_SERVICE_NAME: 'api' });
    const list = addTo(lf('services:', '  api:', '    environment: [A=1,]'), 'api', [NAME]);
    expect(list).toBe(lf('services:', '  api:', '    environment: [A=1, "OTEL_SERVICE_NAME=api",]'));
    expect(parse(list).services.api.environment).toEqual(['A=1', 'OTEL_SERVICE_NAME=api']);
  });

  // Pins: in a flow collection over several lines, new items go on the last item's line, not the closing bracket's.
  it('adds to a flow list or map that spans several lines, after the last item', () => {
    const list = addTo(lf('services:', '  api:', '    environment: [', '      A=1,', '      B=2', '    ]'), 'api', [NAME]);
    expect(list).toBe(lf('services:', '  api:', '    environment: [', '      A=1,', '      B=2, "OTEL_SERVICE_NAME=api"', '    ]'));
    expect(parse(list).services.api.environment).toEqual(['A=1', 'B=2', 'OTEL_SERVICE_NAME=api']);
    const map = addTo(lf('services:', '  api:', '    environment: {', '      A: "1",', '      B: "2"', '    }'), 'api', [NAME]);
    expect(map).toBe(lf('services:', '  api:', '    environment: {', '      A: "1",', '      B: "2", OTEL_SERVICE_NAME: "api"', '    }'));
    expect(parse(map).services.api.environment).toEqual({ A: '1', B: '2', OTEL_SERVICE_NAME: 'api' });
  });

  // Pins: the spaces inside `{ ... }` stay where they were (no space before the comma, one before `}`).
  it('keeps the spacing inside `{ ... }` when adding to a flow map', () => {
    const after = addTo(lf('services:', '  api:', '    environment: { A: "1" }'), 'api', [NAME]);
    expect(after).toBe(lf('services:', '  api:', '    environment: { A: "1", OTEL_SERVICE_NAME: "api" }'));
    expect(parse(after).services.api.environment).toEqual({ A: '1', OTEL_SERVICE_NAME: 'api' });
  });
});

describe('addEnvironment: alias', () => {
  it('turns `environment: *env` into a local map merging the anchor, leaving the anchor alone', () => {
    const before = lf('x-env: &env', '  A: "1"', 'services:', '  api:', '    environment: *env', '    image: x', '  web:', '    environment: *env');
    const after = addTo(before, 'api', TWO);
    expect(after).toBe(
      lf(
        'x-env: &env',
        '  A: "1"',
        'services:',
        '  api:',
        '    environment:',
        '      <<: *env',
        '      OTEL_SERVICE_NAME: "api"',
        '      PORT: "4567"',
        '    image: x',
        '  web:',
        '    environment: *env',
      ),
    );
    expect(envOf(after, 'api')).toEqual({ A: '1', OTEL_SERVICE_NAME: 'api', PORT: '4567' });
    expect(envOf(after, 'web')).toEqual({ A: '1' });
  });

  it('copies an aliased list, keeping each item quoting, then adds the new items', () => {
    const before = lf('x-env: &env', '  - A=1', "  - 'B=2'", 'services:', '  api:', '    environment: *env');
    const after = addTo(before, 'api', TWO);
    expect(after).toBe(lf('x-env: &env', '  - A=1', "  - 'B=2'", 'services:', '  api:', '    environment:', '      - A=1', "      - 'B=2'", '      - "OTEL_SERVICE_NAME=api"', '      - "PORT=4567"'));
    expect(envOf(after, 'api')).toEqual({ A: '1', B: '2', OTEL_SERVICE_NAME: 'api', PORT: '4567' });
  });

  it('uses the file indent step and line ending', () => {
    expect(addTo(lf('x-env: &env', '    A: "1"', 'services:', '    api:', '        environment: *env'), 'api', [NAME])).toBe(
      lf('x-env: &env', '    A: "1"', 'services:', '    api:', '        environment:', '            <<: *env', '            OTEL_SERVICE_NAME: "api"'),
    );
    expect(addTo(crlf('x-env: &env', '  A: "1"', 'services:', '  api:', '    environment: *env'), 'api', [NAME])).toBe(
      crlf('x-env: &env', '  A: "1"', 'services:', '  api:', '    environment:', '      <<: *env', '      OTEL_SERVICE_NAME: "api"'),
    );
  });

  // Pins: a comment after `*env` stays on the `environment:` line; extra spaces before the alias leave none behind.
  it('keeps a comment written after `environment: *env` on the environment line', () => {
    expect(addTo(lf('x-env: &env', '  A: "1"', 'services:', '  api:', '    environment: *env # shared', '    image: x'), 'api', [NAME])).toBe(
      lf('x-env: &env', '  A: "1"', 'services:', '  api:', '    environment: # shared', '      <<: *env', '      OTEL_SERVICE_NAME: "api"', '    image: x'),
    );
    expect(addTo(lf('x-env: &env', '  A: "1"', 'services:', '  api:', '    environment:  *env', '    image: x'), 'api', [NAME])).toBe(
      lf('x-env: &env', '  A: "1"', 'services:', '  api:', '    environment:', '      <<: *env', '      OTEL_SERVICE_NAME: "api"', '    image: x'),
    );
  });
});

describe('addEnvironment: service without environment', () => {
  it('adds a block at the service key column after the last key', () => {
    const before = lf('services:', '  api:', '    image: x', '  db:', '    image: postgres');
    const after = addTo(before, 'api', TWO);
    expect(after).toBe(lf('services:', '  api:', '    image: x', '    environment:', '      OTEL_SERVICE_NAME: "api"', '      PORT: "4567"', '  db:', '    image: postgres'));
    expect(envOf(after, 'api')).toEqual({ OTEL_SERVICE_NAME: 'api', PORT: '4567' });
  });

  it('uses the indent step of a 4-space file, after a nested list', () => {
    const before = lf('services:', '    api:', '        image: x', '        ports:', '            - "80:80"', '    db:', '        image: postgres');
    expect(addTo(before, 'api', TWO)).toBe(
      lf(
        'services:',
        '    api:',
        '        image: x',
        '        ports:',
        '            - "80:80"',
        '        environment:',
        '            OTEL_SERVICE_NAME: "api"',
        '            PORT: "4567"',
        '    db:',
        '        image: postgres',
      ),
    );
  });

  it('goes after a block scalar that ends the service', () => {
    const before = lf('services:', '  api:', '    image: x', '    command: |', '      run', '  db:', '    image: p');
    const after = addTo(before, 'api', [NAME]);
    expect(after).toBe(lf('services:', '  api:', '    image: x', '    command: |', '      run', '    environment:', '      OTEL_SERVICE_NAME: "api"', '  db:', '    image: p'));
    expect(buildProject([parseComposeText('c.yml', after)]).services[0]!.config.command).toBe('run\n');
  });

  it('leaves commented-out lines that close the service after the new block', () => {
    const before = lf('services:', '  api:', '    image: x', '    # ports:', '    #   - 1:1', '  db:', '    image: p');
    expect(addTo(before, 'api', [NAME])).toBe(
      lf('services:', '  api:', '    image: x', '    environment:', '      OTEL_SERVICE_NAME: "api"', '    # ports:', '    #   - 1:1', '  db:', '    image: p'),
    );
  });

  // Pins: an empty `environment:` is refused before any edit: compose itself rejects it
  // ("services.api.environment must be a mapping"), so obs never writes into such a file.
  it('refuses an empty `environment:` as compose does, naming its line', () => {
    expect(() => parseComposeText('docker-compose.yml', lf('services:', '  api:', '    image: x', '    environment:', '    ports:', '      - "1:1"'))).toThrow(
      '`services.api.environment` must be a mapping or a list of strings, not empty (compose refuses this file too)',
    );
  });

  // Pins: a service written in flow style gets its environment in flow style, inside its braces,
  // with the same rules as block services (issue 13 item 11: `{services: {...}}` is valid compose).
  it('adds the environment of a service written as a flow map `{image: x}` in flow style', () => {
    expect(addTo(lf('services:', '  api: {image: x}'), 'api', TWO)).toBe(lf('services:', '  api: {image: x, environment: {OTEL_SERVICE_NAME: "api", PORT: "4567"}}'));
    expect(addTo(lf('services: {api: {}}'), 'api', [NAME])).toBe(lf('services: {api: {environment: {OTEL_SERVICE_NAME: "api"}}}'));
    expect(addTo(lf('{services: {api: {image: x, environment: [A=1]}}}'), 'api', [NAME])).toBe(lf('{services: {api: {image: x, environment: [A=1, "OTEL_SERVICE_NAME=api"]}}}'));
  });

  it('extends an aliased or merged environment of a flow-style service without touching the shared one', () => {
    const aliased = lf('x-env: &env {A: "1"}', 'services:', '  api: {image: x, environment: *env}', '  db: {image: y, environment: *env}');
    const out = addTo(aliased, 'api', [NAME]);
    expect(out).toBe(lf('x-env: &env {A: "1"}', 'services:', '  api: {image: x, environment: {<<: *env, OTEL_SERVICE_NAME: "api"}}', '  db: {image: y, environment: *env}'));
    expect(envOf(out, 'db')).toEqual({ A: '1' });
    const merged = lf('x-base: {environment: {A: "1"}}', 'services:', '  api: {<<: {environment: [A=1]}, image: x}');
    expect(addTo(merged, 'api', [NAME])).toBe(lf('x-base: {environment: {A: "1"}}', 'services:', '  api: {<<: {environment: [A=1]}, image: x, environment: ["A=1", "OTEL_SERVICE_NAME=api"]}'));
    const anchored = lf('x-base: &base {environment: {A: "1"}}', 'services:', '  api: {<<: *base, image: x}', '  db: {<<: *base, image: y}');
    const extended = addTo(anchored, 'api', [NAME]);
    expect(extended).toBe(
      lf('x-base: &base {environment: &obs-env {A: "1"}}', 'services:', '  api: {<<: *base, image: x, environment: {<<: *obs-env, OTEL_SERVICE_NAME: "api"}}', '  db: {<<: *base, image: y}'),
    );
    expect(envOf(extended, 'api')).toEqual({ A: '1', OTEL_SERVICE_NAME: 'api' });
    expect(envOf(extended, 'db')).toEqual({ A: '1' });
  });
});

describe('addEnvironment: inherited through `<<:`', () => {
  it('anchors the inherited map once and gives each service a local map merging it', () => {
    const before = lf('x-base: &base', '  environment:', '    A: "1"', 'services:', '  api:', '    <<: *base', '    image: x', '  web:', '    <<: *base', '  cron:', '    <<: *base');
    const file = parseComposeText('docker-compose.yml', before);
    const ctx = makeEnvEditContext(file);
    const apiEdits = addEnvironment(ctx, serviceMap(file, 'api'), [NAME]);
    const webEdits = addEnvironment(ctx, serviceMap(file, 'web'), [{ key: 'OTEL_SERVICE_NAME', value: 'web' }]);
    expect(apiEdits).toHaveLength(2);
    expect(webEdits).toHaveLength(1);
    const after = applyTextEdits(before, [...apiEdits, ...webEdits]);
    expect(after).toBe(
      lf(
        'x-base: &base',
        '  environment: &obs-env',
        '    A: "1"',
        'services:',
        '  api:',
        '    <<: *base',
        '    image: x',
        '    environment:',
        '      <<: *obs-env',
        '      OTEL_SERVICE_NAME: "api"',
        '  web:',
        '    <<: *base',
        '    environment:',
        '      <<: *obs-env',
        '      OTEL_SERVICE_NAME: "web"',
        '  cron:',
        '    <<: *base',
      ),
    );
    expect(envOf(after, 'api')).toEqual({ A: '1', OTEL_SERVICE_NAME: 'api' });
    expect(envOf(after, 'web')).toEqual({ A: '1', OTEL_SERVICE_NAME: 'web' });
    expect(envOf(after, 'cron')).toEqual({ A: '1' });
  });

  it('reuses an anchor already on the inherited map', () => {
    const before = lf('x-base: &base', '  environment: &e', '    A: "1"', 'services:', '  api:', '    <<: *base');
    expect(addTo(before, 'api', [NAME])).toBe(
      lf('x-base: &base', '  environment: &e', '    A: "1"', 'services:', '  api:', '    <<: *base', '    environment:', '      <<: *e', '      OTEL_SERVICE_NAME: "api"'),
    );
  });

  it('picks a free anchor name and puts it before a comment on the key line', () => {
    const before = lf('x-o: &obs-env', '  Z: 1', 'x-base: &base', '  environment: # shared', '    A: "1"', 'services:', '  api:', '    <<: *base');
    expect(addTo(before, 'api', [NAME])).toBe(
      lf(
        'x-o: &obs-env',
        '  Z: 1',
        'x-base: &base',
        '  environment: &obs-env-2 # shared',
        '    A: "1"',
        'services:',
        '  api:',
        '    <<: *base',
        '    environment:',
        '      <<: *obs-env-2',
        '      OTEL_SERVICE_NAME: "api"',
      ),
    );
  });

  it('anchors the environment of a service that others merge', () => {
    const before = lf('services:', '  base: &base', '    image: x', '    environment:', '      A: "1"', '  api:', '    <<: *base');
    const after = addTo(before, 'api', [NAME]);
    expect(after).toBe(
      lf(
        'services:',
        '  base: &base',
        '    image: x',
        '    environment: &obs-env',
        '      A: "1"',
        '  api:',
        '    <<: *base',
        '    environment:',
        '      <<: *obs-env',
        '      OTEL_SERVICE_NAME: "api"',
      ),
    );
    expect(envOf(after, 'base')).toEqual({ A: '1' });
  });

  it('copies an inherited list (lists cannot be merged)', () => {
    const before = lf('x-base: &base', '  environment:', '    - A=1', 'services:', '  api:', '    <<: *base', '    image: x');
    const after = addTo(before, 'api', TWO);
    expect(after).toBe(
      lf(
        'x-base: &base',
        '  environment:',
        '    - A=1',
        'services:',
        '  api:',
        '    <<: *base',
        '    image: x',
        '    environment:',
        '      - A=1',
        '      - "OTEL_SERVICE_NAME=api"',
        '      - "PORT=4567"',
      ),
    );
    expect(envOf(after, 'api')).toEqual({ A: '1', OTEL_SERVICE_NAME: 'api', PORT: '4567' });
  });

  it('uses the indent step of a 4-space file and CRLF', () => {
    expect(addTo(lf('x-base: &base', '    environment:', '        A: "1"', 'services:', '    api:', '        <<: *base'), 'api', [NAME])).toBe(
      lf(
        'x-base: &base',
        '    environment: &obs-env',
        '        A: "1"',
        'services:',
        '    api:',
        '        <<: *base',
        '        environment:',
        '            <<: *obs-env',
        '            OTEL_SERVICE_NAME: "api"',
      ),
    );
    expect(addTo(crlf('x-base: &base', '  environment:', '    A: "1"', 'services:', '  api:', '    <<: *base'), 'api', [NAME])).toBe(
      crlf('x-base: &base', '  environment: &obs-env', '    A: "1"', 'services:', '  api:', '    <<: *base', '    environment:', '      <<: *obs-env', '      OTEL_SERVICE_NAME: "api"'),
    );
  });
});

describe('addEnvironment: layout around the insertion point', () => {
  it('adds after a block scalar (`|`) ending the map, before the next service', () => {
    const before = lf('services:', '  api:', '    environment:', '      A: "1"', '      CERT: |', '        line1', '        line2', '  db:', '    image: postgres');
    const after = addTo(before, 'api', TWO);
    expect(after).toBe(
      lf(
        'services:',
        '  api:',
        '    environment:',
        '      A: "1"',
        '      CERT: |',
        '        line1',
        '        line2',
        '      OTEL_SERVICE_NAME: "api"',
        '      PORT: "4567"',
        '  db:',
        '    image: postgres',
      ),
    );
    expect(envOf(after, 'api')).toEqual({ A: '1', CERT: 'line1\nline2\n', OTEL_SERVICE_NAME: 'api', PORT: '4567' });
  });

  it('adds after a block scalar at the very end of the file (a block scalar counts as a plain neighbour)', () => {
    const before = lf('services:', '  api:', '    environment:', '      CERT: |', '        line1');
    expect(addTo(before, 'api', [NAME])).toBe(lf('services:', '  api:', '    environment:', '      CERT: |', '        line1', '      OTEL_SERVICE_NAME: api'));
  });

  it('keeps the value of a `|+` block scalar followed by a blank line', () => {
    const before = lf('services:', '  api:', '    environment:', '      CERT: |+', '        line1', '', '  db:', '    image: postgres');
    const after = addTo(before, 'api', [NAME]);
    expect(after).toBe(lf('services:', '  api:', '    environment:', '      CERT: |+', '        line1', '', '      OTEL_SERVICE_NAME: api', '  db:', '    image: postgres'));
    expect(envOf(after, 'api')).toEqual({ CERT: 'line1\n\n', OTEL_SERVICE_NAME: 'api' });
  });

  it('adds before a comment line that follows the last item, and keeps inline comments', () => {
    const before = lf('services:', '  api:', '    environment:', '      A: "1" # trailing', '      # B: "2"', '    ports:', '      - "80:80"');
    expect(addTo(before, 'api', TWO)).toBe(
      lf('services:', '  api:', '    environment:', '      A: "1" # trailing', '      OTEL_SERVICE_NAME: "api"', '      PORT: "4567"', '      # B: "2"', '    ports:', '      - "80:80"'),
    );
  });

  it('writes CRLF lines into a CRLF file, both into a map and as a new block', () => {
    const before = crlf('services:', '  api:', '    environment:', '      A: "1"', '  db:', '    image: postgres');
    expect(addTo(before, ['api', 'db'], TWO)).toBe(
      crlf(
        'services:',
        '  api:',
        '    environment:',
        '      A: "1"',
        '      OTEL_SERVICE_NAME: "api"',
        '      PORT: "4567"',
        '  db:',
        '    image: postgres',
        '    environment:',
        '      OTEL_SERVICE_NAME: "api"',
        '      PORT: "4567"',
      ),
    );
  });

  it('ends the last line of a file without a final newline before adding (planInit drops the new final newline again)', () => {
    expect(addTo('services:\n  api:\n    environment:\n      A: "1"', 'api', [NAME])).toBe(lf('services:', '  api:', '    environment:', '      A: "1"', '      OTEL_SERVICE_NAME: "api"'));
    expect(addTo('services:\n  api:\n    image: x', 'api', [NAME])).toBe(lf('services:', '  api:', '    image: x', '    environment:', '      OTEL_SERVICE_NAME: "api"'));
    expect(addTo('services:\r\n  api:\r\n    image: x', 'api', [NAME])).toBe(crlf('services:', '  api:', '    image: x', '    environment:', '      OTEL_SERVICE_NAME: "api"'));
  });

  it('returns no edits for no settings', () => {
    const file = parseComposeText('docker-compose.yml', lf('services:', '  api:', '    image: x'));
    expect(addEnvironment(makeEnvEditContext(file), serviceMap(file, 'api'), [])).toEqual([]);
  });
});

describe('findEnvEntry / replaceEnvValue', () => {
  it('replaces a double-quoted value in place, keeping quotes and the comment', () => {
    expect(replaceIn(lf('services:', '  api:', '    environment:', '      K: "old" # c', '      B: 1'), 'api', 'K', 'new')).toBe(
      lf('services:', '  api:', '    environment:', '      K: "new" # c', '      B: 1'),
    );
  });

  it('keeps single quotes, escaping an apostrophe', () => {
    expect(replaceIn(lf('services:', '  api:', '    environment:', "      K: 'old'"), 'api', 'K', "it's")).toBe(lf('services:', '  api:', '    environment:', "      K: 'it''s'"));
  });

  it('keeps a plain value plain unless the new one needs quotes', () => {
    const before = lf('services:', '  api:', '    environment:', '      K: old');
    expect(replaceIn(before, 'api', 'K', '${X}')).toBe(lf('services:', '  api:', '    environment:', '      K: ${X}'));
    expect(replaceIn(before, 'api', 'K', '*localhost*')).toBe(lf('services:', '  api:', '    environment:', '      K: "*localhost*"'));
    expect(replaceIn(lf('services:', '  api:', '    environment:', '      K: 1'), 'api', 'K', 'new')).toBe(lf('services:', '  api:', '    environment:', '      K: new'));
  });

  it('replaces `- KEY=value` list items, plain or quoted', () => {
    expect(replaceIn(lf('services:', '  api:', '    environment:', '      - K=old', '      - B=1'), 'api', 'K', 'new')).toBe(
      lf('services:', '  api:', '    environment:', '      - K=new', '      - B=1'),
    );
    expect(replaceIn(lf('services:', '  api:', '    environment:', '      - "K=old"'), 'api', 'K', 'new')).toBe(lf('services:', '  api:', '    environment:', '      - "K=new"'));
    expect(replaceIn(lf('services:', '  api:', '    environment:', '      - K'), 'api', 'K', 'new')).toBe(lf('services:', '  api:', '    environment:', '      - K=new'));
  });

  it('in a list picks the last duplicate and never a longer key with the same prefix', () => {
    expect(replaceIn(lf('services:', '  api:', '    environment:', '      - K=first', '      - K=second'), 'api', 'K', 'new')).toBe(
      lf('services:', '  api:', '    environment:', '      - K=first', '      - K=new'),
    );
    expect(replaceIn(lf('services:', '  api:', '    environment:', '      - KEY=1', '      - KEY_2=2'), 'api', 'KEY', 'new')).toBe(
      lf('services:', '  api:', '    environment:', '      - KEY=new', '      - KEY_2=2'),
    );
    expect(replaceIn(lf('services:', '  api:', '    environment:', '      - KEY_2=2'), 'api', 'KEY', 'new')).toBeUndefined();
  });

  it('finds the value where the service reads it: a merged map, an alias, an inherited list', () => {
    expect(replaceIn(lf('x-e: &e', '  K: "old"', 'services:', '  api:', '    environment:', '      <<: *e', '      B: 1'), 'api', 'K', 'new')).toBe(
      lf('x-e: &e', '  K: "new"', 'services:', '  api:', '    environment:', '      <<: *e', '      B: 1'),
    );
    expect(replaceIn(lf('x-e: &e', '  K: "old"', 'services:', '  api:', '    environment: *e'), 'api', 'K', 'new')).toBe(lf('x-e: &e', '  K: "new"', 'services:', '  api:', '    environment: *e'));
    expect(replaceIn(lf('x-b: &b', '  environment:', '    - K=old', 'services:', '  api:', '    <<: *b'), 'api', 'K', 'new')).toBe(
      lf('x-b: &b', '  environment:', '    - K=new', 'services:', '  api:', '    <<: *b'),
    );
  });

  it('a local key shadows the merged one', () => {
    expect(replaceIn(lf('x-e: &e', '  K: "merged"', 'services:', '  api:', '    environment:', '      <<: *e', '      K: local'), 'api', 'K', 'new')).toBe(
      lf('x-e: &e', '  K: "merged"', 'services:', '  api:', '    environment:', '      <<: *e', '      K: new'),
    );
  });

  it('reports the form and finds nothing for a missing key or a service without environment', () => {
    const file = parseComposeText('c.yml', lf('services:', '  api:', '    environment:', '      - K=1', '  db:', '    image: p'));
    expect(findEnvEntry(file.doc, serviceMap(file, 'api'), 'K')?.form).toBe('list');
    expect(findEnvEntry(file.doc, serviceMap(file, 'api'), 'B')).toBeUndefined();
    expect(findEnvEntry(file.doc, serviceMap(file, 'db'), 'K')).toBeUndefined();
    const map = parseComposeText('c.yml', lf('services:', '  api:', '    environment:', '      K: 1'));
    expect(findEnvEntry(map.doc, serviceMap(map, 'api'), 'K')?.form).toBe('map');
  });

  // Pins: a block scalar (`|`, `>-`) becomes a double-quoted value on the key line, keeping the line break and the next key.
  it('replaces a block-scalar (`|`) value without joining the next line', () => {
    expect(replaceIn(lf('services:', '  api:', '    environment:', '      K: |', '        old', '      B: 1'), 'api', 'K', 'new')).toBe(
      lf('services:', '  api:', '    environment:', '      K: "new"', '      B: 1'),
    );
    expect(replaceIn(lf('services:', '  api:', '    environment:', '      K: >-', '        old', '        more'), 'api', 'K', 'new')).toBe(
      lf('services:', '  api:', '    environment:', '      K: "new"'),
    );
    expect(replaceIn(crlf('services:', '  api:', '    environment:', '      K: |', '        old', '      B: 1'), 'api', 'K', 'new')).toBe(
      crlf('services:', '  api:', '    environment:', '      K: "new"', '      B: 1'),
    );
  });

  // Pins: an empty `K:` gets its new value after a space (`K: new`), not glued to the colon.
  it('replaces an empty (`K:`) value with a space after the colon', () => {
    const after = replaceIn(lf('services:', '  api:', '    environment:', '      K:', '      B: 1'), 'api', 'K', 'new');
    expect(after).toBe(lf('services:', '  api:', '    environment:', '      K: new', '      B: 1'));
    expect(envOf(after!, 'api')).toEqual({ K: 'new', B: '1' });
  });

  // The empty scalar of `K: # c` sits at the comment: the value must not be glued to it.
  it('replaces an empty value followed by a comment (`K: # c`), keeping the comment', () => {
    expect(replaceIn(lf('services:', '  api:', '    environment:', '      K: # c', '      B: 1'), 'api', 'K', 'new')).toBe(
      lf('services:', '  api:', '    environment:', '      K: new # c', '      B: 1'),
    );
  });
});

describe('a copy of an inherited list (ledermann/docker-rails: worker is <<: *app_base)', () => {
  it('writes the value the context gives for an entry (a secret moved to .env as its reference), every other entry as written', () => {
    const text = lf(
      'services:',
      '  app: &app_base',
      '    build: .',
      '    environment:',
      '      - DB_HOST=db',
      '      - AWS_SECRET_ACCESS_KEY=literal',
      '  worker:',
      '    <<: *app_base',
      '    command: sidekiq',
    );
    const file = parseComposeText('docker-compose.yml', text);
    const ctx = makeEnvEditContext(file);
    const secret = findEnvEntry(file.doc, serviceMap(file, 'app'), 'AWS_SECRET_ACCESS_KEY')!;
    ctx.copiedValues.set(secret.scalar, '${AWS_SECRET_ACCESS_KEY}');
    const out = applyTextEdits(text, addEnvironment(ctx, serviceMap(file, 'worker'), [{ key: 'OTEL_SERVICE_NAME', value: 'worker' }]));
    expect(out).toBe(
      lf(
        'services:',
        '  app: &app_base',
        '    build: .',
        '    environment:',
        '      - DB_HOST=db',
        '      - AWS_SECRET_ACCESS_KEY=literal',
        '  worker:',
        '    <<: *app_base',
        '    command: sidekiq',
        '    environment:',
        '      - DB_HOST=db',
        '      - AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY}',
        '      - "OTEL_SERVICE_NAME=worker"',
      ),
    );
  });
});
