import { chmod, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runObs, snapshotTree, tempProject, type ObsRun } from '../support/run-obs.js';

/**
 * The spec's rule for bad input: one clear line naming the file (and line:col for YAML),
 * exit code 2, and nothing changed on disk. Every case runs the built binary on a temp
 * project and compares the tree before and after.
 */
const CORPUS = join(REPO_ROOT, 'test', 'fixtures', 'corpus');
const ENV = { CI: 'true' };

/** A small project obs can wire: one service built here, one infrastructure image. */
const GOOD_COMPOSE = ['services:', '  web:', '    build: ./app', '  db:', '    image: postgres:16', ''].join('\n');

const made: string[] = [];
afterAll(async () => {
  // Tests run as root, so rm works even where a test left a folder read-only.
  await Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A temp project: `files` maps relative paths to contents; `app/Dockerfile` makes `web` a built service. */
async function project(files: Record<string, string> = {}, from?: string): Promise<string> {
  const dir = await tempProject(from);
  made.push(dir);
  if (!from) {
    await mkdir(join(dir, 'app'));
    await writeFile(join(dir, 'app', 'Dockerfile'), 'FROM node:20\n');
  }
  for (const [path, text] of Object.entries(files)) await writeFile(join(dir, path), text);
  return dir;
}

/**
 * Runs `obs init --dir <dir> --yes <args>` and checks the rule: exit 2, the error is one line
 * matching `first` (followed at most by one indented hint line, and nothing else), and the
 * tree is byte-for-byte (and mode-for-mode) the same afterwards. Returns the run and the
 * error's lines for case-specific checks.
 *
 * Progress lines (`obs init: <dir> (...)`) may come before the error on stderr when the problem
 * is found after discovery; the error itself is the first `obs:`/`error:` line. stdout holds
 * nothing, or the diff of what obs planned when the problem shows only as it writes.
 */
async function expectRefused(dir: string, args: string[], first: RegExp): Promise<{ run: ObsRun; error: string; rest: string[] }> {
  const before = await snapshotTree(dir);
  const run = await runObs(['init', '--dir', dir, '--yes', ...args], { env: ENV });
  expect(run.stderr, run.stderr).not.toMatch(/unexpected error/);
  expect(run.exitCode, run.stderr).toBe(2);
  const lines = run.stderr.split('\n').filter((l) => l.trim() !== '');
  const at = lines.findIndex((l) => /^(obs|error): /.test(l));
  expect(at, `no error line in:\n${run.stderr}`).toBeGreaterThanOrEqual(0);
  const error = lines[at]!;
  const rest = lines.slice(at + 1);
  expect(error).toMatch(first);
  // One error line, then at most one hint line, indented (or commander's usage pointer).
  expect(rest.length, run.stderr).toBeLessThanOrEqual(1);
  for (const line of rest) expect(line).toMatch(/^ {2}\S|^\(run obs init --help for usage\)$/);
  expect(lines.filter((l) => l.startsWith('obs: ')).length, run.stderr).toBeLessThanOrEqual(1);
  if (run.stdout !== '') expect(run.stdout).toMatch(/^--- (a\/|\/dev\/null)/);
  expect(run.stdout).not.toMatch(/^(obs|error): /m);
  expect(await snapshotTree(dir)).toEqual(before);
  return { run, error, rest };
}

/** The error comes before any progress output: nothing else on stderr precedes it. */
function expectFirstLine(run: ObsRun): void {
  const firstLine = run.stderr.split('\n')[0]!;
  expect(firstLine, run.stderr).toMatch(/^(obs|error): /);
}

describe('obs init refuses bad input: exit 2, one line, nothing changed', () => {
  it('positive control: the same project without a defect is wired (exit 0, files written)', async () => {
    const dir = await project({ 'docker-compose.yml': GOOD_COMPOSE });
    const before = await snapshotTree(dir);
    const run = await runObs(['init', '--dir', dir, '--yes'], { env: ENV });
    expect(run.stderr).not.toMatch(/^obs: /m);
    expect(run.exitCode, run.stderr).toBe(0);
    const after = await snapshotTree(dir);
    expect(after).not.toEqual(before);
    expect(Object.keys(after)).toContain('obs.yaml');
    expect(after['docker-compose.yml']).not.toBe(before['docker-compose.yml']);
  });

  describe('invalid YAML', () => {
    it('shell commands pasted into an environment mapping (corpus: ExamProCo shell-in-yaml) name line 11', async () => {
      // Line 11 is `      export HONEYCOMB_API_KEY="..."`, the first shell line inside `environment:`.
      const dir = await project({}, join(CORPUS, 'ExamProCo__aws-bootcamp-cruddur-2023__shell-in-yaml'));
      const { run } = await expectRefused(dir, [], /^obs: docker-compose\.yml:11:7: invalid YAML: \S/);
      expectFirstLine(run);
    });

    it('two mappings run together on one line (corpus: madhavi-chavva) name line 17, column 16', async () => {
      // Line 17 is `      timeout: 10sOTEL_EXPORTER_OTLP_HEADERS: "..."`: the value starts at column 16.
      const dir = await project({}, join(CORPUS, 'madhavi-chavva__aws-bootcamp-cruddur-2023'));
      const { run } = await expectRefused(dir, [], /^obs: docker-compose\.yml:17:16: invalid YAML: \S/);
      expectFirstLine(run);
    });

    it('a tab-indented file names the first tab', async () => {
      const dir = await project({ 'docker-compose.yml': 'services:\n\tweb:\n\t\tbuild: ./app\n' });
      const { run } = await expectRefused(dir, [], /^obs: docker-compose\.yml:2:1: invalid YAML: .*[Tt]ab/);
      expectFirstLine(run);
    });

    it('a duplicate key names the second occurrence', async () => {
      const text = ['services:', '  web:', '    build: ./app', '    image: web:dev', '    build: ./other', ''].join('\n');
      const dir = await project({ 'docker-compose.yml': text });
      const { run } = await expectRefused(dir, [], /^obs: docker-compose\.yml:5:5: invalid YAML: .*unique/);
      expectFirstLine(run);
    });

    it('a duplicate service name names the second service', async () => {
      const text = ['services:', '  web:', '    build: ./app', '  web:', '    image: nginx', ''].join('\n');
      const dir = await project({ 'docker-compose.yml': text });
      await expectRefused(dir, [], /^obs: docker-compose\.yml:4:3: invalid YAML: .*unique/);
    });
  });

  describe('YAML that is not a compose mapping', () => {
    it('a list at the top', async () => {
      const dir = await project({ 'docker-compose.yml': '- web\n- db\n' });
      const { run } = await expectRefused(dir, [], /^obs: docker-compose\.yml:1:1: a compose file must be a mapping/);
      expectFirstLine(run);
    });

    it('a scalar at the top', async () => {
      const dir = await project({ 'docker-compose.yml': '# just a comment\nhello world\n' });
      const { run } = await expectRefused(dir, [], /^obs: docker-compose\.yml:2:1: a compose file must be a mapping/);
      expectFirstLine(run);
    });

    it('`services:` that is a list', async () => {
      const dir = await project({ 'docker-compose.yml': 'name: demo\nservices:\n  - web\n  - db\n' });
      const { run } = await expectRefused(dir, [], /^obs: docker-compose\.yml:3:3: `services` must be a mapping/);
      expectFirstLine(run);
    });

    it('several YAML documents in one file name the line of the second', async () => {
      const dir = await project({ 'docker-compose.yml': `${GOOD_COMPOSE}---\nservices:\n  other:\n    image: nginx\n` });
      const { run } = await expectRefused(dir, [], /^obs: docker-compose\.yml:6:1: a compose file holds one YAML document/);
      expectFirstLine(run);
    });
  });

  describe('missing or unusable files', () => {
    it('no compose file in an empty directory names the names it looked for', async () => {
      const dir = await tempProject();
      made.push(dir);
      const { run, rest } = await expectRefused(dir, [], /^obs: no compose file in .*\(looked for .*docker-compose\.yml.*\)$/);
      expectFirstLine(run);
      expect(rest[0]).toMatch(/--dir|--file/);
      expect(await snapshotTree(dir)).toEqual({});
    });

    it('no compose file but a look-alike (Docker-compose.yml, as in ndrwptrsn/react-flask-postgres-boilerplate): the hint names it for init and doctor', async () => {
      const dir = await project({ 'Docker-compose.yml': GOOD_COMPOSE });
      const { run, rest } = await expectRefused(dir, [], /^obs: no compose file in /);
      expectFirstLine(run);
      expect(rest[0]).toBe('  Docker-compose.yml is here but not a name compose reads by itself: pass -f Docker-compose.yml (docker compose needs it too), or rename it');
      const doctor = await runObs(['doctor', '--dir', dir], { env: { CI: 'true' } });
      expect(doctor.exitCode).toBe(1);
      expect(doctor.stdout).toMatch(/^ {4}fix: obs doctor -f Docker-compose\.yml \(/m);
      const wired = await runObs(['init', '--dir', dir, '--yes', '--dry-run', '-f', 'Docker-compose.yml'], { env: { CI: 'true' } });
      expect(wired.exitCode, wired.stderr).toBe(0);
    });

    it('-f nope.yml names nope.yml', async () => {
      const dir = await project({ 'docker-compose.yml': GOOD_COMPOSE });
      const { run } = await expectRefused(dir, ['-f', 'nope.yml'], /^obs: nope\.yml: no such file$/);
      expectFirstLine(run);
    });

    it('an unreadable compose file (chmod 000) is refused even as root', async () => {
      const dir = await project({ 'docker-compose.yml': GOOD_COMPOSE });
      await chmod(join(dir, 'docker-compose.yml'), 0o000);
      const { run } = await expectRefused(dir, [], /^obs: docker-compose\.yml: .*not readable/);
      expectFirstLine(run);
    });

    it('a read-only compose file (chmod 444) that obs would modify is refused before anything is written', async () => {
      const dir = await project({ 'docker-compose.yml': GOOD_COMPOSE });
      await chmod(join(dir, 'docker-compose.yml'), 0o444);
      await expectRefused(dir, [], /^obs: docker-compose\.yml: .*read-only/);
    });

    it('a read-only project folder (chmod 555) where obs must create obs.yaml is refused before anything is written', async () => {
      const dir = await project({ 'docker-compose.yml': GOOD_COMPOSE });
      await chmod(dir, 0o555);
      try {
        await expectRefused(dir, [], /^obs: [\w.-]+: .*folder .* read-only/);
        expect((await stat(dir)).mode & 0o777).toBe(0o555);
      } finally {
        await chmod(dir, 0o755);
      }
    });

    it('a .env that is a folder, where obs must move a secret, is refused before anything is written', async () => {
      // Renaming the staged .env onto a folder failed after the compose file was already
      // replaced: the secret was gone from compose and sat only in a leftover temp file.
      const text = ['services:', '  web:', '    build: ./app', '    environment:', '      AWS_ACCESS_KEY_ID: AKIAABCDEFGHIJKLMNOP', ''].join('\n');
      const dir = await project({ 'docker-compose.yml': text });
      await mkdir(join(dir, '.env'));
      await writeFile(join(dir, '.env', 'keep'), 'x\n');
      await expectRefused(dir, [], /^obs: \.env: .*is a folder, not a file/);
    });
  });

  describe('bad flags', () => {
    it('--services nope names the compose file and lists the known services', async () => {
      const dir = await project({ 'docker-compose.yml': GOOD_COMPOSE });
      expectFirstLine((await expectRefused(dir, ['--services', 'nope'], /^obs: --services names "nope", not in docker-compose\.yml \(services: web, db\)$/)).run);
    });

    it('--retention 2', async () => {
      const dir = await project({ 'docker-compose.yml': GOOD_COMPOSE });
      expectFirstLine((await expectRefused(dir, ['--cloudwatch', '--retention', '2'], /^obs: --retention must be one of 1, 3, 5, .* got "2"$/)).run);
    });

    it('--xray-group Default', async () => {
      const dir = await project({ 'docker-compose.yml': GOOD_COMPOSE });
      expectFirstLine((await expectRefused(dir, ['--xray-group', 'Default'], /^obs: --xray-group cannot be "Default"/)).run);
    });

    it('--xray-group of 33 characters', async () => {
      const dir = await project({ 'docker-compose.yml': GOOD_COMPOSE });
      expectFirstLine((await expectRefused(dir, ['--xray-group', 'a'.repeat(33)], /^obs: --xray-group must be 1 to 32 characters, got 33$/)).run);
    });

    it('--log-group aws/x', async () => {
      const dir = await project({ 'docker-compose.yml': GOOD_COMPOSE });
      expectFirstLine((await expectRefused(dir, ['--cloudwatch', '--log-group', 'aws/x'], /^obs: --log-group cannot start with "aws\/"/)).run);
    });

    // Every flag given is checked, even for a backend left off: a typo is never silently ignored.
    it('--log-group aws/x without --cloudwatch is still refused, before any other output', async () => {
      const dir = await project({ 'docker-compose.yml': GOOD_COMPOSE });
      const { run } = await expectRefused(dir, ['--log-group', 'aws/x'], /^obs: --log-group cannot start with "aws\/"/);
      expectFirstLine(run);
    });

    it('--xray-group Default with --no-xray is still refused', async () => {
      const dir = await project({ 'docker-compose.yml': GOOD_COMPOSE });
      const { run } = await expectRefused(dir, ['--no-xray', '--xray-group', 'Default'], /^obs: --xray-group cannot be "Default"/);
      expectFirstLine(run);
    });

    // A flag for a backend that ends up off did nothing, silently (QA): it is refused, naming the fix.
    it.each([
      [['--log-group', '/app'], /^obs: --log-group needs CloudWatch Logs: add --cloudwatch$/],
      [['--retention', '30'], /^obs: --retention needs CloudWatch Logs: add --cloudwatch$/],
      [['--no-cloudwatch', '--log-group', '/app'], /^obs: --log-group needs CloudWatch Logs, which --no-cloudwatch turns off: drop one of the two$/],
      [['--no-xray', '--xray-group', 'App'], /^obs: --xray-group needs X-Ray, which --no-xray turns off: drop one of the two$/],
      [['--no-honeycomb', '--honeycomb-region', 'eu'], /^obs: --honeycomb-region needs Honeycomb, which --no-honeycomb turns off: drop one of the two$/],
      [['--no-honeycomb', '--honeycomb-dataset', 'd'], /^obs: --honeycomb-dataset needs Honeycomb, which --no-honeycomb turns off: drop one of the two$/],
    ])('%j for a backend left off: exit 2, one line naming the flag and the fix', async (args, message) => {
      const dir = await project({ 'docker-compose.yml': GOOD_COMPOSE });
      await expectRefused(dir, args, message);
    });

    it('--xray-group with only a browser app instrumented (X-Ray off by default) names --xray', async () => {
      const compose = ['services:', '  web:', '    build: ./app', ''].join('\n');
      const dir = await project({ 'docker-compose.yml': compose, 'app/package.json': '{"dependencies": {"react": "18.0.0", "react-scripts": "5.0.0"}}\n' });
      await expectRefused(dir, ['--xray-group', 'App'], /^obs: --xray-group needs X-Ray: add --xray$/);
    });

    it('--log-group with CloudWatch on in obs.yaml from a previous run is taken, not refused', async () => {
      const dir = await project({ 'docker-compose.yml': GOOD_COMPOSE });
      const first = await runObs(['init', '--dir', dir, '--yes', '--cloudwatch'], { env: ENV });
      expect(first.exitCode, first.stderr).toBe(0);
      const second = await runObs(['init', '--dir', dir, '--yes', '--log-group', '/other', '--retention', '30'], { env: ENV });
      expect(second.exitCode, second.stderr).toBe(0);
      const config = await readFile(join(dir, 'obs.yaml'), 'utf8');
      expect(config).toContain('    - name: /other\n      retentionInDays: 30\n');
    });

    // The daemon got OTEL_* variables and AWS_XRAY_DAEMON_ADDRESS pointing at itself (QA).
    it('--services naming the X-Ray daemon obs would reuse (corpus: FavyanL) is refused before any output', async () => {
      const dir = await project({}, join(CORPUS, 'FavyanL__cruddur-aws'));
      const { run } = await expectRefused(
        dir,
        ['--services', 'backend-flask,xray-daemon'],
        /^obs: --services names "xray-daemon", which runs the X-Ray daemon \(amazon\/aws-xray-daemon:latest\): obs does not instrument the daemon; leave it out$/,
      );
      expectFirstLine(run);
    });

    it('--honeycomb-region mars (commander choices) names the flag', async () => {
      const dir = await project({ 'docker-compose.yml': GOOD_COMPOSE });
      const { run, error } = await expectRefused(dir, ['--honeycomb-region', 'mars'], /--honeycomb-region/);
      expectFirstLine(run);
      expect(error).toMatch(/'mars'/);
    });
  });

  describe('bad side files', () => {
    it('a .env with an unterminated quote names .env and the line', async () => {
      const dir = await project({ 'docker-compose.yml': GOOD_COMPOSE, '.env': 'A=1\nB="never closed\nC=3\n' });
      const { run } = await expectRefused(dir, [], /^obs: \.env:2(:\d+)?: .*unterminated/);
      expectFirstLine(run);
    });

    it('an obs.yaml that is invalid YAML names obs.yaml:line:col', async () => {
      const dir = await project({ 'docker-compose.yml': GOOD_COMPOSE, 'obs.yaml': 'version: 1\nservices: [web\n' });
      const { run } = await expectRefused(dir, [], /^obs: obs\.yaml:3:1: invalid YAML: \S/);
      expectFirstLine(run);
    });

    it('an obs.yaml with version: 7 names obs.yaml and the line', async () => {
      const dir = await project({ 'docker-compose.yml': GOOD_COMPOSE, 'obs.yaml': '# written by a future obs\nversion: 7\n' });
      const { run } = await expectRefused(dir, [], /^obs: obs\.yaml:2(:\d+)?: unsupported obs\.yaml version 7/);
      expectFirstLine(run);
    });
  });

  it.each([['services:\n'], ['services: {}\n'], ['name: app\n']])('a compose file without services (%j) says so, with or without --services', async (text) => {
    // It said "every service runs a database, cache or proxy image" and offered an empty list.
    const dir = await project({ 'docker-compose.yml': text });
    const { run, rest } = await expectRefused(dir, [], /^obs: docker-compose\.yml: no services are defined in it$/);
    expect(rest).toEqual(['  add your services under `services:` and run obs again']);
    expect(run.stderr).not.toMatch(/database|choose among/);
    await expectRefused(dir, ['--services', 'web'], /^obs: docker-compose\.yml: no services are defined in it$/);
  });

  it('no service with a build context (only infrastructure images) and no --services: a hint names --services', async () => {
    const text = ['services:', '  db:', '    image: postgres:16', '  cache:', '    image: redis:7', ''].join('\n');
    const dir = await project({ 'docker-compose.yml': text });
    const { error, rest } = await expectRefused(dir, [], /^obs: no application service found in docker-compose\.yml/);
    expect(error).not.toMatch(/--services/);
    expect(rest).toHaveLength(1);
    expect(rest[0]).toMatch(/^ {2}.*--services .*db, cache/);
  });
});

describe('obs init never rewrites a file that is not UTF-8 text', () => {
  it('a Latin-1 app.py: observability.py is written, app.py and requirements.txt keep every byte, the note says what to add', async () => {
    const dir = await project({ 'docker-compose.yml': GOOD_COMPOSE, 'app/requirements.txt': 'flask\n' });
    const latin1 = Buffer.from('# caf\xe9 menu\nfrom flask import Flask\napp = Flask(__name__)\n', 'latin1');
    await writeFile(join(dir, 'app', 'app.py'), latin1);
    const run = await runObs(['init', '--dir', dir, '--yes', '--services', 'web', '--no-xray'], { env: ENV });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(await readFile(join(dir, 'app', 'app.py'))).toEqual(latin1);
    expect(await readFile(join(dir, 'app', 'requirements.txt'), 'utf8')).toBe('flask\n');
    expect(await readFile(join(dir, 'app', 'observability.py'), 'utf8')).toContain('def init_observability(app):');
    const note = run.stderr.slice(run.stderr.indexOf('- web: app/app.py is not UTF-8'));
    // requirements.txt declares Flask alone: no instrumentation for requests.
    expect(note.split('\n').slice(0, 12).join('\n')).toBe(
      [
        '- web: app/app.py is not UTF-8 text, and an edit would change its other bytes. obs writes app/observability.py and changes nothing else; to finish by hand:',
        '    add after line 1 of app/requirements.txt:',
        '        # Observability (added by obs init)',
        '        opentelemetry-api==1.45.1',
        '        opentelemetry-sdk==1.45.1',
        '        opentelemetry-exporter-otlp-proto-http==1.45.1',
        '        opentelemetry-instrumentation-flask==0.66b1',
        '    add after line 3 of app/app.py:',
        '        from observability import init_observability',
        '        init_observability(app)',
        '6 file(s) to change: docker-compose.yml (modify), otel-collector-config.yaml (create), app/observability.py (create), .env.example (create), .gitignore (create), obs.yaml (create)',
        'Wrote 6 file(s).',
      ].join('\n'),
    );
  });
});
