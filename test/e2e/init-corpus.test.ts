import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { canDockerComposeRead, dockerComposeConfig, validateComposeSchema } from '../support/compose-validate.js';
import { commentLines, literalSecretsIn, readServices } from '../support/compose-read.js';
import { git, gitProject, REPO_ROOT, runObs, snapshotTree } from '../support/run-obs.js';
import { FILE_ARGS } from '../support/golden.js';
import { validateCollectorConfig } from '../support/collector.js';
import { testAwsEnv } from '../support/aws-otlp-servers.js';
import { parseObsConfig } from '../../src/config/obs-config.js';
import { BROWSER_STACKS, type Stack } from '../../src/stacks/detect.js';

/**
 * Every real project in the corpus goes through the built obs, in a git repository like a
 * user's. Each case must come out wired, readable by compose, free of literal secrets, and
 * stable: a second run changes nothing.
 */
const CORPUS = join(REPO_ROOT, 'test', 'fixtures', 'corpus');
const cases = readdirSync(CORPUS, { withFileTypes: true })
  .filter((d) => d.isDirectory() && !d.name.startsWith('_'))
  .map((d) => d.name);

/** The two cases whose YAML is broken: obs must refuse them, naming the line. */
const INVALID: Record<string, RegExp> = {
  'ExamProCo__aws-bootcamp-cruddur-2023__shell-in-yaml': /^obs: docker-compose\.yml:11:7: invalid YAML: /m,
  'madhavi-chavva__aws-bootcamp-cruddur-2023': /^obs: docker-compose\.yml:17:16: invalid YAML: /m,
};

const ENV = { CI: 'true' };

/** docker-compose's complaints, minus "variable is not set" warnings and the folder it ran in. */
function composeErrors(stderr: string, dir: string): string[] {
  if (!canDockerComposeRead(stderr)) return ['(needs a newer compose)'];
  return stderr
    .replaceAll(dir, '<dir>')
    .split('\n')
    .filter((line) => line.trim() !== '' && !/variable is not set/.test(line));
}

/** `text` without the blocks of the named services (from their key line to the next line as little indented). */
function withoutServices(text: string, names: readonly string[]): string {
  const lines = text.split('\n');
  const out: string[] = [];
  let skipIndent = -1;
  for (const line of lines) {
    const indent = line.length - line.trimStart().length;
    if (skipIndent >= 0) {
      if (line.trim() === '' || indent > skipIndent) continue;
      skipIndent = -1;
    }
    const key = /^(\s*)([\w.-]+):\s*$/.exec(line);
    if (key && names.includes(key[2]!)) {
      skipIndent = key[1]!.length;
      continue;
    }
    out.push(line);
  }
  return out.join('\n');
}

it('covers every case of the corpus', () => {
  expect(cases.length).toBeGreaterThanOrEqual(50);
});

