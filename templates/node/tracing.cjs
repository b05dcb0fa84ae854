// Written by `obs init`, which updates this file while this line is here; delete the line to keep your edits.
//
// OpenTelemetry tracing for this Node service, sent over OTLP/HTTP (protobuf). It is loaded
// before the app through NODE_OPTIONS="--require ./tracing.cjs" (set in the compose file), so
// http, express, pg, ... are instrumented before the app first loads them; it works for
// CommonJS and ES module apps alike. It runs when OTEL_EXPORTER_OTLP_ENDPOINT is set; the SDK
// reads OTEL_SERVICE_NAME, OTEL_EXPORTER_OTLP_ENDPOINT and OTEL_EXPORTER_OTLP_HEADERS itself.
// Packages: @opentelemetry/api, @opentelemetry/sdk-node, @opentelemetry/auto-instrumentations-node
// and @opentelemetry/exporter-trace-otlp-proto. OTEL_SDK_DISABLED=true turns it off; traces only
// unless OTEL_METRICS_EXPORTER / OTEL_LOGS_EXPORTER are set.
'use strict';

(function startTracing() {
  const endpoint = process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint || !endpoint.trim()) return;
  // Node also runs preloads in its module-loader thread: the SDK belongs in the main thread.
  if (!require('node:worker_threads').isMainThread) return;
  // npm, yarn and friends get NODE_OPTIONS too (`npm start`): only the app they start is traced.
  const main = process.argv[1] || '';
  if (/[\\/]node_modules[\\/](npm|yarn|pnpm|corepack)[\\/]|[\\/](npm|npx|yarn|yarnpkg|pnpm|pnpx|corepack)(-cli)?(\.c?js)?$/.test(main)) return;

  let NodeSDK, getNodeAutoInstrumentations, OTLPTraceExporter;
  try {
    ({ NodeSDK } = require('@opentelemetry/sdk-node'));
    ({ getNodeAutoInstrumentations } = require('@opentelemetry/auto-instrumentations-node'));
    ({ OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-proto'));
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
      // The hook of the @opentelemetry/instrumentation the instrumentations use (found from them, for pnpm's layout).
      const hook = require.resolve('@opentelemetry/instrumentation/hook.mjs', { paths: [require.resolve('@opentelemetry/auto-instrumentations-node')] });
      register(pathToFileURL(hook));
    } catch (err) {
      console.warn(`tracing.cjs: no ES module hook (${String(err && err.message).split('\n')[0]}); only http and CommonJS packages are traced.`);
    }
  }

  const sdk = new NodeSDK({
    ...(process.env.OTEL_SERVICE_NAME ? {} : { serviceName: {{SERVICE_NAME}} }),
    traceExporter: new OTLPTraceExporter(),
    instrumentations: [getNodeAutoInstrumentations()],
    ...(process.env.OTEL_METRICS_EXPORTER ? {} : { metricReaders: [] }),
    ...(process.env.OTEL_LOGS_EXPORTER ? {} : { logRecordProcessors: [] }),
  });
  sdk.start();

  // Send the last spans on `docker compose stop`; an app with its own SIGTERM handler still decides when to exit.
  process.once('SIGTERM', () => {
    const appHandlesIt = process.listenerCount('SIGTERM') > 0;
    sdk
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
