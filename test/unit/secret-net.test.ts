import { describe, expect, it } from 'vitest';
import { SecretNet } from '../../src/secrets/net.js';

describe('SecretNet: what a run has seen is masked in all it writes', () => {
  it('masks values found by position in the files read, JSON-escaped and percent-encoded forms too', () => {
    const net = new SecretNet();
    net.addFromTexts(['DB_PASSWORD=p4ss"w0rd-Long\nOTEL_EXPORTER_OTLP_HEADERS=authorization=Bearer Tok3n-Value-99\nPOSTGRES_PASSWORD=postgres\n', undefined]);
    expect(net.clean('{"detail": "p4ss\\"w0rd-Long"} Bearer%20Tok3n-Value-99 image: postgres')).toBe('{"detail": "p4ss…(14 chars)"} Bear…(21 chars) image: postgres');
  });

  it('masks URL userinfo in any text, known or not', () => {
    expect(new SecretNet().clean('cannot reach http://obs:pw@127.0.0.1:1 (ECONNREFUSED)')).toBe('cannot reach http://obs:***@127.0.0.1:1 (ECONNREFUSED)');
  });
});
