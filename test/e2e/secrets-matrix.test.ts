import { cp, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startHoneycombServer, type HoneycombServer } from '../support/honeycomb-server.js';
import { freePort } from '../support/moto.js';
import { REPO_ROOT, runObs, tempProject, type ObsRun } from '../support/run-obs.js';
import { startXrayServer, type XrayServer } from '../support/xray-server.js';

/**
 * No secret is ever shown: every command (and its bad-input paths) runs as the built binary over a
 * project seeded with distinctive secret values in every place one can sit, and stdout + stderr of
 * each run are searched for every seeded value and every 8-character piece of it.
 */
const SEEDS = {
  composeMapPassword: 'CmpMapPw-7Qx2Lk9V',
  composeListSecret: 'CmpListSec-4Rt8Wz1N',
  composeListPgPassword: 'PgListPw-2Yh6Ue3R',
  composeFlowToken: 'FlowTok-5Ka9Dm2C',
  oddHoneycombKey: 'hcbik_Odd7Shape2Key', // v2-like but too short: no shape obs knows
  headerTeamKey: 'HdrTeam-9Pq3Xv6B',
  headerBearer: 'HdrBearer-2Jm5Ns8D',
  databaseUrlPassword: 'DbUrlPw-6Hk1Tb4Y',
  otlpEndpointPassword: 'OtlpEpPw-3Lc8Vn5G',
  labelHex: 'a1b2c3d4e5f60718293a4b5c6d7e8f90', // 32 hex under a label with a plain name
  labelToken: 'LblTok-8Sx3Pw6Q',
  commandApiKey: 'CmdTok-3Gd7Lr2W',
  commandHex: '0f1e2d3c4b5a69788796a5b4c3d2e1f0',
  awsAccessKeyId: 'AKIAQ7SEEDX4MATRIX9Z',
  awsSecretAccessKey: 'SeedAwsSecret/7f3K9mQ2xL5vR8tY1wE4uI6oP0',
  rollbarToken: 'f0e1d2c3b4a5968778695a4b3c2d1e0f',
  dotenvSession: 'EnvSess-8Fz4Qc1M',
  dotenvHoneycombKey: 'EnvHcOdd.key-77Zy',
  dotenvParseError: 'EnvBroken-5Vw9Kp3S',
  dotenvBadName: 'ghp/EnvBadName-1Xq4',
  shellAwsSecret: 'ShellAwsSecret-4Nb7Mv2K',
  shellHoneycombKey: 'ShellHcKey.odd-9Tz1',
  envEndpointPassword: 'EnvEpPw-1Ab2Cd3E',
  flagEndpointPassword: 'FlagEpPw-4Fg5Hi6J',
};

const motoUrl = inject('motoUrl');
let us: HoneycombServer;
let eu: HoneycombServer;
let xray: XrayServer;
let closedPort: number;
let home: string;
let base: string;
let broken: string;

/** `http://user:password@host:port` for a local server URL. */
const withUserinfo = (url: string, password: string) => url.replace('http://', `http://obs:${password}@`);

function compose(otlpPort: number): string {
  return `services:
  api:
    build: ./backend-flask
    environment:
      HONEYCOMB_API_KEY: "${SEEDS.oddHoneycombKey}"
      DB_PASSWORD: "${SEEDS.composeMapPassword}"
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://otel:${SEEDS.otlpEndpointPassword}@127.0.0.1:${otlpPort}"
      OTEL_EXPORTER_OTLP_HEADERS: "x-honeycomb-team=${SEEDS.headerTeamKey},authorization=Bearer ${SEEDS.headerBearer}"
      DATABASE_URL: "postgres://app:${SEEDS.databaseUrlPassword}@db:5432/app"
      AWS_ACCESS_KEY_ID: "${SEEDS.awsAccessKeyId}"
      AWS_SECRET_ACCESS_KEY: "${SEEDS.awsSecretAccessKey}"
      ROLLBAR_ACCESS_TOKEN: "${SEEDS.rollbarToken}"
    labels:
      - "com.example.build=${SEEDS.labelHex}"
      - "com.example.api-token=${SEEDS.labelToken}"
    command: ["python", "app.py", "--api-key", "${SEEDS.commandApiKey}", "--verbose", "${SEEDS.commandHex}"]
  worker:
    image: busybox
    environment:
      - STRIPE_SECRET=${SEEDS.composeListSecret}
      - PGPASSWORD=${SEEDS.composeListPgPassword}
  cache:
    image: redis
    environment: {REDIS_TOKEN: ${SEEDS.composeFlowToken}, MODE: dev}
  db:
    image: postgres
`;
}

async function project(dotenv: string): Promise<string> {
  const dir = await tempProject();
  await cp(join(REPO_ROOT, 'examples', 'cruddur', 'backend-flask'), join(dir, 'backend-flask'), { recursive: true });
  await writeFile(join(dir, 'docker-compose.yml'), compose(Number(new URL(us.url).port)));
  await writeFile(join(dir, '.env'), dotenv);
  return dir;
}

