import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decideChoices } from '../../src/commands/init/decide.js';
import { discover } from '../../src/project/discover.js';
import { readInstrumentation } from '../../src/commands/init/instrument.js';
import { planInit } from '../../src/commands/init/plan.js';
import { problemIn, verifyComposeEdits } from '../../src/compose/verify-edits.js';

const NONE = { addedServices: [], removedServices: [], removedKeys: new Map() };
import { addEnvironment, makeEnvEditContext } from '../../src/compose/edit-env.js';
import { environmentsAfterEdits, type FileEdits } from '../../src/compose/edit-proof.js';
import type { EnvMap } from '../../src/compose/environment.js';
import { parseComposeText, type ComposeFile } from '../../src/compose/parse.js';
import { buildProject, type ComposeProject } from '../../src/compose/project.js';
import { applyTextEdits, type TextEdit } from '../../src/text/edits.js';
import { addServiceEdit, xrayDaemonLines } from '../../src/compose/xray-daemon.js';
import { REPO_ROOT } from '../support/run-obs.js';

const lf = (...lines: string[]) => lines.map((l) => `${l}\n`).join('');

/** What a full re-parse of the edited files says: the reference the proof must agree with. */
function reparsed(project: ComposeProject, edited: readonly FileEdits[]): Map<string, EnvMap> {
  const files = project.files.map((file) => {
    const edit = edited.find((e) => e.file === file);
    return edit ? parseComposeText(file.path, applyTextEdits(file.text, edit.edits)) : file;
  });
  return new Map(buildProject(files).services.map((s) => [s.name, s.config.environment]));
}

function setup(...texts: string[]): { project: ComposeProject; files: ComposeFile[] } {
  const files = texts.map((text, i) => parseComposeText(i === 0 ? 'docker-compose.yml' : 'docker-compose.override.yml', text));
  return { project: buildProject(files), files };
}

const at = (text: string, marker: string, after = true): number => text.indexOf(marker) + (after ? marker.length : 0);
const insert = (offset: number, text: string): TextEdit => ({ start: offset, end: offset, text });
const asObject = (envs: Map<string, EnvMap> | undefined) => (envs ? Object.fromEntries([...envs].map(([name, env]) => [name, Object.fromEntries(env)])) : undefined);

/** The proof's answer, checked against the full re-parse whenever it gives one. */
function prove(project: ComposeProject, edited: FileEdits[]): Map<string, EnvMap> | undefined {
  const proven = environmentsAfterEdits(project, edited);
  if (proven) expect(asObject(proven)).toEqual(asObject(reparsed(project, edited)));
  return proven;
}

const BASE = lf(
  '# top comment',
  'services:',
  '  api:',
  '    build: ./api',
  '    environment:',
  '      A: "1"',
  '      B: two # a comment',
  '    ports:',
  '      - "8080:80"',
  '  worker:',
  '    image: busybox',
  '    environment:',
  '      - C=3',
  '      - D',
  '  web:',
  '    build: ./web',
  '    command: ["npm", "start"] # dev',
  '',
  'volumes:',
  '  data:',
);

describe('environmentsAfterEdits: edits it proves (and the full re-parse agrees)', () => {
  it('lines added to a map environment, a list environment, a new environment block and a new service', () => {
    const { project, files } = setup(BASE);
    const file = files[0]!;
    const ctx = makeEnvEditContext(file);
    const service = (name: string) => project.services.find((s) => s.name === name)!.definitions[0]!.map!;
    const edits = [
      ...addEnvironment(ctx, service('api'), [
        { key: 'OTEL_SERVICE_NAME', value: 'api' },
        { key: 'Q', value: 'a "quoted" value\twith a tab' },
      ]),
      ...addEnvironment(ctx, service('worker'), [{ key: 'OTEL_SERVICE_NAME', value: 'worker' }]),
      ...addEnvironment(ctx, service('web'), [{ key: 'OTEL_SERVICE_NAME', value: 'web' }]),
      addServiceEdit(file, (s) => xrayDaemonLines('xray-daemon', s), 2),
    ];
    const proven = prove(project, [{ file, edits }]);
    expect(asObject(proven)).toEqual({
      api: { A: '1', B: 'two', OTEL_SERVICE_NAME: 'api', Q: 'a "quoted" value\twith a tab' },
      worker: { C: '3', D: null, OTEL_SERVICE_NAME: 'worker' },
      web: { OTEL_SERVICE_NAME: 'web' },
      'xray-daemon': { AWS_ACCESS_KEY_ID: '${AWS_ACCESS_KEY_ID}', AWS_SECRET_ACCESS_KEY: '${AWS_SECRET_ACCESS_KEY}', AWS_REGION: '${AWS_DEFAULT_REGION}' },
    });
  });

  it('a value replaced within its line, in a map and in a list, keeps the other services as they were', () => {
    const { project, files } = setup(BASE);
    const text = files[0]!.text;
    const edits = [
      { start: at(text, 'B: '), end: at(text, 'B: two'), text: '"${B_SECRET}"' },
      { start: at(text, '- C=3', false) + 2, end: at(text, '- C=3'), text: 'C=${C}' },
    ];
    const proven = prove(project, [{ file: files[0]!, edits }]);
    expect(proven!.get('api')!.get('B')).toBe('${B_SECRET}');
    expect(proven!.get('worker')!.get('C')).toBe('${C}');
    expect(proven!.get('web')).toBe(project.services[2]!.config.environment);
  });

  it('CRLF files, and a service defined in two files (the later file wins per key)', () => {
    const base = BASE.replace(/\n/g, '\r\n');
    const { project, files } = setup(base, lf('services:', '  api:', '    environment:', '      A: "from override"'));
    const ctx = makeEnvEditContext(files[0]!);
    const edits = addEnvironment(ctx, project.services[0]!.definitions[0]!.map!, [{ key: 'A2', value: 'x' }]);
    expect(edits[0]!.text).toContain('\r\n');
    const proven = prove(project, [{ file: files[0]!, edits }]);
    expect(asObject(proven)!.api).toEqual({ A: 'from override', B: 'two', A2: 'x' });
  });
});

