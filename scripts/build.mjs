// Builds dist/ from src/ with esbuild (tsc only type-checks; see package.json "build").
//
//   dist/start.cjs           the launcher bin/obs.js loads: a compile cache, then main.cjs
//   dist/main.cjs            obs itself (commands load lazily inside it), with commander, yaml,
//                            chalk and the prompts
//   dist/vendor/*.cjs        the parts of the AWS SDK clients obs uses (src/aws/vendor/), one
//                            self-contained file each, loaded only by the commands that call AWS
//
// Why CommonJS and not ESM chunks: Node 20 can reuse V8's compiled code for scripts (vm.Script
// cachedData) but not for ES modules, and at obs's sizes compiling is most of the start-up time
// (see src/startup/compile-cache.ts and bench/RESULTS.md).
import { build } from 'esbuild';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');

/** The AWS SDK surfaces obs uses (src/aws/vendor/<name>.ts), each its own dist/vendor/<name>.cjs. */
const VENDOR = ['xray', 'logs', 'sts'];

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // Prefer packages' ES module builds: esbuild can drop what obs does not use from them.
  mainFields: ['module', 'main'],
  // import() becomes require(): vm.Script (the compile cache) has no ES module loader.
  supported: { 'dynamic-import': false },
  inject: [join(root, 'scripts', 'import-meta-url.js')],
  define: { 'import.meta.url': 'importMetaUrl' },
  // yaml's "node" export is CommonJS (kept whole); its ES module build is the same code.
  alias: { yaml: './node_modules/yaml/browser/dist/index.js' },
  logLevel: 'warning',
  legalComments: 'none',
  // Less to read and to hash per start; names stay so stack traces still read (vendor: see below).
  minifyWhitespace: true,
  minifySyntax: true,
};

/** commander requires node:child_process when it loads; obs never needs it there (see the shim). */
const lazyChildProcessForCommander = {
  name: 'lazy-child-process-for-commander',
  setup(b) {
    b.onResolve({ filter: /^(node:)?child_process$/ }, (args) => (/[\\/]node_modules[\\/]commander[\\/]/.test(args.importer) ? { path: join(root, 'scripts', 'lazy-child-process.cjs') } : undefined));
  },
};

/** src/aws/sdk.ts imports ./vendor/<name>.js: left as a require of dist/vendor/<name>.cjs. */
const vendorExternals = {
  name: 'vendor-externals',
  setup(b) {
    b.onResolve({ filter: /^\.\/vendor\/[a-z]+\.js$/ }, (args) => {
      const name = args.path.slice('./vendor/'.length, -'.js'.length);
      const fromSdk = args.importer === join(root, 'src', 'aws', 'sdk.ts');
      return fromSdk && VENDOR.includes(name) ? { path: `./vendor/${name}.cjs`, external: true } : undefined;
    });
  },
};

/**
 * The compose-spec schema (src/compose/schema/) without its `description` texts: they are
 * half of its bytes and no verdict or message uses them.
 */
const composeSchemaWithoutDescriptions = {
  name: 'compose-schema-without-descriptions',
  setup(b) {
    b.onLoad({ filter: /[\\/]compose-spec\.json$/ }, (args) => {
      const strip = (node) =>
        Array.isArray(node)
          ? node.map(strip)
          : node && typeof node === 'object'
            ? Object.fromEntries(
                Object.entries(node)
                  .filter(([key, value]) => !(key === 'description' && typeof value === 'string'))
                  .map(([key, value]) => [key, strip(value)]),
              )
            : node;
      return { contents: JSON.stringify(strip(JSON.parse(readFileSync(args.path, 'utf8')))), loader: 'json' };
    });
  },
};

rmSync(dist, { recursive: true, force: true });
await Promise.all([
  build({ ...common, entryPoints: { start: 'src/startup/start.ts' }, outdir: dist, outExtension: { '.js': '.cjs' } }),
  build({ ...common, entryPoints: { main: 'src/main.ts' }, outdir: dist, outExtension: { '.js': '.cjs' }, plugins: [vendorExternals, lazyChildProcessForCommander, composeSchemaWithoutDescriptions] }),
  build({
    ...common,
    // Third-party code only, read on every AWS command: short names make it a third smaller
    // (OBS_BUILD_READABLE=1 keeps them, for profiling).
    minifyIdentifiers: !process.env.OBS_BUILD_READABLE,
    entryPoints: Object.fromEntries(VENDOR.map((name) => [`vendor/${name}`, `src/aws/vendor/${name}.ts`])),
    outdir: dist,
    outExtension: { '.js': '.cjs' },
  }),
]);

// src/startup/compile-cache.ts reads the bundles as latin1, which is exact only for ASCII text
// (esbuild's default charset escapes everything else).
for (const entry of readdirSync(dist, { recursive: true })) {
  const path = join(dist, String(entry));
  if (!path.endsWith('.cjs')) continue;
  const at = readFileSync(path).findIndex((byte) => byte > 0x7f);
  if (at !== -1) throw new Error(`${path}: byte ${at} is not ASCII; the compile cache reads bundles as latin1`);
}
