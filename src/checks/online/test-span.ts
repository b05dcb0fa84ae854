import { HONEYCOMB_ENDPOINTS, type HoneycombRegion } from '../../config/obs-config.js';
import { isClassicHoneycombKey } from '../../secrets/shapes.js';
import { readVersion } from '../../version.js';
import { skip, type Check, type CheckResult, type DoctorOptions, type DoctorProject } from '../types.js';
import { redact, request, serverMessage, type HttpAnswer } from './http.js';
import { apiBase, displayUrl, honeycombSetup, parseHoneycombApiUrl, publicRegionOf, REGION_LABEL, type HoneycombApiUrls } from './honeycomb.js';
import { describeReferences, otlpExporters, type OtlpExporter } from './otlp-config.js';
import { collectorRoute, type CollectorRoute } from './collector-route.js';

const META = { id: 'send-test-span', title: 'A test span reaches the OTLP endpoint' };

/**
 * Sends one span over OTLP/HTTP JSON with the endpoint, headers and service name the first
 * exporting service is configured with, and fails (exit 1) when it is refused: unlike
 * `otel-cli status`, which exits 0 on a failed export.
 */
export const sendTestSpan: Check = {
  ...META,
  group: 'online',
  online: true,
  async run(project, options): Promise<CheckResult> {
    if (!options.sendTestSpan) return skip(META, 'needs --send-test-span');
    const planned = planTestSpan(project, options);
    if ('result' in planned) return planned.result;
    const { exporter, headers, target, configured, via, from, publicRegion, route } = planned;
    const consent = endpointConsent(planned, options.allowedEndpoints ?? []);
    if (consent.needed && !consent.given) {
      const otherwise = route
        ? `otherwise take ${exporter.headers?.variable.key ?? 'the headers'} out of ${exporter.service.name}: ${route.collector} adds the key itself`
        : `otherwise point ${planned.endpointKey} at Honeycomb (https://api.honeycomb.io)`;
      return { ...META, status: 'fail', detail: `not sent: ${consent.reason}`, fix: `if you trust ${consent.host}, run obs doctor --send-test-span --allow-endpoint ${consent.host}; ${otherwise}` };
    }
    // Where the span goes, as results say it: through the collector, the URL compose names, or an override.
    const shown = route
      ? `${target} (${route.collector}'s OTLP/HTTP port ${route.containerPort}, published on ${route.publishedPort}; ${exporter.service.name} sends to ${displayUrl(configured)})`
      : `${displayUrl(configured)}${via}`;
    const secrets = Object.values(headers);
    const clean = (text: string) => redact(text, secrets);

    // A receiver answers a request that is not OTLP with 4xx; one that answers 2xx to anything
    // (a stub, a catch-all proxy) would "accept" the span too. Asked first, without the headers,
    // so such an endpoint never gets the key.
    const probe = await request(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'not an OTLP request' });
    if (!('error' in probe) && probe.answer.status >= 200 && probe.answer.status < 300) {
      return {
        ...META,
        status: 'fail',
        detail: `${shown} answered HTTP ${probe.answer.status} to a request that is not OTLP (no headers, a body that is not JSON), which an OTLP receiver refuses: it is not an OTLP endpoint, so its 200 would prove nothing and the span (and its headers) were not sent`,
        fix: `check ${from}: it must be your OTLP receiver (https://api.honeycomb.io for Honeycomb)`,
      };
    }

    // node:crypto loads only here: it costs offline doctor runs start-up time for nothing.
    const { randomBytes } = await import('node:crypto');
    const traceId = randomBytes(16).toString('hex');
    const body = JSON.stringify(testSpan(exporter.serviceName, traceId, randomBytes(8).toString('hex')));
    const result = await request(target, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body });
    if ('error' in result) {
      const fix = route ? `start the collector (docker compose up -d ${route.collector}), then run obs doctor --send-test-span again` : `check ${from} and the network`;
      const to = route ? ` to ${route.collector} (its OTLP/HTTP port ${route.containerPort}, published on ${route.publishedPort})` : '';
      return { ...META, status: 'fail', detail: `the span was not sent${to}: ${clean(result.error)}`, fix };
    }
    const { answer } = result;
    if (answer.status >= 200 && answer.status < 300) {
      const rejected = partialRejection(answer);
      if (rejected)
        return { ...META, status: 'fail', detail: `${shown} answered ${answer.status} but rejected the span: ${clean(rejected)}`, fix: fixFor(answer.status, rejected, publicRegion !== undefined) };
      const dataset = isClassicHoneycombKey(headers['x-honeycomb-team'] ?? '') ? (headers['x-honeycomb-dataset'] ?? exporter.serviceName) : exporter.serviceName;
      const where = publicRegion ? ` (${REGION_LABEL[publicRegion]}; in Honeycomb, query trace.trace_id = ${traceId} in dataset ${dataset})` : ` (trace id ${traceId})`;
      // The collector answers once it has the span; it exports later, so its delivery is in its own log.
      const onward = route
        ? route.tracesExporters.length
          ? `; ${route.collector} forwards traces to ${route.tracesExporters.join(', ')} (a failed export shows in docker compose logs ${route.collector})`
          : `; but ${route.collector} has no traces pipeline, so it sends the span nowhere`
        : '';
      if (route && route.tracesExporters.length === 0) {
        return {
          ...META,
          status: 'warn',
          detail: `${shown} accepted a span from service.name "${exporter.serviceName}"${where}${onward}`,
          fix: `add a traces pipeline to ${route.collector}'s config (obs init --pipeline collector writes one)`,
        };
      }
      return { ...META, status: 'pass', detail: `${shown} accepted a span from service.name "${exporter.serviceName}"${where}${onward}` };
    }
    const message = serverMessage(answer);
    return {
      ...META,
      status: 'fail',
      detail: `${shown} refused the span from service.name "${exporter.serviceName}": HTTP ${answer.status}${message ? ` ${clean(message)}` : answer.statusText ? ` ${answer.statusText}` : ''}`,
      fix: fixFor(answer.status, message ?? '', publicRegion !== undefined || exporter.headers?.values.has('x-honeycomb-team') === true),
    };
  },
};