describe('environmentsAfterEdits: shapes it leaves to the full re-parse', () => {
  const refused = (text: string, edits: (text: string) => TextEdit[]) => {
    const { project, files } = setup(text);
    return environmentsAfterEdits(project, [{ file: files[0]!, edits: edits(text) }]);
  };

  it.each<[string, string, (text: string) => TextEdit[]]>([
    ['a line indented deeper than the keys (it would join the value above)', BASE, (t) => [insert(at(t, '# a comment\n'), '        X: "1"\n')]],
    ['a line indented less than the keys', BASE, (t) => [insert(at(t, '# a comment\n'), '     X: "1"\n')]],
    ['a key the environment has already', BASE, (t) => [insert(at(t, '# a comment\n'), '      A: "again"\n')]],
    ['an insertion before the last item', BASE, (t) => [insert(at(t, 'A: "1"\n'), '      X: "1"\n')]],
    ['an insertion that is not whole lines', BASE, (t) => [insert(at(t, '# a comment\n'), '      X: "1"')]],
    ['an unterminated quote', BASE, (t) => [insert(at(t, '# a comment\n'), '      X: "1\n')]],
    ['an alias in the new line', BASE, (t) => [insert(at(t, '# a comment\n'), '      X: *a\n')]],
    ['an anchor in the new line', BASE, (t) => [insert(at(t, '# a comment\n'), '      X: &a "1"\n')]],
    ['a merge key', BASE, (t) => [insert(at(t, '# a comment\n'), '      <<: {X: "1"}\n')]],
    ['two items on one new line', BASE, (t) => [insert(at(t, '# a comment\n'), '      X: "1", Y: "2"\n')]],
    ['text put at a line start, then whole lines at the same offset', BASE, (t) => [insert(at(t, '      B', false), '  '), insert(at(t, '      B', false), '      X: "1"\n')]],
    ['an edit outside services', BASE, (t) => [insert(at(t, '  data:\n'), '  more:\n')]],
    ['an edit to the top comment', BASE, () => [{ start: 0, end: 1, text: '#!' }]],
    ['a value edit spanning lines', BASE, (t) => [{ start: at(t, 'A: '), end: at(t, 'B: two'), text: '"x"' }]],
    ['a value turned into two lines', BASE, (t) => [{ start: at(t, 'B: '), end: at(t, 'B: two'), text: '|\n        x' }]],
    ['a key renamed', BASE, (t) => [{ start: at(t, '      B', false) + 6, end: at(t, '      B'), text: 'Z' }]],
    ['a service that already exists', BASE, (t) => [insert(at(t, '# dev\n'), '  api:\n    image: x\n')]],
    ['a line after the volumes start', BASE, (t) => [insert(t.length, '  more:\n')]],
    [
      'an environment shared through an anchor',
      lf('services:', '  a:', '    environment: &env', '      A: "1"', '  b:', '    environment: *env'),
      (t) => [insert(at(t, 'A: "1"\n'), '      X: "1"\n')],
    ],
    ['a flow mapping', lf('services:', '  a:', '    environment: {A: "1"}'), (t) => [{ start: at(t, '"1"'), end: at(t, '"1"'), text: ', X: "2"' }]],
    ['a block scalar as the last value', lf('services:', '  a:', '    environment:', '      A: |', '        text', '    image: x'), (t) => [insert(at(t, 'text\n'), '      X: "1"\n')]],
    ['YAML 1.1', `%YAML 1.1\n---\n${BASE}`, (t) => [insert(at(t, '# a comment\n'), '      X: yes\n')]],
  ])('%s', (_name, text, edits) => {
    expect(refused(text, edits)).toBeUndefined();
  });
});

