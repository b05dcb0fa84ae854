import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { addGems } from '../../src/instrument/gemfile.js';
import { planRails, type InstrumentInput } from '../../src/instrument/rails.js';
import { templateLoader } from '../../src/instrument/template.js';

const lf = (...lines: string[]) => lines.map((l) => `${l}\n`).join('');
const crlf = (...lines: string[]) => lines.map((l) => `${l}\r\n`).join('');
const CORPUS = join(import.meta.dirname, '..', 'fixtures', 'corpus');

const GEMFILE = lf("source 'https://rubygems.org'", '', "gem 'rails', '~> 7.1'", "gem 'pg'");
const GEMFILE_AFTER = lf(
  "source 'https://rubygems.org'",
  '',
  "gem 'rails', '~> 7.1'",
  "gem 'pg'",
  '',
  '# Observability (added by obs init)',
  "gem 'opentelemetry-sdk'",
  "gem 'opentelemetry-exporter-otlp'",
  "gem 'opentelemetry-instrumentation-rails'",
  "gem 'opentelemetry-instrumentation-net_http'",
  "gem 'opentelemetry-instrumentation-pg'",
);
const INITIALIZER = 'config/initializers/opentelemetry.rb';

function input(files: Record<string, string>, over: Partial<InstrumentInput> = {}): InstrumentInput {
  return {
    serviceDir: 'web',
    serviceName: 'web',
    backends: { honeycomb: true, xray: false, cloudwatch: false, rollbar: false },
    files: new Map(Object.entries(files)),
    template: templateLoader('rails'),
    ...over,
  };
}

/** The mechanics of addGems, on the gem list obs used to add (the Gemfiles of the corpus have some of these). */
const GEMS = ['opentelemetry-sdk', 'opentelemetry-exporter-otlp', 'opentelemetry-instrumentation-all'];

describe('addGems', () => {
  it('appends the missing gems in the file’s quote style', () => {
    expect(addGems(GEMFILE, GEMS)).toEqual({
      text: lf("source 'https://rubygems.org'", '', "gem 'rails', '~> 7.1'", "gem 'pg'", '', '# Observability (added by obs init)', ...GEMS.map((g) => `gem '${g}'`)),
      added: [...GEMS],
    });
    const double = lf('source "https://rubygems.org"', 'gem "rails"');
    expect(addGems(double, ['opentelemetry-sdk']).text).toBe(lf('source "https://rubygems.org"', 'gem "rails"', '', '# Observability (added by obs init)', 'gem "opentelemetry-sdk"'));
  });

  it('recognises gems in groups, with versions, options or parentheses', () => {
    const before = lf(
      "gem 'rails'",
      'group :opentelemetry do',
      "  gem 'OpenTelemetry-SDK', '~> 1.4', require: false",
      'end',
      'gem("opentelemetry-exporter-otlp", "~> 0.29")',
      "# gem 'opentelemetry-instrumentation-all'",
    );
    expect(addGems(before, GEMS)).toEqual({
      text: `${before}\n# Observability (added by obs init)\ngem 'opentelemetry-instrumentation-all'\n`,
      added: ['opentelemetry-instrumentation-all'],
    });
  });

  it('keeps CRLF and is idempotent', () => {
    const once = addGems(crlf("gem 'rails'"), GEMS).text!;
    expect(once).toBe(crlf("gem 'rails'", '', '# Observability (added by obs init)', ...GEMS.map((g) => `gem '${g}'`)));
    expect(addGems(once, GEMS)).toEqual({ text: once, added: [] });
  });

  it('refuses a gem line it cannot read, a merge conflict, or a Gemfile without gems', () => {
    expect(addGems(lf("gem 'rails'", 'gem name_from_variable'), GEMS)).toEqual({
      text: undefined,
      reason: 'Gemfile:2: obs cannot read `gem name_from_variable` (it expects gem "name", ...)',
    });
    expect(addGems(lf("gem 'rails'", '<<<<<<< HEAD', "gem 'pg'", '=======', '>>>>>>> main'), GEMS)).toEqual({ text: undefined, reason: 'Gemfile:2: unresolved merge conflict' });
    expect(addGems(lf("source 'https://rubygems.org'", 'gemspec'), GEMS).text).toBeUndefined();
  });

  it('handles the corpus Gemfiles: adds only what each lacks', () => {
    const conjur = readFileSync(join(CORPUS, 'cyberark__conjur', 'Gemfile'), 'utf8');
    expect(addGems(conjur, GEMS)).toMatchObject({ added: ['opentelemetry-exporter-otlp', 'opentelemetry-instrumentation-all'] });
    const lago = readFileSync(join(CORPUS, 'getlago__lago', 'api', 'Gemfile'), 'utf8');
    expect(addGems(lago, GEMS)).toEqual({ text: lago, added: [] });
    const mastodon = readFileSync(join(CORPUS, 'mastodon__mastodon', 'Gemfile'), 'utf8');
    expect(addGems(mastodon, GEMS)).toMatchObject({ added: ['opentelemetry-instrumentation-all'] });
  });
});

