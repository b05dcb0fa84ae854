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

  it('AWS_ENDPOINT_URL serves every service; --endpoint-url wins; AWS_IGNORE_CONFIGURED_ENDPOINT_URLS turns the variables off', () => {
    const env = { AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: 'http://127.0.0.1:2' };
    expect(explainAwsError(refused, 'xray', 'GetGroups', resolveAwsSettings({}, env)).message).toMatch(/^cannot reach http:\/\/127\.0\.0\.1:2 \(from AWS_ENDPOINT_URL\) \(ECONNREFUSED\); check --endpoint-url, AWS_ENDPOINT_URL_XRAY, AWS_ENDPOINT_URL/);
    expect(explainAwsError(refused, 'xray', 'GetGroups', resolveAwsSettings({ endpointUrl: 'http://127.0.0.1:3' }, env)).message).toMatch(/^cannot reach http:\/\/127\.0\.0\.1:3 \(ECONNREFUSED\)/);
    expect(explainAwsError(refused, 'xray', 'GetGroups', resolveAwsSettings({}, { ...env, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' })).message).toMatch(
      /^cannot reach the X-Ray endpoint in us-east-1 \(ECONNREFUSED\)/,
    );
  });

  it('a server error that outlived the retries gets a sentence, not "InternalFailure: UnknownError"', () => {
    const err = Object.assign(new Error('UnknownError'), { name: 'InternalFailure', $fault: 'server', $metadata: { httpStatusCode: 500, attempts: 3 } });
    expect(explainAwsError(err, 'xray', 'GetGroups', resolveAwsSettings({ region: 'us-east-1' }, {})).message).toBe(
      'the X-Ray endpoint in us-east-1 had an internal error (InternalFailure, HTTP 500) on GetGroups even after 3 attempts; try again in a minute (the AWS Health Dashboard shows outages)',
    );
  });
});
