import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseAuthorization, verifySigV4, type SignedRequest } from '../support/sigv4-verify.js';

// AWS's Signature Version 4 test suite (aws-sig-v4-test-suite): its credentials, date and region.
const SUITE = {
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
  region: 'us-east-1',
  service: 'service',
  maxClockSkewMs: Infinity,
};
const suiteRequest = (method: string, url: string, signature: string): SignedRequest => ({
  method,
  url,
  headers: {
    host: 'example.amazonaws.com',
    'x-amz-date': '20150830T123600Z',
    authorization: `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=${signature}`,
  },
  body: new Uint8Array(0),
});

describe('verifySigV4 with the AWS test suite vectors', () => {
  it('accepts get-vanilla, post-vanilla and get-vanilla-query-order-key-case', async () => {
    for (const [method, url, signature] of [
      ['GET', '/', '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31'],
      ['POST', '/', '5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b'],
      ['GET', '/?Param2=value2&Param1=value1', 'b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500'],
    ] as const) {
      const result = await verifySigV4(suiteRequest(method, url, signature), SUITE);
      expect(result, `${method} ${url}`).toMatchObject({ valid: true, accessKeyId: 'AKIDEXAMPLE', region: 'us-east-1', service: 'service', signedHeaders: ['host', 'x-amz-date'] });
    }
  });

  it('refuses the same signature on another method, path, host, date or body, or with another secret', async () => {
    const good = '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31';
    const changed: SignedRequest[] = [
      suiteRequest('POST', '/', good),
      suiteRequest('GET', '/x', good),
      { ...suiteRequest('GET', '/', good), headers: { ...suiteRequest('GET', '/', good).headers, host: 'example2.amazonaws.com' } },
      { ...suiteRequest('GET', '/', good), headers: { ...suiteRequest('GET', '/', good).headers, 'x-amz-date': '20150830T123601Z' } },
      { ...suiteRequest('GET', '/', good), body: new TextEncoder().encode('x') },
    ];
    for (const request of changed) {
      const result = await verifySigV4(request, SUITE);
      expect(result.valid, JSON.stringify(request.headers)).toBe(false);
      expect(result.reason).toBe('signature does not match the one recomputed from the request');
    }
    const otherSecret = await verifySigV4(suiteRequest('GET', '/', good), { ...SUITE, credentials: { ...SUITE.credentials, secretAccessKey: 'not-the-secret' } });
    expect(otherSecret).toMatchObject({ valid: false, reason: 'signature does not match the one recomputed from the request' });
  });

  it('names what is wrong before recomputing: key, service, region, clock, header', async () => {
    const request = suiteRequest('GET', '/', '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31');
    expect((await verifySigV4(request, { ...SUITE, credentials: { ...SUITE.credentials, accessKeyId: 'AKIDOTHER' } })).reason).toBe('unknown access key AKIDEXAMPLE');
    expect((await verifySigV4(request, { ...SUITE, service: 'xray' })).reason).toBe('signed for service "service", expected "xray"');
    expect((await verifySigV4(request, { ...SUITE, region: 'eu-west-1' })).reason).toBe('signed for region "us-east-1", expected "eu-west-1"');
    expect((await verifySigV4(request, { ...SUITE, maxClockSkewMs: undefined })).reason).toMatch(/^X-Amz-Date 20150830T123600Z is \d+ s from now$/);
    expect((await verifySigV4({ ...request, headers: { host: 'example.amazonaws.com' } }, SUITE)).reason).toBe('no Authorization header');
    expect((await verifySigV4({ ...request, headers: { ...request.headers, authorization: 'Bearer abc' } }, SUITE)).reason).toMatch(/^Authorization header is not AWS4-HMAC-SHA256/);
  });

  it('parses the Authorization header', () => {
    expect(parseAuthorization('AWS4-HMAC-SHA256 Credential=AKID/20261206/eu-west-1/logs/aws4_request, SignedHeaders=host;x-amz-date, Signature=' + 'a'.repeat(64))).toEqual({
      accessKeyId: 'AKID',
      date: '20261206',
      region: 'eu-west-1',
      service: 'logs',
      signedHeaders: ['host', 'x-amz-date'],
      signature: 'a'.repeat(64),
    });
  });
});

// botocore (the AWS SDK for Python, installed with moto) signs a request now; the verifier must agree.
const BOTOCORE_SIGN = `
import json, sys
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
args = json.loads(sys.argv[1])
body = bytes.fromhex(args['body'])
request = AWSRequest(method='POST', url=args['url'], data=body, headers={'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'gzip'})
SigV4Auth(Credentials(args['key'], args['secret']), args['service'], args['region']).add_auth(request)
print(json.dumps({k.lower(): v for k, v in request.headers.items()}))
`;

describe('verifySigV4 against botocore', () => {
  const credentials = { accessKeyId: 'AKIAOBSTEST0000000001', secretAccessKey: 'obs/test+secret/0000000000000000000000000' };
  const body = Buffer.from('1f8b0800000000000003cb48cdc9c95728cf2fca490100c2a99a4d0c000000', 'hex');
  const signWithBotocore = (service: string, region: string): SignedRequest => {
    const out = execFileSync(
      'python3',
      [
        '-c',
        BOTOCORE_SIGN,
        JSON.stringify({ url: 'http://127.0.0.1:4318/v1/traces?a=1&b=%2F', body: body.toString('hex'), key: credentials.accessKeyId, secret: credentials.secretAccessKey, service, region }),
      ],
      { encoding: 'utf8' },
    );
    const headers = JSON.parse(out) as Record<string, string>;
    // The HTTP client sends Host; botocore signs the one it derives from the URL.
    return { method: 'POST', url: '/v1/traces?a=1&b=%2F', headers: { ...headers, host: '127.0.0.1:4318' }, body };
  };

  it('accepts a request botocore signed for xray and refuses it with a changed body or for logs', async () => {
    const request = signWithBotocore('xray', 'eu-west-2');
    const result = await verifySigV4(request, { credentials, service: 'xray', region: 'eu-west-2' });
    expect(result).toMatchObject({ valid: true, service: 'xray', region: 'eu-west-2', accessKeyId: credentials.accessKeyId });
    expect(result.signedHeaders).toEqual(expect.arrayContaining(['content-type', 'content-encoding', 'host', 'x-amz-date']));
    const tampered = await verifySigV4({ ...request, body: Buffer.concat([body, Buffer.from([0])]) }, { credentials, service: 'xray', region: 'eu-west-2' });
    expect(tampered).toMatchObject({ valid: false, reason: 'signature does not match the one recomputed from the request' });
    expect(await verifySigV4(request, { credentials, service: 'logs' })).toMatchObject({ valid: false, reason: 'signed for service "xray", expected "logs"' });
  });

  it('accepts a request botocore signed for logs', async () => {
    expect(await verifySigV4(signWithBotocore('logs', 'us-east-1'), { credentials, service: 'logs', region: 'us-east-1' })).toMatchObject({ valid: true });
  });
});
