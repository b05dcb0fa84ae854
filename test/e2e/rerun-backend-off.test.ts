import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { dockerComposeConfig } from '../support/compose-validate.js';
import { REPO_ROOT, runObs, tempProject } from '../support/run-obs.js';

/**
 * "Values obs wrote follow your new choices", for a backend turned off on a re-run of the direct
 * pipeline: what obs added for it goes (the X-Ray daemon service, depends_on naming it, the
 * variables, the `.env.example` placeholders), what the user set stays and is said.
 */
const CORPUS = join(REPO_ROOT, 'test', 'fixtures', 'corpus');
const env = { CI: 'true' };

interface Service {
  environment?: Record<string, string> | string[];
  depends_on?: string[] | Record<string, unknown>;
  image?: string;
}
async function services(dir: string): Promise<Record<string, Service>> {
  return (parse(await readFile(join(dir, 'docker-compose.yml'), 'utf8')) as { services: Record<string, Service> }).services;
}
const envOf = (service: Service | undefined) => (service?.environment ?? {}) as Record<string, string>;

async function init(dir: string, ...args: string[]) {
  const run = await runObs(['init', '--dir', dir, '--yes', '--pipeline', 'direct', ...args], { env });
  expect(run.exitCode, run.stderr).toBe(0);
  return run;
}

async function expectValidCompose(dir: string): Promise<void> {
  const check = await dockerComposeConfig(dir, ['docker-compose.yml']);
  if (!check.skipped) expect(check.ok, check.stderr).toBe(true);
}

