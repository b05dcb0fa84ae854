/**
 * Which OpenTelemetry instrumentations a Node app needs, chosen from its dependencies, and the
 * package versions that run on its Node version. One line of packages: the 2.x stable SDK with
 * the 0.223 experimental packages and the contrib instrumentations released with them
 * (auto-instrumentations-node 0.81), all with `engines: ^18.19.0 || >=20.6.0`. The 3.x line
 * (sdk 0.300+) needs Node >= 22.15, so it would stop apps on Node 20; 1.x APIs differ.
 */

import { imageFacts, parseDockerfile } from '../stacks/dockerfile.js';

/**
 * The SDK obs loads in tracing.cjs: tracer provider, OTLP/HTTP protobuf exporter, resources.
 * Exact versions, one release of each line: the SDK's packages depend on each other at exact
 * versions (instrumentation-http 0.223.0 on core 2.12.0, exporter 0.223.1 on core 2.12.1), so
 * caret ranges let npm mix two releases and install a second copy of core and api-logs (1.1 MB).
 */
export const NODE_SDK_PACKAGES: Readonly<Record<string, string>> = {
  '@opentelemetry/api': '~1.9.0',
  '@opentelemetry/exporter-trace-otlp-proto': '0.223.0',
  '@opentelemetry/instrumentation': '0.223.0',
  '@opentelemetry/resources': '2.12.0',
  '@opentelemetry/sdk-trace-node': '2.12.0',
};

/**
 * Declared only so that npm puts this release at the top of node_modules, where the contrib
 * instrumentations (core ^2.x) share it with the SDK; without it npm hoists the newest core and
 * nests 2.12.0 under every SDK package. tracing.cjs does not load it (doctor does not ask for it).
 */
export const NODE_SHARED_PINS: Readonly<Record<string, string>> = {
  '@opentelemetry/core': '2.12.0',
};

export interface NodeInstrumentation {
  /** The npm package of the instrumentation. */
  pkg: string;
  range: string;
  /** The class the package exports. */
  exportName: string;
  /** Constructor options, as JSON. */
  options?: Record<string, unknown>;
  /** Dependency names (or prefixes ending in `/`) of the app that call for it. */
  when: readonly string[];
}

/**
 * The libraries obs traces, with the instrumentation for each. `http` is always on (every
 * server and most clients go through it); the others load only when the app depends on them.
 */
export const NODE_INSTRUMENTATIONS: readonly NodeInstrumentation[] = [
  { pkg: '@opentelemetry/instrumentation-http', range: '0.223.0', exportName: 'HttpInstrumentation', when: [] },
  { pkg: '@opentelemetry/instrumentation-express', range: '^0.71.1', exportName: 'ExpressInstrumentation', when: ['express'] },
  { pkg: '@fastify/otel', range: '^0.21.2', exportName: 'FastifyOtelInstrumentation', options: { registerOnInitialization: true }, when: ['fastify'] },
  { pkg: '@opentelemetry/instrumentation-koa', range: '^0.71.0', exportName: 'KoaInstrumentation', when: ['koa', '@koa/router', 'koa-router'] },
  { pkg: '@opentelemetry/instrumentation-hapi', range: '^0.69.0', exportName: 'HapiInstrumentation', when: ['@hapi/hapi'] },
  { pkg: '@opentelemetry/instrumentation-restify', range: '^0.68.0', exportName: 'RestifyInstrumentation', when: ['restify'] },
  { pkg: '@opentelemetry/instrumentation-connect', range: '^0.66.0', exportName: 'ConnectInstrumentation', when: ['connect'] },
  { pkg: '@opentelemetry/instrumentation-nestjs-core', range: '^0.70.0', exportName: 'NestInstrumentation', when: ['@nestjs/core'] },
  { pkg: '@opentelemetry/instrumentation-graphql', range: '^0.71.0', exportName: 'GraphQLInstrumentation', when: ['graphql'] },
  { pkg: '@opentelemetry/instrumentation-undici', range: '^0.33.0', exportName: 'UndiciInstrumentation', when: ['undici'] },
  { pkg: '@opentelemetry/instrumentation-pg', range: '^0.76.0', exportName: 'PgInstrumentation', when: ['pg'] },
  { pkg: '@opentelemetry/instrumentation-mysql2', range: '^0.69.0', exportName: 'MySQL2Instrumentation', when: ['mysql2'] },
  { pkg: '@opentelemetry/instrumentation-mysql', range: '^0.69.1', exportName: 'MySQLInstrumentation', when: ['mysql'] },
  { pkg: '@opentelemetry/instrumentation-mongodb', range: '^0.76.0', exportName: 'MongoDBInstrumentation', when: ['mongodb', 'mongoose'] },
  { pkg: '@opentelemetry/instrumentation-mongoose', range: '^0.69.0', exportName: 'MongooseInstrumentation', when: ['mongoose'] },
  { pkg: '@opentelemetry/instrumentation-ioredis', range: '^0.71.0', exportName: 'IORedisInstrumentation', when: ['ioredis'] },
  { pkg: '@opentelemetry/instrumentation-redis', range: '^0.71.0', exportName: 'RedisInstrumentation', when: ['redis', '@redis/client'] },
  { pkg: '@opentelemetry/instrumentation-knex', range: '^0.67.0', exportName: 'KnexInstrumentation', when: ['knex'] },
  { pkg: '@opentelemetry/instrumentation-tedious', range: '^0.42.0', exportName: 'TediousInstrumentation', when: ['tedious', 'mssql'] },
  { pkg: '@opentelemetry/instrumentation-aws-sdk', range: '^0.78.0', exportName: 'AwsInstrumentation', when: ['aws-sdk', '@aws-sdk/'] },
  { pkg: '@opentelemetry/instrumentation-amqplib', range: '^0.70.0', exportName: 'AmqplibInstrumentation', when: ['amqplib'] },
  { pkg: '@opentelemetry/instrumentation-kafkajs', range: '^0.32.0', exportName: 'KafkaJsInstrumentation', when: ['kafkajs'] },
  { pkg: '@opentelemetry/instrumentation-socket.io', range: '^0.70.0', exportName: 'SocketIoInstrumentation', when: ['socket.io'] },
];

