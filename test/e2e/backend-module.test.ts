import { execa } from 'execa';
import { cp, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runInPty } from '../support/pty.js';
import { REPO_ROOT, runObs, scratchDir, tempProject } from '../support/run-obs.js';

/**
 * Issue 10's promise for backends: a new one is one module plus its line in the list. A copy of
 * obs gets test/fixtures/backends/otlp.ts as src/backends/otlp.ts and one entry in
 * src/backends/index.ts -- nothing else -- is type-checked and built, and the new backend shows
 * in --help, in the questions, in the compose environment, in obs.yaml and among doctor's checks.
 */
const CRUDDUR = join(REPO_ROOT, 'examples', 'cruddur');
const ENTER = '\r';
let root: string;
let bin: string;
let indexDiff: string;

beforeAll(async () => {
  root = join(await scratchDir('obs-backend-'), 'obs');
  await mkdir(root);
  for (const part of ['src', 'templates', 'scripts', 'bin', 'package.json', 'tsconfig.json']) await cp(join(REPO_ROOT, part), join(root, part), { recursive: true });
  await symlink(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');

  await cp(join(REPO_ROOT, 'test', 'fixtures', 'backends', 'otlp.ts'), join(root, 'src', 'backends', 'otlp.ts'));
  const indexPath = join(root, 'src', 'backends', 'index.ts');
  const before = await readFile(indexPath, 'utf8');
  const after = before
    .replace("import { xray } from './xray.js';\n", "import { xray } from './xray.js';\nimport { otlp } from './otlp.js';\n")
    .replace('[honeycomb, xray, cloudwatch, rollbar]', '[honeycomb, xray, cloudwatch, rollbar, otlp]');
  await writeFile(indexPath, after);
  const diff = await execa('git', ['diff', '--no-index', '--unified=0', '--', join(REPO_ROOT, 'src', 'backends', 'index.ts'), indexPath], { reject: false });
  indexDiff = diff.stdout;

  await execa(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json', '--noEmit'], { cwd: root });
  await execa(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root });
  bin = join(root, 'bin', 'obs.js');
}, 600_000);

describe('a backend added as one module', () => {
  it('takes one file and one entry in the list', () => {
    const changed = indexDiff.split('\n').filter((l) => /^[-+][^-+]/.test(l));
    expect(changed).toEqual(["+import { otlp } from './otlp.js';", expect.stringMatching(/^-export const BACKENDS/), expect.stringMatching(/^\+export const BACKENDS.*rollbar, otlp\]/)]);
  });

  it('shows its flags in --help', async () => {
    const run = await runObs(['init', '--help'], { bin });
    expect(run.exitCode).toBe(0);
    // Commander wraps the descriptions: compare with runs of spaces and line breaks as one space.
    const help = run.stdout.replace(/\s+/g, ' ');
    expect(help).toContain(' --otlp send traces to an OTLP/HTTP endpoint (default: off) ');
    expect(help).toContain(' --no-otlp do not send traces to an OTLP endpoint ');
    expect(help).toContain(' --otlp-endpoint <url> OTLP/HTTP endpoint, e.g. http://otel-collector:4318 ');
    // After the built-in backends, before the general flags.
    expect(run.stdout.indexOf('--no-rollbar')).toBeLessThan(run.stdout.indexOf('--otlp '));
    expect(run.stdout.indexOf('--otlp-endpoint')).toBeLessThan(run.stdout.indexOf('--no-instrument'));
  });

  it('writes its environment and obs.yaml section, and doctor lists and runs its check', async () => {
    const dir = await tempProject(CRUDDUR);
    const init = await runObs(['init', '--dir', dir, '--yes', '--json', '--no-honeycomb', '--no-xray', '--otlp', '--otlp-endpoint', 'http://collector:4318'], { bin, env: { CI: 'true' } });
    expect(init.exitCode, init.stderr).toBe(0);
    const result = JSON.parse(init.stdout) as { choices: Record<string, unknown> };
    expect(Object.keys(result.choices)).toEqual(['services', 'pipeline', 'honeycomb', 'xray', 'cloudwatch', 'rollbar', 'otlp', 'force']);
    expect(result.choices.otlp).toEqual({ enabled: true, endpoint: 'http://collector:4318' });

    const compose = parse(await readFile(join(dir, 'docker-compose.yml'), 'utf8')) as { services: Record<string, { environment: Record<string, string> }> };
    expect(compose.services['backend-flask']!.environment.OTEL_EXPORTER_OTLP_ENDPOINT).toBe('http://collector:4318');
    expect(compose.services['frontend-react-js']!.environment.OTEL_EXPORTER_OTLP_ENDPOINT).toBeUndefined();
    const config = await readFile(join(dir, 'obs.yaml'), 'utf8');
    expect(config).toMatch(/^otlp:\n {2}enabled: true\n {2}endpoint: http:\/\/collector:4318\n/m);

    const list = await runObs(['doctor', '--list-checks'], { bin });
    expect(list.stdout).toMatch(/^otlp-configured +otlp +OTLP endpoint recorded$/m);
    const doctor = await runObs(['doctor', '--dir', dir, '--check', 'otlp-configured'], { bin });
    expect(doctor.stderr + doctor.stdout).toContain('OTLP\n✔ OTLP endpoint recorded [otlp-configured]: traces go to http://collector:4318');

    // A second run reads the section back from obs.yaml: nothing to change.
    const again = await runObs(['init', '--dir', dir, '--yes', '--json'], { bin, env: { CI: 'true' } });
    expect(again.exitCode, again.stderr).toBe(0);
    expect((JSON.parse(again.stdout) as { choices: Record<string, unknown> }).choices.otlp).toEqual({ enabled: true, endpoint: 'http://collector:4318' });
    expect(await readFile(join(dir, 'obs.yaml'), 'utf8')).toBe(config);
  });

  it('asks its questions in a terminal, after the built-in backends', { timeout: 120_000 }, async () => {
    const dir = await tempProject(CRUDDUR);
    const ask = (question: string, send: string) => ({ expect: `? ${question}`, send });
    const run = await runInPty(['init', '--no-honeycomb', '--no-xray'], {
      cwd: dir,
      bin,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', TERM: 'xterm', NO_COLOR: '1' },
      stepTimeout: 60,
      steps: [
        ask('Which services should send telemetry?', ENTER),
        ask('How should telemetry leave your apps?', ENTER),
        ask('Send logs to CloudWatch Logs?', ENTER),
        ask('Report errors to Rollbar?', ENTER),
        ask('Send traces to an OTLP endpoint?', 'y' + ENTER),
        ask('OTLP endpoint URL', ENTER),
        { expect: 'Backends: OTLP (http://otel-collector:4318)' },
        ask('Apply these changes?', ENTER),
        { expect: 'Wrote ' },
      ],
    });
    expect(run.exitCode, run.transcript).toBe(0);
    expect(await readFile(join(dir, 'docker-compose.yml'), 'utf8')).toContain('OTEL_EXPORTER_OTLP_ENDPOINT: "http://otel-collector:4318"');
  });
});
