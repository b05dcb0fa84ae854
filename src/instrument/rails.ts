/**
 * Pure planning of a Rails service's instrumentation: config/initializers/opentelemetry.rb from
 * templates/rails/ and the three OpenTelemetry gems in the Gemfile. obs sets up OpenTelemetry
 * (Honeycomb) only; an app that already configures the SDK is left alone.
 */
import type { FileChange } from '../plan/file-change.js';
import { addGems } from './gemfile.js';
import { changeOf, MANAGED_MARKER, renderTemplate, rubyString, servicePath, type InstrumentInput, type InstrumentPlan } from './template.js';

export type { InstrumentInput, InstrumentPlan } from './template.js';

export const RAILS_INITIALIZER = 'config/initializers/opentelemetry.rb';
export const RAILS_GEMS = ['opentelemetry-sdk', 'opentelemetry-exporter-otlp', 'opentelemetry-instrumentation-all'] as const;

/** planRails reads the Gemfile and every file under config/initializers/ it is given. */
export function planRails(input: InstrumentInput): InstrumentPlan {
  const { backends, files, serviceName: name } = input;
  const notes: string[] = [];
  const others = [backends.xray && 'X-Ray', backends.cloudwatch && 'CloudWatch Logs', backends.rollbar && 'Rollbar'].filter(Boolean);
  if (others.length > 0) notes.push(`${name}: obs instruments Rails with OpenTelemetry only; wire ${others.join(', ')} into the app by hand`);
  if (!backends.honeycomb) return { changes: [], notes };

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

  const initializer = renderTemplate(input.template('opentelemetry.rb'), { SERVICE_NAME: rubyString(name) });
  const changes: FileChange[] = changeOf(initializerPath, existing ?? null, initializer);
  const gemfile = files.get('Gemfile');
  const result = gemfile === undefined ? { text: undefined, reason: 'the service has no Gemfile' } : addGems(gemfile, RAILS_GEMS);
  if (result.text === undefined) {
    notes.push(
      `${name}: ${result.reason}. obs writes ${initializerPath} and changes nothing else; to finish by hand:\n` +
        `    add to ${path('Gemfile')}, then run bundle install:\n` +
        RAILS_GEMS.map((g) => `        gem "${g}"`).join('\n'),
    );
  } else if (result.added.length > 0) {
    changes.push(...changeOf(path('Gemfile'), gemfile!, result.text));
    notes.push(`${name}: run bundle install to update Gemfile.lock with ${result.added.join(', ')}`);
  }
  return { changes, notes };
}
