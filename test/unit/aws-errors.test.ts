import { describe, expect, it } from 'vitest';
import { explainAwsError } from '../../src/aws/errors.js';
import { resolveAwsSettings } from '../../src/aws/settings.js';

const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });

describe('explainAwsError names the endpoint the SDK really used', () => {
  it('an endpoint from AWS_ENDPOINT_URL_CLOUDWATCH_LOGS is named with its variable', () => {
    const settings = resolveAwsSettings({}, { AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: 'http://127.0.0.1:1', AWS_ENDPOINT_URL: 'http://127.0.0.1:2' });
    expect(explainAwsError(refused, 'logs', 'DescribeLogGroups', settings).message).toBe(
      'cannot reach http://127.0.0.1:1 (from AWS_ENDPOINT_URL_CLOUDWATCH_LOGS) (ECONNREFUSED); check --endpoint-url, AWS_ENDPOINT_URL_CLOUDWATCH_LOGS, AWS_ENDPOINT_URL and the network',
    );
  });

  it('an endpoint with a user name and password is shown with the password masked', () => {
    const settings = resolveAwsSettings({ endpointUrl: 'http://obs:Flag-Pw-123@127.0.0.1:3' }, { AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL_XRAY: 'http://obs:Env-Pw-456@127.0.0.1:1' });
    expect(explainAwsError(refused, 'xray', 'GetGroups', settings).message).toMatch(/^cannot reach http:\/\/obs:\*\*\*@127\.0\.0\.1:3 \(ECONNREFUSED\)/);
    expect(explainAwsError(refused, 'xray', 'GetGroups', resolveAwsSettings({}, { AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL_XRAY: 'http://obs:Env-Pw-456@127.0.0.1:1' })).message).toMatch(
      /^cannot reach http:\/\/obs:\*\*\*@127\.0\.0\.1:1 \(from AWS_ENDPOINT_URL_XRAY\)/,
    );
    expect(() => resolveAwsSettings({ endpointUrl: 'ftp://obs:Flag-Pw-123@host' }, {})).toThrow('--endpoint-url must be an http(s) URL, got "ftp://obs:***@host"');
  });

  it('AWS_ENDPOINT_URL serves every service; --endpoint-url wins; AWS_IGNORE_CONFIGURED_ENDPOINT_URLS turns the variables off', () => {
    const env = { AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: 'http://127.0.0.1:2' };
    expect(explainAwsError(refused, 'xray', 'GetGroups', resolveAwsSettings({}, env)).message).toMatch(
      /^cannot reach http:\/\/127\.0\.0\.1:2 \(from AWS_ENDPOINT_URL\) \(ECONNREFUSED\); check --endpoint-url, AWS_ENDPOINT_URL_XRAY, AWS_ENDPOINT_URL/,
    );
    expect(explainAwsError(refused, 'xray', 'GetGroups', resolveAwsSettings({ endpointUrl: 'http://127.0.0.1:3' }, env)).message).toMatch(/^cannot reach http:\/\/127\.0\.0\.1:3 \(ECONNREFUSED\)/);
    expect(explainAwsError(refused, 'xray', 'GetGroups', resolveAwsSettings({}, { ...env, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' })).message).toMatch(
      /^cannot reach the X-Ray endpoint in us-east-1 \(ECONNREFUSED\)/,
    );
  });

  describe('an endpoint that does not serve the API names where the endpoint came from', () => {
    // What the SDK throws when the body is not the API's JSON (an HTML 404 page, say).
    const notJson = Object.assign(new SyntaxError('Unexpected token < in JSON at position 0'), { $metadata: { httpStatusCode: 404 } });
    const explain = (service: 'xray' | 'logs', options: { endpointUrl?: string }, env: Record<string, string>) =>
      explainAwsError(notJson, service, 'GetGroups', resolveAwsSettings(options, { AWS_REGION: 'us-east-1', ...env })).message;

    it('--endpoint-url', () => {
      expect(explain('xray', { endpointUrl: 'http://127.0.0.1:5000' }, { AWS_ENDPOINT_URL_XRAY: 'http://127.0.0.1:6000' })).toBe(
        'http://127.0.0.1:5000 answered HTTP 404 with something that is not the X-Ray API; check --endpoint-url',
      );
    });

    it('AWS_ENDPOINT_URL_XRAY and AWS_ENDPOINT_URL_CLOUDWATCH_LOGS', () => {
      expect(explain('xray', {}, { AWS_ENDPOINT_URL_XRAY: 'http://127.0.0.1:6000', AWS_ENDPOINT_URL: 'http://127.0.0.1:7000' })).toBe(
        'http://127.0.0.1:6000 (from AWS_ENDPOINT_URL_XRAY) answered HTTP 404 with something that is not the X-Ray API; check AWS_ENDPOINT_URL_XRAY',
      );
      expect(explain('logs', {}, { AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: 'http://127.0.0.1:6001' })).toBe(
        'http://127.0.0.1:6001 (from AWS_ENDPOINT_URL_CLOUDWATCH_LOGS) answered HTTP 404 with something that is not the CloudWatch Logs API; check AWS_ENDPOINT_URL_CLOUDWATCH_LOGS',
      );
    });

    it('AWS_ENDPOINT_URL, which serves every service', () => {
      expect(explain('xray', {}, { AWS_ENDPOINT_URL: 'http://127.0.0.1:7000' })).toBe(
        'http://127.0.0.1:7000 (from AWS_ENDPOINT_URL) answered HTTP 404 with something that is not the X-Ray API; check AWS_ENDPOINT_URL, or set AWS_ENDPOINT_URL_XRAY to send X-Ray elsewhere',
      );
    });

    it('no endpoint configured: the AWS endpoint itself', () => {
      expect(explain('xray', {}, {})).toBe('the X-Ray endpoint in us-east-1 answered HTTP 404 with something that is not the X-Ray API; check the network (a proxy may be answering in its place)');
    });
  });

  it('a server error that outlived the retries gets a sentence, not "InternalFailure: UnknownError"', () => {
    const err = Object.assign(new Error('UnknownError'), { name: 'InternalFailure', $fault: 'server', $metadata: { httpStatusCode: 500, attempts: 3 } });
    expect(explainAwsError(err, 'xray', 'GetGroups', resolveAwsSettings({ region: 'us-east-1' }, {})).message).toBe(
      'the X-Ray endpoint in us-east-1 had an internal error (InternalFailure, HTTP 500) on GetGroups even after 3 attempts; try again in a minute (the AWS Health Dashboard shows outages)',
    );
  });
});
