import { describe, expect, it } from 'vitest';
import { decideChoices, validateFlags, type DecideInput } from '../../src/commands/init/decide.js';
import type { InitOptions } from '../../src/commands/init/options.js';
import type { Prompter } from '../../src/commands/init/prompter.js';
import { parseComposeText } from '../../src/compose/parse.js';
import { buildProject } from '../../src/compose/project.js';
import { parseObsConfig } from '../../src/config/obs-config.js';
import type { Stack } from '../../src/stacks/detect.js';

const lf = (...lines: string[]) => lines.map((l) => `${l}\n`).join('');

const COMPOSE = lf('services:', '  api:', '    build: ./api', '  db:', '    image: postgres:16');

function input(options: Partial<InitOptions>, extra: Partial<DecideInput> = {}, stacks: Record<string, Stack> = { api: 'flask' }, text = COMPOSE): DecideInput {
  const project = buildProject([parseComposeText('docker-compose.yml', text)]);
  return { options: { dir: '.', ...options }, project, composePath: 'docker-compose.yml', stacks: new Map(Object.entries(stacks)), projectName: 'cruddur', ...extra };
}

/** What `decideChoices` throws, as the one line (and hint) a user sees. */
async function refusal(run: Promise<unknown>): Promise<string> {
  try {
    await run;
  } catch (err) {
    const e = err as Error & { exitCode?: number; hint?: string };
    expect(e.exitCode).toBe(2);
    return e.hint ? `${e.message}\n  ${e.hint}` : e.message;
  }
  throw new Error('decideChoices did not refuse');
}

const obsYaml = (backends: { honeycomb: boolean; xray: boolean; cloudwatch: boolean }) =>
  parseObsConfig(
    lf(
      'version: 1',
      'services:',
      '  api:',
      '    serviceName: api',
      '    stack: flask',
      'honeycomb:',
      `  enabled: ${backends.honeycomb}`,
      '  region: us',
      'xray:',
      `  enabled: ${backends.xray}`,
      ...(backends.xray ? ['  daemonService: xray-daemon', '  groups:', '    - name: Old'] : []),
      'cloudwatch:',
      `  enabled: ${backends.cloudwatch}`,
      ...(backends.cloudwatch ? ['  logGroups:', '    - name: /old', '      retentionInDays: 30'] : []),
      'rollbar:',
      '  enabled: false',
    ),
  );

