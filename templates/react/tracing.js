// Written by `obs init`, which updates this file while this line is here; delete the line to keep your edits.
//
// OpenTelemetry in the browser: {{WHAT}} become spans of this app, sent over OTLP/HTTP
// (JSON). {{ENTRY}} imports this file before anything else. Only the instrumentations this
// app's code calls for are loaded (a re-run of `obs init` updates them); written for the 2.x
// line of @opentelemetry/sdk-trace-web.
//
// Everything in this file ships to every visitor, so it holds no Honeycomb key. Spans go to
// {{PREFIX}}OTEL_COLLECTOR_URL, an endpoint your app controls that adds the key and forwards
// them to Honeycomb: an OpenTelemetry Collector (OTLP/HTTP receiver with CORS allowing this
// site, otlphttp exporter to Honeycomb) or a route on your backend. While
// {{PREFIX}}OTEL_COLLECTOR_URL is empty, tracing stays off.
//
// Requests to the backend carry the W3C `traceparent` header so its spans join the browser's
// trace: the backend's CORS settings must allow the `traceparent` and `tracestate` headers.
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
{{IMPORTS}}
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, WebTracerProvider } from '@opentelemetry/sdk-trace-web';

const collectorUrl = {{ENV}}.{{PREFIX}}OTEL_COLLECTOR_URL;
const serviceName = {{ENV}}.{{PREFIX}}OTEL_SERVICE_NAME || {{SERVICE_NAME}};
// The backend the browser calls: requests to these origins get the trace headers.
const apiUrls = [{{API_URLS}}];

if (collectorUrl) {
  const base = new URL(collectorUrl, window.location.href).href.replace(/\/+$/, '');
  const special = /[.*+?^${}()|[\]\\]/g;
  const ignoreUrls = [base].map((url) => new RegExp(`^${url.replace(special, '\\$&')}/`));
  const propagateTraceHeaderCorsUrls = apiUrls.flatMap((url) => {
    try {
      return url ? [new RegExp(`^${new URL(url, window.location.href).origin.replace(special, '\\$&')}(?:[/?#]|$)`)] : [];
    } catch {
      return [];
    }
  });
  const provider = new WebTracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${base}/v1/traces` }))],
  });
  provider.register();
  registerInstrumentations({
    instrumentations: [
{{INSTRUMENTATIONS}}
    ],
  });
}