describe('planRails', () => {
  const initializer = planRails(input({ Gemfile: GEMFILE })).changes[0]!.after;

  it('writes the initializer and adds the gems', () => {
    const plan = planRails(input({ Gemfile: GEMFILE }));
    expect(plan.changes).toEqual([
      { path: `web/${INITIALIZER}`, before: null, after: initializer },
      { path: 'web/Gemfile', before: GEMFILE, after: GEMFILE_AFTER },
    ]);
    expect(plan.notes).toEqual([]);
    expect(plan.install).toEqual({
      manager: 'bundler',
      manifest: 'web/Gemfile',
      packages: ['opentelemetry-sdk', 'opentelemetry-exporter-otlp', 'opentelemetry-instrumentation-rails', 'opentelemetry-instrumentation-net_http', 'opentelemetry-instrumentation-pg'],
      commands: ['(cd web && bundle install) (updates web/Gemfile.lock)', 'docker compose build web'],
    });
    expect(initializer).toContain('c.service_name = service_name.empty? ? "web" : service_name');
    expect(initializer).toContain(
      lf(
        '    instrumentations = [',
        '      ["opentelemetry/instrumentation/rails", "OpenTelemetry::Instrumentation::Rails"],',
        '      ["opentelemetry/instrumentation/net/http", "OpenTelemetry::Instrumentation::Net::HTTP"],',
        '      ["opentelemetry/instrumentation/pg", "OpenTelemetry::Instrumentation::PG"],',
        '    ].freeze',
      ),
    );
    expect(initializer).not.toMatch(/use_all|instrumentation\/all|exporter-otlp-grpc/);
    expect(initializer).not.toContain('{{');
    // A second plan over the result changes nothing.
    expect(planRails(input({ Gemfile: GEMFILE_AFTER, [INITIALIZER]: initializer }))).toEqual({ changes: [], notes: [] });
  });

  it('writes the service name as a Ruby string that cannot interpolate', () => {
    const plan = planRails(input({ Gemfile: GEMFILE }, { serviceName: 'a#{b}"c' }));
    expect(plan.changes[0]!.after).toContain('service_name.empty? ? "a\\#{b}\\"c" : service_name');
  });

  it('does nothing without Honeycomb, and says the other backends are not wired into Rails', () => {
    expect(planRails(input({ Gemfile: GEMFILE }, { backends: { honeycomb: false, xray: true, cloudwatch: false, rollbar: true } }))).toEqual({
      changes: [],
      notes: ['web: obs instruments Rails with OpenTelemetry only; wire X-Ray, Rollbar into the app by hand'],
    });
  });

  it('leaves an app that already configures OpenTelemetry alone', () => {
    const mastodon = readFileSync(join(CORPUS, 'mastodon__mastodon', INITIALIZER), 'utf8');
    expect(planRails(input({ Gemfile: GEMFILE, [INITIALIZER]: mastodon }))).toEqual({
      changes: [],
      notes: [`web: web/${INITIALIZER} exists and was not written by obs; obs leaves it and the Gemfile alone`],
    });
    const lago = readFileSync(join(CORPUS, 'getlago__lago', 'api', 'config', 'initializers', 'open_telemetry.rb'), 'utf8');
    expect(planRails(input({ Gemfile: GEMFILE, 'config/initializers/open_telemetry.rb': lago }))).toEqual({
      changes: [],
      notes: ['web: web/config/initializers/open_telemetry.rb already configures OpenTelemetry; obs leaves the app and its Gemfile alone'],
    });
  });

  it('keeps its own initializer up to date', () => {
    const stale = initializer.replace('c.use(name)', 'c.use("OpenTelemetry::Instrumentation::Rack")');
    expect(planRails(input({ Gemfile: GEMFILE_AFTER, [INITIALIZER]: stale })).changes).toEqual([{ path: `web/${INITIALIZER}`, before: stale, after: initializer }]);
  });

  it('a Gemfile it cannot read, or none: the initializer only, and the gems to paste', () => {
    const note = (reason: string) =>
      [
        `web: ${reason}. obs writes web/${INITIALIZER} and changes nothing else; to finish by hand:`,
        '    add to web/Gemfile, then run (cd web && bundle install) (updates web/Gemfile.lock), then docker compose build web:',
        '        gem "opentelemetry-sdk"',
        '        gem "opentelemetry-exporter-otlp"',
        '        gem "opentelemetry-instrumentation-rails"',
        '        gem "opentelemetry-instrumentation-net_http"',
      ].join('\n');
    const odd = lf("gem 'rails'", 'gem *extra_gems');
    const oddPlan = planRails(input({ Gemfile: odd }));
    expect(oddPlan.changes.map((c) => c.path)).toEqual([`web/${INITIALIZER}`]);
    expect(oddPlan.notes).toEqual([note('Gemfile:2: obs cannot read `gem *extra_gems` (it expects gem "name", ...)')]);
    // No Gemfile: nothing says Rails, so only Net::HTTP.
    expect(planRails(input({})).notes).toEqual([note('the service has no Gemfile').replace('\n        gem "opentelemetry-instrumentation-rails"', '')]);
  });

  it('adds the instrumentation gem of a library added later, and keeps opentelemetry-instrumentation-all where the Gemfile has it', () => {
    const first = planRails(input({ Gemfile: GEMFILE }));
    const gemfile = `${first.changes[1]!.after}gem 'sidekiq'\ngem 'redis', '~> 5'\n`;
    const again = planRails(input({ Gemfile: gemfile, [INITIALIZER]: first.changes[0]!.after }));
    expect(again.notes).toEqual([]);
    expect(again.install?.packages).toEqual(['opentelemetry-instrumentation-redis', 'opentelemetry-instrumentation-sidekiq']);
    expect(again.changes[0]!.after).toContain('["opentelemetry/instrumentation/sidekiq", "OpenTelemetry::Instrumentation::Sidekiq"],');
    // An earlier obs (or the app) put opentelemetry-instrumentation-all in the Gemfile: kept, used whole, nothing added.
    const withAll = `${GEMFILE}gem 'opentelemetry-sdk'\ngem 'opentelemetry-exporter-otlp'\ngem 'opentelemetry-instrumentation-all'\n`;
    const plan = planRails(input({ Gemfile: withAll }));
    expect(plan.changes.map((c) => c.path)).toEqual([`web/${INITIALIZER}`]);
    expect(plan.changes[0]!.after).toContain('      c.use_all\n');
    expect(plan.changes[0]!.after).toContain('require "opentelemetry/instrumentation/all"');
  });
});
