import { describe, expect, it } from 'vitest';
import { buildEnvironmentIndex, envFilePath, type EnvFileReader } from '../../src/compose/environment-index.js';
import { parseComposeText } from '../../src/compose/parse.js';
import { buildProject } from '../../src/compose/project.js';
import { verifyEnvFileEdits } from '../../src/compose/verify-edits.js';

const lf = (...lines: string[]) => lines.map((l) => `${l}\n`).join('');

function indexOf(files: [string, string][], envFiles: Record<string, string> = {}, projectDir = '') {
  const project = buildProject(files.map(([path, text]) => parseComposeText(path, text)));
  const read: EnvFileReader = (path) => (envFiles[path] === undefined ? null : { path, text: envFiles[path] });
  return buildEnvironmentIndex(project, projectDir, read);
}

/** key -> "value @file:line (from)" for one service, for compact expectations. */
function described(index: ReturnType<typeof indexOf>, service: string): Record<string, string> {
  return Object.fromEntries([...index.variables(service)].map(([k, v]) => [k, `${v.value} @${v.file}:${v.line} ${v.from}/${v.form}`]));
}

describe('the compose environment index', () => {
  it('reads list and map forms, and env_file under environment', () => {
    const index = indexOf(
      [['compose.yaml', lf('services:', '  web:', '    env_file: .env', '    environment:', '      - A=from-list', '      - PASS', '  api:', '    environment:', '      B: 1.0', '      C:')]],
      { '.env': lf('A=from-file', 'D=only-file') },
    );
    expect(described(index, 'web')).toEqual({
      A: 'from-list @compose.yaml:5 environment/list',
      D: 'only-file @.env:2 env_file/dotenv',
      PASS: 'null @compose.yaml:6 environment/list',
    });
    expect(described(index, 'api')).toEqual({ B: '1 @compose.yaml:9 environment/map', C: 'null @compose.yaml:10 environment/map' });
  });

  it('resolves anchors and merges, and lets a later compose file win', () => {
    const base = lf('x-env: &env', '  SHARED: base', '  OTHER: o', 'services:', '  web:', '    environment:', '      <<: *env', '      SHARED: own', '  worker:', '    environment: *env');
    const override = lf('services:', '  web:', '    environment:', '      OTHER: override');
    const index = indexOf([
      ['compose.yaml', base],
      ['compose.override.yaml', override],
    ]);
    expect(described(index, 'web')).toEqual({ SHARED: 'own @compose.yaml:8 environment/map', OTHER: 'override @compose.override.yaml:4 environment/map' });
    expect(described(index, 'worker')).toEqual({ SHARED: 'base @compose.yaml:2 environment/map', OTHER: 'o @compose.yaml:3 environment/map' });
    // worker reads the anchor web merges, but web writes into its own map: nobody else reads it.
    expect(index.sharedWith('web')).toEqual([]);
    const source = (service: string) => Object.fromEntries([...index.variables(service)].map(([k, v]) => [k, `${v.source}${v.override ? ' override' : ''}`]));
    expect(source('web')).toEqual({ SHARED: 'inline', OTHER: 'inline override' });
    expect(source('worker')).toEqual({ SHARED: 'anchor', OTHER: 'anchor' });
  });

  it('knows which services read an anchored environment', () => {
    const text = lf('services:', '  web:', '    environment: &env', '      A: 1', '  worker:', '    environment: *env');
    const index = indexOf([['compose.yaml', text]]);
    expect(index.sharedWith('web')).toEqual(['worker']);
  });

  it('reads env_file in string, list and object forms, in order, relative to the project directory', () => {
    const text = lf(
      'services:',
      '  one:',
      '    env_file: ./a.env',
      '  two:',
      '    env_file: [a.env, b.env]',
      '  three:',
      '    env_file:',
      '      - path: b.env',
      '      - path: ./missing.env',
      '        required: false',
      '      - path: broken.env',
    );
    const index = indexOf([['app/compose.yaml', text]], { 'app/a.env': 'X=a\nY=a\n', 'app/b.env': 'X=b\n', 'app/broken.env': 'not a line\n' }, 'app');
    expect(described(index, 'one')).toEqual({ X: 'a @app/a.env:1 env_file/dotenv', Y: 'a @app/a.env:2 env_file/dotenv' });
    expect(described(index, 'two')).toEqual({ X: 'b @app/b.env:1 env_file/dotenv', Y: 'a @app/a.env:2 env_file/dotenv' });
    expect(index.services.get('three')!.envFiles).toEqual([
      { path: 'app/b.env', required: true, state: 'read' },
      { path: 'app/missing.env', required: false, state: 'missing' },
      { path: 'app/broken.env', required: true, state: 'unreadable' },
    ]);
    expect(index.envFileReaders('app/a.env')).toEqual(['one', 'two']);
    expect(index.envFileReaders('./app/b.env')).toEqual(['two', 'three']);
  });

  it('merges env_file from anchors (a service-level <<:) the way compose does', () => {
    const text = lf('x-app: &app', '  env_file:', '    - ".env"', 'services:', '  web:', '    <<: *app', '    environment:', '      OWN: web', '  worker:', '    <<: *app');
    const index = indexOf([['compose.yaml', text]], { '.env': 'export KEY=v\n' });
    expect(index.envFileReaders('.env')).toEqual(['web', 'worker']);
    expect(described(index, 'worker')).toEqual({ KEY: 'v @.env:1 env_file/dotenv' });
    expect(described(index, 'web')).toEqual({ KEY: 'v @.env:1 env_file/dotenv', OWN: 'web @compose.yaml:8 environment/map' });
    expect(index.variables('web').get('KEY')).toMatchObject({ source: 'env_file', override: false });
    expect(index.variables('web').get('KEY')!.node).toBeUndefined();
    expect(String((index.variables('web').get('OWN')!.node as { value?: unknown }).value)).toBe('OWN');
  });

  it('normalises env_file paths', () => {
    expect(envFilePath('', './.env')).toBe('.env');
    expect(envFilePath('.', 'env/a.env')).toBe('env/a.env');
    expect(envFilePath('dev', './x/../b.env')).toBe('dev/b.env');
  });
});

