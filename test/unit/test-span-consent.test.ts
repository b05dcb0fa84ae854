import { describe, expect, it } from 'vitest';
import { endpointConsent, type TestSpanPlan } from '../../src/checks/online/test-span.js';

type Planned = Exclude<TestSpanPlan, { result: unknown }>;

/** Only the fields endpointConsent reads; the exporter is not looked at. */
function plan(target: string, headers: Record<string, string>, via = ''): Planned {
  return { exporter: undefined as never, headers, target, configured: target, via, from: 'OTEL_EXPORTER_OTLP_ENDPOINT of api', endpointKey: 'OTEL_EXPORTER_OTLP_ENDPOINT' };
}

const KEY = { 'x-honeycomb-team': 'hcaik_01abcdefghijklmnopqrstuvwxyz' };

describe('endpointConsent: where --send-test-span may send the key unasked', () => {
  it('needs none for Honeycomb over https, or for the URL given with --honeycomb-api-url', () => {
    expect(endpointConsent(plan('https://api.honeycomb.io/v1/traces', KEY), [])).toMatchObject({ needed: false });
    expect(endpointConsent(plan('https://api.eu1.honeycomb.io:443/v1/traces', KEY), [])).toMatchObject({ needed: false });
    expect(endpointConsent(plan('http://127.0.0.1:9/v1/traces', KEY, ' via http://127.0.0.1:9/v1/traces (--honeycomb-api-url)'), [])).toMatchObject({ needed: false });
  });

  it('needs none when no header carries anything', () => {
    expect(endpointConsent(plan('http://collector:4318/v1/traces', {}), [])).toMatchObject({ needed: false });
    expect(endpointConsent(plan('http://collector:4318/v1/traces', { authorization: ' ' }), [])).toMatchObject({ needed: false });
  });

  it('needs it for another host, and for Honeycomb over plain http; says which host and why', () => {
    expect(endpointConsent(plan('http://collector:4318/v1/traces', { ...KEY, authorization: 'Bearer x' }), [])).toEqual({
      needed: true,
      given: false,
      host: 'collector:4318',
      reason:
        'OTEL_EXPORTER_OTLP_ENDPOINT of api names http://collector:4318/v1/traces, not a Honeycomb host; obs sends the x-honeycomb-team, authorization headers (the key) only to Honeycomb over https or to a URL you pass with --honeycomb-api-url',
    });
    expect(endpointConsent(plan('http://api.honeycomb.io/v1/traces', KEY), []).reason).toContain('names http://api.honeycomb.io/v1/traces, Honeycomb over plain http;');
    expect(endpointConsent(plan('https://user:pw@evil.example/v1/traces', KEY), []).reason).toContain('names https://user:***@evil.example/v1/traces,');
  });

  it('is given by --allow-endpoint with the host and port, the host alone, or a URL of it', () => {
    const target = plan('http://collector:4318/v1/traces', KEY);
    for (const allowed of ['collector:4318', 'collector', 'COLLECTOR', 'http://collector:4318/']) expect(endpointConsent(target, [allowed]), allowed).toMatchObject({ needed: true, given: true });
    for (const allowed of ['collector:4317', 'collector.example', 'evil']) expect(endpointConsent(target, [allowed]), allowed).toMatchObject({ needed: true, given: false });
  });
});
