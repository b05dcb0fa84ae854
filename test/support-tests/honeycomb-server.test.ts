import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isClassicKey, MISSING_DATASET_MESSAGE, startHoneycombServer, UNKNOWN_KEY_MESSAGE, type HoneycombServer } from '../support/honeycomb-server.js';

const US_KEY = `hcaik_01${'a'.repeat(56)}`;
const EU_KEY = `hcaik_01${'e'.repeat(56)}`;
const CLASSIC_KEY = '0123456789abcdef0123456789abcdef';

let us: HoneycombServer;
let eu: HoneycombServer;

beforeAll(async () => {
  us = await startHoneycombServer({
    name: 'us',
    keys: { [US_KEY]: { team: 'Cruddur', environment: 'dev' }, [CLASSIC_KEY]: { team: { name: 'Classic Team', slug: 'classic' } } },
  });
  eu = await startHoneycombServer({ name: 'eu', keys: { [EU_KEY]: { team: 'Cruddur EU', environment: 'prod' } } });
});
afterAll(async () => {
  await us.close();
  await eu.close();
});
beforeEach(() => {
  us.reset();
  eu.reset();
});

function span(serviceName: string) {
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: serviceName } }] },
        scopeSpans: [
          {
            scope: { name: 'test' },
            spans: [
              {
                traceId: '0123456789abcdef0123456789abcdef',
                spanId: '0123456789abcdef',
                name: 'hello',
                kind: 1,
                startTimeUnixNano: '1700000000000000000',
                endTimeUnixNano: '1700000000001000000',
                attributes: [{ key: 'answer', value: { intValue: '42' } }],
              },
            ],
          },
        ],
      },
    ],
  };
}

async function post(server: HoneycombServer, headers: Record<string, string>, body: string | Uint8Array<ArrayBuffer>, contentType = 'application/json') {
  const res = await fetch(`${server.url}/v1/traces`, { method: 'POST', headers: { 'content-type': contentType, ...headers }, body });
  const text = await res.text();
  return { status: res.status, text, json: text && contentType === 'application/json' ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

describe('GET /1/auth', () => {
  it('names the team and environment of a known key', async () => {
    const res = await fetch(`${us.url}/1/auth`, { headers: { 'X-Honeycomb-Team': US_KEY } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.team).toEqual({ name: 'Cruddur', slug: 'cruddur' });
    expect(body.environment).toEqual({ name: 'dev', slug: 'dev' });
    expect(body.api_key_access).toMatchObject({ events: true });
    expect(us.requests).toHaveLength(1);
    expect(us.requests[0]).toMatchObject({ method: 'GET', path: '/1/auth', status: 200 });
  });

  it('gives a classic key an empty environment', async () => {
    const res = await fetch(`${us.url}/1/auth`, { headers: { 'X-Honeycomb-Team': CLASSIC_KEY } });
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.team).toEqual({ name: 'Classic Team', slug: 'classic' });
    expect(body.environment).toEqual({ name: '', slug: '' });
    expect(body.type).toBe('classic');
  });

  it('answers 401 for a key of the other region, a made-up key and no key', async () => {
    for (const headers of [{ 'X-Honeycomb-Team': EU_KEY }, { 'X-Honeycomb-Team': 'nope' }, {}] as Record<string, string>[]) {
      const res = await fetch(`${us.url}/1/auth`, { headers });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: UNKNOWN_KEY_MESSAGE });
    }
    const res = await fetch(`${eu.url}/1/auth`, { headers: { 'X-Honeycomb-Team': EU_KEY } });
    expect(res.status).toBe(200);
  });

  it('knows keys added after it started', async () => {
    const key = `hcaik_01${'n'.repeat(56)}`;
    expect((await fetch(`${us.url}/1/auth`, { headers: { 'X-Honeycomb-Team': key } })).status).toBe(401);
    us.keys[key] = { team: 'Late' };
    expect((await fetch(`${us.url}/1/auth`, { headers: { 'X-Honeycomb-Team': key } })).status).toBe(200);
    delete us.keys[key];
  });

  it('refuses other methods and unknown paths', async () => {
    expect((await fetch(`${us.url}/1/auth`, { method: 'POST' })).status).toBe(405);
    expect((await fetch(`${us.url}/1/nothing`)).status).toBe(404);
    expect((await fetch(`${us.url}/v1/traces`)).status).toBe(405);
  });
});