/** Global fetch goes through Node's bundled undici: a source file calling fetch() needs its instrumentation. */
const FETCH_CALL = /(?<![\w.$])fetch\s*\(/;

/** The instrumentations for an app with these dependency names and (some of) these source texts. */
export function chooseInstrumentations(dependencies: Iterable<string>, sources: Iterable<string> = []): NodeInstrumentation[] {
  const names = [...dependencies];
  const usesFetch = [...sources].some((text) => FETCH_CALL.test(text));
  return NODE_INSTRUMENTATIONS.filter((inst) => {
    if (inst.when.length === 0) return true;
    if (inst.pkg === '@opentelemetry/instrumentation-undici' && usesFetch) return true;
    return inst.when.some((w) => (w.endsWith('/') ? names.some((n) => n.startsWith(w)) : names.includes(w)));
  });
}

/** Instrumentations a dependency list calls for that a list of packages lacks (doctor). */
export function missingInstrumentations(dependencies: Iterable<string>, present: ReadonlySet<string>): { library: string; pkg: string }[] {
  const names = [...dependencies];
  const out: { library: string; pkg: string }[] = [];
  for (const inst of NODE_INSTRUMENTATIONS) {
    if (inst.when.length === 0 || present.has(inst.pkg)) continue;
    const library = names.find((n) => inst.when.some((w) => (w.endsWith('/') ? n.startsWith(w) : n === w)));
    if (library) out.push({ library, pkg: inst.pkg });
  }
  return out;
}

// ---------------------------------------------------------------------------
// The app's Node version
// ---------------------------------------------------------------------------

export interface NodeRuntime {
  /** Lowest major.minor the app may run on, when known. */
  version?: { major: number; minor: number };
  /** Where it was read, for messages (`Dockerfile FROM node:16`). */
  source?: string;
}

/** The OTel JS line obs writes needs this (engines of sdk-trace-node 2.x: ^18.19.0 || >=20.6.0). */
export function runtimeSupported(v: { major: number; minor: number }): boolean {
  if (v.major === 18) return v.minor >= 19;
  if (v.major === 20) return v.minor >= 6;
  return v.major > 20;
}

/**
 * The Node version of the image (the last `FROM node:<tag>`), else .nvmrc / .node-version,
 * else the lowest version package.json's engines.node allows. A bare major tag (`node:18`)
 * means the newest release of that major, which obs counts as supported; a tag without a
 * version (`node:alpine`, `node:lts`) is a current release: the image decides, not engines.
 */
export function readNodeRuntime(files: ReadonlyMap<string, string>, buildTarget?: string): NodeRuntime {
  const docker = files.get('Dockerfile');
  if (docker !== undefined) {
    // The stage compose builds and those it is built FROM first; any stage's node image after.
    const chain = imageFacts(docker, buildTarget)
      .chain.map((s) => s.base)
      .reverse();
    const froms = parseDockerfile(docker)
      .map((s) => s.base)
      .reverse();
    const image = [...chain, ...froms].find((f) => /(?:^|\/)node(?::|@|$)/.test(f));
    const version = image === undefined ? undefined : nodeImageVersion(image);
    if (version !== undefined) return { ...(version === 'current' ? {} : { version }), source: `Dockerfile FROM ${image}` };
  }
  for (const file of ['.nvmrc', '.node-version']) {
    const text = files.get(file)?.trim();
    const m = text ? /^v?(\d+)(?:\.(\d+))?/.exec(text) : null;
    if (m) return { version: { major: Number(m[1]), minor: m[2] === undefined ? 99 : Number(m[2]) }, source: `${file} (${text})` };
  }
  const engines = enginesNode(files.get('package.json'));
  if (engines) {
    const m = /(\d+)(?:\.(\d+|x))?/.exec(engines);
    if (m && !/^\s*[<]/.test(engines))
      return {
        version: { major: Number(m[1]), minor: m[2] === undefined || m[2] === 'x' ? (/^\s*(?:>=|\^|~)/.test(engines) ? 0 : 99) : Number(m[2]) },
        source: `package.json engines.node (${engines})`,
      };
  }
  return {};
}

/** Node's LTS code names, as the official image tags them (`node:gallium-alpine` is Node 16). */
const LTS_CODE_NAMES: Readonly<Record<string, number>> = {
  argon: 4,
  boron: 6,
  carbon: 8,
  dubnium: 10,
  erbium: 12,
  fermium: 14,
  gallium: 16,
  hydrogen: 18,
  iron: 20,
  jod: 22,
  krypton: 24,
};

/**
 * The Node an official `node` image runs: a numbered tag (`node:16-alpine`), an LTS code name, or
 * 'current' for a tag without a version (`node`, `node:alpine`, `node:lts-slim`, `node:current`),
 * which pulls a release obs supports; undefined for a tag obs cannot read (`node:${VERSION}`).
 */
function nodeImageVersion(image: string): { major: number; minor: number } | 'current' | undefined {
  const tag = /(?:^|\/)node(?::([^@]*))?(?:@|$)/.exec(image)?.[1] ?? '';
  if (tag.includes('$')) return undefined;
  const numbered = /^v?(\d+)(?:\.(\d+))?/.exec(tag);
  if (numbered) return { major: Number(numbered[1]), minor: numbered[2] === undefined ? 99 : Number(numbered[2]) };
  const codeName = LTS_CODE_NAMES[tag.split('-')[0]!];
  if (codeName !== undefined) return { major: codeName, minor: 99 };
  return 'current';
}

function enginesNode(pkg: string | undefined): string | undefined {
  if (pkg === undefined) return undefined;
  try {
    const value = (JSON.parse(pkg.replace(/^\uFEFF/, '')) as { engines?: { node?: unknown } }).engines?.node;
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------
// OpenTelemetry packages the project already pins
// ---------------------------------------------------------------------------

/** The line obs writes, per package family: stable packages 2.x, experimental 0.2xx. */
const STABLE = /^@opentelemetry\/(?:core|resources|sdk-trace-(?:base|node|web)|sdk-metrics|context-async-hooks|context-zone(?:-peer-dep)?|propagator-[a-z0-9-]+)$/;
const EXPERIMENTAL = /^@opentelemetry\/(?:sdk-node|instrumentation|instrumentation-(?:http|fetch|xml-http-request|grpc)|exporter-(?:trace|metrics|logs)-otlp-[a-z-]+|otlp-[a-z-]+|api-logs|sdk-logs)$/;

/** Lowest major.minor a range (or version) allows, when it reads as one. */
export function lowestVersion(range: string): { major: number; minor: number } | undefined {
  const m = /(\d+)\.(\d+|x|\*)/.exec(range) ?? /(\d+)/.exec(range);
  if (!m) return undefined;
  return { major: Number(m[1]), minor: m[2] === undefined || m[2] === 'x' || m[2] === '*' ? 0 : Number(m[2]) };
}

/**
 * OpenTelemetry packages the project declares (or has installed) on another line than the
 * one obs writes code for: obs must not add a second SDK line next to them.
 * `versions` maps package name -> declared range or installed version.
 */
export function otherLinePins(versions: ReadonlyMap<string, string>): { pkg: string; version: string; line: string }[] {
  const out: { pkg: string; version: string; line: string }[] = [];
  for (const [pkg, version] of versions) {
    const v = lowestVersion(version);
    if (!v) continue;
    if (STABLE.test(pkg) && v.major !== 2) out.push({ pkg, version, line: `${v.major}.x` });
    else if (EXPERIMENTAL.test(pkg) && v.major === 0 && (v.minor < 200 || v.minor >= 300)) out.push({ pkg, version, line: v.minor < 200 ? '1.x (0.' + v.minor + ')' : '3.x (0.' + v.minor + ')' });
  }
  return out;
}
