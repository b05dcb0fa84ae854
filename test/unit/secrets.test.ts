import { describe, expect, it } from 'vitest';
import { honeycombTeamLiteral, isLiteralSecret, isReferenceOnly, maskSecret, OTLP_HEADER_KEYS, SECRET_KEYS, secretKind } from '../../src/secrets/shapes.js';

const HONEYCOMB_22 = 'abcdefghijABCDEFGHIJ12';
const HONEYCOMB_32 = 'abcdefghijABCDEFGHIJ0123456789xy';
const HONEYCOMB_INGEST = 'hcaik_01jabcdefghijklmnopqrstuvwxyz';
const AWS_KEY_ID = 'AKIAABCDEFGHIJKLMNOP';
const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKY';

describe('secretKind', () => {
  it.each([
    ['HONEYCOMB_API_KEY', HONEYCOMB_22, 'Honeycomb API key'],
    ['HONEYCOMB_API_KEY', `${HONEYCOMB_22}3`, 'Honeycomb API key'],
    ['HONEYCOMB_API_KEY', HONEYCOMB_32, 'Honeycomb API key'],
    ['HONEYCOMB_WRITEKEY', HONEYCOMB_INGEST, 'Honeycomb API key'],
    ['HONEYCOMB_API_KEY', 'hcxic_0123456789abcdef', 'Honeycomb API key'],
    ['AWS_ACCESS_KEY_ID', AWS_KEY_ID, 'AWS access key id'],
    ['AWS_ACCESS_KEY_ID', 'ASIAABCDEFGHIJKLMNOP', 'AWS access key id'],
    ['AWS_ACCESS_KEY_ID', ` ${AWS_KEY_ID} `, 'AWS access key id'],
    ['AWS_SECRET_ACCESS_KEY', AWS_SECRET, 'AWS secret access key'],
    ['AWS_SESSION_TOKEN', 'A'.repeat(100), 'AWS session token'],
    ['ROLLBAR_ACCESS_TOKEN', '0123456789abcdef0123456789abcdef', 'Rollbar access token'],
  ])('%s=%s is a %s', (key, value, label) => {
    expect(secretKind(key, value)).toBe(label);
    expect(isLiteralSecret(key, value)).toBe(true);
  });

  it.each([
    ['HONEYCOMB_API_KEY', 'test'],
    ['HONEYCOMB_API_KEY', 'bogus_key'],
    ['HONEYCOMB_API_KEY', HONEYCOMB_22.slice(1)], // 21 characters
    ['HONEYCOMB_API_KEY', `${HONEYCOMB_22}ab`], // 24 characters
    ['HONEYCOMB_API_KEY', 'hcaik_0123456789abcde'], // 15 after the prefix
    ['HONEYCOMB_API_KEY', 'abcdefghij-BCDEFGHIJ12'], // not alphanumeric
    ['HONEYCOMB_API_KEY', '${HONEYCOMB_API_KEY}'],
    ['HONEYCOMB_API_KEY', '$HONEYCOMB_API_KEY'],
    ['HONEYCOMB_API_KEY', '${}'],
    ['HONEYCOMB_API_KEY', `${HONEYCOMB_22}$`],
    ['HONEYCOMB_API_KEY', ''],
    ['AWS_ACCESS_KEY_ID', 'test'],
    ['AWS_ACCESS_KEY_ID', 'akiaabcdefghijklmnop'],
    ['AWS_ACCESS_KEY_ID', 'AKIAABCDEFGHIJKLMNO'], // 19 characters
    ['AWS_ACCESS_KEY_ID', 'XXXXABCDEFGHIJKLMNOP'],
    ['AWS_SECRET_ACCESS_KEY', 'bogus_key'],
    ['AWS_SECRET_ACCESS_KEY', AWS_SECRET.slice(1)],
    ['AWS_SESSION_TOKEN', 'A'.repeat(99)],
    ['ROLLBAR_ACCESS_TOKEN', 'test'],
    ['OTHER_KEY', HONEYCOMB_22], // not a secret variable
    ['OTEL_EXPORTER_OTLP_HEADERS', `x-honeycomb-team=${HONEYCOMB_22}`], // headers go through honeycombTeamLiteral
  ])('%s=%s is not a literal secret', (key, value) => {
    expect(secretKind(key, value)).toBeUndefined();
    expect(isLiteralSecret(key, value)).toBe(false);
  });

  it('is undefined for a value taken from the environment (null) or absent', () => {
    expect(secretKind('HONEYCOMB_API_KEY', null)).toBeUndefined();
    expect(secretKind('HONEYCOMB_API_KEY', undefined)).toBeUndefined();
    expect(isLiteralSecret('AWS_ACCESS_KEY_ID', null)).toBe(false);
  });

  it('covers every secret key with a shape', () => {
    expect([...SECRET_KEYS].sort()).toEqual(['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'HONEYCOMB_API_KEY', 'HONEYCOMB_WRITEKEY', 'ROLLBAR_ACCESS_TOKEN']);
    expect(OTLP_HEADER_KEYS.has('OTEL_EXPORTER_OTLP_TRACES_HEADERS')).toBe(true);
    expect(OTLP_HEADER_KEYS.has('OTEL_EXPORTER_OTLP_ENDPOINT')).toBe(false);
  });
});

describe('isReferenceOnly', () => {
  it.each([
    ['${A}', true],
    ['$A', true],
    ['${A:-x}', true],
    ['${A-x}', true],
    ['${A:?required}', true],
    [' ${A} ', true],
    ['x${A}', false],
    ['${A}${B}', false],
    ['${1A}', false],
    ['literal', false],
  ])('%s -> %s', (value, expected) => {
    expect(isReferenceOnly(value)).toBe(expected);
  });
});

describe('honeycombTeamLiteral', () => {
  it('finds the key and where it sits, so the rest of the header stays as written', () => {
    const headers = `x-honeycomb-team=${HONEYCOMB_22},x-honeycomb-dataset=d`;
    expect(honeycombTeamLiteral(headers)).toEqual({ value: HONEYCOMB_22, start: 17, end: 39 });
    expect(honeycombTeamLiteral(`x-honeycomb-team=${HONEYCOMB_22}`)).toEqual({ value: HONEYCOMB_22, start: 17, end: 39 });
  });

  it('ignores spaces around the key and the header name case, in any position', () => {
    const headers = `a=b, X-Honeycomb-Team = ${HONEYCOMB_22} ,c=d`;
    const found = honeycombTeamLiteral(headers)!;
    expect(found).toEqual({ value: HONEYCOMB_22, start: 24, end: 46 });
    expect(headers.slice(0, found.start) + '${HONEYCOMB_API_KEY}' + headers.slice(found.end)).toBe('a=b, X-Honeycomb-Team = ${HONEYCOMB_API_KEY} ,c=d');
  });

  it.each(['x-honeycomb-team=${HONEYCOMB_API_KEY}', 'x-honeycomb-team=test', `x-honeycomb-dataset=${HONEYCOMB_22}`, `foo-x-honeycomb-team=${HONEYCOMB_22}`, ''])('finds nothing in %j', (headers) => {
    expect(honeycombTeamLiteral(headers)).toBeUndefined();
  });
});

describe('maskSecret', () => {
  it('shows the first four characters and the length only', () => {
    expect(maskSecret(HONEYCOMB_INGEST)).toBe(`hcai…(${HONEYCOMB_INGEST.length} chars)`);
    expect(maskSecret(AWS_KEY_ID)).toBe('AKIA…(20 chars)');
    expect(maskSecret('')).toBe('…(0 chars)');
  });
});
