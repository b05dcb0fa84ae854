/**
 * A local OTLP/HTTP trace receiver for tests, on 127.0.0.1 (random port): what an app's
 * OpenTelemetry SDK talks to when OTEL_EXPORTER_OTLP_ENDPOINT points here.
 *
 * - `POST /v1/traces` with `application/x-protobuf` (or `application/protobuf`) or
 *   `application/json`, optionally gzip-encoded: decoded into resource attributes, scopes and
 *   spans, and answered 200 with an empty ExportTraceServiceResponse (empty protobuf or `{}`).
 *   A body that does not decode is answered 400 and still recorded (with `error`).
 * - `POST /v1/logs`: the same, decoded into resource attributes, scopes and log records.
 * - Other content types: 415. `/v1/metrics`: 200, recorded but not decoded. Anything else: 404.
 * - `options.paths` narrows the accepted paths (others: 404), and `options.authorize` can refuse a
 *   request before it is decoded (the AWS stand-ins check SigV4 there): see aws-otlp-servers.ts.
 *
 * Protobuf is decoded by a small hand-written reader of the OTLP trace and logs messages (varints and
 * length-delimited fields, unknown fields skipped), so the receiver depends on nothing an app
 * under test installs.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { headerOf, readBody } from './http-request.js';

/** An OTLP AnyValue as a plain value: int64 as a number when safe, else a decimal string; bytes as hex. */
export type AttributeValue = string | number | boolean | null | AttributeValue[] | { [key: string]: AttributeValue };
export type Attributes = Record<string, AttributeValue>;

/** The OTLP SpanKind numbers. */
export const SpanKind = { UNSPECIFIED: 0, INTERNAL: 1, SERVER: 2, CLIENT: 3, PRODUCER: 4, CONSUMER: 5 } as const;

export interface DecodedSpan {
  /** Lower-case hex, as in OTLP/JSON. */
  traceId: string;
  spanId: string;
  /** '' for a root span. */
  parentSpanId: string;
  name: string;
  kind: number;
  /** Decimal strings (fixed64 nanoseconds). */
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: Attributes;
  status: { code: number; message: string };
}

export interface DecodedScopeSpans {
  scope: { name: string; version: string };
  spans: DecodedSpan[];
}

export interface DecodedResourceSpans {
  resource: Attributes;
  scopeSpans: DecodedScopeSpans[];
}

/** An ExportTraceServiceRequest, the same shape whichever encoding it arrived in. */
export interface DecodedTraceRequest {
  resourceSpans: DecodedResourceSpans[];
}

export interface DecodedLogRecord {
  /** Decimal strings (fixed64 nanoseconds); '0' when unset. */
  timeUnixNano: string;
  observedTimeUnixNano: string;
  severityNumber: number;
  severityText: string;
  body: AttributeValue;
  attributes: Attributes;
  /** Lower-case hex; '' when the record is not in a span. */
  traceId: string;
  spanId: string;
}

export interface DecodedScopeLogs {
  scope: { name: string; version: string };
  logRecords: DecodedLogRecord[];
}

export interface DecodedResourceLogs {
  resource: Attributes;
  scopeLogs: DecodedScopeLogs[];
}

/** An ExportLogsServiceRequest, the same shape whichever encoding it arrived in. */
export interface DecodedLogsRequest {
  resourceLogs: DecodedResourceLogs[];
}

export interface ReceivedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  /** Path and query string as received. */
  url: string;
  /** Header names lower-cased, as Node gives them. */
  headers: http.IncomingHttpHeaders;
  contentType: string;
  /** The body after gzip decoding. */
  body: Buffer;
  /** The body as it arrived (what a signature covers). */
  rawBody: Buffer;
  /** Set for /v1/traces requests that decoded. */
  traces?: DecodedTraceRequest;
  /** Set for /v1/logs requests that decoded. */
  logs?: DecodedLogsRequest;
  /** What `options.authorize` found (e.g. the SigV4 check), whether or not it let the request in. */
  auth?: unknown;
  /** Why the body did not decode (the request was answered 400). */
  error?: string;
  status: number;
}

