/**
 * Pure planning of a Rails service's instrumentation: config/initializers/opentelemetry.rb from
 * templates/rails/ and the three OpenTelemetry gems in the Gemfile. obs sets up OpenTelemetry
 * (Honeycomb) only; an app that already configures the SDK is left alone.
 */
import type { FileChange } from '../plan/file-change.js';
import { addGems } from './gemfile.js';
import { installSteps } from '../stacks/package-manager.js';
import { changeOf, MANAGED_MARKER, otelOnlyTargets, renderTemplate, rubyString, servicePath, type InstrumentInput, type InstrumentPlan } from './template.js';

export type { InstrumentInput, InstrumentPlan } from './template.js';

export const RAILS_INITIALIZER = 'config/initializers/opentelemetry.rb';
/** The SDK and its OTLP/HTTP exporter (the gRPC one is another gem, never added). */
export const RAILS_SDK_GEMS = ['opentelemetry-sdk', 'opentelemetry-exporter-otlp'] as const;

interface RubyInstrumentation {
  gem: string;
  require: string;
  className: string;
  /** Gems of the app that call for it; an empty list means always. */
  when: readonly string[];
}

/**
 * The libraries obs traces, each through its own gem instead of opentelemetry-instrumentation-all
 * (which installs every instrumentation there is). Net::HTTP is in the standard library: always.
 * `rails` covers Rack, Action Pack, Action View, Active Record, Active Job and Active Support.
 */
export const RUBY_INSTRUMENTATIONS: readonly RubyInstrumentation[] = [
  { gem: 'opentelemetry-instrumentation-rails', require: 'opentelemetry/instrumentation/rails', className: 'Rails', when: ['rails', 'railties', 'actionpack'] },
  { gem: 'opentelemetry-instrumentation-sinatra', require: 'opentelemetry/instrumentation/sinatra', className: 'Sinatra', when: ['sinatra'] },
  { gem: 'opentelemetry-instrumentation-net_http', require: 'opentelemetry/instrumentation/net/http', className: 'Net::HTTP', when: [] },
  { gem: 'opentelemetry-instrumentation-pg', require: 'opentelemetry/instrumentation/pg', className: 'PG', when: ['pg'] },
  { gem: 'opentelemetry-instrumentation-mysql2', require: 'opentelemetry/instrumentation/mysql2', className: 'Mysql2', when: ['mysql2'] },
  { gem: 'opentelemetry-instrumentation-trilogy', require: 'opentelemetry/instrumentation/trilogy', className: 'Trilogy', when: ['trilogy'] },
  { gem: 'opentelemetry-instrumentation-redis', require: 'opentelemetry/instrumentation/redis', className: 'Redis', when: ['redis'] },
  { gem: 'opentelemetry-instrumentation-sidekiq', require: 'opentelemetry/instrumentation/sidekiq', className: 'Sidekiq', when: ['sidekiq'] },
  { gem: 'opentelemetry-instrumentation-faraday', require: 'opentelemetry/instrumentation/faraday', className: 'Faraday', when: ['faraday'] },
  { gem: 'opentelemetry-instrumentation-excon', require: 'opentelemetry/instrumentation/excon', className: 'Excon', when: ['excon'] },
  { gem: 'opentelemetry-instrumentation-http', require: 'opentelemetry/instrumentation/http', className: 'HTTP', when: ['http'] },
  { gem: 'opentelemetry-instrumentation-http_client', require: 'opentelemetry/instrumentation/http_client', className: 'HttpClient', when: ['httpclient'] },
  { gem: 'opentelemetry-instrumentation-restclient', require: 'opentelemetry/instrumentation/restclient', className: 'RestClient', when: ['rest-client'] },
  { gem: 'opentelemetry-instrumentation-aws_sdk', require: 'opentelemetry/instrumentation/aws_sdk', className: 'AwsSdk', when: ['aws-sdk', 'aws-sdk-core', 'aws-sdk-'] },
  { gem: 'opentelemetry-instrumentation-graphql', require: 'opentelemetry/instrumentation/graphql', className: 'GraphQL', when: ['graphql'] },
  { gem: 'opentelemetry-instrumentation-mongo', require: 'opentelemetry/instrumentation/mongo', className: 'Mongo', when: ['mongo', 'mongoid'] },
  { gem: 'opentelemetry-instrumentation-dalli', require: 'opentelemetry/instrumentation/dalli', className: 'Dalli', when: ['dalli'] },
  { gem: 'opentelemetry-instrumentation-bunny', require: 'opentelemetry/instrumentation/bunny', className: 'Bunny', when: ['bunny'] },
  { gem: 'opentelemetry-instrumentation-resque', require: 'opentelemetry/instrumentation/resque', className: 'Resque', when: ['resque'] },
  { gem: 'opentelemetry-instrumentation-delayed_job', require: 'opentelemetry/instrumentation/delayed_job', className: 'DelayedJob', when: ['delayed_job', 'delayed_job_active_record'] },
];

const ALL_GEM = 'opentelemetry-instrumentation-all';

/** The instrumentations for the gems a Gemfile declares (`aws-sdk-` matches every aws-sdk-* gem). */
export function chooseRubyInstrumentations(gems: ReadonlySet<string>): RubyInstrumentation[] {
  return RUBY_INSTRUMENTATIONS.filter((i) => i.when.length === 0 || i.when.some((w) => (w.endsWith('-') ? [...gems].some((g) => g.startsWith(w)) : gems.has(w))));
}

