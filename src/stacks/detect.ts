/**
 * Detects what runs in a service from the files in its build context, the way a person
 * would: the dependency manifest names the framework.
 */
export type Stack = 'flask' | 'python' | 'rails' | 'ruby' | 'node' | 'react' | 'unknown';

/** Browser apps: the container only serves bundles, telemetry is sent from the browser. */
export const BROWSER_STACKS: ReadonlySet<Stack> = new Set(['react']);

/** The build context's files by name: a Map, or a reader that reads a file only when asked. */
export interface ContextFiles {
  has(name: string): boolean;
  get(name: string): string | undefined;
}

export function detectStack(files: ContextFiles): Stack {
  const python = [files.get('requirements.txt'), files.get('pyproject.toml'), files.get('Pipfile')].filter((t): t is string => t !== undefined);
  // A requirement line, a poetry key, or a string in pyproject's dependency list (`["flask==3.1"]`).
  if (python.some((text) => /^\s*["']?flask\b/im.test(text) || /["']flask\s*(?:[<>=~!;[]|["'])/i.test(text))) return 'flask';
  const gemfile = files.get('Gemfile');
  if (gemfile !== undefined) return /^\s*gem\s+["']rails["']/m.test(gemfile) ? 'rails' : 'ruby';
  const pkg = files.get('package.json');
  if (pkg !== undefined) {
    const deps = packageDependencies(pkg);
    if (deps.has('react') || deps.has('react-scripts') || deps.has('vite') || deps.has('react-dom')) {
      // A React app rendered on a Node server (Next.js, Remix) is a server, not a browser bundle.
      if (deps.has('next') || deps.has('@remix-run/node') || deps.has('express')) return 'node';
      return 'react';
    }
    return 'node';
  }
  if (python.length > 0 || files.has('app.py') || files.has('wsgi.py')) return 'python';
  return 'unknown';
}

function packageDependencies(text: string): Set<string> {
  try {
    const pkg = JSON.parse(text) as Record<string, Record<string, string> | undefined>;
    return new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})]);
  } catch {
    return new Set();
  }
}