/** A fresh copy of the seeded project (commands that write get their own). */
async function copyOf(dir: string): Promise<string> {
  const copy = await tempProject();
  await cp(dir, copy, { recursive: true });
  return copy;
}

function env(extra: Record<string, string> = {}): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: SEEDS.awsAccessKeyId,
    AWS_SECRET_ACCESS_KEY: SEEDS.shellAwsSecret,
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_MAX_ATTEMPTS: '1',
    AWS_ENDPOINT_URL_STS: motoUrl,
    AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: withUserinfo(motoUrl, SEEDS.envEndpointPassword),
    AWS_ENDPOINT_URL_XRAY: withUserinfo(xray.url, SEEDS.envEndpointPassword),
    HONEYCOMB_API_KEY: SEEDS.shellHoneycombKey,
    HOME: home,
    CI: 'true',
    ...extra,
  };
}

beforeAll(async () => {
  us = await startHoneycombServer({ name: 'us', keys: { [SEEDS.headerTeamKey]: { team: 'Seeded', environment: 'dev' } } });
  eu = await startHoneycombServer({ name: 'eu' });
  xray = await startXrayServer();
  closedPort = await freePort();
  home = await tempProject();
  base = await project(`SESSION_SECRET=${SEEDS.dotenvSession}\nHONEYCOMB_API_KEY=${SEEDS.dotenvHoneycombKey}\n`);
  broken = await project(`SESSION_SECRET=${SEEDS.dotenvSession}\nAPI_PASSWORD ${SEEDS.dotenvParseError}\n`);
  await mkdir(join(home, '.aws'), { recursive: true });
});
afterAll(async () => {
  await us?.close();
  await eu?.close();
  await xray?.close();
});

/** Every 8-character piece of every seed that `text` holds. */
function leaks(text: string): string[] {
  const found: string[] = [];
  for (const [name, seed] of Object.entries(SEEDS)) {
    for (let i = 0; i + 8 <= seed.length; i++) {
      const piece = seed.slice(i, i + 8);
      if (text.includes(piece)) {
        found.push(`${name} (${JSON.stringify(piece)})`);
        break;
      }
    }
  }
  return found;
}

interface Row {
  name: string;
  args: (dirs: { base: string; broken: string }) => Promise<string[]> | string[];
  env?: () => Record<string, string>;
  exit: number | number[];
}

const apiUrls = () => `us=${us.url},eu=${eu.url}`;
const closed = () => withUserinfo(`http://127.0.0.1:${closedPort}`, SEEDS.flagEndpointPassword);

/** A copy of the seeded project after `obs init --yes`, with obs.yaml for obs apply. */
async function inited(): Promise<string> {
  const dir = await copyOf(base);
  const run = await runObs(['init', '--dir', dir, '--yes', '--cloudwatch', '--log-group', `/seeded/${dir.slice(-6)}`, '--xray-group', `Seeded${dir.slice(-6).replace(/[^A-Za-z0-9]/g, '')}`], {
    env: env(),
  });
  expect(run.exitCode, run.stderr).toBe(0);
  return dir;
}