/** Where the test span would go and with which headers, or the result that ends the check early. */
export type TestSpanPlan =
  | { result: CheckResult }
  | {
      exporter: OtlpExporter;
      headers: Record<string, string>;
      /** Where the request goes: the configured URL, or the --honeycomb-api-url standing in for it. */
      target: string;
      configured: string;
      /** ` via URL (--honeycomb-api-url)` when an override stands in, else ''. */
      via: string;
      /** Set when the endpoint is a collector of the project: target is then its published OTLP/HTTP port here. */
      route?: CollectorRoute;
      from: string;
      endpointKey: string;
      publicRegion?: HoneycombRegion;
    };

export function planTestSpan(project: DoctorProject, options: DoctorOptions): TestSpanPlan {
  let urls: HoneycombApiUrls;
  try {
    urls = parseHoneycombApiUrl(options.honeycombApiUrl);
  } catch (err) {
    return { result: { ...META, status: 'fail', detail: (err as Error).message, fix: 'pass --honeycomb-api-url URL or --honeycomb-api-url us=URL,eu=URL' } };
  }
  const exporter = otlpExporters(project).find((e) => e.endpoint);
  if (!exporter?.endpoint) {
    return {
      result: {
        ...META,
        status: 'fail',
        detail: 'no service sets OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, so there is nowhere to send a span',
        fix: 'run obs init to wire a service for Honeycomb',
      },
    };
  }
  const { endpoint } = exporter;
  const configured = endpoint.tracesUrl;
  const from = `${endpoint.variable.key} of ${exporter.service.name}`;
  let parsed: URL;
  try {
    parsed = new URL(configured);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('scheme');
  } catch {
    return {
      result: {
        ...META,
        status: 'fail',
        detail: `${from} is not an http(s) URL: ${JSON.stringify(displayUrl(configured))}`,
        fix: `set ${endpoint.variable.key} to a URL such as https://api.honeycomb.io`,
      },
    };
  }
  const publicRegion = publicRegionOf(configured);
  // An app's collector URL resolves on the compose network only: from here, obs goes through the published port.
  const route = publicRegion ? undefined : collectorRoute(project, configured);
  if (route && route.publishedPort === undefined) {
    return {
      result: {
        ...META,
        status: 'skip',
        detail: `${exporter.service.name} sends to ${route.collector} (${displayUrl(configured)}), which does not publish its OTLP/HTTP port ${route.containerPort} on this machine, so obs cannot send through it from here`,
        fix: `publish it on this machine only: ports: ["127.0.0.1:${route.containerPort}:${route.containerPort}"] on ${route.collector}, then docker compose up -d ${route.collector} and run obs doctor --send-test-span again`,
      },
    };
  }
  const protocol = exporter.protocol?.toLowerCase();
  if (protocol === 'grpc' && !publicRegion && !route) {
    return { result: skip(META, `${exporter.service.name} exports over gRPC (OTEL_EXPORTER_OTLP_PROTOCOL=grpc); obs sends test spans over OTLP/HTTP only`) };
  }

  // Honeycomb serves OTLP on its API host: a region's --honeycomb-api-url stands in for it.
  let target = route ? `http://127.0.0.1:${route.publishedPort}/v1/traces` : configured;
  let via = '';
  if (publicRegion) {
    const setup = honeycombSetup(project, urls);
    const checked = 'notInUse' in setup ? publicRegion : setup.region;
    const override = apiBase(urls, publicRegion, checked);
    if (override.overridden) {
      target = `${override.url}${parsed.pathname}`;
      via = ` via ${target} (--honeycomb-api-url)`;
    }
  }

  const headerProblem = emptyHeader(exporter);
  if (headerProblem) return { result: { ...META, status: 'fail', detail: headerProblem.detail, fix: headerProblem.fix } };
  const headers: Record<string, string> = {};
  for (const [k, v] of exporter.headers?.values ?? []) headers[k] = v;
  return { exporter, headers, target, configured, via, from, endpointKey: endpoint.variable.key, publicRegion, ...(route && { route }) };
}

