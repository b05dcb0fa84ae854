/**
 * Pure: what a compose service built from this repository runs, read the way a person would
 * read it: the Dockerfile stage compose builds (its `target`) names the manifest it installs
 * (`COPY backend/package.json ./`), which may sit in a folder of the build context; the
 * service's command says whether it serves requests or only builds front-end assets
 * (`yarn build --watch`, `tailwindcss --watch`), which send no telemetry.
 */
import { detectStack, stackOfBaseImage, type ContextFiles, type Stack } from './detect.js';
import { imageFacts, parseDockerfile, type ImageFacts } from './dockerfile.js';
import { imageRequirementFiles } from './pip-installs.js';

/** What a service does: serve requests (an app), only build front-end assets, or run a test suite. */
export type ServiceRole = 'app' | 'assets' | 'tests';

export interface ServiceProfile {
  stack: Stack;
  /** Folder of the build context holding the app's manifest, posix ('' for the context itself). */
  appDir: string;
  role: ServiceRole;
  /** The command that makes the service an asset build, when role is 'assets'. */
  assetCommand?: string;
  /** What makes the service a test run, when role is 'tests': its command, or `built FROM <test-runner image>`. */
  testRunner?: string;
  /**
   * For an app in a folder of the context: where the image puts that folder, relative to the
   * WORKDIR the command runs in ('.' when it is the WORKDIR, `backend` for `COPY backend
   * /app/backend` with WORKDIR /app); absent when the Dockerfile does not say.
   */
  appPathInImage?: string;
  /**
   * The image the built stage starts FROM (through earlier stages), lower case: `nginx:1.25`
   * for a proxy built with its config copied in. Absent without a Dockerfile.
   */
  baseImage?: string;
}

export interface ProfileInput {
  /** The build context's files (paths relative to it, posix). */
  files: ContextFiles;
  /** The Dockerfile's text, when the context has one. */
  dockerfile?: string;
  /** compose `build.target`. */
  target?: string;
  /** compose `command`, as one string. */
  command?: string;
}

/** Files that say which packages an app installs. */
const MANIFESTS = ['package.json', 'requirements.txt', 'pyproject.toml', 'Pipfile', 'Gemfile'] as const;
const MANIFEST_SOURCE = /(?:^|\/)(?:package[^/]*\.json|requirements[^/]*\.txt|pyproject\.toml|Pipfile[^/]*|Gemfile[^/]*)$/;

/**
 * A command that builds or watches front-end assets and serves nothing: a package script
 * named build or watch (`yarn build`, `npm run watch`, `../run yarn:build:js`), a CSS or JS
 * bundler in watch mode, Rails' `tailwindcss:watch`. One that also starts a server is an app.
 */
const ASSET_COMMAND =
  /\b(?:yarn|npm|pnpm|bun)\b(?:\s+run)?[\s:]+(?:build|watch)(?::[\w-]+)?(?![\w-])|\b(?:esbuild|tailwindcss|webpack|rollup|sass|postcss|parcel)\b[^&|;]*--watch\b|\b(?:tailwindcss|dartsass|cssbundling|jsbundling|css|js):(?:watch|build)\b/;
/**
 * A command that runs a test suite: a package script named test (`yarn test`, `npm run test:e2e`),
 * a test runner by name (`playwright test`, `cypress run`, jest, vitest, mocha, pytest, rspec,
 * `rails test`).
 */
const TEST_COMMAND =
  /(?:^|[\s;&|])(?:(?:yarn|npm|pnpm|bun)(?:\s+run)?\s+test(?::[\w-]+)?(?![\w-])|(?:npx\s+|bunx\s+|pnpm\s+exec\s+)?(?:playwright\s+test|cypress\s+run|jest|vitest|mocha)(?![\w-])|(?:python3?\s+-m\s+)?pytest(?![\w-])|(?:bundle\s+exec\s+)?rspec(?![\w-])|(?:bin\/)?rails\s+test(?![\w-]))/;
/** Images that exist to run browser tests: a service built FROM one is a test run, not an app. */
const TEST_IMAGE = /^(?:mcr\.microsoft\.com\/playwright(?:\/[\w-]+)?|(?:docker\.io\/)?cypress\/(?:included|base|browsers|factory)|(?:docker\.io\/)?testcafe\/testcafe)(?::|@|$)/;
const STARTS_SERVER = /\b(?:start|serve|server|preview)\b|\bnode\s+[\w./-]+\.[cm]?js\b|\brails\s+s(?:erver)?\b|\b(?:puma|gunicorn|uvicorn|flask\s+run|next\s+(?:dev|start)|vite(?:\s+dev)?\s*$)/;

