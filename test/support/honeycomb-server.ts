/**
 * A small Honeycomb-like HTTP server for tests, on 127.0.0.1 (random port). It speaks the two
 * endpoints obs uses:
 *
 * - `GET /1/auth` with `X-Honeycomb-Team: <key>`: 200 with the key's team and environment for
 *   keys it knows, 401 `{"error": "unknown API key - check your credentials, region, and API URL"}`
 *   otherwise (what Honeycomb answers an EU key sent to the US API).
 * - `POST /v1/traces` and `POST /v1/logs` (OTLP/HTTP, JSON or protobuf, as a collector's otlphttp
 *   exporter sends): 401 for an unknown or missing `x-honeycomb-team`, 400
 *   `{"message":"missing dataset header"}` for a classic key without `x-honeycomb-dataset`, 200
 *   otherwise. Bodies are decoded (protobuf with otlp-receiver.ts's reader); one that does not is 400.
 *
 * Start two to play the US and EU regions. Every request is recorded, rejected ones included.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { headerOf, readBody } from './http-request.js';
import { decodeLogsRequest, decodeTraceRequest, normalizeJsonLogsRequest, waitFor, type Attributes, type AttributeValue, type DecodedLogsRequest, type DecodedTraceRequest } from './otlp-receiver.js';

export const UNKNOWN_KEY_MESSAGE = 'unknown API key - check your credentials, region, and API URL';
export const MISSING_DATASET_MESSAGE = 'missing dataset header';

export interface NameSlug {
  name: string;
  slug: string;
}

export interface HoneycombKey {
  /** A name, or name and slug (the slug defaults to the name lower-cased with dashes). */
  team: string | NameSlug;
  /** Classic keys have none: pass '' or leave out. */
  environment?: string | NameSlug;
  /** `api_key_access` as /1/auth returns it; default: events, markers and createDatasets allowed. */
  access?: Record<string, boolean>;
}

export interface HoneycombServerOptions {
  /** The keys this "region" knows. Can be changed later through `server.keys`. */
  keys?: Record<string, HoneycombKey>;
  /** A label for messages (e.g. 'us', 'eu'). */
  name?: string;
}

export interface RecordedHoneycombRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  /** Header names lower-cased, as Node gives them. */
  headers: http.IncomingHttpHeaders;
  contentType?: string;
  /** The raw body (after gzip decoding). */
  body: Buffer;
  /** The decoded body, for JSON requests that parsed. */
  json?: unknown;
  /** The decoded body of an accepted protobuf /v1/traces request. */
  traces?: DecodedTraceRequest;
  /** The decoded body of an accepted /v1/logs request (either encoding). */
  logs?: DecodedLogsRequest;
  /** HTTP status the server answered with. */
  status: number;
}

/** One span from an accepted OTLP/JSON request, flattened for assertions. */
export interface ReceivedSpan {
  serviceName?: string;
  resourceAttributes: Record<string, unknown>;
  name?: string;
  traceId?: string;
  spanId?: string;
  /** '' for a root span. */
  parentSpanId?: string;
  /** OTLP SpanKind number (2 SERVER, 3 CLIENT). */
  kind?: number;
  /** The instrumentation scope's name. */
  scope?: string;
  attributes: Record<string, unknown>;
  /** The x-honeycomb-team header of the request that carried it. */
  key?: string;
  dataset?: string;
  /** The user-agent of the request that carried it (who sent it: an SDK or a collector). */
  userAgent?: string;
}

/** One log record from an accepted /v1/logs request, flattened for assertions. */
export interface ReceivedHoneycombLogRecord {
  serviceName?: string;
  resourceAttributes: Attributes;
  body: AttributeValue;
  severityText: string;
  attributes: Attributes;
  traceId: string;
  spanId: string;
  key?: string;
  dataset?: string;
}

export interface HoneycombServer {
  /** e.g. http://127.0.0.1:54321: the API base (pass to --honeycomb-api-url) and the OTLP endpoint. */
  url: string;
  port: number;
  name: string;
  /** Known keys; add or remove entries between tests. */
  keys: Record<string, HoneycombKey>;
  /** Every request, in order. */
  requests: RecordedHoneycombRequest[];
  /** Spans of accepted OTLP requests, in order. */
  spans(): ReceivedSpan[];
  /** Log records of accepted OTLP logs requests, in order. */
  logRecords(): ReceivedHoneycombLogRecord[];
  /** Resolves when a span that matches has arrived (or already had); rejects after timeoutMs. */
  waitForSpan(predicate: (span: ReceivedSpan) => boolean, timeoutMs?: number): Promise<ReceivedSpan>;
  waitForLogRecord(predicate: (record: ReceivedHoneycombLogRecord) => boolean, timeoutMs?: number): Promise<ReceivedHoneycombLogRecord>;
  /** Forget recorded requests (keys stay). */
  reset(): void;
  close(): Promise<void>;
}

