import { describe, expect, it } from 'vitest';
import { planFlask, type InstrumentInput } from '../../src/instrument/flask.js';
import { addGems } from '../../src/instrument/gemfile.js';
import { removeAddedLines } from '../../src/instrument/requirements.js';
import { templateLoader } from '../../src/instrument/template.js';

const lf = (...lines: string[]) => lines.map((l) => `${l}\n`).join('');
const APP = lf('from flask import Flask', '', 'app = Flask(__name__)');

function input(files: Record<string, string>, backends: InstrumentInput['backends'], pipeline: 'direct' | 'collector' = 'direct'): InstrumentInput {
  return { serviceDir: 'api', serviceName: 'api', backends, files: new Map(Object.entries(files)), template: templateLoader('flask'), pipeline };
}

/** One run of planFlask applied: the service folder's files after it. */
function run(files: Record<string, string>, backends: InstrumentInput['backends'], pipeline: 'direct' | 'collector' = 'direct'): { files: Record<string, string>; notes: string[] } {
  const plan = planFlask(input(files, backends, pipeline));
  const out = { ...files };
  for (const change of plan.changes) out[change.path.replace(/^api\//, '')] = change.after;
  return { files: out, notes: plan.notes };
}

describe('re-run of obs init: packages obs added that no choice wants any more', () => {
  const first = run({ 'app.py': APP, 'requirements.txt': lf('flask') }, { honeycomb: true, xray: true, cloudwatch: false, rollbar: false });

  it('the first run adds aws-xray-sdk in obs block', () => {
    expect(first.files['requirements.txt']).toMatch(/^aws-xray-sdk$/m);
  });

  it('--no-xray takes aws-xray-sdk out of obs block and says so', () => {
    const second = run(first.files, { honeycomb: true, xray: false, cloudwatch: false, rollbar: false });
    expect(second.files['requirements.txt']).not.toMatch(/aws-xray-sdk/);
    expect(second.files['requirements.txt']).toMatch(/^opentelemetry-sdk(==[\d.]+)?$/m);
    expect(second.notes.join('\n')).toMatch(/api: obs drops aws-xray-sdk from api\/requirements\.txt \(obs added it; no choice needs it now\)/);
  });

  it('a switch to the collector takes the X-Ray SDK out too', () => {
    const second = run(first.files, { honeycomb: true, xray: true, cloudwatch: false, rollbar: false }, 'collector');
    expect(second.files['requirements.txt']).not.toMatch(/aws-xray-sdk/);
  });

  it('a package the user listed stays, even one obs would add', () => {
    const files = { ...first.files, 'requirements.txt': lf('flask', 'aws-xray-sdk==2.12') + first.files['requirements.txt']!.slice('flask\n'.length) };
    const second = run(files, { honeycomb: true, xray: false, cloudwatch: false, rollbar: false });
    expect(second.files['requirements.txt']).toMatch(/^aws-xray-sdk==2\.12$/m);
  });
});

describe('removeAddedLines', () => {
  const owned = (line: string) => /^[a-z-]+$/.test(line);
  it('takes obs block and the blank line before it, nothing else', () => {
    expect(removeAddedLines(lf('flask', '', '# Observability (added by obs init)', 'rollbar', 'blinker'), owned)).toEqual({ text: lf('flask'), removed: ['rollbar', 'blinker'] });
  });
  it('stops at a line obs does not write (the user appended it)', () => {
    expect(removeAddedLines(lf('flask', '', '# Observability (added by obs init)', 'rollbar', 'Django==5'), owned).text).toBe(lf('flask', '', 'Django==5'));
  });
  it('keeps the block comment while a line of it stays', () => {
    expect(removeAddedLines(lf('flask', '', '# Observability (added by obs init)', 'rollbar', 'blinker'), owned, (l) => l === 'blinker').text).toBe(
      lf('flask', '', '# Observability (added by obs init)', 'blinker'),
    );
  });
  it('undoes addGems byte for byte', () => {
    const before = lf("source 'https://rubygems.org'", "gem 'rails'");
    const added = addGems(before, ['opentelemetry-sdk', 'opentelemetry-exporter-otlp']);
    expect(added.text).not.toBe(before);
    expect(removeAddedLines(added.text!, (l) => /^gem '/.test(l)).text).toBe(before);
  });
});