/** What every flattened item carries from the request it came in. */
interface Carried {
  resource: Attributes;
  /** `service.name` of its resource. */
  serviceName?: string;
  scope: { name: string; version: string };
  /** The headers of the request that carried it. */
  headers: http.IncomingHttpHeaders;
  contentType: string;
  /** `auth` of the request that carried it. */
  auth?: unknown;
}

/** One span with what it came with, flattened for assertions. */
export interface ReceivedSpan extends DecodedSpan, Carried {}

/** One log record with what it came with, flattened for assertions. */
export interface ReceivedLogRecord extends DecodedLogRecord, Carried {}

/** Refuses a request before decoding by returning a status and message; `auth` is recorded either way. */
export type Authorize = (request: ReceivedRequest) => Promise<{ auth?: unknown; refuse?: { status: number; message: string } }>;

export interface OtlpReceiverOptions {
  /** Accepted paths; default /v1/traces, /v1/metrics and /v1/logs. */
  paths?: string[];
  authorize?: Authorize;
}

export interface OtlpReceiver {
  /** e.g. http://127.0.0.1:54321: the value for OTEL_EXPORTER_OTLP_ENDPOINT (SDKs append /v1/traces). */
  url: string;
  port: number;
  /** Every request, in order. */
  requests: ReceivedRequest[];
  /** Spans of every decoded trace request, in order. */
  spans(): ReceivedSpan[];
  /** Log records of every decoded logs request, in order. */
  logRecords(): ReceivedLogRecord[];
  /** Resolves with the first span (already received or arriving later) that matches; rejects after timeoutMs. */
  waitForSpan(predicate: (span: ReceivedSpan) => boolean, timeoutMs?: number): Promise<ReceivedSpan>;
  /** The same for log records. */
  waitForLogRecord(predicate: (record: ReceivedLogRecord) => boolean, timeoutMs?: number): Promise<ReceivedLogRecord>;
  reset(): void;
  close(): Promise<void>;
}

const carried = (request: ReceivedRequest, resource: Attributes, scope: { name: string; version: string }): Carried => ({
  resource,
  serviceName: typeof resource['service.name'] === 'string' ? resource['service.name'] : undefined,
  scope,
  headers: request.headers,
  contentType: request.contentType,
  auth: request.auth,
});

/** The spans of recorded requests, flattened. */
export function spansOf(requests: ReceivedRequest[]): ReceivedSpan[] {
  return requests.flatMap((request) =>
    (request.traces?.resourceSpans ?? []).flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans.map((span) => ({ ...span, ...carried(request, rs.resource, ss.scope) })))),
  );
}

/** The log records of recorded requests, flattened. */
export function logRecordsOf(requests: ReceivedRequest[]): ReceivedLogRecord[] {
  return requests.flatMap((request) =>
    (request.logs?.resourceLogs ?? []).flatMap((rl) => rl.scopeLogs.flatMap((sl) => sl.logRecords.map((record) => ({ ...record, ...carried(request, rl.resource, sl.scope) })))),
  );
}

/** Resolves with the first item of `list()` that matches, checking again each time `waiters` are woken. */
export function waitFor<T>(noun: string, waiters: Set<() => void>, list: () => T[], predicate: (item: T) => boolean, timeoutMs: number, describe: () => string): Promise<T> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const found = list().find(predicate);
      if (found === undefined) return false;
      clearTimeout(timer);
      waiters.delete(wake);
      resolve(found);
      return true;
    };
    const wake = () => void check();
    const timer = setTimeout(() => {
      waiters.delete(wake);
      reject(new Error(`no matching ${noun} within ${timeoutMs} ms; ${describe()}`));
    }, timeoutMs);
    if (!check()) waiters.add(wake);
  });
}

