import { execa } from 'execa';
import { spawnSync } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addGems } from '../../src/instrument/gemfile.js';
import { planRails, RAILS_GEMS, RAILS_INITIALIZER } from '../../src/instrument/rails.js';
import { templateLoader } from '../../src/instrument/template.js';
import { REPO_ROOT, tempProject } from '../support/run-obs.js';

/**
 * Every Ruby file the Rails planner generates or edits passes `ruby -c`, and the initializer
 * runs: quietly without an endpoint, with one warning when the gems are missing (they are not
 * installed here), and configuring the SDK when stand-in gems are on the load path.
 *
 * Ruby is Debian's `ruby` package (`apt-get install -y ruby`). Without it the tests are skipped
 * on a workstation; on CI (CI set) a missing ruby fails.
 */
const HAS_RUBY = spawnSync('ruby', ['-v']).status === 0;
const ON_CI = Boolean(process.env.CI);
const CORPUS = join(REPO_ROOT, 'test', 'fixtures', 'corpus');
/** What the initializer of a Gemfile with rails (and no other traced gem) uses. */
const USED = ['OpenTelemetry::Instrumentation::Rails', 'OpenTelemetry::Instrumentation::Net::HTTP'];

const MINIMAL_GEMFILE = [
  "source 'https://rubygems.org'",
  '',
  "ruby '>= 3.1'",
  '',
  "gem 'rails', '~> 7.1'",
  "gem 'puma'",
  '',
  'group :development, :test do',
  "  gem 'debug', platforms: %i[mri windows]",
  'end',
  '',
].join('\n');

let dir: string;
beforeAll(async () => {
  dir = await tempProject();
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function write(path: string, text: string): Promise<string> {
  const full = join(dir, path);
  await mkdir(dirname(full), { recursive: true });
  await writeFile(full, text);
  return full;
}

async function rubyCheck(file: string): Promise<void> {
  const run = await execa('ruby', ['-c', file], { reject: false });
  expect(run.exitCode, `${file}: ${run.stderr}`).toBe(0);
  expect(run.stdout).toBe('Syntax OK');
}

describe.runIf(!HAS_RUBY && ON_CI)('ruby on CI', () => {
  it('is installed (apt-get install -y ruby)', () => {
    expect.fail('ruby is missing and CI is set: install it with `apt-get install -y ruby`; the Rails template tests need `ruby -c`');
  });
});

if (!HAS_RUBY && !ON_CI) console.warn('rails-template.test.ts: skipped, ruby is not installed (apt-get install -y ruby); on CI this fails');

describe.runIf(HAS_RUBY)('generated Rails files', () => {
  const input = (files: Map<string, string>, serviceName = 'api') => ({
    serviceDir: 'api',
    serviceName,
    backends: { honeycomb: true, xray: false, cloudwatch: false, rollbar: false },
    files,
    template: templateLoader('rails'),
  });

  it('the initializer and the edited Gemfile of a new Rails app pass ruby -c', async () => {
    const plan = planRails(input(new Map([['Gemfile', MINIMAL_GEMFILE]])));
    expect(plan.changes.map((c) => c.path)).toEqual([`api/${RAILS_INITIALIZER}`, 'api/Gemfile']);
    for (const change of plan.changes) await rubyCheck(await write(`minimal/${change.path}`, change.after));
  });

  it('a service name that looks like Ruby interpolation stays a plain string', async () => {
    const plan = planRails(input(new Map([['Gemfile', MINIMAL_GEMFILE]]), 'web#{`id`}"'));
    const file = await write('odd/opentelemetry.rb', plan.changes[0]!.after);
    await rubyCheck(file);
    const run = await runInitializer(file, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1' }, await fakeGems());
    expect(run.stdout).toBe(JSON.stringify({ service_name: 'web#{`id`}"', used: USED }));
  });

  it('the corpus Gemfiles (conjur, lago, mastodon, CircuitVerse-style) pass ruby -c after obs adds the gems', async () => {
    for (const path of ['cyberark__conjur/Gemfile', 'getlago__lago/api/Gemfile', 'mastodon__mastodon/Gemfile']) {
      const text = await readFile(join(CORPUS, path), 'utf8');
      const result = addGems(text, RAILS_GEMS);
      expect(result.text, path).toBeDefined();
      await rubyCheck(await write(`corpus/${path}`, result.text!));
      // Idempotent: a second pass adds nothing.
      expect(addGems(result.text!, RAILS_GEMS)).toEqual({ text: result.text, added: [] });
    }
  });

  it('the initializer runs: silent without an endpoint, one warning without the gems, configures the SDK with them', async () => {
    const plan = planRails(input(new Map([['Gemfile', MINIMAL_GEMFILE]])));
    const file = await write('run/opentelemetry.rb', plan.changes[0]!.after);

    const off = await runInitializer(file, {});
    expect([off.exitCode, off.stdout, off.stderr]).toEqual([0, '', '']);

    const missing = await runInitializer(file, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1' });
    expect(missing.exitCode).toBe(0);
    expect(missing.stderr).toBe(
      'observability: missing gem (cannot load such file -- opentelemetry/sdk); add opentelemetry-sdk and opentelemetry-exporter-otlp ' + 'to the Gemfile and run bundle install. Tracing is off.',
    );

    const fakes = await fakeGems();
    const named = await runInitializer(file, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1', OTEL_SERVICE_NAME: 'rails-web' }, fakes);
    expect([named.exitCode, named.stderr, named.stdout]).toEqual([0, '', JSON.stringify({ service_name: 'rails-web', used: USED })]);
    const fallback = await runInitializer(file, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1', OTEL_SERVICE_NAME: ' ' }, fakes);
    expect(fallback.stdout).toBe(JSON.stringify({ service_name: 'api', used: USED }));
    // An instrumentation gem not installed yet: one warning, the others still used.
    const partial = await fakeGems('partial-gems', ['opentelemetry/instrumentation/net/http']);
    const some = await runInitializer(file, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1' }, partial);
    expect([some.exitCode, some.stderr.trim(), some.stdout]).toEqual([
      0,
      'observability: not installed: opentelemetry/instrumentation/rails; run bundle install. Those libraries are not traced.',
      JSON.stringify({ service_name: 'api', used: ['OpenTelemetry::Instrumentation::Net::HTTP'] }),
    ]);
  });
});

/** Stand-ins for the gems: same require paths; OpenTelemetry::SDK.configure records what it is told. */
async function fakeGems(folder = 'fake-gems', instrumentations = ['opentelemetry/instrumentation/rails', 'opentelemetry/instrumentation/net/http']): Promise<string> {
  const root = join(dir, folder);
  await write(`${folder}/opentelemetry/exporter/otlp.rb`, '');
  for (const path of instrumentations) await write(`${folder}/${path}.rb`, '');
  await write(
    `${folder}/opentelemetry/sdk.rb`,
    [
      'module OpenTelemetry',
      '  module SDK',
      '    class Config',
      '      attr_accessor :service_name',
      '      def used = (@used ||= [])',
      '      def use(name, _config = {}) = used << name',
      '    end',
      '    def self.configure',
      '      c = Config.new',
      '      yield c',
      '      $configured = { service_name: c.service_name, used: c.used }',
      '    end',
      '  end',
      'end',
      '',
    ].join('\n'),
  );
  return root;
}

async function runInitializer(file: string, env: Record<string, string>, loadPath?: string) {
  const script = 'require "json"; load ARGV[0]; print JSON.generate($configured) if $configured';
  return execa('ruby', [...(loadPath ? ['-I', loadPath] : []), '-e', script, file], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    extendEnv: false,
    reject: false,
  });
}