describe('verifyComposeEdits catches a bad edit, with or without the proof', () => {
  const planned = (entries: Record<string, [string, string][]>) => new Map(Object.entries(entries).map(([service, settings]) => [service, settings.map(([key, value]) => ({ key, value }))]));
  const run = (edits: (text: string) => TextEdit[], plan: Record<string, [string, string][]>) => {
    const { project, files } = setup(BASE);
    const file = files[0]!;
    const list = edits(file.text);
    return () => verifyComposeEdits(project, [{ file, edits: list, after: applyTextEdits(file.text, list) }], planned(plan), NONE);
  };

  it('passes the edit the plan describes', () => {
    expect(run((t) => [insert(at(t, '# a comment\n'), '      X: "1"\n')], { api: [['X', '1']] })).not.toThrow();
  });

  it('a setting written into the wrong service (proven shape): the other service changed', () => {
    expect(run((t) => [insert(at(t, '- D\n'), '      - X=1\n')], { api: [['X', '1']] })).toThrow(/api lacks X/);
  });

  it('a setting leaking into a service left alone', () => {
    expect(run((t) => [insert(at(t, '# a comment\n'), '      X: "1"\n'), insert(at(t, '- D\n'), '      - Y=1\n')], { api: [['X', '1']] })).toThrow(/Y leaked into worker/);
  });

  it('a wrong value', () => {
    expect(run((t) => [insert(at(t, '# a comment\n'), '      X: "2"\n')], { api: [['X', '1']] })).toThrow(/api lacks X/);
  });

  it('an edit that breaks the YAML (not a proven shape: the full re-parse refuses it)', () => {
    expect(run((t) => [insert(at(t, '# a comment\n'), '      X: "1\n')], { api: [['X', '1']] })).toThrow(/obs produced invalid YAML/);
  });

  it('a setting written one level too shallow (a key of the service, not of its environment)', () => {
    // The re-read refuses it before comparing environments: compose knows no service key X.
    expect(run((t) => [insert(at(t, '# a comment\n'), '    X: "1"\n')], { api: [['X', '1']] })).toThrow(/obs produced invalid YAML .*`services\.api\.X` is not a key compose knows/);
  });

  it('problemIn names a service that disappeared and an unexpected new one', () => {
    const { project } = setup(BASE);
    const envs = new Map(project.services.map((s) => [s.name, s.config.environment]));
    envs.delete('web');
    expect(problemIn(project, envs, new Map(), NONE)).toBe('service web disappeared');
    const more = new Map(project.services.map((s) => [s.name, s.config.environment]));
    more.set('extra', new Map());
    expect(problemIn(project, more, new Map(), { ...NONE, addedServices: ['xray-daemon'] })).toBe('unexpected new service extra');
    expect(problemIn(project, more, new Map(), { ...NONE, addedServices: ['extra'] })).toBeUndefined();
  });
});

/** Cases whose compose file is not where compose's own discovery would find it (as in init-corpus). */
const FILE_ARGS: Record<string, string[]> = {
  PostHog__posthog: ['docker-compose.dev.yml'],
  apache__airflow: ['airflow-core/docs/howto/docker-compose/docker-compose.yaml'],
  cyberark__conjur: ['dev/docker-compose.yml'],
  'honeycombio__honeycomb-opentelemetry-node__smoke-tests': ['smoke-tests/docker-compose.yml'],
  'honeycombio__honeycomb-opentelemetry-python__smoke-tests': ['smoke-tests/docker-compose.yml'],
  'omenking__aws-bootcamp-cruddur-2023__prod-ecs': ['docker-compose.prod.yml'],
};

describe('environmentsAfterEdits agrees with a full re-parse on every corpus project', () => {
  const corpus = join(REPO_ROOT, 'test', 'fixtures', 'corpus');
  const cases = readdirSync(corpus, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('_'))
    .map((d) => d.name);
  let proven = 0;

  it.each(cases)('%s', async (name) => {
    const root = join(corpus, name);
    let found;
    try {
      found = await discover(root, FILE_ARGS[name]);
    } catch {
      return; // the invalid-YAML cases
    }
    const { snapshot, project } = found;
    for (const flags of [{ pipeline: 'direct' as const }, { pipeline: 'direct' as const, cloudwatch: true, rollbar: true, honeycombRegion: 'eu' as const }, {}, { cloudwatch: true }]) {
      const choices = await decideChoices({
        options: { dir: root, yes: true, ...flags },
        project,
        composePath: snapshot.compose[0]!.path,
        stacks: snapshot.stacks,
        previous: found.previous,
        projectName: snapshot.projectName,
      });
      snapshot.instrumentation = readInstrumentation(found, choices.services);
      const plan = planInit(snapshot, choices, project);
      const edited = snapshot.compose.map((file) => ({ file, edits: plan.changes.find((c) => c.path === file.path)?.edits ?? [] }));
      if (prove(project, edited)) proven++;
    }
  });

  it('proves most of them (the fast path is the common path)', () => {
    expect(proven).toBeGreaterThan(cases.length);
  });
});