export function profileService(input: ProfileInput): ServiceProfile {
  const facts = input.dockerfile === undefined ? undefined : imageFacts(input.dockerfile, input.target);
  const appDir = manifestDir(input.files, facts);
  // The requirements files the image installs (`pip install -r requirements/docker.txt`), relative to the app's folder.
  const installed = (input.dockerfile === undefined ? [] : imageRequirementFiles(input.dockerfile, input.target, (p) => input.files.has(p)))
    .filter((p) => appDir === '' || p.startsWith(`${appDir}/`))
    .map((p) => (appDir === '' ? p : p.slice(appDir.length + 1)));
  const detected = detectStack(appDir === '' ? input.files : inFolder(input.files, appDir), installed);
  // Multi-stage images name the language in their first stage (`FROM mcr.microsoft.com/dotnet/sdk:7.0 AS build`).
  const stack =
    detected !== 'unknown'
      ? detected
      : stackOfBaseImage(
          facts
            ? parseDockerfile(input.dockerfile!)
                .map((s) => s.base)
                .find((b) => stackOfBaseImage(b) !== 'unknown')
            : undefined,
        );
  const command = input.command ?? facts?.command;
  const asset = command === undefined ? undefined : assetCommand(command);
  const inImage = appDir === '' || !facts ? undefined : appPathInImage(facts, appDir);
  const baseImage = facts?.chain[0]?.base;
  const tests = asset ? undefined : ((command === undefined ? undefined : testRunner(command)) ?? (baseImage && TEST_IMAGE.test(baseImage) ? `built FROM ${baseImage}` : undefined));
  return {
    stack,
    appDir,
    role: asset ? 'assets' : tests ? 'tests' : 'app',
    ...(asset ? { assetCommand: asset } : {}),
    ...(tests ? { testRunner: tests } : {}),
    ...(inImage !== undefined ? { appPathInImage: inImage } : {}),
    ...(baseImage ? { baseImage } : {}),
  };
}

/** Where the last COPY of the whole app folder lands, relative to the final WORKDIR (posix, '.' for the WORKDIR itself). */
function appPathInImage(facts: ImageFacts, appDir: string): string | undefined {
  const copy = [...facts.copies].reverse().find((c) => c.sources.includes(appDir));
  if (!copy) return undefined;
  // `COPY backend /app/` puts backend's content in /app, like `COPY backend/ /app`.
  const target = copy.target;
  const workdir = facts.workdir;
  if (target === workdir) return '.';
  if (target.startsWith(`${workdir === '/' ? '' : workdir}/`)) return target.slice(workdir === '/' ? 1 : workdir.length + 1);
  return target;
}

/** The command when it runs a test suite (and starts no server), else undefined. */
export function testRunner(command: string): string | undefined {
  const text = command.trim();
  if (!TEST_COMMAND.test(text) || STARTS_SERVER.test(text)) return undefined;
  return text;
}

/** The command when it only builds assets, else undefined. */
export function assetCommand(command: string): string | undefined {
  const text = command.trim();
  if (!ASSET_COMMAND.test(text) || STARTS_SERVER.test(text)) return undefined;
  return text;
}

/**
 * Where the image's manifest comes from: a manifest the stage copies by name (`COPY
 * assets/package.json ./`) wins, since that is what its install step reads; else, when the
 * context has no manifest of its own, a folder the stage copies whole (`COPY backend/ .`)
 * that holds one.
 */
function manifestDir(files: ContextFiles, facts: ImageFacts | undefined): string {
  if (!facts) return '';
  const named: string[] = [];
  const folders: string[] = [];
  for (const copy of facts.copies) {
    for (const source of copy.sources) {
      if (MANIFEST_SOURCE.test(source)) named.push(source.includes('/') ? source.slice(0, source.lastIndexOf('/')) : '');
      else if (source !== '.' && !source.includes('*') && !/\.[A-Za-z0-9]+$/.test(source)) folders.push(source);
    }
  }
  for (const dir of named) if (holdsManifest(files, dir)) return dir;
  if (holdsManifest(files, '')) return '';
  for (const dir of folders) if (holdsManifest(files, dir)) return dir;
  return '';
}

function holdsManifest(files: ContextFiles, dir: string): boolean {
  return MANIFESTS.some((name) => files.has(dir === '' ? name : `${dir}/${name}`));
}

function inFolder(files: ContextFiles, dir: string): ContextFiles {
  return { has: (name) => files.has(`${dir}/${name}`), get: (name) => files.get(`${dir}/${name}`) };
}
