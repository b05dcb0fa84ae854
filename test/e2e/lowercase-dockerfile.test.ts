import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { runObs, tempProject } from '../support/run-obs.js';
import { CORPUS } from '../support/golden.js';
import { PYTHON_OTEL_LINES, PYTHON_OTEL_RELEASE } from '../../src/instrument/python-otel-release.js';

const sdkAt = (version: string) => new RegExp(`^opentelemetry-sdk==${version.replace(/\./g, '\\.')}$`, 'm');
const forPython39 = PYTHON_OTEL_LINES.find((l) => l.python.minor === 9)!.stable;

/**
 * Docker builds from a lowercase `dockerfile` when a context has no `Dockerfile` (moby#10858,
 * moby/buildkit#1816); obs reads the same file. ndrwptrsn/react-flask-postgres-boilerplate has
 * only lowercase ones. Seen through the Python pin: obs pins the OpenTelemetry release for the
 * image's Python (the last release for 3.9 there, the newest for 3.10 and later), so the Python the dockerfile
 * names shows in requirements.txt.
 */
const CASE = join(CORPUS, 'ndrwptrsn__react-flask-postgres-boilerplate');
const init = async (dir: string) => {
  const run = await runObs(['init', '--dir', dir, '-f', 'Docker-compose.yml', '--yes'], { env: { CI: 'true' } });
  expect(run.exitCode, run.stderr).toBe(0);
  return readFile(join(dir, 'backend', 'requirements.txt'), 'utf8');
};

it('reads a lowercase dockerfile as docker does, and Dockerfile first when both are there', async () => {
  const dir = await tempProject(CASE);
  await writeFile(join(dir, 'backend', 'dockerfile'), (await readFile(join(dir, 'backend', 'dockerfile'), 'utf8')).replace(/^FROM python$/m, 'FROM python:3.9'));
  const old = await init(dir);
  expect(old).toMatch(sdkAt(forPython39)); // Python 3.9 read from backend/dockerfile: its last release

  const both = await tempProject(CASE);
  await writeFile(join(both, 'backend', 'dockerfile'), 'FROM python:3.9\n');
  await writeFile(join(both, 'backend', 'Dockerfile'), 'FROM python:3.12\nCOPY . .\nCMD ["python", "app.py"]\n');
  expect(await init(both)).toMatch(sdkAt(PYTHON_OTEL_RELEASE.stable));

  const renamed = await tempProject(CASE);
  await rename(join(renamed, 'backend', 'dockerfile'), join(renamed, 'backend', 'Dockerfile.old'));
  await writeFile(join(renamed, 'backend', 'Dockerfile.old'), 'FROM python:3.9\n');
  expect(await init(renamed)).toMatch(sdkAt(PYTHON_OTEL_RELEASE.stable)); // no Dockerfile docker would use: the newest release
});