describe('decideChoices: a flag for a backend that ends up off is a usage error', () => {
  it.each([
    [{ logGroup: '/app' }, '--log-group needs CloudWatch Logs: add --cloudwatch'],
    [{ retention: '30' }, '--retention needs CloudWatch Logs: add --cloudwatch'],
    // X-Ray is on by default only when a backend service is instrumented: here only a React app.
    [{ xrayGroup: 'App' }, '--xray-group needs X-Ray: add --xray'],
    // Also when validateFlags was not called first.
    [{ honeycomb: false, honeycombRegion: 'eu' as const }, '--honeycomb-region needs Honeycomb, which --no-honeycomb turns off: drop one of the two'],
  ])('without a terminal: %j', async (options, message) => {
    const stacks: Record<string, Stack> = 'xrayGroup' in options ? { api: 'react' } : { api: 'flask' };
    expect(await refusal(decideChoices(input(options, {}, stacks)))).toBe(message);
  });

  it.each([
    [{ cloudwatch: false, logGroup: '/app' }, '--log-group needs CloudWatch Logs, which --no-cloudwatch turns off: drop one of the two'],
    [{ cloudwatch: false, retention: '30' }, '--retention needs CloudWatch Logs, which --no-cloudwatch turns off: drop one of the two'],
    [{ xray: false, xrayGroup: 'App' }, '--xray-group needs X-Ray, which --no-xray turns off: drop one of the two'],
    [{ honeycomb: false, honeycombRegion: 'eu' as const }, '--honeycomb-region needs Honeycomb, which --no-honeycomb turns off: drop one of the two'],
    [{ honeycomb: false, honeycombDataset: 'd' }, '--honeycomb-dataset needs Honeycomb, which --no-honeycomb turns off: drop one of the two'],
  ])('checked with the other flags, before anything is asked or printed: %j', (options, message) => {
    expect(() => validateFlags({ dir: '.', ...options }, ['api', 'db'], 'docker-compose.yml')).toThrow(message);
  });

  it('off in obs.yaml from a previous run: names obs.yaml and the flag that turns it on', async () => {
    const previous = obsYaml({ honeycomb: false, xray: false, cloudwatch: false });
    expect(await refusal(decideChoices(input({ logGroup: '/app' }, { previous })))).toBe('--log-group needs CloudWatch Logs, which obs.yaml has off: add --cloudwatch');
    expect(await refusal(decideChoices(input({ xrayGroup: 'App' }, { previous })))).toBe('--xray-group needs X-Ray, which obs.yaml has off: add --xray');
    expect(await refusal(decideChoices(input({ honeycombDataset: 'd' }, { previous })))).toBe('--honeycomb-dataset needs Honeycomb, which obs.yaml has off: add --honeycomb');
  });

  it('on in obs.yaml from a previous run counts as on', async () => {
    const previous = obsYaml({ honeycomb: true, xray: true, cloudwatch: true });
    const choices = await decideChoices(input({ logGroup: '/app', retention: '7', xrayGroup: 'App', honeycombRegion: 'eu', honeycombDataset: 'd' }, { previous }));
    expect(choices.cloudwatch).toEqual({ enabled: true, logGroup: '/app', retentionInDays: 7 });
    expect(choices.xray).toEqual({ enabled: true, group: 'App' });
    expect(choices.honeycomb).toEqual({ enabled: true, region: 'eu', dataset: 'd' });
  });

  it('the backend flag given with it turns it on', async () => {
    const choices = await decideChoices(input({ cloudwatch: true, logGroup: '/app', retention: '7' }));
    expect(choices.cloudwatch).toEqual({ enabled: true, logGroup: '/app', retentionInDays: 7 });
  });
});

describe('decideChoices in a terminal with a flag for a backend not yet chosen', () => {
  /** A prompter that answers each yes/no question from `answers` and records the defaults offered. */
  function prompter(answers: Record<string, boolean>): { prompter: Prompter; asked: [string, boolean][] } {
    const asked: [string, boolean][] = [];
    return {
      asked,
      prompter: {
        services: async (_choices, defaults) => defaults,
        confirm: async (message, defaultValue) => {
          asked.push([message, defaultValue]);
          return answers[message] ?? defaultValue;
        },
        region: async (d) => d,
        text: async (_m, d) => d,
        retention: async (d) => d,
        pipeline: async (d) => d,
      },
    };
  }

  it('offers yes as the answer, since the flag asks for the backend, and takes the flag value', async () => {
    const p = prompter({});
    const choices = await decideChoices(input({ logGroup: '/app' }, { prompter: p.prompter }));
    expect(p.asked).toContainEqual(['Send logs to CloudWatch Logs?', true]);
    expect(choices.cloudwatch).toEqual({ enabled: true, logGroup: '/app', retentionInDays: 14 });
  });

  it('a no to the question the flag needs is refused right after it is given', async () => {
    const p = prompter({ 'Send logs to CloudWatch Logs?': false });
    expect(await refusal(decideChoices(input({ retention: '30' }, { prompter: p.prompter })))).toBe('--retention needs CloudWatch Logs, which you answered no to: drop --retention or answer yes');
    expect(p.asked.map(([q]) => q)).not.toContain('Report errors to Rollbar?');
  });

  it('leaves the defaults as they were without such a flag', async () => {
    const p = prompter({});
    await decideChoices(input({}, { prompter: p.prompter }));
    expect(p.asked).toEqual([
      ['Send traces to Honeycomb (OpenTelemetry)?', true],
      ['Send traces to AWS X-Ray?', true],
      ['Send logs to CloudWatch Logs?', false],
      ['Report errors to Rollbar?', false],
    ]);
  });
});

