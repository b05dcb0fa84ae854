import { describe, expect, it } from 'vitest';
import type { InitChoices } from '../../src/backends/choices.js';
import { planInit, type InitPlan } from '../../src/commands/init/plan.js';
import { planRemove } from '../../src/commands/remove/plan.js';
import type { InitSnapshot } from '../../src/project/snapshot.js';
import { parseComposeText } from '../../src/compose/parse.js';
import { parseObsConfig } from '../../src/config/obs-config.js';

/**
 * The files init appends to (`.env`, `.env.example`, `.gitignore`): one without a final newline
 * stays without one, so `obs remove` can give it back byte for byte, and never takes a line
 * ending the user wrote.
 */
const COMPOSE = 'services:\n  api:\n    build: ./api\n';

interface Files {
  dotenv?: string;
  dotenvExample?: string;
  gitignore?: string;
}

function snapshot(files: Files): InitSnapshot {
  return {
    compose: [parseComposeText('docker-compose.yml', COMPOSE)],
    projectDir: '',
    envFiles: new Map(),
    collectorConfigs: new Map(),
    hints: { gitpod: false, codespaces: false },
    stacks: new Map([['api', 'flask']]),
    envIgnored: files.gitignore === undefined,
    envTracked: false,
    projectName: 'cruddur',
    ...(files.dotenv !== undefined ? { dotenv: { path: '.env', text: files.dotenv } } : {}),
    ...(files.dotenvExample !== undefined ? { dotenvExample: { path: '.env.example', text: files.dotenvExample } } : {}),
    ...(files.gitignore !== undefined ? { gitignore: { path: '.gitignore', text: files.gitignore } } : {}),
  };
}

const CHOICES: InitChoices = {
  services: ['api'],
  pipeline: 'direct',
  honeycomb: { enabled: true, region: 'us' },
  xray: { enabled: true, group: 'cruddur' },
  cloudwatch: { enabled: false, logGroup: '/cruddur', retentionInDays: 14 },
  rollbar: { enabled: false },
  force: false,
};

function after(plan: InitPlan, path: string): string {
  const change = plan.changes.find((c) => c.path === path);
  if (!change) throw new Error(`no change planned for ${path}`);
  return change.after;
}

/** `files` after init, then `edit` (the user's changes since), as a snapshot for `obs remove`. */
function initialised(files: Files, edit: (path: string, text: string) => string = (_, t) => t): { init: InitPlan; state: InitSnapshot } {
  const base = snapshot(files);
  const init = planInit(base, CHOICES);
  const text = (path: string) => edit(path, after(init, path));
  const obsYaml = after(init, 'obs.yaml');
  const state: InitSnapshot = {
    ...base,
    compose: [parseComposeText('docker-compose.yml', after(init, 'docker-compose.yml'))],
    ...(files.dotenv !== undefined ? { dotenv: { path: '.env', text: text('.env') } } : {}),
    ...(files.dotenvExample !== undefined ? { dotenvExample: { path: '.env.example', text: text('.env.example') } } : {}),
    ...(files.gitignore !== undefined ? { gitignore: { path: '.gitignore', text: text('.gitignore') } } : {}),
    obsConfig: { path: 'obs.yaml', text: obsYaml },
    previous: parseObsConfig(obsYaml),
  };
  return { init, state };
}

/** What `obs remove` leaves in `path` (undefined: the file goes). */
function removed(state: InitSnapshot, path: string): string | undefined {
  const change = planRemove({ snapshot: state, previous: state.previous!, apps: new Map() }).changes.find((c) => c.path === path);
  const before = path === '.env' ? state.dotenv : path === '.env.example' ? state.dotenvExample : state.gitignore;
  if (!change) return before?.text;
  return change.remove ? undefined : change.after;
}

describe('files init appends to, without a final newline', () => {
  const cases: [string, Files, string][] = [
    ['.env.example, LF', { dotenvExample: 'PORT=3000\nDB=mongo' }, '.env.example'],
    ['.env.example, CRLF', { dotenvExample: 'PORT=3000\r\nDB=mongo' }, '.env.example'],
    ['.env, LF', { dotenv: '# mine\nPORT=3000' }, '.env'],
    ['.env, CRLF', { dotenv: '# mine\r\nPORT=3000' }, '.env'],
    ['.gitignore, LF', { gitignore: 'node_modules\ndist' }, '.gitignore'],
    ['.gitignore, CRLF', { gitignore: 'node_modules\r\ndist' }, '.gitignore'],
  ];

  it.each(cases)('%s: init keeps it without one, remove gives it back byte for byte', (_, files, path) => {
    const before = Object.values(files)[0] as string;
    const { init, state } = initialised(files);
    const written = after(init, path);
    expect(written.startsWith(before + (before.includes('\r\n') ? '\r\n' : '\n'))).toBe(true);
    expect(written.length).toBeGreaterThan(before.length + 2);
    expect(written.endsWith('\n')).toBe(false);
    expect(removed(state, path)).toBe(before);
  });

  it.each(cases)('%s: lines the user added after obs block stay, with the line ending before them', (_, files, path) => {
    const before = Object.values(files)[0] as string;
    const eol = before.includes('\r\n') ? '\r\n' : '\n';
    const added = path === '.gitignore' ? 'coverage' : 'LATER=1';
    const { state } = initialised(files, (p, text) => (p === path ? `${text}${eol}${added}` : text));
    expect(removed(state, path)).toBe(`${before}${eol}${added}`);
  });
});

describe('files init appends to, with a final newline', () => {
  it.each([
    ['.env.example', { dotenvExample: 'PORT=3000\nDB=mongo\n' }],
    ['.env', { dotenv: '# mine\r\nPORT=3000\r\n' }],
    ['.gitignore', { gitignore: 'node_modules\ndist\n' }],
  ] as [string, Files][])('%s: init ends it with one, remove gives it back byte for byte', (path, files) => {
    const before = Object.values(files)[0] as string;
    const { init, state } = initialised(files);
    expect(after(init, path).endsWith('\n')).toBe(true);
    expect(removed(state, path)).toBe(before);
  });

  it('a user who took the final newline away after init keeps a file without one', () => {
    const { state } = initialised({ dotenvExample: 'PORT=3000\n' }, (_, text) => text.replace(/\n$/, ''));
    expect(removed(state, '.env.example')).toBe('PORT=3000');
  });
});
