import { describe, expect, it } from 'vitest';
import { uncoveredLibraries } from '../../src/instrument/coverage.js';
import { planFlask } from '../../src/instrument/flask.js';
import { planRails } from '../../src/instrument/rails.js';
import { templateLoader } from '../../src/instrument/template.js';

const HONEYCOMB = { honeycomb: true, xray: false, cloudwatch: false, rollbar: false };
const APP = 'from flask import Flask\napp = Flask(__name__)\n';

describe('uncoveredLibraries', () => {
  it('Flask: a database driver added to requirements.txt after obs wrote the module', () => {
    const files = new Map([
      ['requirements.txt', 'flask\n'],
      ['app.py', APP],
    ]);
    const module = planFlask({ serviceDir: '.', serviceName: 'api', backends: HONEYCOMB, files, template: templateLoader('flask') }).changes[0]!.after;
    expect(
      uncoveredLibraries(
        'flask',
        new Map([
          ['requirements.txt', 'flask\n'],
          ['observability.py', module],
        ]),
      ),
    ).toEqual([]);
    expect(
      uncoveredLibraries(
        'flask',
        new Map([
          ['requirements.txt', 'flask\npsycopg2-binary\n'],
          ['observability.py', module],
        ]),
      ),
    ).toEqual([{ library: 'psycopg2-binary', pkg: 'opentelemetry-instrumentation-psycopg2', manifest: 'requirements.txt', module: 'observability.py' }]);
    // A module the user owns (no marker) is not judged.
    expect(
      uncoveredLibraries(
        'flask',
        new Map([
          ['requirements.txt', 'psycopg2\n'],
          ['observability.py', 'def init_observability(app): pass\n'],
        ]),
      ),
    ).toBeUndefined();
  });

  it('Rails: a gem added to the Gemfile; use_all covers everything', () => {
    const gemfile = "gem 'rails'\n";
    const initializer = planRails({ serviceDir: '.', serviceName: 'web', backends: HONEYCOMB, files: new Map([['Gemfile', gemfile]]), template: templateLoader('rails') }).changes[0]!.after;
    const files = (g: string) =>
      new Map([
        ['Gemfile', g],
        ['config/initializers/opentelemetry.rb', initializer],
      ]);
    expect(uncoveredLibraries('rails', files(gemfile))).toEqual([]);
    expect(uncoveredLibraries('rails', files(`${gemfile}gem 'sidekiq'\ngem "aws-sdk-s3"\n`))!.map((u) => u.pkg)).toEqual([
      'opentelemetry-instrumentation-sidekiq',
      'opentelemetry-instrumentation-aws_sdk',
    ]);
  });
});