describe.each(cases)('obs init on %s', (name) => {
  const args = FILE_ARGS[name] ?? [];

  if (INVALID[name]) {
    it('refuses invalid YAML with file:line:col, exit 2, nothing changed', async () => {
      const dir = await gitProject(join(CORPUS, name));
      const before = await snapshotTree(dir);
      const run = await runObs(['init', '--dir', dir, '--yes', ...args], { env: ENV });
      expect(run.exitCode).toBe(2);
      expect(run.stderr).toMatch(INVALID[name]!);
      expect(await snapshotTree(dir)).toEqual(before);
    });
    return;
  }

  it('wires the project, keeps comments, moves secrets, and is stable', async () => {
    const dir = await gitProject(join(CORPUS, name));
    const first = await runObs(['init', '--dir', dir, '--yes', '--json', ...args], { env: ENV });
    expect(first.stderr).not.toMatch(/unexpected error/);
    expect(first.exitCode).toBe(0);
    const result = JSON.parse(first.stdout) as {
      composeFiles: string[];
      choices: { services: string[]; pipeline: string; xray: { enabled: boolean } };
      conflicts: { service: string; key: string }[];
      movedSecrets: { envVar: string }[];
      removedServices: string[];
    };
    const beforeTexts = await Promise.all(result.composeFiles.map((f) => readFile(join(CORPUS, name, f), 'utf8')));
    const afterTexts = await Promise.all(result.composeFiles.map((f) => readFile(join(dir, f), 'utf8')));

    // Comments survive (but those inside a service obs took out: the X-Ray daemon the collector
    // replaced), the result is valid compose.
    beforeTexts.forEach((before, i) => {
      const kept = commentLines(afterTexts[i]!);
      for (const line of commentLines(withoutServices(before, result.removedServices))) expect(kept).toContain(line);
      expect(validateComposeSchema(afterTexts[i]!).errors).toEqual([]);
    });

    // Each chosen service is named, uniquely unless the user's own duplicate was reported
    // (a browser app through the collector names itself in its tracing module).
    const services = readServices(afterTexts);
    expect(result.choices.services.length).toBeGreaterThan(0);
    expect(result.choices.pipeline).toBe('collector');
    const obsConfig = parseObsConfig(await readFile(join(dir, 'obs.yaml'), 'utf8'));
    const browser = (service: string) => BROWSER_STACKS.has(obsConfig.services[service]!.stack as Stack);
    const names = new Map<string, string[]>();
    for (const service of result.choices.services.filter((s) => !browser(s))) {
      const serviceName = services[service]!.environment.OTEL_SERVICE_NAME;
      expect(serviceName, `${service} has OTEL_SERVICE_NAME`).toBeTruthy();
      names.set(serviceName!, [...(names.get(serviceName!) ?? []), service]);
    }
    for (const [serviceName, owners] of names) {
      if (owners.length > 1) {
        for (const owner of owners) expect(result.conflicts, `${serviceName} shared`).toContainEqual(expect.objectContaining({ service: owner, key: 'OTEL_SERVICE_NAME' }));
      }
    }

    // No literal secret remains; moved ones sit in a git-ignored, untracked .env.
    for (const [service, config] of Object.entries(services)) {
      expect(literalSecretsIn(config.environment), `literal secret in ${service}`).toEqual([]);
    }
    if (result.movedSecrets.length > 0) {
      const envPath = join(result.composeFiles[0]!, '..', '.env');
      const envText = await readFile(join(dir, envPath), 'utf8');
      for (const moved of result.movedSecrets) expect(envText).toMatch(new RegExp(`^${moved.envVar}=.+$`, 'm'));
      expect(await git(dir, 'ls-files', '--', envPath)).toBe('');
      expect(await git(dir, 'check-ignore', '--', envPath)).not.toBe('');
    }

    // One collector; the X-Ray daemon it replaces is gone, unless the project runs a collector of its own.
    const collectors = Object.entries(services).filter(([, s]) => /opentelemetry-collector/.test(s.image ?? ''));
    expect(collectors.length).toBeGreaterThanOrEqual(1);
    const daemons = Object.entries(services).filter(([n, s]) => /xray/.test(s.image ?? '') || /^xray-daemon/.test(n));
    if (obsConfig.collector) {
      expect(daemons).toEqual([]);
      // The config obs wrote passes the real collector's validate, with the variables compose passes it.
      const configPath = join(dir, obsConfig.collector.config);
      const validated = validateCollectorConfig(configPath, { ...testAwsEnv('us-east-1'), HONEYCOMB_API_KEY: 'test-key' });
      expect(validated.ok, validated.output).toBe(true);
    }

    // Compose itself reads the result at least as well as it read the original.
    const [original, edited] = await Promise.all([dockerComposeConfig(join(CORPUS, name), result.composeFiles), dockerComposeConfig(dir, result.composeFiles)]);
    if (!edited.skipped) {
      if (original.ok) expect(edited.ok, edited.stderr).toBe(true);
      // Where compose already failed (a missing env file, a feature newer than docker-compose 1.29),
      // it must fail for the same reasons and no new one (fewer when the failing daemon went).
      else if (!edited.ok) {
        const before = composeErrors(original.stderr, join(CORPUS, name));
        // docker-compose 1.29 stops at the first schema error it cannot read: nothing to compare after it.
        if (!before.includes('(needs a newer compose)')) for (const error of composeErrors(edited.stderr, dir)) expect(before).toContain(error);
      }
    }

    // A second run changes nothing.
    const settled = await snapshotTree(dir);
    const second = await runObs(['init', '--dir', dir, '--yes', ...args], { env: ENV });
    expect(second.exitCode).toBe(0);
    expect(second.stderr).toMatch(/Nothing to change/);
    expect(await snapshotTree(dir)).toEqual(settled);

    // --force replaces what differs (shared service names, other endpoints) and then settles too;
    // the compose file stays valid by the schema.
    const forced = await runObs(['init', '--dir', dir, '--yes', '--force', ...args], { env: ENV });
    expect(forced.exitCode, forced.stderr).toBe(0);
    const forcedTexts = await Promise.all(result.composeFiles.map((f) => readFile(join(dir, f), 'utf8')));
    for (const text of forcedTexts) expect(validateComposeSchema(text).errors).toEqual([]);
    // With force every chosen service reads its own compose service name.
    const forcedServices = readServices(forcedTexts);
    for (const service of result.choices.services.filter((s) => !browser(s))) expect(forcedServices[service]!.environment.OTEL_SERVICE_NAME).toBe(service);
    const forcedTree = await snapshotTree(dir);
    const again = await runObs(['init', '--dir', dir, '--yes', '--force', ...args], { env: ENV });
    expect(again.exitCode).toBe(0);
    expect(again.stderr).toMatch(/Nothing to change/);
    expect(await snapshotTree(dir)).toEqual(forcedTree);
  });

  // The direct pipeline (apps to Honeycomb, the X-Ray daemon) on the same project: wired, valid
  // compose, one daemon with X-Ray, stable.
  it('--pipeline direct: one daemon with X-Ray, valid compose, and stable', async () => {
    const dir = await gitProject(join(CORPUS, name));
    const first = await runObs(['init', '--dir', dir, '--yes', '--json', '--pipeline', 'direct', ...args], { env: ENV });
    expect(first.exitCode, first.stderr).toBe(0);
    const result = JSON.parse(first.stdout) as { composeFiles: string[]; choices: { services: string[]; pipeline: string; xray: { enabled: boolean } } };
    expect(result.choices.pipeline).toBe('direct');
    const texts = await Promise.all(result.composeFiles.map((f) => readFile(join(dir, f), 'utf8')));
    for (const text of texts) expect(validateComposeSchema(text).errors).toEqual([]);
    const services = readServices(texts);
    // A browser app names itself in its tracing module (no browser reads the container's variables).
    const stacks = parseObsConfig(await readFile(join(dir, 'obs.yaml'), 'utf8')).services;
    const server = result.choices.services.filter((s) => !BROWSER_STACKS.has(stacks[s]!.stack as Stack));
    for (const service of server) expect(services[service]!.environment.OTEL_SERVICE_NAME, `${service} has OTEL_SERVICE_NAME`).toBeTruthy();
    const daemons = Object.entries(services).filter(([n, s]) => /xray/.test(s.image ?? '') || /^xray-daemon/.test(n));
    if (result.choices.xray.enabled) expect(daemons.length).toBe(1);
    const settled = await snapshotTree(dir);
    const second = await runObs(['init', '--dir', dir, '--yes', ...args], { env: ENV });
    expect(second.exitCode).toBe(0);
    expect(second.stderr).toMatch(/Nothing to change/);
    expect(await snapshotTree(dir)).toEqual(settled);
  });

  // The runs above reach --force only after a plain run. A first --force run on the untouched
  // case must settle at once too (FavyanL: its header pointed at a per-service key on the first
  // --force run and at ${HONEYCOMB_API_KEY} only on the second).
  it('settles with a first --force run: a second identical run changes nothing', async () => {
    const dir = await gitProject(join(CORPUS, name));
    const first = await runObs(['init', '--dir', dir, '--yes', '--force', '--json', ...args], { env: ENV });
    expect(first.exitCode, first.stderr).toBe(0);
    const result = JSON.parse(first.stdout) as { composeFiles: string[]; movedSecrets: { envVar: string }[] };
    const tree = await snapshotTree(dir);
    const again = await runObs(['init', '--dir', dir, '--yes', '--force', ...args], { env: ENV });
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stderr, again.stderr).toMatch(/Nothing to change/);
    expect(await snapshotTree(dir)).toEqual(tree);
    // The moved secrets stay out of what obs prints and out of every file it wrote that git
    // tracks or would track (other files of a case may hold the same key: doctor reports those).
    if (result.movedSecrets.length === 0) return;
    const envText = await readFile(join(dir, result.composeFiles[0]!, '..', '.env'), 'utf8');
    const moved = new Set(result.movedSecrets.map((m) => m.envVar));
    const values = envText.split('\n').flatMap((line) => {
      const match = /^([A-Za-z0-9_]+)=(.+)$/.exec(line);
      return match && moved.has(match[1]!) ? [match[2]!] : [];
    });
    expect(values.length).toBe(moved.size);
    const written = [...(await git(dir, 'diff', '--name-only')).split('\n'), ...(await git(dir, 'ls-files', '--others', '--exclude-standard')).split('\n')];
    const tracked = await Promise.all(written.filter(Boolean).map((f) => readFile(join(dir, f), 'utf8')));
    expect(tracked.length).toBeGreaterThan(0);
    for (const value of values) {
      expect(first.stdout + first.stderr + again.stderr).not.toContain(value);
      for (const text of tracked) expect(text.includes(value)).toBe(false);
    }
  });
});
