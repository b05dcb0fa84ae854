import { cp, mkdir, readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { git, REPO_ROOT, runObs, scratchDir } from './run-obs.js';

/**
 * The golden run: what obs prints for every corpus case, recorded before the structure was
 * renovated (issue 10) so that every later move can be shown to change no output. One text file
 * per case under test/golden/, written by `npm run golden:update`, compared by test/e2e/golden.test.ts.
 */
export const CORPUS = join(REPO_ROOT, 'test', 'fixtures', 'corpus');
export const GOLDEN_DIR = join(REPO_ROOT, 'test', 'golden');

/** Cases whose compose file is not where compose's own discovery would find it (as in init-corpus). */
export const FILE_ARGS: Record<string, string[]> = {
  PostHog__posthog: ['-f', 'docker-compose.dev.yml'],
  apache__airflow: ['-f', 'airflow-core/docs/howto/docker-compose/docker-compose.yaml'],
  cyberark__conjur: ['-f', 'dev/docker-compose.yml'],
  'ndrwptrsn__react-flask-postgres-boilerplate': ['-f', 'Docker-compose.yml'],
  'honeycombio__honeycomb-opentelemetry-node__smoke-tests': ['-f', 'smoke-tests/docker-compose.yml'],
  'honeycombio__honeycomb-opentelemetry-python__smoke-tests': ['-f', 'smoke-tests/docker-compose.yml'],
  'omenking__aws-bootcamp-cruddur-2023__prod-ecs': ['-f', 'docker-compose.prod.yml'],
  'testdrivenio__flask-on-docker': ['-f', 'docker-compose.prod.yml'],
};

/** Project cases; the `_` folders are collections of loose files, not projects. */
export async function goldenCases(): Promise<string[]> {
  return (await readdir(CORPUS, { withFileTypes: true }))
    .filter((d) => d.isDirectory() && !d.name.startsWith('_'))
    .map((d) => d.name)
    .sort();
}

export interface Endpoints {
  xrayUrl: string;
  logsUrl: string;
}

function section(args: string[], run: { exitCode: number; stdout: string; stderr: string }): string {
  return `$ obs ${args.join(' ')}\nexit ${run.exitCode}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}\n`;
}

/**
 * Runs the recorded commands on a committed copy of one case, in a folder named after the case
 * (the project name, and so default X-Ray group and log group names, come from it), and returns
 * their outputs with the temp folder and server ports replaced by placeholders.
 */
export async function goldenRun(name: string, endpoints: Endpoints): Promise<string> {
  const base = await scratchDir('obs-golden-');
  const dir = join(base, name);
  const home = join(base, 'home');
  await mkdir(home);
  await cp(join(CORPUS, name), dir, { recursive: true });
  await git(dir, 'init', '-q', '-b', 'main');
  await git(dir, 'add', '-A');
  await git(dir, 'commit', '-q', '--allow-empty', '-m', 'fixture');

  const fileArgs = FILE_ARGS[name] ?? [];
  const env = { CI: 'true', HOME: home };
  const awsEnv = {
    ...env,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL_XRAY: endpoints.xrayUrl,
    AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: endpoints.logsUrl,
  };
  const out: string[] = [];
  const obs = async (args: string[], runEnv: Record<string, string> = env): Promise<void> => {
    out.push(section(args, await runObs([...args.slice(0, 1), '--dir', dir, ...args.slice(1)], { cwd: dir, env: runEnv, timeoutMs: 300_000 })));
  };

  await obs(['init', '--dry-run', '--yes', ...fileArgs]);
  await obs(['init', '--dry-run', '--yes', '--json', ...fileArgs]);
  await obs(['doctor', ...fileArgs]);
  await obs(['doctor', '--json', ...fileArgs]);
  await obs(['init', '--yes', ...fileArgs]);
  if (existsSync(join(dir, 'obs.yaml'))) {
    await obs(['doctor']);
    await obs(['apply', '--dry-run'], awsEnv);
  }
  let text = out.join('\n');
  text = text.replaceAll(base, '<tmp>');
  text = text.replaceAll(endpoints.xrayUrl, '<xray-url>').replaceAll(endpoints.logsUrl, '<logs-url>');
  // Said only when an AWS call takes over 2 s (src/aws/attempts.ts): a busy machine, not obs's output (faulty-endpoints.test.ts tests it).
  text = text.replace(/^obs: waiting for <(?:xray|logs)-url> to answer .*\n/gm, '');
  return text;
}