const ROWS: Row[] = [
  { name: 'init --dry-run', args: ({ base }) => ['init', '--dir', base, '--dry-run', '--rollbar', '--cloudwatch'], exit: 0 },
  { name: 'init --dry-run --json', args: ({ base }) => ['init', '--dir', base, '--dry-run', '--json', '--rollbar'], exit: 0 },
  { name: 'init --yes', args: async () => ['init', '--dir', await copyOf(base), '--yes', '--rollbar'], exit: 0 },
  { name: 'init --yes --json --force', args: async () => ['init', '--dir', await copyOf(base), '--yes', '--json', '--force', '--rollbar'], exit: 0 },
  { name: 'init --yes twice', args: async () => ['init', '--dir', await inited(), '--yes', '--json'], exit: 0 },
  { name: 'init --dry-run, .env parse error', args: ({ broken }) => ['init', '--dir', broken, '--dry-run'], exit: 2 },
  { name: 'init --json, .env parse error', args: ({ broken }) => ['init', '--dir', broken, '--yes', '--json'], exit: 2 },
  { name: 'init, bad flag value', args: ({ base }) => ['init', '--dir', base, '--dry-run', '--retention', '0x0e'], exit: 2 },
  { name: 'init, compose file named by a URL', args: ({ base }) => ['init', '--dir', base, '--dry-run', '-f', `${closed()}/docker-compose.yml`], exit: 2 },
  { name: 'doctor', args: ({ base }) => ['doctor', '--dir', base], exit: 1 },
  { name: 'doctor --json --strict', args: ({ base }) => ['doctor', '--dir', base, '--json', '--strict'], exit: 1 },
  { name: 'doctor, .env parse error', args: ({ broken }) => ['doctor', '--dir', broken], exit: 1 },
  { name: 'doctor --json, .env parse error', args: ({ broken }) => ['doctor', '--dir', broken, '--json'], exit: 1 },
  { name: 'doctor --fix', args: async () => ['doctor', '--dir', await copyOf(base), '--fix'], exit: [0, 1] },
  { name: 'doctor --fix --json', args: async () => ['doctor', '--dir', await copyOf(base), '--fix', '--json'], exit: [0, 1] },
  { name: 'doctor --fix, .env parse error', args: async () => ['doctor', '--dir', await copyOf(broken), '--fix'], exit: 2 },
  { name: 'doctor --online', args: ({ base }) => ['doctor', '--dir', base, '--online', '--honeycomb-api-url', apiUrls()], exit: 1 },
  { name: 'doctor --online --json', args: ({ base }) => ['doctor', '--dir', base, '--online', '--json', '--honeycomb-api-url', apiUrls()], exit: 1 },
  { name: 'doctor --online, AWS endpoints down', args: ({ base }) => ['doctor', '--dir', base, '--online', '--json', '--endpoint-url', closed()], exit: 1 },
  { name: 'doctor --send-test-span (no consent)', args: ({ base }) => ['doctor', '--dir', base, '--send-test-span', '--check', 'send-test-span'], exit: 1 },
  {
    name: 'doctor --send-test-span --allow-endpoint --json',
    args: ({ base }) => ['doctor', '--dir', base, '--send-test-span', '--json', '--check', 'send-test-span', '--allow-endpoint', new URL(us.url).host],
    exit: [0, 1],
  },
  { name: 'apply --dry-run', args: async () => ['apply', '--dir', await inited(), '--dry-run'], exit: 0 },
  { name: 'apply --json', args: async () => ['apply', '--dir', await inited(), '--json'], exit: 0 },
  { name: 'apply --json, endpoint down', args: async () => ['apply', '--dir', await inited(), '--json', '--endpoint-url', closed()], exit: 1 },
  {
    name: 'apply, endpoint variable down',
    args: async () => ['apply', '--dir', await inited()],
    env: () => env({ AWS_ENDPOINT_URL_XRAY: withUserinfo(`http://127.0.0.1:${closedPort}`, SEEDS.envEndpointPassword) }),
    exit: 1,
  },
  { name: 'xray create-group', args: () => ['xray', 'create-group', '--name', 'SeededMatrix', '--service', 'api', '--endpoint-url', withUserinfo(xray.url, SEEDS.flagEndpointPassword)], exit: 0 },
  { name: 'xray create-group --json, endpoint down', args: () => ['xray', 'create-group', '--name', 'SeededMatrix', '--service', 'api', '--json', '--endpoint-url', closed()], exit: 1 },
  { name: 'xray create-group, not a URL', args: () => ['xray', 'create-group', '--name', 'SeededMatrix', '--service', 'api', '--endpoint-url', `http://obs:${SEEDS.flagEndpointPassword}@`], exit: 2 },
  {
    name: 'xray create-sampling-rule --json',
    args: () => ['xray', 'create-sampling-rule', '--name', 'SeededMatrix', '--service-name', 'api', '--json', '--endpoint-url', withUserinfo(xray.url, SEEDS.flagEndpointPassword)],
    exit: 0,
  },
  {
    name: 'xray create-sampling-rule, bad rate',
    args: () => ['xray', 'create-sampling-rule', '--name', 'SeededMatrix', '--service-name', 'api', '--fixed-rate', '7', '--endpoint-url', closed()],
    exit: 2,
  },
  { name: 'xray create-sampling-rule, endpoint down', args: () => ['xray', 'create-sampling-rule', '--name', 'SeededMatrix', '--service-name', 'api', '--endpoint-url', closed()], exit: 1 },
  { name: 'logs create-group', args: () => ['logs', 'create-group', '--name', '/seeded/matrix', '--retention', '7', '--endpoint-url', withUserinfo(motoUrl, SEEDS.flagEndpointPassword)], exit: 0 },
  { name: 'logs create-group --json, endpoint down', args: () => ['logs', 'create-group', '--name', '/seeded/matrix', '--json', '--endpoint-url', closed()], exit: 1 },
  { name: 'logs create-group, dry run from the environment', args: () => ['logs', 'create-group', '--name', '/seeded/matrix', '--dry-run'], exit: 0 },
];

describe('no secret in any output of any command', () => {
  it.each(ROWS)('$name', async (row) => {
    const args = await row.args({ base, broken });
    const run: ObsRun = await runObs(args, { env: row.env?.() ?? env() });
    const output = `${run.stdout}\n${run.stderr}`;
    expect(leaks(output), output).toEqual([]);
    expect([row.exit].flat(), output).toContain(run.exitCode);
  });
});