export async function startOtlpReceiver(options: OtlpReceiverOptions = {}): Promise<OtlpReceiver> {
  const requests: ReceivedRequest[] = [];
  const waiters = new Set<() => void>();
  const paths = options.paths ?? ['/v1/traces', '/v1/metrics', '/v1/logs'];
  const spans = () => spansOf(requests);
  const logRecords = () => logRecordsOf(requests);
  const statuses = () => requests.map((r) => `${r.path} ${r.status}${r.error ? ` (${r.error})` : ''}`).join(', ') || 'none';

  function send(res: http.ServerResponse, record: ReceivedRequest, status: number, body: string | Buffer, contentType: string): void {
    record.status = status;
    res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  }

  async function respond(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const contentType = (headerOf(req.headers, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    const record: ReceivedRequest = { method: req.method ?? '', path, url: req.url ?? '/', headers: req.headers, contentType, body: raw, rawBody: raw, status: 0 };
    requests.push(record);
    const json = contentType === 'application/json';
    const protobuf = contentType === 'application/x-protobuf' || contentType === 'application/protobuf';
    const reply = (status: number, message?: string) => {
      if (protobuf) return send(res, record, status, Buffer.alloc(0), 'application/x-protobuf');
      return send(res, record, status, JSON.stringify(message === undefined ? {} : { message }), 'application/json');
    };
    if (!paths.includes(path)) return reply(404, `not found: ${path}`);
    if (req.method !== 'POST') return reply(405, 'method not allowed');
    if (!json && !protobuf) return reply(415, `unsupported content-type ${JSON.stringify(contentType)}`);
    if (headerOf(req.headers, 'content-encoding')?.toLowerCase() === 'gzip') {
      try {
        record.body = gunzipSync(raw);
      } catch {
        record.error = 'body is not valid gzip';
        return reply(400, record.error);
      }
    }
    if (options.authorize) {
      const { auth, refuse } = await options.authorize(record);
      record.auth = auth;
      if (refuse) {
        record.error = refuse.message;
        return reply(refuse.status, refuse.message);
      }
    }
    if (path !== '/v1/traces' && path !== '/v1/logs') return reply(200);
    const what = path === '/v1/traces' ? 'ExportTraceServiceRequest' : 'ExportLogsServiceRequest';
    try {
      if (path === '/v1/traces') record.traces = json ? normalizeJsonTraceRequest(JSON.parse(record.body.toString('utf8'))) : decodeTraceRequest(record.body);
      else record.logs = json ? normalizeJsonLogsRequest(JSON.parse(record.body.toString('utf8'))) : decodeLogsRequest(record.body);
    } catch (err) {
      record.error = (err as Error).message;
      return reply(400, `could not decode the ${what}: ${record.error}`);
    }
    reply(200);
    for (const wake of [...waiters]) wake();
  }

  const server = http.createServer((req, res) => {
    respond(req, res).catch((err) => res.destroy(err as Error));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    spans,
    logRecords,
    waitForSpan(predicate, timeoutMs = 10_000) {
      return waitFor('span', waiters, spans, predicate, timeoutMs, () => {
        const seen = spans().map((s) => `${s.serviceName ?? '?'}: ${s.name} (kind ${s.kind})`);
        return `received ${requests.length} request(s), spans: ${seen.join(', ') || 'none'}; requests: ${statuses()}`;
      });
    },
    waitForLogRecord(predicate, timeoutMs = 10_000) {
      return waitFor('log record', waiters, logRecords, predicate, timeoutMs, () => {
        const seen = logRecords().map((r) => `${r.serviceName ?? '?'}: ${JSON.stringify(r.body)}`);
        return `received ${requests.length} request(s), log records: ${seen.join(', ') || 'none'}; requests: ${statuses()}`;
      });
    },
    reset() {
      requests.length = 0;
    },
    close() {
      return new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Protobuf: just enough of the wire format for opentelemetry/proto/collector/trace/v1.

const WIRE_VARINT = 0;
const WIRE_I64 = 1;
const WIRE_LEN = 2;
const WIRE_I32 = 5;

type Field = { number: number; wire: typeof WIRE_VARINT; value: bigint } | { number: number; wire: typeof WIRE_I64 | typeof WIRE_I32 | typeof WIRE_LEN; value: Uint8Array };

/** Splits one message into its fields, in wire order. Throws on truncated or malformed input. */
export function readFields(bytes: Uint8Array): Field[] {
  const fields: Field[] = [];
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (pos >= bytes.length) throw new Error('truncated varint');
      const byte = bytes[pos++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result & 0xffffffffffffffffn;
    }
    throw new Error('varint longer than 10 bytes');
  };
  const take = (n: number): Uint8Array => {
    if (n < 0 || pos + n > bytes.length) throw new Error(`truncated field: wants ${n} bytes at offset ${pos} of ${bytes.length}`);
    const out = bytes.subarray(pos, pos + n);
    pos += n;
    return out;
  };
  while (pos < bytes.length) {
    const key = varint();
    const number = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (number === 0) throw new Error('field number 0');
    if (wire === WIRE_VARINT) fields.push({ number, wire, value: varint() });
    else if (wire === WIRE_I64) fields.push({ number, wire, value: take(8) });
    else if (wire === WIRE_LEN) fields.push({ number, wire, value: take(Number(varint())) });
    else if (wire === WIRE_I32) fields.push({ number, wire, value: take(4) });
    else throw new Error(`unsupported wire type ${wire} (field ${number})`);
  }
  return fields;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
const lenOf = (f: Field, what: string): Uint8Array => {
  if (f.wire !== WIRE_LEN) throw new Error(`${what}: expected a length-delimited field, got wire type ${f.wire}`);
  return f.value;
};
const varintOf = (f: Field, what: string): bigint => {
  if (f.wire !== WIRE_VARINT) throw new Error(`${what}: expected a varint, got wire type ${f.wire}`);
  return f.value;
};
const fixed64Of = (f: Field, what: string): bigint => {
  if (f.wire !== WIRE_I64) throw new Error(`${what}: expected fixed64, got wire type ${f.wire}`);
  return Buffer.from(f.value).readBigUInt64LE(0);
};
const str = (f: Field, what: string) => utf8.decode(lenOf(f, what));
const int64 = (v: bigint): number | string => {
  const signed = BigInt.asIntN(64, v);
  return signed >= BigInt(Number.MIN_SAFE_INTEGER) && signed <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(signed) : signed.toString();
};

/** ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; } */
export function decodeTraceRequest(bytes: Uint8Array): DecodedTraceRequest {
  return {
    resourceSpans: readFields(bytes)
      .filter((f) => f.number === 1)
      .map((f) => decodeResourceSpans(lenOf(f, 'resource_spans'))),
  };
}

/** ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; } */
function decodeResourceSpans(bytes: Uint8Array): DecodedResourceSpans {
  const out: DecodedResourceSpans = { resource: {}, scopeSpans: [] };
  for (const f of readFields(bytes)) {
    if (f.number === 1) out.resource = decodeResource(lenOf(f, 'resource'));
    else if (f.number === 2) out.scopeSpans.push(decodeScopeSpans(lenOf(f, 'scope_spans')));
  }
  return out;
}

/** Resource { repeated KeyValue attributes = 1; } */
function decodeResource(bytes: Uint8Array): Attributes {
  return decodeAttributes(readFields(bytes).filter((f) => f.number === 1));
}

function decodeAttributes(fields: Field[]): Attributes {
  const out: Attributes = {};
  for (const f of fields) {
    const [key, value] = decodeKeyValue(lenOf(f, 'attributes'));
    out[key] = value;
  }
  return out;
}

/** KeyValue { string key = 1; AnyValue value = 2; } */
function decodeKeyValue(bytes: Uint8Array): [string, AttributeValue] {
  let key = '';
  let value: AttributeValue = null;
  for (const f of readFields(bytes)) {
    if (f.number === 1) key = str(f, 'KeyValue.key');
    else if (f.number === 2) value = decodeAnyValue(lenOf(f, 'KeyValue.value'));
  }
  return [key, value];
}

/** AnyValue { oneof: string 1, bool 2, int64 3, double 4, ArrayValue 5, KeyValueList 6, bytes 7 } */
function decodeAnyValue(bytes: Uint8Array): AttributeValue {
  let value: AttributeValue = null;
  for (const f of readFields(bytes)) {
    if (f.number === 1) value = str(f, 'string_value');
    else if (f.number === 2) value = varintOf(f, 'bool_value') !== 0n;
    else if (f.number === 3) value = int64(varintOf(f, 'int_value'));
    else if (f.number === 4) {
      if (f.wire !== WIRE_I64) throw new Error('double_value: expected fixed64');
      value = Buffer.from(f.value).readDoubleLE(0);
    } else if (f.number === 5)
      value = readFields(lenOf(f, 'array_value'))
        .filter((v) => v.number === 1)
        .map((v) => decodeAnyValue(lenOf(v, 'ArrayValue.values')));
    else if (f.number === 6) value = decodeAttributes(readFields(lenOf(f, 'kvlist_value')).filter((v) => v.number === 1));
    else if (f.number === 7) value = hex(lenOf(f, 'bytes_value'));
  }
  return value;
}

/** ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; } */
function decodeScopeSpans(bytes: Uint8Array): DecodedScopeSpans {
  const out: DecodedScopeSpans = { scope: { name: '', version: '' }, spans: [] };
  for (const f of readFields(bytes)) {
    if (f.number === 1) {
      for (const s of readFields(lenOf(f, 'scope'))) {
        if (s.number === 1) out.scope.name = str(s, 'scope.name');
        else if (s.number === 2) out.scope.version = str(s, 'scope.version');
      }
    } else if (f.number === 2) out.spans.push(decodeSpan(lenOf(f, 'spans')));
  }
  return out;
}

/**
 * Span { bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; bytes parent_span_id = 4;
 * string name = 5; SpanKind kind = 6; fixed64 start_time_unix_nano = 7; fixed64 end_time_unix_nano = 8;
 * repeated KeyValue attributes = 9; ... Status status = 15; }  Status { string message = 2; StatusCode code = 3; }
 */
function decodeSpan(bytes: Uint8Array): DecodedSpan {
  const span: DecodedSpan = { traceId: '', spanId: '', parentSpanId: '', name: '', kind: 0, startTimeUnixNano: '0', endTimeUnixNano: '0', attributes: {}, status: { code: 0, message: '' } };
  const attributes: Field[] = [];
  for (const f of readFields(bytes)) {
    if (f.number === 1) span.traceId = hex(lenOf(f, 'trace_id'));
    else if (f.number === 2) span.spanId = hex(lenOf(f, 'span_id'));
    else if (f.number === 4) span.parentSpanId = hex(lenOf(f, 'parent_span_id'));
    else if (f.number === 5) span.name = str(f, 'name');
    else if (f.number === 6) span.kind = Number(varintOf(f, 'kind'));
    else if (f.number === 7) span.startTimeUnixNano = fixed64Of(f, 'start_time_unix_nano').toString();
    else if (f.number === 8) span.endTimeUnixNano = fixed64Of(f, 'end_time_unix_nano').toString();
    else if (f.number === 9) attributes.push(f);
    else if (f.number === 15) {
      for (const s of readFields(lenOf(f, 'status'))) {
        if (s.number === 2) span.status.message = str(s, 'status.message');
        else if (s.number === 3) span.status.code = Number(varintOf(s, 'status.code'));
      }
    }
  }
  span.attributes = decodeAttributes(attributes);
  return span;
}

/** ExportLogsServiceRequest { repeated ResourceLogs resource_logs = 1; } */
export function decodeLogsRequest(bytes: Uint8Array): DecodedLogsRequest {
  return {
    resourceLogs: readFields(bytes)
      .filter((f) => f.number === 1)
      .map((f) => decodeResourceLogs(lenOf(f, 'resource_logs'))),
  };
}

/** ResourceLogs { Resource resource = 1; repeated ScopeLogs scope_logs = 2; } */
function decodeResourceLogs(bytes: Uint8Array): DecodedResourceLogs {
  const out: DecodedResourceLogs = { resource: {}, scopeLogs: [] };
  for (const f of readFields(bytes)) {
    if (f.number === 1) out.resource = decodeResource(lenOf(f, 'resource'));
    else if (f.number === 2) out.scopeLogs.push(decodeScopeLogs(lenOf(f, 'scope_logs')));
  }
  return out;
}

/** ScopeLogs { InstrumentationScope scope = 1; repeated LogRecord log_records = 2; } */
function decodeScopeLogs(bytes: Uint8Array): DecodedScopeLogs {
  const out: DecodedScopeLogs = { scope: { name: '', version: '' }, logRecords: [] };
  for (const f of readFields(bytes)) {
    if (f.number === 1) {
      for (const s of readFields(lenOf(f, 'scope'))) {
        if (s.number === 1) out.scope.name = str(s, 'scope.name');
        else if (s.number === 2) out.scope.version = str(s, 'scope.version');
      }
    } else if (f.number === 2) out.logRecords.push(decodeLogRecord(lenOf(f, 'log_records')));
  }
  return out;
}

/**
 * LogRecord { fixed64 time_unix_nano = 1; SeverityNumber severity_number = 2; string severity_text = 3;
 * AnyValue body = 5; repeated KeyValue attributes = 6; bytes trace_id = 9; bytes span_id = 10;
 * fixed64 observed_time_unix_nano = 11; ... }
 */
function decodeLogRecord(bytes: Uint8Array): DecodedLogRecord {
  const record: DecodedLogRecord = { timeUnixNano: '0', observedTimeUnixNano: '0', severityNumber: 0, severityText: '', body: null, attributes: {}, traceId: '', spanId: '' };
  const attributes: Field[] = [];
  for (const f of readFields(bytes)) {
    if (f.number === 1) record.timeUnixNano = fixed64Of(f, 'time_unix_nano').toString();
    else if (f.number === 2) record.severityNumber = Number(varintOf(f, 'severity_number'));
    else if (f.number === 3) record.severityText = str(f, 'severity_text');
    else if (f.number === 5) record.body = decodeAnyValue(lenOf(f, 'body'));
    else if (f.number === 6) attributes.push(f);
    else if (f.number === 9) record.traceId = hex(lenOf(f, 'trace_id'));
    else if (f.number === 10) record.spanId = hex(lenOf(f, 'span_id'));
    else if (f.number === 11) record.observedTimeUnixNano = fixed64Of(f, 'observed_time_unix_nano').toString();
  }
  record.attributes = decodeAttributes(attributes);
  return record;
}

// ---------------------------------------------------------------------------------------------
// OTLP/JSON: camelCase fields, ids as hex strings, enums as numbers, int64 as string or number.

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const text = (v: unknown): string => (typeof v === 'string' ? v : '');

/** An OTLP/JSON ExportTraceServiceRequest in the shape decodeTraceRequest returns. */
export function normalizeJsonTraceRequest(body: unknown): DecodedTraceRequest {
  if (!body || typeof body !== 'object' || !Array.isArray((body as Json).resourceSpans)) throw new Error('not an ExportTraceServiceRequest (no resourceSpans array)');
  return {
    resourceSpans: arr((body as Json).resourceSpans).map((rs) => ({
      resource: jsonAttributes(obj(obj(rs).resource).attributes),
      scopeSpans: arr(obj(rs).scopeSpans).map((ss) => ({
        scope: { name: text(obj(obj(ss).scope).name), version: text(obj(obj(ss).scope).version) },
        spans: arr(obj(ss).spans).map((raw) => {
          const s = obj(raw);
          return {
            traceId: text(s.traceId).toLowerCase(),
            spanId: text(s.spanId).toLowerCase(),
            parentSpanId: text(s.parentSpanId).toLowerCase(),
            name: text(s.name),
            kind: jsonEnum(s.kind, ['SPAN_KIND_UNSPECIFIED', 'SPAN_KIND_INTERNAL', 'SPAN_KIND_SERVER', 'SPAN_KIND_CLIENT', 'SPAN_KIND_PRODUCER', 'SPAN_KIND_CONSUMER']),
            startTimeUnixNano: String(s.startTimeUnixNano ?? '0'),
            endTimeUnixNano: String(s.endTimeUnixNano ?? '0'),
            attributes: jsonAttributes(s.attributes),
            status: { code: jsonEnum(obj(s.status).code, ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR']), message: text(obj(s.status).message) },
          };
        }),
      })),
    })),
  };
}

function jsonEnum(value: unknown, names: string[]): number {
  if (typeof value === 'number') return value;
  const index = names.indexOf(text(value));
  return index === -1 ? 0 : index;
}

function jsonAttributes(list: unknown): Attributes {
  const out: Attributes = {};
  for (const item of arr(list)) {
    const key = obj(item).key;
    if (typeof key === 'string') out[key] = jsonAnyValue(obj(item).value);
  }
  return out;
}

function jsonAnyValue(raw: unknown): AttributeValue {
  const v = obj(raw);
  if ('stringValue' in v) return text(v.stringValue);
  if ('boolValue' in v) return v.boolValue === true;
  if ('intValue' in v) return int64(BigInt(v.intValue as string | number));
  if ('doubleValue' in v) return Number(v.doubleValue);
  if ('arrayValue' in v) return arr(obj(v.arrayValue).values).map(jsonAnyValue);
  if ('kvlistValue' in v) return jsonAttributes(obj(v.kvlistValue).values);
  if ('bytesValue' in v) return Buffer.from(text(v.bytesValue), 'base64').toString('hex');
  return null;
}

/** An OTLP/JSON ExportLogsServiceRequest in the shape decodeLogsRequest returns. */
export function normalizeJsonLogsRequest(body: unknown): DecodedLogsRequest {
  if (!body || typeof body !== 'object' || !Array.isArray((body as Json).resourceLogs)) throw new Error('not an ExportLogsServiceRequest (no resourceLogs array)');
  return {
    resourceLogs: arr((body as Json).resourceLogs).map((rl) => ({
      resource: jsonAttributes(obj(obj(rl).resource).attributes),
      scopeLogs: arr(obj(rl).scopeLogs).map((sl) => ({
        scope: { name: text(obj(obj(sl).scope).name), version: text(obj(obj(sl).scope).version) },
        logRecords: arr(obj(sl).logRecords).map((raw) => {
          const r = obj(raw);
          return {
            timeUnixNano: String(r.timeUnixNano ?? '0'),
            observedTimeUnixNano: String(r.observedTimeUnixNano ?? '0'),
            severityNumber: typeof r.severityNumber === 'number' ? r.severityNumber : Number(r.severityNumber ?? 0) || 0,
            severityText: text(r.severityText),
            body: r.body === undefined ? null : jsonAnyValue(r.body),
            attributes: jsonAttributes(r.attributes),
            traceId: text(r.traceId).toLowerCase(),
            spanId: text(r.spanId).toLowerCase(),
          };
        }),
      })),
    })),
  };
}