describe('re-run with a backend off (direct pipeline)', () => {
  // FavyanL's later commit (corpus FavyanL__cruddur-aws) made the backend depend_on the daemon:
  // the header-typo commit before it, once obs added the daemon, plus that one edit.
  it('--no-xray takes out the daemon obs added, the depends_on naming it and AWS_XRAY_*; --no-cloudwatch --no-rollbar the rest, .env.example too', async () => {
    const dir = await tempProject(join(CORPUS, 'FavyanL__cruddur-aws__header-typo'));
    await init(dir, '--xray', '--cloudwatch', '--rollbar');
    const first = await services(dir);
    expect(first['xray-daemon']?.image).toMatch(/aws-xray-daemon/);
    expect(envOf(first['backend-flask'])['AWS_XRAY_DAEMON_ADDRESS']).toBe('xray-daemon:2000');
    const compose = join(dir, 'docker-compose.yml');
    const text = await readFile(compose, 'utf8');
    await writeFile(compose, text.replace('    build: ./backend-flask\n', '    build: ./backend-flask\n    depends_on:\n      - db\n      - xray-daemon\n'));
    expect((await services(dir))['backend-flask']?.depends_on).toEqual(['db', 'xray-daemon']);
    const example = await readFile(join(dir, '.env.example'), 'utf8');
    expect(example).toMatch(/^AWS_ACCESS_KEY_ID=$/m);
    expect(example).toMatch(/^ROLLBAR_ACCESS_TOKEN=$/m);

    const off = await init(dir, '--no-xray');
    expect(off.stderr).toMatch(/the X-Ray daemon xray-daemon obs added goes \(X-Ray is off\), and backend-flask no longer depends on it/);
    expect(off.stderr).toMatch(/^Taken out: xray-daemon \(the X-Ray daemon: X-Ray is off\)$/m);
    expect(off.stderr).not.toMatch(/^Left alone:.*xray-daemon/m);
    const after = await services(dir);
    expect(Object.keys(after)).not.toContain('xray-daemon');
    expect(after['backend-flask']?.depends_on).toEqual(['db']);
    const backend = envOf(after['backend-flask']);
    expect(Object.keys(backend).filter((k) => k.startsWith('AWS_XRAY'))).toEqual([]);
    // CloudWatch Logs is still on: its AWS variables and placeholders stay.
    expect(backend['AWS_ACCESS_KEY_ID']).toBe('${AWS_ACCESS_KEY_ID}');
    expect(await readFile(join(dir, '.env.example'), 'utf8')).toMatch(/^AWS_ACCESS_KEY_ID=$/m);
    await expectValidCompose(dir);
    expect((await init(dir)).stderr).toMatch(/Nothing to change/);

    await init(dir, '--no-cloudwatch', '--no-rollbar');
    const bare = envOf((await services(dir))['backend-flask']);
    expect(Object.keys(bare).filter((k) => k.startsWith('AWS_') && k !== 'AWS_ENDPOINT_URL')).toEqual([]);
    expect(bare['ROLLBAR_ACCESS_TOKEN']).toBeUndefined();
    expect(bare['OTEL_EXPORTER_OTLP_ENDPOINT']).toBe('https://api.honeycomb.io');
    const placeholders = await readFile(join(dir, '.env.example'), 'utf8');
    expect(placeholders).not.toMatch(/AWS_|ROLLBAR/);
    expect(placeholders).toMatch(/^# Honeycomb ingest key .*\nHONEYCOMB_API_KEY=\n$/m);
    await expectValidCompose(dir);
    expect((await init(dir)).stderr).toMatch(/Nothing to change/);

    // Honeycomb off too: the header obs added goes. The endpoint was the fixture's own, written as obs
    // would write it: obs.yaml's record says obs did not add it, so it stays.
    await init(dir, '--no-honeycomb');
    const none = envOf((await services(dir))['backend-flask']);
    expect(none['OTEL_EXPORTER_OTLP_ENDPOINT']).toBe('https://api.honeycomb.io');
    expect(none['OTEL_EXPORTER_OTLP_HEADERS']).toBeUndefined();
    // The fixture's own misspelt header was never obs's: it stays.
    expect(none['OTEL_EXPORTER_OTLP_HEADER']).toBe('x-honeycomb-team=${HONEYCOMB_API_KEY}');
    // That header still reads HONEYCOMB_API_KEY: its placeholder stays.
    expect(await readFile(join(dir, '.env.example'), 'utf8')).toMatch(/^HONEYCOMB_API_KEY=$/m);
    await expectValidCompose(dir);
    expect((await init(dir)).stderr).toMatch(/Nothing to change/);
  });

  it('values the user set stay and are said; a placeholder whose comment the user changed stays', async () => {
    const dir = await tempProject(join(CORPUS, 'FavyanL__cruddur-aws__header-typo'));
    await init(dir, '--xray', '--rollbar');
    const compose = join(dir, 'docker-compose.yml');
    await writeFile(compose, (await readFile(compose, 'utf8')).replace('ROLLBAR_ACCESS_TOKEN: "${ROLLBAR_ACCESS_TOKEN}"', 'ROLLBAR_ACCESS_TOKEN: "${BACKEND_ROLLBAR_TOKEN}"'));
    const examplePath = join(dir, '.env.example');
    await writeFile(examplePath, (await readFile(examplePath, 'utf8')).replace(/^# AWS region for X-Ray.*$/m, '# our region: us-east-1'));

    const run = await runObs(['init', '--dir', dir, '--yes', '--no-xray', '--no-rollbar', '--json'], { env });
    expect(run.exitCode, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { notes: { kind: string; service?: string; keys?: string[]; message: string }[] };
    const kept = result.notes.find((n) => n.kind === 'kept-user-values');
    expect(kept).toMatchObject({ service: 'backend-flask', keys: ['ROLLBAR_ACCESS_TOKEN'] });
    expect(kept?.message).toBe('backend-flask: ROLLBAR_ACCESS_TOKEN is not the value obs wrote, so it stays although no choice needs it now; remove it if nothing uses it');
    const backend = envOf((await services(dir))['backend-flask']);
    expect(backend['ROLLBAR_ACCESS_TOKEN']).toBe('${BACKEND_ROLLBAR_TOKEN}');
    expect(backend['AWS_XRAY_DAEMON_ADDRESS']).toBeUndefined();
    const example = await readFile(examplePath, 'utf8');
    expect(example).toMatch(/^# our region: us-east-1\nAWS_DEFAULT_REGION=$/m);
    expect(example).not.toMatch(/AWS_ACCESS_KEY_ID|ROLLBAR_ACCESS_TOKEN/);
    await expectValidCompose(dir);
  });

  it('a daemon another service still sends to stays, and so does a daemon the user ran before obs', async () => {
    const dir = await tempProject(join(CORPUS, 'FavyanL__cruddur-aws__header-typo'));
    await init(dir, '--xray');
    const compose = join(dir, 'docker-compose.yml');
    // A worker obs leaves alone (an image, no build context), sending segments itself.
    const worker = '  worker:\n    image: python:3.12-slim\n    environment:\n      AWS_XRAY_DAEMON_ADDRESS: "xray-daemon:2000"\n\n';
    await writeFile(compose, (await readFile(compose, 'utf8')).replace('  db:\n', `${worker}  db:\n`));
    const off = await init(dir, '--no-xray');
    expect(off.stderr).toMatch(/X-Ray is off, but worker still sends to xray-daemon \(AWS_XRAY_DAEMON_ADDRESS\): the daemon stays/);
    expect(Object.keys(await services(dir))).toContain('xray-daemon');
    await expectValidCompose(dir);

    // FavyanL's own daemon (their image, flags and depends_on): obs reused it, and leaves it when X-Ray goes.
    const theirs = await tempProject(join(CORPUS, 'FavyanL__cruddur-aws'));
    await init(theirs, '--xray');
    const before = await readFile(join(theirs, 'docker-compose.yml'), 'utf8');
    const kept = await init(theirs, '--no-xray');
    expect(kept.stderr).toMatch(/X-Ray is off: xray-daemon is not a service obs added, so it stays/);
    const after = await services(theirs);
    expect(after['xray-daemon']?.image).toBe('amazon/aws-xray-daemon:latest');
    expect(after['backend-flask']?.depends_on).toEqual(['xray-daemon']);
    expect(before).toContain('xray-daemon:\n');
    await expectValidCompose(theirs);
  });
});

/**
 * AWS_XRAY_URL is no variable of any X-Ray SDK: only hand-written code reads it (the bootcamp's
 * `dynamic_naming=os.getenv("AWS_XRAY_URL")`), naming segments after the Host header, which
 * obs.yaml's group and sampling rule (`service("backend-flask")`) then never match. obs's Flask
 * module names segments after the service, so obs writes none. One already there stays: obs cannot
 * tell one it wrote from the user's (the corpus writes the same patterns by hand, and reads them
 * from modules obs does not read), and obs's module ignores it.
 */
describe('AWS_XRAY_URL (direct pipeline, X-Ray on)', () => {
  it('is not written, and doctor has nothing to fault', async () => {
    const dir = await tempProject(join(REPO_ROOT, 'examples', 'cruddur'));
    await init(dir, '--xray');
    const backend = envOf((await services(dir))['backend-flask']);
    expect(backend['AWS_XRAY_DAEMON_ADDRESS']).toBe('xray-daemon:2000');
    expect(backend['AWS_XRAY_URL']).toBeUndefined();
    const doctor = await runObs(['doctor', '--dir', dir, '--json', '--check', 'xray-url'], { env });
    const check = (JSON.parse(doctor.stdout) as { checks: { id: string; status: string; detail: string }[] }).checks[0]!;
    expect(check.status, check.detail).toBe('skip');
  });

  it('one in the form an earlier obs wrote goes with the daemon when X-Ray is turned off, so doctor finds no sender left', async () => {
    const dir = await tempProject(join(REPO_ROOT, 'examples', 'cruddur'));
    await init(dir, '--xray');
    const compose = join(dir, 'docker-compose.yml');
    // What obs wrote next to the daemon address before it stopped writing AWS_XRAY_URL.
    const text = await readFile(compose, 'utf8');
    await writeFile(compose, text.replace('      AWS_XRAY_DAEMON_ADDRESS: "xray-daemon:2000"\n', '      AWS_XRAY_URL: "*localhost:4567*"\n      AWS_XRAY_DAEMON_ADDRESS: "xray-daemon:2000"\n'));
    // ...and its obs.yaml, which had no record of what init changed: the next run writes one (obs.yaml only).
    const obsYaml = join(dir, 'obs.yaml');
    await writeFile(obsYaml, (await readFile(obsYaml, 'utf8')).replace(/\n# What obs init changed[\s\S]*$/, '\n'));
    const migrated = await init(dir, '--json');
    expect((JSON.parse(migrated.stdout) as { changes: { path: string }[] }).changes.map((c) => c.path)).toEqual(['obs.yaml']);
    expect(await readFile(obsYaml, 'utf8')).toMatch(/\n {10}- AWS_XRAY_URL\n/);
    expect((await init(dir)).stderr).toMatch(/Nothing to change/);
    await init(dir, '--no-xray');
    const backend = envOf((await services(dir))['backend-flask']);
    expect(Object.keys(backend).filter((k) => k.startsWith('AWS_XRAY'))).toEqual([]);
    const doctor = await runObs(['doctor', '--dir', dir, '--json', '--check', 'xray-daemon-present,xray-url'], { env });
    const checks = (JSON.parse(doctor.stdout) as { checks: { id: string; status: string; detail: string }[] }).checks;
    expect(checks.map((c) => [c.id, c.status])).toEqual([
      ['xray-daemon-present', 'skip'],
      ['xray-url', 'skip'],
    ]);
    expect((await init(dir)).stderr).toMatch(/Nothing to change/);
  });

  it('one already there stays, run after run, and doctor passes it', async () => {
    const dir = await tempProject(join(CORPUS, 'FavyanL__cruddur-aws'));
    await init(dir, '--xray');
    expect(envOf((await services(dir))['backend-flask'])['AWS_XRAY_URL']).toBe('*localhost:4567*');
    expect((await init(dir)).stderr).toMatch(/Nothing to change/);
    const doctor = await runObs(['doctor', '--dir', dir, '--json', '--check', 'xray-url'], { env });
    const check = (JSON.parse(doctor.stdout) as { checks: { id: string; status: string; detail: string }[] }).checks[0]!;
    expect(check.status, check.detail).toBe('pass');
  });
});