/** The gems a service gets: the SDK, then one instrumentation gem per library it uses. */
export const RAILS_GEMS = [...RAILS_SDK_GEMS, 'opentelemetry-instrumentation-rails', 'opentelemetry-instrumentation-net_http'] as const;

/** planRails reads the Gemfile and every file under config/initializers/ it is given. */
export function planRails(input: InstrumentInput): InstrumentPlan {
  const { files, serviceName: name } = input;
  const notes: string[] = [];
  const targets = otelOnlyTargets(input);
  if (targets.unreached.length > 0) notes.push(`${name}: obs instruments Rails with OpenTelemetry only; wire ${targets.unreached.join(', ')} into the app by hand`);
  if (!targets.traces) return { changes: [], notes };

  const path = (file: string) => servicePath(input.serviceDir, file);
  const initializerPath = path(RAILS_INITIALIZER);
  const existing = files.get(RAILS_INITIALIZER);
  if (existing !== undefined && !existing.includes(MANAGED_MARKER)) {
    notes.push(`${name}: ${initializerPath} exists and was not written by obs; obs leaves it and the Gemfile alone`);
    return { changes: [], notes };
  }
  for (const [file, text] of files) {
    if (file === RAILS_INITIALIZER || !file.startsWith('config/initializers/')) continue;
    if (/^[^#\n]*OpenTelemetry::SDK\.configure/m.test(text)) {
      notes.push(`${name}: ${path(file)} already configures OpenTelemetry; obs leaves the app and its Gemfile alone`);
      return { changes: [], notes };
    }
  }

  const gemfile = files.get('Gemfile');
  const declared = gemfile === undefined ? new Set<string>() : declaredGems(gemfile);
  // A Gemfile that already has opentelemetry-instrumentation-all (an earlier obs, or the app's
  // choice) keeps it: the initializer then uses every instrumentation it brings.
  const useAll = declared.has(ALL_GEM);
  const instrumentations = useAll ? [] : chooseRubyInstrumentations(declared);
  const gems = [...RAILS_SDK_GEMS, ...(useAll ? [] : instrumentations.map((i) => i.gem))];
  const initializer = renderTemplate(input.template('opentelemetry.rb'), {
    WHAT: useAll ? `every library ${ALL_GEM} knows` : instrumentations.map((i) => i.className).join(', '),
    SETUP: setupBlock(rubyString(name), useAll ? undefined : instrumentations),
  });
  const changes: FileChange[] = changeOf(initializerPath, existing ?? null, initializer);
  const result = gemfile === undefined ? { text: undefined, reason: 'the service has no Gemfile' } : addGems(gemfile, gems);
  if (result.text === undefined) {
    notes.push(
      `${name}: ${result.reason}. obs writes ${initializerPath} and changes nothing else; to finish by hand:\n` +
        `    add to ${path('Gemfile')}, then run ${installSteps('bundler', input.serviceDir, name).join(', then ')}:\n` +
        gems.map((g) => `        gem "${g}"`).join('\n'),
    );
  } else if (result.added.length > 0) {
    changes.push(...changeOf(path('Gemfile'), gemfile!, result.text));
    return { changes, notes, install: { manager: 'bundler', manifest: path('Gemfile'), packages: result.added, commands: installSteps('bundler', input.serviceDir, name) } };
  }
  return { changes, notes };
}

/** The body of the initializer's `else` branch (indented 4 spaces): configure the SDK. */
function setupBlock(serviceName: string, instrumentations: readonly RubyInstrumentation[] | undefined): string {
  const lines: string[] = [];
  if (instrumentations === undefined) {
    lines.push('begin', '  require "opentelemetry/instrumentation/all"', 'rescue LoadError', '  nil # configured below with whatever is installed', 'end');
  } else {
    lines.push('# [require path, class] per library in the Gemfile; a gem not installed yet is skipped with a warning.', 'instrumentations = [');
    for (const i of instrumentations) lines.push(`  [${JSON.stringify(i.require)}, ${JSON.stringify(`OpenTelemetry::Instrumentation::${i.className}`)}],`);
    lines.push('].freeze', 'missing = []', 'instrumentations.each do |path, _name|', '  require path', 'rescue LoadError', '  missing << path', 'end');
    lines.push('warn "observability: not installed: #{missing.join(", ")}; run bundle install. Those libraries are not traced." unless missing.empty?');
  }
  lines.push('service_name = ENV["OTEL_SERVICE_NAME"].to_s.strip', 'OpenTelemetry::SDK.configure do |c|', `  c.service_name = service_name.empty? ? ${serviceName} : service_name`);
  if (instrumentations === undefined) lines.push('  c.use_all');
  else lines.push('  instrumentations.each { |path, name| c.use(name) unless missing.include?(path) }');
  lines.push('end');
  return lines.map((l, i) => (i === 0 ? l : `    ${l}`)).join('\n');
}

/** Gem names (lower case) a Gemfile declares with `gem "name"`; comments ignored. */
function declaredGems(text: string): Set<string> {
  const out = new Set<string>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*gem\s*\(?\s*(["'])([A-Za-z0-9._-]+)\1/.exec(line);
    if (m) out.add(m[2]!.toLowerCase());
  }
  return out;
}