describe('the env_file guard under init (verifyEnvFileEdits)', () => {
  const text = lf('x-app: &app', '  env_file: [".env"]', 'services:', '  web:', '    <<: *app', '  worker:', '    <<: *app');
  const project = buildProject([parseComposeText('compose.yaml', text)]);
  const before: EnvFileReader = (path) => (path === '.env' ? { path, text: 'A=1\n' } : null);

  it('stops a key that would reach a service left alone through a shared env_file', () => {
    expect(() => verifyEnvFileEdits(project, '', before, [{ path: '.env', after: 'A=1\nHONEYCOMB_API_KEY=\n' }], new Set(['web']), new Set())).toThrow(
      'obs planned an edit that does not read back as intended (HONEYCOMB_API_KEY leaked into worker through env_file); nothing was written',
    );
    expect(() => verifyEnvFileEdits(project, '', before, [{ path: '.env', after: 'A=2\n' }], new Set(['web']), new Set())).toThrow("worker's env_file A changed");
  });

  it('lets it pass when every reader is chosen, or for a secret moved into .env', () => {
    expect(() => verifyEnvFileEdits(project, '', before, [{ path: '.env', after: 'A=1\nK=\n' }], new Set(['web', 'worker']), new Set())).not.toThrow();
    expect(() => verifyEnvFileEdits(project, '', before, [{ path: '.env', after: 'A=1\nK=v\n' }], new Set(['web']), new Set(['K']))).not.toThrow();
    expect(() => verifyEnvFileEdits(project, '', before, [{ path: 'other.env', after: 'K=v\n' }], new Set(['web']), new Set())).not.toThrow();
  });
});