/** Honeycomb's classic-key test (husky IsClassicApiKey): 32 hex, or 64 chars `hc?ic_...`. */
export function isClassicKey(key: string): boolean {
  return (key.length === 32 && /^[0-9a-f]+$/.test(key)) || (key.length === 64 && /^hc[a-z]ic_[0-9a-z]*$/.test(key));
}

function nameSlug(value: string | NameSlug | undefined): NameSlug {
  if (value === undefined) return { name: '', slug: '' };
  if (typeof value !== 'string') return value;
  return {
    name: value,
    slug: value
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, ''),
  };
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  return headerOf(req.headers, name);
}

/** OTLP/JSON attributes `[{key, value: {stringValue}}]` -> `{key: value}`. */
function attributeMap(list: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!Array.isArray(list)) return out;
  for (const item of list as { key?: string; value?: Record<string, unknown> }[]) {
    if (typeof item?.key !== 'string') continue;
    const v = item.value ?? {};
    out[item.key] = v.stringValue ?? v.boolValue ?? v.intValue ?? v.doubleValue ?? v.arrayValue ?? v.kvlistValue ?? v.bytesValue;
  }
  return out;
}

export async function startHoneycombServer(options: HoneycombServerOptions = {}): Promise<HoneycombServer> {
  const keys: Record<string, HoneycombKey> = { ...(options.keys ?? {}) };
  const requests: RecordedHoneycombRequest[] = [];
  const name = options.name ?? 'honeycomb';
  const waiters = new Set<() => void>();

  function send(res: http.ServerResponse, record: RecordedHoneycombRequest, status: number, body: unknown, contentType = 'application/json'): void {
    record.status = status;
    const payload = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
    res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(payload) });
    res.end(payload);
  }

  function auth(req: http.IncomingMessage, res: http.ServerResponse, record: RecordedHoneycombRequest): void {
    const key = header(req, 'x-honeycomb-team')?.trim() ?? '';
    const known = key ? keys[key] : undefined;
    if (!known) return send(res, record, 401, { error: UNKNOWN_KEY_MESSAGE });
    send(res, record, 200, {
      id: `key-${key.length}`,
      type: isClassicKey(key) ? 'classic' : 'ingest',
      api_key_access: known.access ?? { events: true, markers: true, createDatasets: true },
      environment: nameSlug(known.environment),
      team: nameSlug(known.team),
    });
  }

  function otlp(req: http.IncomingMessage, res: http.ServerResponse, record: RecordedHoneycombRequest): void {
    const logs = record.path === '/v1/logs';
    const type = (record.contentType ?? '').split(';')[0]!.trim().toLowerCase();
    const json = type === 'application/json';
    const protobuf = type === 'application/x-protobuf' || type === 'application/protobuf';
    const reply = (status: number, message?: string) =>
      json || !protobuf ? send(res, record, status, message === undefined ? {} : { message }) : send(res, record, status, Buffer.alloc(0), 'application/x-protobuf');
    if (!json && !protobuf) return send(res, record, 415, { message: `unsupported content-type ${JSON.stringify(record.contentType ?? '')}` });
    const key = header(req, 'x-honeycomb-team')?.trim() ?? '';
    if (!key) return reply(401, "missing 'x-honeycomb-team' header");
    if (!keys[key]) return reply(401, UNKNOWN_KEY_MESSAGE);
    if (isClassicKey(key) && !header(req, 'x-honeycomb-dataset')?.trim()) return reply(400, MISSING_DATASET_MESSAGE);
    if (json) {
      try {
        record.json = JSON.parse(record.body.toString('utf8'));
      } catch (err) {
        return reply(400, `request body is not valid JSON: ${(err as Error).message}`);
      }
      if (logs) {
        try {
          record.logs = normalizeJsonLogsRequest(record.json);
        } catch (err) {
          return reply(400, `request body is not an ExportLogsServiceRequest: ${(err as Error).message}`);
        }
      } else if (!record.json || typeof record.json !== 'object' || !Array.isArray((record.json as { resourceSpans?: unknown }).resourceSpans)) {
        return reply(400, 'request body is not an ExportTraceServiceRequest (no resourceSpans)');
      }
    } else {
      try {
        if (logs) record.logs = decodeLogsRequest(record.body);
        else record.traces = decodeTraceRequest(record.body);
      } catch (err) {
        return reply(400, `could not decode the protobuf body: ${(err as Error).message}`);
      }
    }
    reply(200);
    for (const wake of [...waiters]) wake();
  }

  async function respond(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    let body = await readBody(req);
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const record: RecordedHoneycombRequest = { method: req.method ?? '', path, headers: req.headers, contentType: header(req, 'content-type'), body, status: 0 };
    requests.push(record);
    if (header(req, 'content-encoding')?.toLowerCase() === 'gzip') {
      try {
        body = gunzipSync(body);
        record.body = body;
      } catch {
        return send(res, record, 400, { message: 'body is not valid gzip' });
      }
    }
    if (path === '/1/auth') return req.method === 'GET' ? auth(req, res, record) : send(res, record, 405, { error: 'method not allowed' });
    if (path === '/v1/traces' || path === '/v1/logs') return req.method === 'POST' ? otlp(req, res, record) : send(res, record, 405, { message: 'method not allowed' });
    send(res, record, 404, { error: `not found: ${req.method} ${path}`, request_id: randomUUID() });
  }

  function spans(): ReceivedSpan[] {
    const out: ReceivedSpan[] = [];
    for (const r of requests) {
      if (r.path !== '/v1/traces' || r.status !== 200) continue;
      const key = headerOf(r.headers, 'x-honeycomb-team');
      const dataset = headerOf(r.headers, 'x-honeycomb-dataset');
      const userAgent = headerOf(r.headers, 'user-agent');
      if (r.traces) {
        for (const rs of r.traces.resourceSpans) {
          const serviceName = typeof rs.resource['service.name'] === 'string' ? rs.resource['service.name'] : undefined;
          for (const ss of rs.scopeSpans) {
            for (const span of ss.spans) {
              const { name, traceId, spanId, parentSpanId, kind, attributes } = span;
              out.push({ serviceName, resourceAttributes: rs.resource, name, traceId, spanId, parentSpanId, kind, scope: ss.scope.name, attributes, key, dataset, userAgent });
            }
          }
        }
        continue;
      }
      if (!r.json) continue;
      for (const rs of (r.json as { resourceSpans: { resource?: { attributes?: unknown }; scopeSpans?: { spans?: Record<string, unknown>[] }[] }[] }).resourceSpans) {
        const resourceAttributes = attributeMap(rs.resource?.attributes);
        for (const ss of rs.scopeSpans ?? []) {
          for (const span of ss.spans ?? []) {
            out.push({
              serviceName: typeof resourceAttributes['service.name'] === 'string' ? resourceAttributes['service.name'] : undefined,
              resourceAttributes,
              name: span.name as string | undefined,
              traceId: span.traceId as string | undefined,
              spanId: span.spanId as string | undefined,
              parentSpanId: typeof span.parentSpanId === 'string' ? span.parentSpanId.toLowerCase() : undefined,
              kind: typeof span.kind === 'number' ? span.kind : undefined,
              attributes: attributeMap(span.attributes),
              key,
              dataset,
              userAgent,
            });
          }
        }
      }
    }
    return out;
  }

  function logRecords(): ReceivedHoneycombLogRecord[] {
    return requests.flatMap((r) => {
      if (r.path !== '/v1/logs' || r.status !== 200 || !r.logs) return [];
      const key = headerOf(r.headers, 'x-honeycomb-team');
      const dataset = headerOf(r.headers, 'x-honeycomb-dataset');
      return r.logs.resourceLogs.flatMap((rl) =>
        rl.scopeLogs.flatMap((sl) =>
          sl.logRecords.map((lr) => ({
            serviceName: typeof rl.resource['service.name'] === 'string' ? rl.resource['service.name'] : undefined,
            resourceAttributes: rl.resource,
            body: lr.body,
            severityText: lr.severityText,
            attributes: lr.attributes,
            traceId: lr.traceId,
            spanId: lr.spanId,
            key,
            dataset,
          })),
        ),
      );
    });
  }

  const summary = () => requests.map((r) => `${r.method} ${r.path} ${r.status}`).join(', ') || 'none';

  const server = http.createServer((req, res) => {
    respond(req, res).catch((err) => res.destroy(err as Error));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    name,
    keys,
    requests,
    spans,
    logRecords,
    waitForSpan: (predicate, timeoutMs = 10_000) =>
      waitFor(
        'span',
        waiters,
        spans,
        predicate,
        timeoutMs,
        () =>
          `at ${name}; spans: ${
            spans()
              .map((s) => `${s.serviceName ?? '?'}: ${s.name}`)
              .join(', ') || 'none'
          }; requests: ${summary()}`,
      ),
    waitForLogRecord: (predicate, timeoutMs = 10_000) =>
      waitFor(
        'log record',
        waiters,
        logRecords,
        predicate,
        timeoutMs,
        () =>
          `at ${name}; records: ${
            logRecords()
              .map((r) => JSON.stringify(r.body))
              .join(', ') || 'none'
          }; requests: ${summary()}`,
      ),
    reset() {
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
