import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { decodeLogsRequest, decodeTraceRequest, readFields, SpanKind, startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.js';

const ascii = (s: string) => [...Buffer.from(s, 'utf8')];

/**
 * An ExportTraceServiceRequest written out byte by byte (115 bytes): one resource with
 * service.name=api, scope "t", one SERVER span "GET /hello" with http.status_code=200 and an
 * unknown field 99 the decoder must skip.
 */
const HAND_ENCODED = Buffer.from([
  0x0a,
  0x71, //                                  resource_spans (1, LEN 113)
  0x0a,
  0x17, //                                    resource (1, LEN 23)
  0x0a,
  0x15, //                                      attributes (1, LEN 21): KeyValue
  0x0a,
  0x0c,
  ...ascii('service.name'), //              key (1, LEN 12)
  0x12,
  0x05,
  0x0a,
  0x03,
  ...ascii('api'), //           value (2, LEN 5): AnyValue string_value (1, LEN 3)
  0x12,
  0x56, //                                    scope_spans (2, LEN 86)
  0x0a,
  0x03,
  0x0a,
  0x01,
  ...ascii('t'), //           scope (1, LEN 3): name (1, LEN 1)
  0x12,
  0x4f, //                                      spans (2, LEN 79)
  0x0a,
  0x10,
  0x01,
  0x02,
  0x03,
  0x04,
  0x05,
  0x06,
  0x07,
  0x08,
  0x09,
  0x0a,
  0x0b,
  0x0c,
  0x0d,
  0x0e,
  0x0f,
  0x10, // trace_id
  0x12,
  0x08,
  0xa1,
  0xa2,
  0xa3,
  0xa4,
  0xa5,
  0xa6,
  0xa7,
  0xa8, // span_id (2, LEN 8)
  0x2a,
  0x0a,
  ...ascii('GET /hello'), //                name (5, LEN 10)
  0x30,
  0x02, //                                        kind (6, varint): SERVER
  0x39,
  0x01,
  0,
  0,
  0,
  0,
  0,
  0,
  0, //                   start_time_unix_nano (7, fixed64) = 1
  0x4a,
  0x17, //                                        attributes (9, LEN 23): KeyValue
  0x0a,
  0x10,
  ...ascii('http.status_code'), //            key (1, LEN 16)
  0x12,
  0x03,
  0x18,
  0xc8,
  0x01, //                        value: AnyValue int_value (3, varint 200)
  0x98,
  0x06,
  0x01, //                                  field 99 (varint) = 1: unknown, skipped
]);

/** A tiny protobuf writer for the cases that would be tedious by hand (checked against HAND_ENCODED). */
function varint(n: bigint | number): number[] {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}
const len = (field: number, body: number[] | string) => {
  const bytes = typeof body === 'string' ? ascii(body) : body;
  return [...varint((field << 3) | 2), ...varint(bytes.length), ...bytes];
};
const vint = (field: number, n: bigint | number) => [...varint(field << 3), ...varint(n)];
const fixed64 = (field: number, n: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(n);
  return [...varint((field << 3) | 1), ...b];
};
const double = (field: number, n: number) => {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(n);
  return [...varint((field << 3) | 1), ...b];
};
const kv = (key: string, anyValue: number[]) => len(1, [...len(1, key), ...len(2, anyValue)]);

let receiver: OtlpReceiver;
beforeAll(async () => {
  receiver = await startOtlpReceiver();
});
afterAll(() => receiver.close());
beforeEach(() => receiver.reset());

describe('protobuf decoder', () => {
  it('decodes a request written byte by byte', () => {
    expect(HAND_ENCODED.length).toBe(115);
    expect(decodeTraceRequest(HAND_ENCODED)).toEqual({
      resourceSpans: [
        {
          resource: { 'service.name': 'api' },
          scopeSpans: [
            {
              scope: { name: 't', version: '' },
              spans: [
                {
                  traceId: '0102030405060708090a0b0c0d0e0f10',
                  spanId: 'a1a2a3a4a5a6a7a8',
                  parentSpanId: '',
                  name: 'GET /hello',
                  kind: SpanKind.SERVER,
                  startTimeUnixNano: '1',
                  endTimeUnixNano: '0',
                  attributes: { 'http.status_code': 200 },
                  status: { code: 0, message: '' },
                },
              ],
            },
          ],
        },
      ],
    });
  });

  it('the test writer produces the hand-written bytes', () => {
    const span = [
      ...len(
        1,
        [...Array(16).keys()].map((i) => i + 1),
      ),
      ...len(2, [0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8]),
      ...len(5, 'GET /hello'),
      ...vint(6, 2),
      ...fixed64(7, 1n),
      ...len(9, [...len(1, 'http.status_code'), ...len(2, vint(3, 200))]),
      ...vint(99, 1),
    ];
    const request = len(1, [...len(1, kv('service.name', len(1, 'api'))), ...len(2, [...len(1, len(1, 't')), ...len(2, span)])]);
    expect(Buffer.from(request).equals(HAND_ENCODED)).toBe(true);
  });

  it('decodes every AnyValue type, parents, times, status and skips unknown wire types', () => {
    const attrs = [
      ...kv('s', len(1, 'x')),
      ...kv('yes', vint(2, 1)),
      ...kv('no', vint(2, 0)),
      ...kv('neg', vint(3, -5n)),
      ...kv('big', vint(3, 2n ** 60n)),
      ...kv('d', double(4, 1.5)),
      ...kv('arr', len(5, [...len(1, len(1, 'a')), ...len(1, vint(3, 7))])),
      ...kv('map', len(6, kv('inner', len(1, 'v')))),
      ...kv('raw', len(7, [0xde, 0xad])),
    ];
    const span = [
      ...len(4, [1, 2, 3, 4, 5, 6, 7, 8]), // parent_span_id
      ...len(5, 'child'),
      ...vint(6, SpanKind.CLIENT),
      ...fixed64(7, 1_700_000_000_000_000_000n),
      ...fixed64(8, 1_700_000_000_500_000_000n),
      ...rekey(attrs, 9), // Span.attributes is field 9
      ...len(15, [...len(2, 'boom'), ...vint(3, 2)]), // status: message, code ERROR
      ...[0x85, 0x01, 1, 2, 3, 4], // field 16 (flags), fixed32: skipped
      ...len(3, 'vendor=1'), // trace_state: skipped
    ];
    const request = len(1, [...len(2, [...len(1, [...len(1, 'scope'), ...len(2, '1.0')]), ...len(2, span)])]);
    const decoded = decodeTraceRequest(Buffer.from(request));
    const got = decoded.resourceSpans[0]!.scopeSpans[0]!;
    expect(got.scope).toEqual({ name: 'scope', version: '1.0' });
    expect(got.spans[0]).toEqual({
      traceId: '',
      spanId: '',
      parentSpanId: '0102030405060708',
      name: 'child',
      kind: SpanKind.CLIENT,
      startTimeUnixNano: '1700000000000000000',
      endTimeUnixNano: '1700000000500000000',
      attributes: { s: 'x', yes: true, no: false, neg: -5, big: (2n ** 60n).toString(), d: 1.5, arr: ['a', 7], map: { inner: 'v' }, raw: 'dead' },
      status: { code: 2, message: 'boom' },
    });
    expect(decoded.resourceSpans[0]!.resource).toEqual({});
  });

  it('rejects truncated input', () => {
    expect(() => decodeTraceRequest(HAND_ENCODED.subarray(0, 50))).toThrow(/truncated/);
    expect(() => readFields(Buffer.from([0x0a, 0x05, 0x01]))).toThrow(/truncated field/);
    expect(() => readFields(Buffer.from([0x08, 0x80]))).toThrow(/truncated varint/);
    expect(() => readFields(Buffer.from([0x0b]))).toThrow(/wire type 3/);
  });
});

/** KeyValue fields written as field 1 (Resource.attributes) rewritten as another field number. */
function rekey(keyValues: number[], field: number): number[] {
  const out: number[] = [];
  for (const f of readFields(Buffer.from(keyValues))) out.push(...len(field, [...(f.value as Uint8Array)]));
  return out;
}

describe('startOtlpReceiver', () => {
  const post = (path: string, body: Buffer | string, headers: Record<string, string>) =>
    fetch(`${receiver.url}${path}`, { method: 'POST', body: typeof body === 'string' ? body : new Uint8Array(body), headers });

  it('decodes application/x-protobuf and records headers', async () => {
    const res = await post('/v1/traces', HAND_ENCODED, { 'content-type': 'application/x-protobuf', 'x-honeycomb-team': 'key-1' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-protobuf');
    expect((await res.arrayBuffer()).byteLength).toBe(0);
    const [span] = receiver.spans();
    expect(span).toMatchObject({ serviceName: 'api', name: 'GET /hello', kind: SpanKind.SERVER, scope: { name: 't' }, contentType: 'application/x-protobuf' });
    expect(span!.headers['x-honeycomb-team']).toBe('key-1');
    expect(span!.resource).toEqual({ 'service.name': 'api' });
  });

  it('decodes gzip-encoded protobuf', async () => {
    const res = await post('/v1/traces', gzipSync(HAND_ENCODED), { 'content-type': 'application/protobuf', 'content-encoding': 'gzip' });
    expect(res.status).toBe(200);
    expect(receiver.spans().map((s) => s.name)).toEqual(['GET /hello']);
  });

  it('decodes OTLP/JSON into the same shape', async () => {
    const body = {
      resourceSpans: [
        {
          resource: {
            attributes: [
              { key: 'service.name', value: { stringValue: 'web' } },
              { key: 'n', value: { intValue: '42' } },
            ],
          },
          scopeSpans: [
            {
              scope: { name: '@opentelemetry/instrumentation-fetch', version: '0.223.0' },
              spans: [
                {
                  traceId: '0102030405060708090A0B0C0D0E0F10',
                  spanId: 'a1a2a3a4a5a6a7a8',
                  name: 'HTTP GET',
                  kind: 3,
                  startTimeUnixNano: '1700000000000000000',
                  endTimeUnixNano: 1700000000000000000, // a JSON number, as some exporters send
                  attributes: [
                    { key: 'ok', value: { boolValue: true } },
                    { key: 'b', value: { bytesValue: '3q0=' } },
                    { key: 'l', value: { arrayValue: { values: [{ doubleValue: 0.5 }] } } },
                  ],
                  status: { code: 'STATUS_CODE_ERROR', message: 'x' },
                },
              ],
            },
          ],
        },
      ],
    };
    const res = await post('/v1/traces', JSON.stringify(body), { 'content-type': 'application/json; charset=utf-8' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});
    const [span] = receiver.spans();
    expect(span).toMatchObject({
      serviceName: 'web',
      resource: { 'service.name': 'web', n: 42 },
      scope: { name: '@opentelemetry/instrumentation-fetch', version: '0.223.0' },
      traceId: '0102030405060708090a0b0c0d0e0f10',
      name: 'HTTP GET',
      kind: SpanKind.CLIENT,
      attributes: { ok: true, b: 'dead', l: [0.5] },
      status: { code: 2, message: 'x' },
    });
  });

  it('answers 400 for bodies that do not decode, 415 for other types, 404 elsewhere, and records them', async () => {
    expect((await post('/v1/traces', Buffer.from([0x0a, 0x7f, 0x00]), { 'content-type': 'application/x-protobuf' })).status).toBe(400);
    expect((await post('/v1/traces', '{"nope": 1}', { 'content-type': 'application/json' })).status).toBe(400);
    expect((await post('/v1/traces', 'x', { 'content-type': 'text/plain' })).status).toBe(415);
    expect((await post('/v1/metrics', 'x', { 'content-type': 'application/x-protobuf' })).status).toBe(200);
    expect((await post('/elsewhere', 'x', { 'content-type': 'application/json' })).status).toBe(404);
    expect((await fetch(`${receiver.url}/v1/traces`)).status).toBe(405);
    expect(receiver.requests.map((r) => [r.path, r.status])).toEqual([
      ['/v1/traces', 400],
      ['/v1/traces', 400],
      ['/v1/traces', 415],
      ['/v1/metrics', 200],
      ['/elsewhere', 404],
      ['/v1/traces', 405],
    ]);
    expect(receiver.requests[0]!.error).toMatch(/truncated/);
    expect(receiver.spans()).toEqual([]);
  });

  it('waitForSpan resolves for spans that arrive later and times out with what it saw', async () => {
    const waiting = receiver.waitForSpan((s) => s.name === 'GET /hello', 5_000);
    await post('/v1/traces', HAND_ENCODED, { 'content-type': 'application/x-protobuf' });
    await expect(waiting).resolves.toMatchObject({ serviceName: 'api' });
    await expect(receiver.waitForSpan((s) => s.name === 'never', 100)).rejects.toThrow(/no matching span within 100 ms; received 1 request\(s\), spans: api: GET \/hello \(kind 2\)/);
  });
});

/**
 * An ExportLogsServiceRequest: resource service.name=worker, scope "w", one LogRecord with
 * time 5, severity 9 "INFO", body "shipped", attribute order.id=42, trace and span ids, observed time 6.
 */
const LOGS = Buffer.from(
  len(1, [
    ...len(1, kv('service.name', len(1, 'worker'))),
    ...len(2, [
      ...len(1, len(1, 'w')),
      ...len(2, [
        ...fixed64(1, 5n),
        ...vint(2, 9),
        ...len(3, 'INFO'),
        ...len(5, len(1, 'shipped')),
        ...rekey(kv('order.id', vint(3, 42)), 6),
        ...len(9, [...Buffer.from('0af7651916cd43dd8448eb211c80319c', 'hex')]),
        ...len(10, [...Buffer.from('00f067aa0ba902b7', 'hex')]),
        ...fixed64(11, 6n),
      ]),
    ]),
  ]),
);

describe('logs', () => {
  const expected = {
    serviceName: 'worker',
    scope: { name: 'w', version: '' },
    timeUnixNano: '5',
    observedTimeUnixNano: '6',
    severityNumber: 9,
    severityText: 'INFO',
    body: 'shipped',
    attributes: { 'order.id': 42 },
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: '00f067aa0ba902b7',
  };

  it('decodes a protobuf ExportLogsServiceRequest', () => {
    expect(decodeLogsRequest(LOGS).resourceLogs[0]!.scopeLogs[0]!.logRecords).toEqual([
      { timeUnixNano: '5', observedTimeUnixNano: '6', severityNumber: 9, severityText: 'INFO', body: 'shipped', attributes: { 'order.id': 42 }, traceId: expected.traceId, spanId: expected.spanId },
    ]);
  });

  it('receives protobuf (gzip) and JSON logs into the same shape', async () => {
    const protobuf = await fetch(`${receiver.url}/v1/logs`, {
      method: 'POST',
      body: new Uint8Array(gzipSync(LOGS)),
      headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' },
    });
    expect(protobuf.status).toBe(200);
    const json = {
      resourceLogs: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'worker' } }] },
          scopeLogs: [
            {
              scope: { name: 'w' },
              logRecords: [
                {
                  timeUnixNano: '5',
                  observedTimeUnixNano: '6',
                  severityNumber: 9,
                  severityText: 'INFO',
                  body: { stringValue: 'shipped' },
                  attributes: [{ key: 'order.id', value: { intValue: '42' } }],
                  traceId: expected.traceId.toUpperCase(),
                  spanId: expected.spanId,
                },
              ],
            },
          ],
        },
      ],
    };
    const res = await fetch(`${receiver.url}/v1/logs`, { method: 'POST', body: JSON.stringify(json), headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(200);
    expect(receiver.logRecords()).toEqual([expect.objectContaining(expected), expect.objectContaining(expected)]);
    expect(receiver.requests[0]!.rawBody).toEqual(gzipSync(LOGS));
    expect(receiver.requests[0]!.body).toEqual(LOGS);
    await expect(receiver.waitForLogRecord((r) => r.body === 'never', 100)).rejects.toThrow(
      /no matching log record within 100 ms; received 2 request\(s\), log records: worker: "shipped", worker: "shipped"/,
    );
  });
});

