/**
 * Detects what runs in a service from the files in its build context, the way a person
 * would: the dependency manifest names the framework.
 */
import { requirementsClosure } from './pip-installs.js';
import { readPyproject } from './pyproject.js';

export type Stack = 'flask' | 'python' | 'rails' | 'ruby' | 'node' | 'react' | 'go' | 'java' | 'dotnet' | 'php' | 'unknown';

/** Stacks obs names but writes no code for: what a person calls them, and the SDK to set up by hand. */
export const OTHER_LANGUAGES: Readonly<Partial<Record<Stack, { name: string; sdk: string }>>> = {
  python: { name: 'Python', sdk: 'opentelemetry-distro (opentelemetry-instrument)' },
  ruby: { name: 'Ruby', sdk: 'the opentelemetry-sdk gem' },
  go: { name: 'Go', sdk: 'go.opentelemetry.io/otel' },
  java: { name: 'Java', sdk: 'the OpenTelemetry Java agent' },
  dotnet: { name: '.NET', sdk: 'OpenTelemetry .NET' },
  php: { name: 'PHP', sdk: 'open-telemetry/sdk' },
};

/** Browser apps: the container only serves bundles, telemetry is sent from the browser. */
export const BROWSER_STACKS: ReadonlySet<Stack> = new Set(['react']);

/** The build context's files by name: a Map, or a reader that reads a file only when asked. */
export interface ContextFiles {
  has(name: string): boolean;
  get(name: string): string | undefined;
}

/** pyproject.toml names flask among its dependencies (main, optional, groups or Poetry's). */
function declaresFlask(text: string | undefined): boolean {
  const read = text === undefined ? undefined : readPyproject(text);
  if (!read) return false;
  const names = [...read.dependencies, ...read.optional].map((r) => /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(r)?.[1]).concat(read.poetry.map((p) => p.name));
  return names.some((name) => name !== undefined && name.toLowerCase() === 'flask');
}

/**
 * `installed`: the requirements files the image installs (its Dockerfile's `pip install -r`),
 * read with requirements.txt and the files their `-r` lines include.
 */
export function detectStack(files: ContextFiles, installed: readonly string[] = []): Stack {
  const requirements = requirementsClosure(['requirements.txt', ...installed], (name) => files.get(name)).map((name) => files.get(name)!);
  const python = [...requirements, files.get('Pipfile')].filter((t): t is string => t !== undefined);
  // A requirement line, or a Pipfile key; in pyproject.toml, any dependency list or Poetry table.
  if (python.some((text) => /^\s*["']?flask\b/im.test(text) || /["']flask\s*(?:[<>=~!;[]|["'])/i.test(text))) return 'flask';
  if (declaresFlask(files.get('pyproject.toml'))) return 'flask';
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
  if (python.length > 0 || files.has('pyproject.toml') || files.has('app.py') || files.has('wsgi.py')) return 'python';
  if (files.has('go.mod')) return 'go';
  if (files.has('pom.xml') || files.has('build.gradle') || files.has('build.gradle.kts')) return 'java';
  if (files.has('composer.json')) return 'php';
  return 'unknown';
}

/** A stack from the image a service is built FROM, when its files name none (a .NET project's manifest is `<name>.csproj`). */
export function stackOfBaseImage(image: string | undefined): Stack {
  if (image === undefined) return 'unknown';
  if (/(?:^|\/)dotnet\/(?:sdk|aspnet|runtime)\b/.test(image)) return 'dotnet';
  if (/(?:^|\/)golang:/.test(image)) return 'go';
  if (/(?:^|\/)(?:openjdk|eclipse-temurin|amazoncorretto|maven|gradle):/.test(image)) return 'java';
  if (/(?:^|\/)php:/.test(image)) return 'php';
  if (/(?:^|\/)python:/.test(image)) return 'python';
  return 'unknown';
}

function packageDependencies(text: string): Set<string> {
  try {
    // A byte-order mark (Windows editors) is not JSON, but npm and node read past it.
    const pkg = JSON.parse(text.replace(/^\uFEFF/, '')) as Record<string, Record<string, string> | undefined>;
    return new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})]);
  } catch {
    return new Set();
  }
}
