import { describe, expect, it } from 'vitest';
import { redactSecrets } from '../../src/secrets/redact.js';

describe('redactSecrets', () => {
  it('masks every known secret value wherever it appears', () => {
    const diff = '-      OTEL_EXPORTER_OTLP_HEADERS: "x-honeycomb-team=Ab3dEf6hIj9kLm2nOp5qRs"\n+HONEYCOMB_API_KEY=Ab3dEf6hIj9kLm2nOp5qRs\n';
    expect(redactSecrets(diff, ['Ab3dEf6hIj9kLm2nOp5qRs'])).toBe(
      '-      OTEL_EXPORTER_OTLP_HEADERS: "x-honeycomb-team=Ab3d…(22 chars)"\n+HONEYCOMB_API_KEY=Ab3d…(22 chars)\n',
    );
  });

  it('masks values of secret-named variables in .env and compose lines, keeps references and other values', () => {
    const text = [' DB_PASSWORD=hunter2secret', '+      ROLLBAR_ACCESS_TOKEN: "abcdef0123456789abcdef0123456789"', '       AWS_SECRET_ACCESS_KEY: "${AWS_SECRET_ACCESS_KEY}"', ' PORT=4567', '+      - API_KEY=plainvalue12 # note'].join('\n');
    expect(redactSecrets(text, [])).toBe(
      [' DB_PASSWORD=hunt…(13 chars)', '+      ROLLBAR_ACCESS_TOKEN: "abcd…(32 chars)"', '       AWS_SECRET_ACCESS_KEY: "${AWS_SECRET_ACCESS_KEY}"', ' PORT=4567', '+      - API_KEY=plai…(12 chars) # note'].join('\n'),
    );
  });
});