describe('POST /v1/traces', () => {
  it('accepts OTLP/JSON with a known key and records the decoded spans', async () => {
    const res = await post(us, { 'x-honeycomb-team': US_KEY }, JSON.stringify(span('backend-flask')));
    expect(res.status).toBe(200);
    expect(res.json).toEqual({});
    expect(us.requests[0]!.json).toEqual(span('backend-flask'));
    expect(us.requests[0]!.headers['x-honeycomb-team']).toBe(US_KEY);
    expect(us.spans()).toEqual([
      expect.objectContaining({
        serviceName: 'backend-flask',
        name: 'hello',
        traceId: '0123456789abcdef0123456789abcdef',
        spanId: '0123456789abcdef',
        attributes: { answer: '42' },
        key: US_KEY,
      }),
    ]);
  });

  it('answers 401 for an unknown key and a missing header, and records nothing as a span', async () => {
    const unknown = await post(us, { 'x-honeycomb-team': EU_KEY }, JSON.stringify(span('a')));
    expect(unknown).toMatchObject({ status: 401, json: { message: UNKNOWN_KEY_MESSAGE } });
    const missing = await post(us, {}, JSON.stringify(span('a')));
    expect(missing.status).toBe(401);
    expect(String(missing.json?.message)).toMatch(/x-honeycomb-team/);
    expect(us.requests.map((r) => r.status)).toEqual([401, 401]);
    expect(us.spans()).toEqual([]);
  });

  it('wants x-honeycomb-dataset with a classic key', async () => {
    expect(isClassicKey(CLASSIC_KEY)).toBe(true);
    expect(isClassicKey(`hcaic_${'a'.repeat(58)}`)).toBe(true);
    expect(isClassicKey(US_KEY)).toBe(false);
    const without = await post(us, { 'x-honeycomb-team': CLASSIC_KEY }, JSON.stringify(span('a')));
    expect(without).toMatchObject({ status: 400, json: { message: MISSING_DATASET_MESSAGE } });
    const withDataset = await post(us, { 'x-honeycomb-team': CLASSIC_KEY, 'x-honeycomb-dataset': 'cruddur' }, JSON.stringify(span('a')));
    expect(withDataset.status).toBe(200);
    expect(us.spans()[0]).toMatchObject({ dataset: 'cruddur', key: CLASSIC_KEY });
  });

  it('decodes protobuf bodies (as a collector sends), answers in protobuf, and refuses ones that do not decode', async () => {
    // ExportTraceServiceRequest: resource service.name=pb, one span "x" (trace id 01…10, span id a1…a8).
    const lenField = (field: number, bytes: number[]) => [(field << 3) | 2, bytes.length, ...bytes];
    const ascii = (text: string) => [...Buffer.from(text)];
    const traceId = [...Buffer.from('0102030405060708090a0b0c0d0e0f10', 'hex')];
    const spanId = [...Buffer.from('a1a2a3a4a5a6a7a8', 'hex')];
    const request = lenField(1, [
      ...lenField(1, lenField(1, [...lenField(1, ascii('service.name')), ...lenField(2, lenField(1, ascii('pb')))])),
      ...lenField(2, lenField(2, [...lenField(1, traceId), ...lenField(2, spanId), ...lenField(5, ascii('x'))])),
    ]);
    const res = await post(us, { 'x-honeycomb-team': US_KEY }, new Uint8Array(request), 'application/x-protobuf');
    expect(res.status).toBe(200);
    expect([...us.requests[0]!.body]).toEqual(request);
    expect(us.requests[0]!.json).toBeUndefined();
    expect(us.spans()).toEqual([expect.objectContaining({ serviceName: 'pb', name: 'x', traceId: '0102030405060708090a0b0c0d0e0f10', spanId: 'a1a2a3a4a5a6a7a8', key: US_KEY })]);
    const undecodable = await post(us, { 'x-honeycomb-team': US_KEY }, new Uint8Array([0x0a, 0x02, 0x08, 0x01]), 'application/x-protobuf');
    expect(undecodable.status).toBe(400);
    const refused = await fetch(`${us.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf', 'x-honeycomb-team': 'nope' }, body: new Uint8Array(request) });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('content-type')).toBe('application/x-protobuf');
  });

  it('takes OTLP/JSON logs on /v1/logs with the same key checks', async () => {
    const logs = {
      resourceLogs: [
        { resource: { attributes: [{ key: 'service.name', value: { stringValue: 'worker' } }] }, scopeLogs: [{ logRecords: [{ body: { stringValue: 'hello' }, severityText: 'INFO' }] }] },
      ],
    };
    const ok = await fetch(`${us.url}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-honeycomb-team': US_KEY }, body: JSON.stringify(logs) });
    expect(ok.status).toBe(200);
    const unknown = await fetch(`${us.url}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-honeycomb-team': 'nope' }, body: JSON.stringify(logs) });
    expect(unknown.status).toBe(401);
    expect(us.logRecords()).toEqual([expect.objectContaining({ serviceName: 'worker', body: 'hello', severityText: 'INFO', key: US_KEY })]);
    expect(us.spans()).toEqual([]);
  });

  it('decodes gzip bodies', async () => {
    const res = await post(us, { 'x-honeycomb-team': US_KEY, 'content-encoding': 'gzip' }, gzipSync(JSON.stringify(span('zipped'))));
    expect(res.status).toBe(200);
    expect(us.spans()[0]!.serviceName).toBe('zipped');
  });

  it('refuses bodies that are not OTLP and content types it does not speak', async () => {
    expect((await post(us, { 'x-honeycomb-team': US_KEY }, '{not json')).status).toBe(400);
    expect((await post(us, { 'x-honeycomb-team': US_KEY }, '{"spans": []}')).status).toBe(400);
    expect((await post(us, { 'x-honeycomb-team': US_KEY }, 'x', 'text/plain')).status).toBe(415);
  });
});

it('two servers play two regions independently', async () => {
  await post(eu, { 'x-honeycomb-team': EU_KEY }, JSON.stringify(span('eu-service')));
  expect(eu.spans().map((s) => s.serviceName)).toEqual(['eu-service']);
  expect(us.requests).toEqual([]);
  expect(us.url).not.toBe(eu.url);
});
