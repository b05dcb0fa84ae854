/**
 * Pure: where a Flask service's app is created, found the way Flask and the WSGI servers find
 * it: FLASK_APP (compose, else the Dockerfile's ENV), the command (compose `command`, else the
 * Dockerfile's ENTRYPOINT and CMD) -- `gunicorn hello.app:create_app()`, `flask --app
 * project run`, `waitress-serve app:app`, `uwsgi --module`, `python src/app.py` -- then the
 * usual file names and packages (`project/__init__.py`, `project/app.py`).
 */
import { imageFacts } from '../stacks/dockerfile.js';

export interface FlaskEntryInput {
  /** Files of the build context as read (only names are looked at here, and the Dockerfile). */
  files: ReadonlyMap<string, string>;
  /** compose `command`, as one string. */
  command?: string;
  /** compose `environment`. */
  environment?: ReadonlyMap<string, string | null>;
  /** compose `build.target`: the Dockerfile stage the image is. */
  buildTarget?: string;
}

export interface FlaskEntry {
  /** Candidate files, most likely first (paths relative to the build context, posix). */
  candidates: string[];
  /**
   * The folder the module `observability` must sit in to be importable from the app: '' (the
   * build context, the working folder of `flask`, gunicorn and `python -m`), or the folder of a
   * script started as `python dir/app.py` (Python puts the script's folder on sys.path).
   */
  moduleDir: string;
  /** Where the candidates came from, for messages: `FLASK_APP=hello.app`, `the Dockerfile's CMD`. */
  from?: string;
}

/** Files obs looks at when nothing names the app. */
export const DEFAULT_APP_FILES = ['app.py', 'wsgi.py', 'main.py', 'application.py'] as const;
/** Package files that commonly hold `app = Flask(...)` or `create_app()`. */
export const PACKAGE_APP_FILES = ['__init__.py', 'app.py', 'wsgi.py'] as const;

export function findFlaskEntry(input: FlaskEntryInput): FlaskEntry {
  const docker = input.files.has('Dockerfile') ? imageFacts(input.files.get('Dockerfile')!, input.buildTarget) : undefined;
  const named: string[] = [];
  let moduleDir = '';
  let from: string | undefined;
  const flaskApp = input.environment?.has('FLASK_APP') ? (input.environment.get('FLASK_APP') ?? undefined) : docker?.env.get('FLASK_APP');
  const commands: [string, string][] = [];
  if (input.command !== undefined) commands.push([input.command, 'the compose command']);
  else if (docker?.command !== undefined) commands.push([docker.command, "the Dockerfile's command"]);
  for (const [command, where] of commands) {
    const found = fromCommand(command);
    if (found.files.length > 0) {
      named.push(...found.files);
      if (found.script) moduleDir = found.script.includes('/') ? found.script.slice(0, found.script.lastIndexOf('/')) : '';
      from ??= where;
    }
  }
  if (flaskApp && !/^\s*\$/.test(flaskApp)) {
    named.push(...moduleFiles(flaskApp.trim()));
    from ??= `FLASK_APP=${flaskApp.trim()}`;
  }
  const packages = [...input.files.keys()].filter((f) => /^[A-Za-z_][\w]*\/(?:__init__|app|wsgi)\.py$/.test(f) && !/^(?:tests?|venv|\.venv|migrations|alembic|db)\//.test(f)).sort();
  const candidates = [...new Set([...named, ...DEFAULT_APP_FILES, ...packages])];
  return { candidates, moduleDir, ...(from ? { from } : {}) };
}

/** `hello.app:create_app()` -> hello/app.py, hello/app/__init__.py; `app.py` stays; `src/app` -> src/app.py. */
export function moduleFiles(spec: string): string[] {
  const target = spec
    .replace(/^["']|["']$/g, '')
    .split(':')[0]!
    .trim();
  if (target === '') return [];
  if (target.endsWith('.py')) return [target.replace(/^\.\//, '')];
  if (target.includes('/')) return [`${target.replace(/^\.\//, '').replace(/\/+$/, '')}.py`, `${target.replace(/^\.\//, '').replace(/\/+$/, '')}/__init__.py`];
  const path = target.split('.').join('/');
  return [`${path}.py`, `${path}/__init__.py`];
}

/** What a start command names as the app. */
function fromCommand(command: string): { files: string[]; script?: string } {
  const words = command.replace(/["']/g, ' ').split(/\s+/).filter(Boolean);
  const files: string[] = [];
  let script: string | undefined;
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const next = words[i + 1];
    // flask --app X run, uwsgi --module X / -w X / --wsgi-file X.py
    const flag = /^(--app|--module|--wsgi-file|--wsgi|-w)(?:=(.+))?$/.exec(word);
    if (flag) {
      const value = flag[2] ?? next;
      // gunicorn's -w is its worker count: only a name is a module.
      if (value && /^[A-Za-z_./]/.test(value)) files.push(...moduleFiles(value));
      continue;
    }
    // python path/app.py (not `python -m x`)
    if (/^python[0-9.]*$/.test(word) && next && /\.py$/.test(next)) {
      script = next.replace(/^\.\//, '');
      files.push(script);
      continue;
    }
    if (/^python[0-9.]*$/.test(word) && next === '-m' && words[i + 2] && !/^(?:flask|gunicorn|uvicorn|waitress|celery|pytest|pip)$/.test(words[i + 2]!)) {
      files.push(...moduleFiles(words[i + 2]!));
      continue;
    }
    // gunicorn / waitress-serve / uvicorn / hypercorn module:variable (a config's `python:module` is not one)
    const m = /^([A-Za-z_][\w.]*):([A-Za-z_]\w*)(?:\(.*)?$/.exec(word);
    const previous = words[i - 1];
    if (m && m[1] !== 'python' && m[1] !== 'file' && previous !== '-c' && previous !== '--config') files.push(...moduleFiles(word));
  }
  return { files, ...(script ? { script } : {}) };
}