describe('decideChoices: the X-Ray daemon is never a service to instrument', () => {
  const WITH_DAEMON = lf('services:', '  api:', '    build: ./api', '  xray-daemon:', '    image: amazon/aws-xray-daemon');
  // A daemon built here (its image names the build's tag) has a build context, like the app.
  const BUILT_DAEMON = lf('services:', '  api:', '    build: ./api', '  xray:', '    build: ./xray', '    image: my-xray-daemon:dev');

  it.each([['xray-daemon'], ['api,xray-daemon'], [' api , xray-daemon ']])('--services %j names the daemon obs reuses: refused before anything is printed', (services) => {
    const project = buildProject([parseComposeText('docker-compose.yml', WITH_DAEMON)]);
    expect(() =>
      validateFlags(
        { dir: '.', services },
        project.services.map((s) => s.name),
        'docker-compose.yml',
        project,
      ),
    ).toThrow('--services names "xray-daemon", which runs the X-Ray daemon (amazon/aws-xray-daemon): obs does not instrument the daemon; leave it out');
  });

  it('--services naming the daemon is refused by decideChoices too', async () => {
    expect(await refusal(decideChoices(input({ services: 'xray' }, {}, { api: 'flask', xray: 'unknown' }, BUILT_DAEMON)))).toBe(
      '--services names "xray", which runs the X-Ray daemon (my-xray-daemon:dev): obs does not instrument the daemon; leave it out',
    );
  });

  it('the default selection leaves a daemon with a build context out', async () => {
    const choices = await decideChoices(input({}, {}, { api: 'flask', xray: 'unknown' }, BUILT_DAEMON));
    expect(choices.services).toEqual(['api']);
  });

  it('a daemon listed in obs.yaml from an earlier run is not chosen again', async () => {
    const previous = parseObsConfig(lf('version: 1', 'services:', '  api:', '    serviceName: api', '  xray:', '    serviceName: xray'));
    const choices = await decideChoices(input({}, { previous }, { api: 'flask', xray: 'unknown' }, BUILT_DAEMON));
    expect(choices.services).toEqual(['api']);
  });

  it('is not offered in the terminal', async () => {
    let offered: string[] = [];
    const prompter: Prompter = {
      services: async (choices, defaults) => {
        offered = choices.map((c) => c.name);
        return defaults;
      },
      confirm: async (_m, d) => d,
      region: async (d) => d,
      text: async (_m, d) => d,
      retention: async (d) => d,
      pipeline: async (d) => d,
    };
    await decideChoices(input({}, { prompter }, { api: 'flask', xray: 'unknown' }, BUILT_DAEMON));
    expect(offered).toEqual(['api']);
  });
});

describe('decideChoices: X-Ray on by default only where something can send to it (issue 12 item 6)', () => {
  const xrayOn = async (pipeline: 'collector' | 'direct', stack: Stack, text = COMPOSE) =>
    ((await decideChoices(input({ yes: true, pipeline }, {}, { api: stack }, text))).xray as { enabled: boolean }).enabled;

  it('through the collector, for any server-side app: the collector exports OpenTelemetry spans to X-Ray', async () => {
    expect(await xrayOn('collector', 'node')).toBe(true);
    expect(await xrayOn('collector', 'rails')).toBe(true);
  });

  it('directly, only for a Flask app (obs writes its X-Ray SDK code) or an app already on the SDK', async () => {
    expect(await xrayOn('direct', 'flask')).toBe(true);
    expect(await xrayOn('direct', 'node')).toBe(false);
    expect(await xrayOn('direct', 'rails')).toBe(false);
    const onTheSdk = lf('services:', '  api:', '    build: ./api', '    environment:', '      AWS_XRAY_DAEMON_ADDRESS: "xray-daemon:2000"');
    expect(await xrayOn('direct', 'node', onTheSdk)).toBe(true);
  });
});
