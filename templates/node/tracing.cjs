// Written by `obs init`, which updates this file while this line is here; delete the line to keep your edits.
//
// OpenTelemetry tracing for this Node service, sent over OTLP/HTTP (protobuf). It is loaded
// before the app through NODE_OPTIONS="--require ./tracing.cjs" (set in the compose file), so
// the libraries below are instrumented before the app first loads them; it works for CommonJS
// and ES module apps alike. It runs when OTEL_EXPORTER_OTLP_ENDPOINT (or _TRACES_ENDPOINT) is
// set; the exporter reads the endpoint and OTEL_EXPORTER_OTLP_HEADERS itself, the resource
// OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES. OTEL_SDK_DISABLED=true turns it off.
//
// Only the instrumentations this app's dependencies call for are loaded (a re-run of
// `obs init` updates the list): to trace another library, add its
// @opentelemetry/instrumentation-* package to package.json and a line to INSTRUMENTATIONS.
'use strict';

const INSTRUMENTATIONS = [
{{INSTRUMENTATIONS}}
];

(function startTracing() {
  const endpoint = process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint || !endpoint.trim()) return;
  if (String(process.env.OTEL_SDK_DISABLED).trim().toLowerCase() === 'true') return;
  // Node also runs preloads in its module-loader thread: the SDK belongs in the main thread.
  if (!require('node:worker_threads').isMainThread) return;
  // npm, yarn and friends get NODE_OPTIONS too (`npm start`): only the app they start is traced.
  const main = process.argv[1] || '';
  if (/[\\/]node_modules[\\/](npm|yarn|pnpm|corepack)[\\/]|[\\/](npm|npx|yarn|yarnpkg|pnpm|pnpx|corepack)(-cli)?(\.c?js)?$/.test(main)) return;

  let NodeTracerProvider, BatchSpanProcessor, resources, registerInstrumentations;
  try {
    ({ NodeTracerProvider, BatchSpanProcessor } = require('@opentelemetry/sdk-trace-node'));
    ({ registerInstrumentations } = require('@opentelemetry/instrumentation'));
    resources = require('@opentelemetry/resources');
    require.resolve('@opentelemetry/exporter-trace-otlp-proto');
  } catch (err) {
    if (err && err.code === 'MODULE_NOT_FOUND') {
      console.warn(`tracing.cjs: ${String(err.message).split('\n')[0]}; run npm install (or rebuild the image). Tracing is off.`);
      return;
    }
    throw err;
  }

  // ES modules are instrumented through a loader hook; CommonJS needs none.
  if (isEsModule(main)) {
    try {
      const { register } = require('node:module');
      const { pathToFileURL } = require('node:url');
      // The hook of the @opentelemetry/instrumentation the instrumentations use (found from one, for pnpm's layout).
      const hook = require.resolve('@opentelemetry/instrumentation/hook.mjs', { paths: [require.resolve(INSTRUMENTATIONS[0][0])] });
      register(pathToFileURL(hook));
    } catch (err) {
      console.warn(`tracing.cjs: no ES module hook (${String(err && err.message).split('\n')[0]}); only http and CommonJS packages are traced.`);
    }
  }

  const instrumentations = [];
  const missing = [];
  for (const [pkg, name, options] of INSTRUMENTATIONS) {
    try {
      instrumentations.push(new (require(pkg)[name])(options));
    } catch (err) {
      if (!err || err.code !== 'MODULE_NOT_FOUND') throw err;
      missing.push(pkg);
    }
  }
  if (missing.length > 0) console.warn(`tracing.cjs: ${missing.join(', ')} not installed; run npm install (or rebuild the image). Those libraries are not traced.`);

  // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES win over the compose service's name.
  const resource = resources
    .defaultResource()
    .merge(resources.resourceFromAttributes({ 'service.name': {{SERVICE_NAME}} }))
    .merge(resources.detectResources({ detectors: [resources.envDetector] }));
  // The exporter (and its OTLP serializer) loads when the first span ends, after that request's
  // answer, rather than before the app starts: ready well before the first export or a shutdown.
  let exporter;
  const loadExporter = () => (exporter ??= new (require('@opentelemetry/exporter-trace-otlp-proto').OTLPTraceExporter)());
  // A batch leaves at least every second instead of the SDK's 5 s, so the first trace shows up
  // soon after the first request; under load batches fill first. OTEL_BSP_SCHEDULE_DELAY still wins.
  const delay = String(process.env.OTEL_BSP_SCHEDULE_DELAY ?? '').trim() ? {} : { scheduledDelayMillis: 1000 };
  const batch = new BatchSpanProcessor(
    {
      export: (spans, done) => loadExporter().export(spans, done),
      forceFlush: () => (exporter ? exporter.forceFlush() : Promise.resolve()),
      shutdown: () => (exporter ? exporter.shutdown() : Promise.resolve()),
    },
    delay,
  );
  const provider = new NodeTracerProvider({
    resource,
    spanProcessors: [
      {
        onStart: (span, context) => batch.onStart(span, context),
        onEnd: (span) => {
          loadExporter();
          batch.onEnd(span);
        },
        forceFlush: () => batch.forceFlush(),
        shutdown: () => batch.shutdown(),
      },
    ],
  });
  provider.register();
  registerInstrumentations({ tracerProvider: provider, instrumentations });

  // Send the last spans on `docker compose stop`; an app with its own SIGTERM handler still decides when to exit.
  process.once('SIGTERM', () => {
    const appHandlesIt = process.listenerCount('SIGTERM') > 0;
    provider
      .shutdown()
      .catch(() => {})
      .finally(() => {
        if (!appHandlesIt) process.exit(143);
      });
  });

  function isEsModule(file) {
    if (!file || /\.cjs$/.test(file)) return false;
    if (/\.mjs$/.test(file)) return true;
    const fs = require('node:fs');
    const path = require('node:path');
    for (let dir = path.dirname(path.resolve(file)); ; dir = path.dirname(dir)) {
      try {
        return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).type === 'module';
      } catch (err) {
        if (!err || err.code !== 'ENOENT') return false;
      }
      if (path.dirname(dir) === dir) return false;
    }
  }
})();
