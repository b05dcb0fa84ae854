import { describe, expect, it } from 'vitest';
import { planFlask, type InstrumentInput } from '../../src/instrument/flask.js';
import { templateLoader } from '../../src/instrument/template.js';

/**
 * observability.py is only worth writing when the app calls it (issue 12 item 20): obs writes it
 * with its own edit of the app file, or when `init_observability(app)` is already there. When obs
 * leaves the app alone (it sets up telemetry by hand, it has no `app = Flask(__name__)` line obs
 * can find, it cannot be parsed, or the packages cannot be added), it writes nothing and says what
 * to paste; the next `obs init` writes the module once the call is there.
 */
const lf = (...lines: string[]) => lines.map((l) => `${l}\n`).join('');
const XRAY = { honeycomb: false, xray: true, cloudwatch: false, rollbar: false };
const input = (files: Record<string, string>): InstrumentInput => ({
  serviceDir: 'backend-flask',
  serviceName: 'backend-flask',
  backends: XRAY,
  files: new Map(Object.entries(files)),
  template: templateLoader('flask'),
});
const APP = lf('from flask import Flask', 'app = Flask(__name__)');

describe('observability.py only where the app calls it', () => {
  it.each([
    [
      'wired by hand (the bootcamp helpers)',
      { 'requirements.txt': lf('flask', 'aws-xray-sdk'), 'app.py': lf('from flask import Flask', 'from lib.xray import init_xray', 'app = Flask(__name__)', 'init_xray(app)') },
    ],
    ['no app.py or wsgi.py', { 'requirements.txt': 'flask\n' }],
    ['an app file obs cannot parse', { 'requirements.txt': 'flask\n', 'app.py': lf('from flask import Flask', 'app = Flask(__name__)', 'x = "open') }],
    [
      'no `app = Flask(...)` line (the app comes from a factory in another module)',
      { 'requirements.txt': 'flask\n', 'app.py': lf('from flask import Flask', 'from web import make_app', 'app = make_app()') },
    ],
    ['packages obs cannot add (a Pipfile), the call not there yet', { Pipfile: '[packages]\nflask = "*"\n', 'app.py': APP }],
  ])('%s: writes nothing, and the note says what to paste and to run obs init again', (_label, files) => {
    const plan = planFlask(input(files));
    expect(plan.changes).toEqual([]);
    expect(plan.notes).toHaveLength(1);
    expect(plan.notes[0]).toContain('init_observability(app)');
    expect(plan.notes[0]).toMatch(/run obs init again/);
    expect(plan.notes[0]).not.toMatch(/obs writes backend-flask\/observability\.py/);
  });

  it('the call already in the app: the module is written, even when the packages are left to the user', () => {
    const app = lf('from flask import Flask', 'from observability import init_observability', 'app = Flask(__name__)', 'init_observability(app)');
    const plan = planFlask(input({ Pipfile: '[packages]\nflask = "*"\n', 'app.py': app }));
    expect(plan.changes.map((c) => c.path)).toEqual(['backend-flask/observability.py']);
  });

  it('an app obs wires itself gets the module with the call', () => {
    const plan = planFlask(input({ 'requirements.txt': 'flask\n', 'app.py': APP }));
    expect(plan.changes.map((c) => c.path).sort()).toEqual(['backend-flask/app.py', 'backend-flask/observability.py', 'backend-flask/requirements.txt']);
  });
});
