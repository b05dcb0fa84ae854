import { readdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../src/aws/clients.js';
import { applyPlanned, planResource } from '../../src/aws/ensure.js';
import { xrayGroupHandler } from '../../src/aws/xray-group.js';
import { samplingRuleHandler } from '../../src/aws/xray-sampling-rule.js';
import { REPO_ROOT, runObs, tempProject, type ObsRun } from '../support/run-obs.js';
import { startXrayServer, type XrayServer } from '../support/xray-server.js';
import { SEED_SAMPLING_RULE } from '../support/seed-rule.js';

/**
 * `obs xray create-group` and `obs xray create-sampling-rule`, the built binary against the local
 * X-Ray control plane (test/support/xray-server.ts, validating against the official model).
 *
 * The 15 sampling-rule files people committed (test/fixtures/corpus/_xray-sampling-rules/), given
 * to `--file` as they are:
 *
 * | file                                              | result   | why |
 * |---------------------------------------------------|----------|-----|
 * | AbdassalamAhmad ... xray-sampling-rule@810593ccf7 | created  | the canonical bootcamp rule (Cruddur, backend-flask, 0.1, 5, 9000) |
 * | Android60 ... xray@2b005361dd                     | created  | the canonical rule, re-indented |
 * | Cfenton07 ... aws:json__xray@c6c1a5082a           | created  | the canonical rule, tab-indented (the colon is in the repo's folder name only) |
 * | CracktheDom ... xray@7efa56b929                   | refused  | `SamplingRule.ResourcesARN is not a sampling rule field (did you mean ResourceARN?)`; it also misspells ResevoirSize, so X-Ray would refuse it too |
 * | ExamProCo ... xray@7a278a86d5                     | created  | valid; RuleName "cruddur", ServiceName "cruddur-backend" (the OTEL name, not the X-Ray segment name: matches nothing, which obs cannot know) |
 * | ExamProCo ... xray@da820ed525                     | created  | valid; ServiceName "Cruddur" (the group name: matches nothing) |
 * | aravindvcyber ... xray@4cfe042080                 | created  | valid; ServiceName "crudder-backend-flask" (the student's own service-name typo) |
 * | aravindvcyber ... task-definitions__xray-daemon   | refused  | `not an X-Ray sampling rule (found "family", ...)`: an ECS task definition |
 * | omenking ... aws__xray@1b98ea63c3                 | created  | the canonical rule; a trailing space after a value is just JSON whitespace |
 * | philemonnwanne ... xray@6020d442c8                | created  | valid; RuleName "cruddur", ServiceName "backend" |
 * | philemonnwanne ... xray@674b0cb80f                | created  | valid; ServiceName "cruddur-backend-flask" |
 * | philemonnwanne ... xray@92a6282a35                | created  | valid; URLPath "/api/*" |
 * | ramofabian ... xray@12a0642df2                    | created  | valid; ServiceName "Backend-flask" (case-sensitive: matches nothing) |
 * | sm1lexops ... xray@16146397eb                     | created  | valid; RuleName "x-ray-backend" |
 * | timmy-cde ... xray@827d65726e                     | created  | valid; ServiceName "blackend-flask" (typo: matches nothing) |
 *
 * obs refuses only what X-Ray itself would refuse (or what is not a rule at all); service-name
 * typos are valid rules, so they are created as written.
 */

const REGION = 'us-east-1';
const CORPUS = join(REPO_ROOT, 'test', 'fixtures', 'corpus', '_xray-sampling-rules');
/** The rule from the seeds' xray.json (the canonical corpus file). */
const SEED_RULE = SEED_SAMPLING_RULE;
const SEED_FILTER = 'service("backend-flask") {fault OR error}';

let server: XrayServer;
let home: string;
let work: string;
const ENV = () => ({ AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: REGION, AWS_EC2_METADATA_DISABLED: 'true', HOME: home });

beforeAll(async () => {
  server = await startXrayServer();
  home = await tempProject();
  work = await tempProject();
});
afterAll(async () => {
  await server.close();
  await Promise.all([home, work].map((dir) => rm(dir, { recursive: true, force: true })));
});
beforeEach(() => server.control.reset());

const obs = (args: string[], endpoint = server.url): Promise<ObsRun> => runObs([...args, '--endpoint-url', endpoint], { env: ENV(), cwd: work });
const region = () => server.state.region(REGION);
const ops = () => server.control.requests.map((r) => r.operation);
const groupTags = (name: string) => Object.fromEntries(region().tags.get(region().groups.get(name)!.GroupARN) ?? []);

function expectOk(run: ObsRun, line: RegExp): void {
  expect(run.exitCode, run.stderr).toBe(0);
  expect(run.stdout).toMatch(line);
}

/** Exit 2, one `obs:` line matching `first` (maybe one indented hint), and not one request sent. */
async function expectRefused(args: string[], first: RegExp): Promise<void> {
  const run = await obs(args);
  expect(run.exitCode, run.stderr).toBe(2);
  const lines = run.stderr.split('\n').filter((l) => l.trim() !== '');
  expect(lines[0]).toMatch(first);
  expect(lines.slice(1).every((l) => /^ {2}\S/.test(l)) && lines.length <= 2, run.stderr).toBe(true);
  expect(run.stdout).toBe('');
  expect(server.control.requests).toHaveLength(0);
}

const writeRule = (doc: unknown, name = 'xray.json') => writeFile(join(work, name), typeof doc === 'string' ? doc : JSON.stringify(doc, null, 2));

describe('obs xray create-group', () => {
  it("creates the seeds' group from --service, tags it, then leaves it alone", async () => {
    const args = ['xray', 'create-group', '--name', 'Cruddur', '--service', 'backend-flask', '--errors-only'];
    expectOk(await obs(args), /^created +X-Ray group Cruddur {2}arn:aws:xray:us-east-1:123456789012:group\/Cruddur\//m);
    expect(region().groups.get('Cruddur')).toMatchObject({ FilterExpression: SEED_FILTER, InsightsConfiguration: { InsightsEnabled: false } });
    expect(groupTags('Cruddur')).toEqual({ 'managed-by': 'obs' });

    server.control.requests.length = 0;
    expectOk(await obs(args), /^unchanged +X-Ray group Cruddur/m);
    // The same expression given verbatim, as the seeds' aws CLI command does, is the same group.
    expectOk(await obs(['xray', 'create-group', '--name', 'Cruddur', '--filter-expression', SEED_FILTER]), /^unchanged +X-Ray group Cruddur/m);
    expect(ops().every((op) => op === 'GetGroups')).toBe(true);
  });

  it('creates from --filter-expression verbatim, with --tag and Insights', async () => {
    const run = await obs(['xray', 'create-group', '--name', 'Cruddur', '--filter-expression', 'service("a") { fault }', '--insights', '--notifications', '--tag', 'team=web']);
    expectOk(run, /^created +X-Ray group Cruddur/m);
    expect(region().groups.get('Cruddur')).toMatchObject({ FilterExpression: 'service("a") { fault }', InsightsConfiguration: { InsightsEnabled: true, NotificationsEnabled: true } });
    expect(groupTags('Cruddur')).toEqual({ team: 'web', 'managed-by': 'obs' });
    // Insights not given: not compared.
    expectOk(await obs(['xray', 'create-group', '--name', 'Cruddur', '--filter-expression', 'service("a") { fault }']), /^unchanged/m);
  });

  it('--no-insights turns Insights (and so notifications) off on an existing group; without either flag it stays', async () => {
    const args = ['xray', 'create-group', '--name', 'Cruddur', '--service', 'backend-flask'];
    expectOk(await obs([...args, '--insights', '--notifications']), /^created/m);
    expectOk(await obs(args), /^unchanged +X-Ray group Cruddur/m);
    expect(region().groups.get('Cruddur')!.InsightsConfiguration).toEqual({ InsightsEnabled: true, NotificationsEnabled: true });

    server.control.requests.length = 0;
    const off = await obs([...args, '--no-insights']);
    expectOk(off, /^updated +X-Ray group Cruddur/m);
    expect(off.stdout).toContain('InsightsEnabled: true -> false');
    expect(off.stdout).toContain('NotificationsEnabled: true -> false');
    expect(region().groups.get('Cruddur')!.InsightsConfiguration).toEqual({ InsightsEnabled: false, NotificationsEnabled: false });
    const update = server.control.requests.find((r) => r.operation === 'UpdateGroup')!.body as Record<string, unknown>;
    expect(update.InsightsConfiguration).toEqual({ InsightsEnabled: false, NotificationsEnabled: false });
    expectOk(await obs([...args, '--no-insights']), /^unchanged +X-Ray group Cruddur/m);

    // Insights on without notifications: only InsightsEnabled changes.
    expectOk(await obs([...args, '--insights']), /^updated/m);
    const again = await obs([...args, '--no-insights']);
    expectOk(again, /^updated +X-Ray group Cruddur/m);
    expect(again.stdout).toContain('InsightsEnabled: true -> false');
    expect(again.stdout).not.toContain('NotificationsEnabled');
    expectOk(await obs(args), /^unchanged/m);
    expect(region().groups.get('Cruddur')!.InsightsConfiguration.InsightsEnabled).toBe(false);
  });

  it('a new group with --no-insights is created with Insights off', async () => {
    expectOk(await obs(['xray', 'create-group', '--name', 'Quiet', '--service', 'api', '--no-insights']), /^created +X-Ray group Quiet/m);
    expect(region().groups.get('Quiet')!.InsightsConfiguration).toEqual({ InsightsEnabled: false, NotificationsEnabled: false });
  });

  it('updates a changed filter and prints the difference; --no-update reports drift (exit 1); --dry-run changes nothing', async () => {
    await obs(['xray', 'create-group', '--name', 'Cruddur', '--service', 'backend-flask']);
    const arn = region().groups.get('Cruddur')!.GroupARN;

    server.control.requests.length = 0;
    const dry = await obs(['xray', 'create-group', '--name', 'Cruddur', '--service', 'backend-flask', '--errors-only', '--dry-run']);
    expectOk(dry, /^would update +X-Ray group Cruddur/m);
    expect(ops()).not.toContain('UpdateGroup');

    const drift = await obs(['xray', 'create-group', '--name', 'Cruddur', '--service', 'backend-flask', '--errors-only', '--no-update']);
    expect(drift.exitCode, drift.stderr).toBe(1);
    expect(drift.stdout).toMatch(/^drift +X-Ray group Cruddur/m);
    expect(drift.stdout).toContain('FilterExpression: "service(\\"backend-flask\\")" -> "service(\\"backend-flask\\") {fault OR error}"');
    expect(region().groups.get('Cruddur')!.FilterExpression).toBe('service("backend-flask")');

    // Both flags: a read-only drift check (CI) that fails on drift.
    server.control.requests.length = 0;
    const check = await obs(['xray', 'create-group', '--name', 'Cruddur', '--service', 'backend-flask', '--errors-only', '--no-update', '--dry-run']);
    expect(check.exitCode, check.stderr).toBe(1);
    expect(check.stdout).toMatch(/^drift +X-Ray group Cruddur/m);
    expect(ops().every((op) => op === 'GetGroups')).toBe(true);
    expectOk(await obs(['xray', 'create-group', '--name', 'Cruddur', '--service', 'backend-flask', '--no-update', '--dry-run']), /^unchanged +X-Ray group Cruddur/m);

    const run = await obs(['xray', 'create-group', '--name', 'Cruddur', '--service', 'backend-flask', '--errors-only', '--json']);
    // With --json the document is stdout; the lines go to stderr for a person.
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/^updated +X-Ray group Cruddur/m);
    expect(run.stderr).toContain('FilterExpression: "service(\\"backend-flask\\")" -> "service(\\"backend-flask\\") {fault OR error}"');
    expect(region().groups.get('Cruddur')).toMatchObject({ GroupARN: arn, FilterExpression: SEED_FILTER });
    const doc = JSON.parse(run.stdout);
    expect(doc).toMatchObject({ command: 'xray create-group', ok: true, resources: [{ kind: 'xray-group', name: 'Cruddur', status: 'updated', arn }] });
    expect(server.control.requests.find((r) => r.operation === 'UpdateGroup')!.body).toEqual({ GroupARN: arn, FilterExpression: SEED_FILTER });
  });

  it('finds the group on a later page (the server pages by 2)', async () => {
    for (const name of ['a1', 'a2', 'a3', 'a4', 'a5']) await obs(['xray', 'create-group', '--name', name, '--service', name]);
    await obs(['xray', 'create-group', '--name', 'Cruddur', '--service', 'backend-flask']);
    server.control.requests.length = 0;
    expectOk(await obs(['xray', 'create-group', '--name', 'Cruddur', '--service', 'backend-flask']), /^unchanged +X-Ray group Cruddur/m);
    // Three pages read, no create attempted (a create would have been caught by the race path).
    expect(ops()).toEqual(['GetGroups', 'GetGroups', 'GetGroups']);
  });

  it('rides out throttling the SDK can retry, and says so when it cannot', async () => {
    server.control.failNext(2, 'throttle');
    expectOk(await obs(['xray', 'create-group', '--name', 'Cruddur', '--service', 'backend-flask']), /^created/m);

    server.control.reset();
    server.control.failNext(5, 'throttle');
    const run = await obs(['xray', 'create-group', '--name', 'Cruddur', '--service', 'backend-flask']);
    expect(run.exitCode, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/^failed +X-Ray group Cruddur$/m);
    expect(run.stderr).toMatch(/AWS throttled GetGroups even after 3 attempts/);
  });

  it('says it cannot reach a closed port', async () => {
    const closed = await startXrayServer();
    await closed.close();
    const run = await obs(['xray', 'create-group', '--name', 'Cruddur', '--service', 'backend-flask'], closed.url);
    expect(run.exitCode, run.stderr).toBe(1);
    expect(run.stderr).toContain(`cannot reach ${closed.url} (ECONNREFUSED)`);
  });

  it('names the variable an endpoint that is not the X-Ray API came from', async () => {
    // A web server that answers every request with an HTML 404 page, like an emulator without X-Ray.
    const html = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(404, { 'content-type': 'text/html' });
        res.end('<html><body>Not Found</body></html>');
      });
    });
    await new Promise<void>((resolve) => html.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(html.address() as { port: number }).port}`;
    const lines = (run: ObsRun) => run.stderr.split('\n').map((l) => l.trim());
    try {
      const args = ['xray', 'create-group', '--name', 'Cruddur', '--service', 'backend-flask'];
      const fromXray = await runObs(args, { env: { ...ENV(), AWS_ENDPOINT_URL_XRAY: url }, cwd: work });
      expect(fromXray.exitCode, fromXray.stderr).toBe(1);
      expect(lines(fromXray)).toContain(`${url} (from AWS_ENDPOINT_URL_XRAY) answered HTTP 404 with something that is not the X-Ray API; check AWS_ENDPOINT_URL_XRAY`);
      const fromAny = await runObs(args, { env: { ...ENV(), AWS_ENDPOINT_URL: url }, cwd: work });
      expect(lines(fromAny)).toContain(
        `${url} (from AWS_ENDPOINT_URL) answered HTTP 404 with something that is not the X-Ray API; check AWS_ENDPOINT_URL, or set AWS_ENDPOINT_URL_XRAY to send X-Ray elsewhere`,
      );
      const fromFlag = await obs(args, url);
      expect(lines(fromFlag)).toContain(`${url} answered HTTP 404 with something that is not the X-Ray API; check --endpoint-url`);
    } finally {
      await new Promise<void>((resolve) => html.close(() => resolve()));
    }
  });

  describe('refuses bad input before any request (exit 2)', () => {
    const group = (...args: string[]) => ['xray', 'create-group', ...args];
    it.each([
      [group('--name', 'Default', '--service', 'x'), /^obs: --name cannot be "Default": X-Ray reserves that name$/],
      [group('--name', 'x'.repeat(33), '--service', 'x'), /^obs: --name must be 1 to 32 characters, got 33$/],
      [group('--name', 'my_group', '--service', 'x'), /^obs: --name may contain only letters, digits and dashes: "my_group"$/],
      [group('--name', 'Cruddur'), /^obs: give --service NAME \(builds service\("NAME"\)\) or --filter-expression EXPR$/],
      [group('--name', 'Cruddur', '--service', 'a', '--filter-expression', 'service("a")'), /^obs: --filter-expression and --service cannot be used together/],
      [group('--name', 'Cruddur', '--filter-expression', 'service("a")', '--errors-only'), /^obs: --errors-only works with --service/],
      [group('--name', 'Cruddur', '--service', 'a', '--notifications'), /^obs: --notifications needs insights enabled too/],
      [group('--name', 'Cruddur', '--service', 'a', '--no-insights', '--notifications'), /^obs: --notifications needs insights enabled too/],
      // Quoting from the Cruddur journals, after the shell is done with it.
      [group('--name', 'Cruddur', '--filter-expression', 'service(\\"backend-flask\\")'), /^obs: --filter-expression has a backslash outside a quoted string/],
      [group('--name', 'Cruddur', '--filter-expression', 'service(backend-flask)'), /^obs: --filter-expression needs the name in service\(\.\.\.\) double-quoted/],
      [group('--name', 'Cruddur', '--filter-expression', 'service("backend-flask)'), /^obs: --filter-expression has an unterminated double-quoted string/],
      [group('--name', 'Cruddur', '--service', 'a', '--tag', 'aws:x=1'), /^obs: --tag keys cannot start with "aws:"/],
      [group('--name', 'Cruddur', '--service', 'a', '--region', 'Not A Region'), /^obs: --region is not a valid AWS region name/],
    ])('%j', async (args, first) => {
      await expectRefused(args, first);
    });
  });
});

describe('--tag on a resource that already exists', () => {
  it('adds a missing tag to an existing group (TagResource only), says so, then finds it unchanged', async () => {
    const args = ['xray', 'create-group', '--name', 'Cruddur', '--service', 'backend-flask'];
    expectOk(await obs(args), /^created/m);
    server.control.requests.length = 0;
    const drift = await obs([...args, '--tag', 'team=web', '--no-update']);
    expect(drift.exitCode, drift.stderr).toBe(1);
    expect(drift.stdout).toContain('tag team: null -> "web"');
    expect(groupTags('Cruddur')).toEqual({ 'managed-by': 'obs' });

    const run = await obs([...args, '--tag', 'team=web']);
    expectOk(run, /^updated +X-Ray group Cruddur/m);
    expect(run.stdout).toContain('tag team: null -> "web"');
    expect(groupTags('Cruddur')).toEqual({ 'managed-by': 'obs', team: 'web' });
    expect(ops()).not.toContain('UpdateGroup');
    expect(ops()).toContain('TagResource');
    expectOk(await obs([...args, '--tag', 'team=web']), /^unchanged +X-Ray group Cruddur/m);
  });

  it('changes a tag value on an existing sampling rule, and looks tags up only when --tag is given', async () => {
    const args = ['xray', 'create-sampling-rule', '--name', 'api', '--service-name', 'backend-flask'];
    expectOk(await obs([...args, '--tag', 'team=web']), /^created/m);
    const arn = region().rules.get('api')!.SamplingRule.RuleARN;
    server.control.requests.length = 0;
    expectOk(await obs(args), /^unchanged/m);
    expect(ops()).not.toContain('ListTagsForResource');
    const run = await obs([...args, '--tag', 'team=api']);
    expectOk(run, /^updated +X-Ray sampling rule api/m);
    expect(run.stdout).toContain('tag team: "web" -> "api"');
    expect(Object.fromEntries(region().tags.get(arn)!)).toEqual({ 'managed-by': 'obs', team: 'api' });
    expect(ops()).not.toContain('UpdateSamplingRule');
  });
});

describe('obs xray create-sampling-rule', () => {
  it("creates the seeds' rule from a file, leaves it alone, updates a changed FixedRate", async () => {
    await writeRule({ SamplingRule: SEED_RULE });
    const args = ['xray', 'create-sampling-rule', '--file', 'xray.json'];
    expectOk(await obs(args), /^created +X-Ray sampling rule Cruddur {2}arn:aws:xray:us-east-1:123456789012:sampling-rule\/Cruddur$/m);
    const rule = region().rules.get('Cruddur')!.SamplingRule;
    expect(rule).toMatchObject(SEED_RULE);
    expect(Object.fromEntries(region().tags.get(rule.RuleARN)!)).toEqual({ 'managed-by': 'obs' });

    expectOk(await obs(args), /^unchanged +X-Ray sampling rule Cruddur/m);
    // The same rule from flags is the same rule.
    const flags = ['--name', 'Cruddur', '--service-name', 'backend-flask', '--priority', '9000', '--fixed-rate', '0.1', '--reservoir-size', '5'];
    expectOk(await obs(['xray', 'create-sampling-rule', ...flags]), /^unchanged +X-Ray sampling rule Cruddur/m);

    await writeRule({ SamplingRule: { ...SEED_RULE, FixedRate: 0.2 } });
    server.control.requests.length = 0;
    const run = await obs(args);
    expectOk(run, /^updated +X-Ray sampling rule Cruddur/m);
    expect(run.stdout).toContain('FixedRate: 0.1 -> 0.2');
    expect(region().rules.get('Cruddur')!.SamplingRule).toMatchObject({ ...SEED_RULE, FixedRate: 0.2 });
    const update = server.control.requests.find((r) => r.operation === 'UpdateSamplingRule')!.body as { SamplingRuleUpdate: Record<string, unknown> };
    expect(update.SamplingRuleUpdate).not.toHaveProperty('Version');
  });

  it('creates from flags with the documented defaults, attributes and tags', async () => {
    const run = await obs(['xray', 'create-sampling-rule', '--name', 'api', '--service-name', 'backend-flask', '--attribute', 'tier=web', '--tag', 'team=web']);
    expectOk(run, /^created +X-Ray sampling rule api/m);
    const rule = region().rules.get('api')!.SamplingRule;
    expect(rule).toMatchObject({
      Priority: 1000,
      FixedRate: 0.05,
      ReservoirSize: 1,
      Host: '*',
      HTTPMethod: '*',
      URLPath: '*',
      ServiceType: '*',
      ResourceARN: '*',
      Version: 1,
      Attributes: { tier: 'web' },
    });
    expect(Object.fromEntries(region().tags.get(rule.RuleARN)!)).toEqual({ team: 'web', 'managed-by': 'obs' });
    const drift = await obs(['xray', 'create-sampling-rule', '--name', 'api', '--service-name', 'backend-flask', '--no-update']);
    expect(drift.exitCode).toBe(1);
    expect(drift.stdout).toContain('Attributes: {"tier":"web"} -> {}');
    const check = await obs(['xray', 'create-sampling-rule', '--name', 'api', '--service-name', 'backend-flask', '--no-update', '--dry-run']);
    expect(check.exitCode, check.stderr).toBe(1);
    expect(check.stdout).toMatch(/^drift +X-Ray sampling rule api/m);
    expect(check.stdout).toContain('Attributes: {"tier":"web"} -> {}');
    expect(region().rules.get('api')!.SamplingRule.Attributes).toEqual({ tier: 'web' });
  });

  describe('refuses bad input before any request (exit 2)', () => {
    const rule = (...args: string[]) => ['xray', 'create-sampling-rule', ...args];
    const base = ['--name', 'Cruddur', '--service-name', 'backend-flask'];
    it.each([
      [rule(...base, '--priority', '0'), /^obs: --priority must be a whole number from 1 to 9999, got 0$/],
      [rule(...base, '--fixed-rate', 'abc'), /^obs: --fixed-rate must be a number from 0 to 1, got "abc"$/],
      [rule(...base, '--fixed-rate', '5%'), /^obs: --fixed-rate must be a number from 0 to 1, got "5%"$/],
      [rule(...base, '--reservoir-size', '1.5'), /^obs: --reservoir-size must be a whole number of 0 or more, got "1.5"$/],
      [rule('--name', 'Default', '--service-name', 'x'), /^obs: --name cannot be "Default"/],
      [rule('--name', 'x'.repeat(33), '--service-name', 'x'), /^obs: --name must be 1 to 32 characters, got 33$/],
      [rule(...base, ...['a', 'b', 'c', 'd', 'e', 'f'].flatMap((k) => ['--attribute', `${k}=1`])), /^obs: --attribute can have at most 5 attributes, got 6$/],
      [rule(...base, '--attribute', 'novalue'), /^obs: --attribute takes KEY=VALUE, got "novalue"$/],
      [rule(...base, '--http-method', 'x'.repeat(11)), /^obs: --http-method must be at most 10 characters, got 11$/],
      [rule('--service-name', 'x'), /^obs: --name is required \(or give the whole rule with --file\)$/],
      [rule('--name', 'x'), /^obs: --service-name is required/],
      [rule('--file', 'xray.json', '--name', 'Cruddur'), /^obs: --file and --name cannot be used together/],
      [rule('--file', 'missing.json'), /^obs: --file missing\.json: cannot read it \(ENOENT\)$/],
    ])('%j', async (args, first) => {
      await writeRule({ SamplingRule: SEED_RULE });
      await expectRefused(args, first);
    });

    it.each([
      [{ SamplingRule: { ...SEED_RULE, FixedRate: 1.5 } }, /^obs: xray\.json: SamplingRule\.FixedRate must be a number from 0 to 1, got 1\.5$/],
      [{ SamplingRule: { ...SEED_RULE, Priority: 0 } }, /^obs: xray\.json: SamplingRule\.Priority must be a whole number from 1 to 9999, got 0$/],
      [{ SamplingRule: { ...SEED_RULE, Version: 2 } }, /^obs: xray\.json: SamplingRule\.Version must be exactly 1, got 2$/],
      [{ SamplingRule: { ...SEED_RULE, RuleName: 'Default' } }, /^obs: xray\.json: SamplingRule\.RuleName cannot be "Default"/],
      ['{\n  "SamplingRule": {\n    "RuleName": "Cruddur"\n    "Priority": 9000\n  }\n}\n', /^obs: xray\.json:4:5: invalid JSON: Expected ',' or '}' after property value$/],
      ['{\n  "SamplingRule": {\n    "FixedRate": .1\n  }\n}\n', /^obs: xray\.json:3:18: invalid JSON: Unexpected token '\.'$/],
    ])('file %j', async (doc, first) => {
      await writeRule(doc);
      await expectRefused(['xray', 'create-sampling-rule', '--file', 'xray.json'], first);
    });
  });

  describe('the corpus of committed rule files', () => {
    const files = readdirSync(CORPUS)
      .filter((f) => f.endsWith('.json'))
      .sort();
    const refused: Record<string, RegExp> = {
      'CracktheDom__aws-bootcamp-cruddur-2023__aws__json__xray@7efa56b929.json': /: SamplingRule\.ResourcesARN is not a sampling rule field \(did you mean ResourceARN\?\)$/,
      'aravindvcyber__aws-bootcamp-cruddur-2023__aws__task-definitions__xray-daemon@41b99b6c5d.json':
        /: not an X-Ray sampling rule \(found "family", "executionRoleArn", "taskRoleArn"\); expected \{"SamplingRule": \{\.\.\.\}\}/,
    };
    it('has the 15 files the header table lists', () => {
      expect(files).toHaveLength(15);
      for (const name of Object.keys(refused)) expect(files).toContain(name);
    });
    it.each(files)('%s', async (file) => {
      const path = join(CORPUS, file);
      if (refused[file]) return expectRefused(['xray', 'create-sampling-rule', '--file', path], new RegExp(`^obs: ${escape(path)}${refused[file].source}`));
      const expected = JSON.parse(await readFile(path, 'utf8')).SamplingRule;
      expectOk(await obs(['xray', 'create-sampling-rule', '--file', path]), new RegExp(`^created +X-Ray sampling rule ${escape(expected.RuleName)} `, 'm'));
      expect(region().rules.get(expected.RuleName)!.SamplingRule).toMatchObject(expected);
      expectOk(await obs(['xray', 'create-sampling-rule', '--file', path]), /^unchanged/m);
    });
  });
});

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A create that loses the race: the lookup saw nothing, but the resource exists by the time
 * CreateX runs. X-Ray answers InvalidRequestException "... already exists"; obs must look again
 * and carry on as if it had found it. Driven in-process: the handler's first read is faked.
 */
describe('create race (handlers in-process)', () => {
  // The SDK reads credentials from the environment; set them for this process only while these run.
  const saved: Record<string, string | undefined> = {};
  beforeAll(() => {
    const env = { ...ENV(), AWS_CONFIG_FILE: join(home, 'none'), AWS_SHARED_CREDENTIALS_FILE: join(home, 'none') };
    for (const [key, value] of Object.entries(env)) {
      saved[key] = process.env[key];
      process.env[key] = value;
    }
  });
  afterAll(() => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });
  const clients = () => createAwsClients({ region: REGION, endpoint: server.url, regionSource: 'test' });
  /** The real handler, except that the first lookup finds nothing. */
  function lateToTheRace<H extends { read: (...a: any[]) => Promise<unknown> }>(handler: H): H {
    let first = true;
    return { ...handler, read: (...a: any[]) => (first ? ((first = false), Promise.resolve(undefined)) : handler.read(...a)) };
  }

  it('group: falls back to unchanged, or to an update when it differs', async () => {
    const desired = { name: 'Cruddur', filterExpression: SEED_FILTER, tags: new Map([['managed-by', 'obs']]) };
    expect((await applyPlanned(await planResource(xrayGroupHandler, desired, clients()), clients(), { dryRun: false, update: true })).status).toBe('created');

    const c = clients();
    const outcome = await applyPlanned(await planResource(lateToTheRace(xrayGroupHandler), desired, c), c, { dryRun: false, update: true });
    expect(outcome).toMatchObject({ status: 'unchanged', name: 'Cruddur' });
    expect(ops().filter((op) => op === 'CreateGroup')).toHaveLength(2);

    const c2 = clients();
    const changed = { ...desired, filterExpression: 'service("other")' };
    expect(await applyPlanned(await planResource(lateToTheRace(xrayGroupHandler), changed, c2), c2, { dryRun: false, update: true })).toMatchObject({ status: 'updated' });
    expect(region().groups.get('Cruddur')!.FilterExpression).toBe('service("other")');
  });

  it('sampling rule: falls back to unchanged', async () => {
    const desired = { ...SEED_RULE, tags: new Map([['managed-by', 'obs']]) };
    const c = clients();
    expect((await applyPlanned(await planResource(samplingRuleHandler, desired, c), c, { dryRun: false, update: true })).status).toBe('created');
    const outcome = await applyPlanned(await planResource(lateToTheRace(samplingRuleHandler), desired, c), c, { dryRun: false, update: true });
    expect(outcome).toMatchObject({ status: 'unchanged', name: 'Cruddur' });
    expect(ops().filter((op) => op === 'CreateSamplingRule')).toHaveLength(2);
  });
});