describe('startOtlpReceiver options', () => {
  it('paths narrows what it accepts; authorize refuses before decoding and its result is kept', async () => {
    const guarded = await startOtlpReceiver({
      paths: ['/v1/logs'],
      authorize: async (request) => (request.headers['x-key'] === 'ok' ? { auth: 'fine' } : { auth: 'bad key', refuse: { status: 403, message: 'no' } }),
    });
    try {
      const send = (path: string, key: string) => fetch(`${guarded.url}${path}`, { method: 'POST', body: new Uint8Array(LOGS), headers: { 'content-type': 'application/x-protobuf', 'x-key': key } });
      expect((await send('/v1/traces', 'ok')).status).toBe(404);
      expect((await send('/v1/logs', 'wrong')).status).toBe(403);
      expect((await send('/v1/logs', 'ok')).status).toBe(200);
      expect(guarded.requests.map((r) => [r.path, r.status, r.auth])).toEqual([
        ['/v1/traces', 404, undefined],
        ['/v1/logs', 403, 'bad key'],
        ['/v1/logs', 200, 'fine'],
      ]);
      expect(guarded.requests[1]!.logs).toBeUndefined();
      expect(guarded.logRecords().map((r) => r.auth)).toEqual(['fine']);
    } finally {
      await guarded.close();
    }
  });
});