/** Honeycomb's own OTLP hosts: the only places a key goes without asking (over https). */
const HONEYCOMB_HOSTS = new Set(Object.values(HONEYCOMB_ENDPOINTS).map((url) => new URL(url).host));

export interface EndpointConsent {
  /** The headers carry something and the target is neither Honeycomb over https nor a URL the user named. */
  needed: boolean;
  given: boolean;
  /** `host:port` as --allow-endpoint takes it. */
  host: string;
  /** Why consent is needed, for messages and the prompt. */
  reason: string;
}

/**
 * Whether sending the span needs the user's consent: the headers (the Honeycomb key, a bearer
 * token) would go to an endpoint compose names that is not Honeycomb over https. A
 * --honeycomb-api-url standing in for Honeycomb was named by the user, so it needs none.
 */
export function endpointConsent(plan: Exclude<TestSpanPlan, { result: CheckResult }>, allowed: readonly string[]): EndpointConsent {
  const url = new URL(plan.target);
  const host = url.host.toLowerCase();
  const names = Object.entries(plan.headers)
    .filter(([, v]) => v.trim() !== '')
    .map(([k]) => k);
  const honeycomb = url.protocol === 'https:' && HONEYCOMB_HOSTS.has(host);
  const named = plan.via !== '';
  const needed = names.length > 0 && !honeycomb && !named;
  const given = allowed.some((a) => {
    const want = a
      .trim()
      .toLowerCase()
      .replace(/^[a-z]+:\/\//, '')
      .replace(/\/.*$/, '');
    return want === host || want === url.hostname.toLowerCase();
  });
  const what = HONEYCOMB_HOSTS.has(host) ? 'Honeycomb over plain http' : 'not a Honeycomb host';
  const destination = plan.route ? `sends to ${plan.route.collector}, reached at ${displayUrl(plan.target)}` : `names ${displayUrl(plan.target)}`;
  const reason = `${plan.from} ${destination}, ${what}; obs sends the ${names.join(', ')} header${names.length === 1 ? '' : 's'} (the key) only to Honeycomb over https or to a URL you pass with --honeycomb-api-url`;
  return { needed, given, host, reason };
}

/** A header whose value is empty because the variable it refers to is not set. */
function emptyHeader(exporter: OtlpExporter): { detail: string; fix: string } | undefined {
  const headers = exporter.headers;
  if (!headers) return undefined;
  for (const [name, value] of headers.values) {
    if (value.trim() !== '') continue;
    const missing = headers.variable.references.filter((r) => !r.origin).map((r) => r.name);
    return {
      detail: `header ${name} in ${headers.variable.key} of ${exporter.service.name} is empty (${describeReferences(headers.variable)}), so the span would be refused`,
      fix: missing.length ? `set ${missing.join(' and ')} in .env` : `give ${name} a value in ${headers.variable.key}`,
    };
  }
  return undefined;
}

function fixFor(status: number, message: string, honeycomb: boolean): string {
  if (/dataset/i.test(message)) return 'a classic key needs a dataset: add x-honeycomb-dataset=NAME to OTEL_EXPORTER_OTLP_HEADERS (obs init --honeycomb-dataset NAME), or use an Environments key';
  if (status === 401 || status === 403)
    return honeycomb ? 'check the key in HONEYCOMB_API_KEY and that it is for the region of the endpoint (obs doctor --online checks both)' : 'check the credentials in OTEL_EXPORTER_OTLP_HEADERS';
  if (status === 404 || status === 405) return 'OTEL_EXPORTER_OTLP_ENDPOINT is the base URL (OTLP/HTTP adds /v1/traces); OTEL_EXPORTER_OTLP_TRACES_ENDPOINT must end in /v1/traces';
  if (status === 413) return 'the endpoint refused a one-span request as too large: check for a proxy in between';
  if (status === 429 || status >= 500) return 'the endpoint is busy or failing; run obs doctor --send-test-span again in a minute';
  return 'check OTEL_EXPORTER_OTLP_ENDPOINT and OTEL_EXPORTER_OTLP_HEADERS';
}

/** OTLP's partial success: a 200 whose body says spans were rejected. */
function partialRejection(answer: HttpAnswer): string | undefined {
  const partial = (answer.json as { partialSuccess?: { rejectedSpans?: string | number; errorMessage?: string } } | undefined)?.partialSuccess;
  if (!partial) return undefined;
  if (Number(partial.rejectedSpans ?? 0) > 0) return partial.errorMessage || `${partial.rejectedSpans} span(s) rejected`;
  return undefined;
}

/** One OTLP/JSON span: ids as hex, times as decimal strings of nanoseconds, enums as numbers. */
export function testSpan(serviceName: string, traceId: string, spanId: string): unknown {
  const end = BigInt(Date.now()) * 1_000_000n;
  const start = end - 1_000_000n;
  let version = 'unknown';
  try {
    version = readVersion();
  } catch {
    // not fatal: the version is only a label
  }
  return {
    resourceSpans: [
      {
        resource: {
          attributes: [
            { key: 'service.name', value: { stringValue: serviceName } },
            { key: 'telemetry.sdk.name', value: { stringValue: 'obs' } },
            { key: 'telemetry.sdk.language', value: { stringValue: 'nodejs' } },
            { key: 'telemetry.sdk.version', value: { stringValue: version } },
          ],
        },
        scopeSpans: [
          {
            scope: { name: 'obs doctor', version },
            spans: [
              {
                traceId,
                spanId,
                name: 'obs doctor test span',
                kind: 1,
                startTimeUnixNano: start.toString(),
                endTimeUnixNano: end.toString(),
                attributes: [{ key: 'obs.test_span', value: { boolValue: true } }],
                status: { code: 1 },
              },
            ],
          },
        ],
      },
    ],
  };
}
