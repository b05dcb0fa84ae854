import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TIMEOUTS } from '../../src/aws/attempts.js';
import { createAwsClients, requestHandlerOptions } from '../../src/aws/clients.js';
import { planResource } from '../../src/aws/ensure.js';
import { logGroupHandler } from '../../src/aws/log-group.js';
import { resolveAwsSettings } from '../../src/aws/settings.js';

// An endpoint that accepts connections and reads requests but never answers.
let server: Server;
const sockets: Socket[] = [];
let url: string;
beforeAll(async () => {
  server = createServer((socket) => {
    sockets.push(socket);
    socket.on('data', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const SHORT = { connectMs: 2_000, firstLookupMs: 300, lookupMs: 600, writeMs: 900 };

describe('AWS request timeouts', () => {
  it('the request timeout is an error, not only a warning the SDK logs', () => {
    // @smithy/node-http-handler only warns when requestTimeout passes unless told to throw.
    expect(requestHandlerOptions()).toMatchObject({ requestTimeout: 30_000, connectionTimeout: 5_000, throwOnRequestTimeout: true });
    expect(DEFAULT_TIMEOUTS).toEqual({ connectMs: 5_000, firstLookupMs: 5_000, lookupMs: 15_000, writeMs: 30_000 });
  });

  it('a server that never answers fails with "timed out" instead of hanging', async () => {
    const env = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_MAX_ATTEMPTS: '1' };
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, env);
    try {
      const settings = { ...resolveAwsSettings({ region: 'us-east-1', endpointUrl: url }, {}), timeouts: SHORT };
      const started = Date.now();
      const planned = await planResource(logGroupHandler, { name: '/hang', tags: new Map() }, createAwsClients(settings));
      expect(planned.failure?.status).toBe('failed');
      expect(planned.failure?.error).toBe(`DescribeLogGroups to ${url} timed out; check the network or try again`);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      for (const [k, v] of Object.entries(saved))
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
    }
  }, 15_000);

  it("says what it waits for and each retry, with each attempt's own timeout", async () => {
    const env = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_MAX_ATTEMPTS: '3' };
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, env);
    try {
      const settings = { ...resolveAwsSettings({ region: 'us-east-1', endpointUrl: url }, {}), timeouts: SHORT };
      const lines: string[] = [];
      const planned = await planResource(
        logGroupHandler,
        { name: '/hang', tags: new Map() },
        createAwsClients(settings, (line) => lines.push(line)),
      );
      expect(planned.failure?.error).toBe(`DescribeLogGroups to ${url} timed out; check the network or try again`);
      expect(lines).toEqual([
        `obs: waiting for ${url} to answer DescribeLogGroups (attempt 1 of 3, up to 0.3 s)`,
        `obs: DescribeLogGroups to ${url} got no answer within 0.3 s; retrying (attempt 2 of 3, waiting up to 0.6 s)`,
        `obs: waiting for ${url} to answer DescribeLogGroups (attempt 2 of 3, up to 0.6 s)`,
        `obs: DescribeLogGroups to ${url} got no answer within 0.6 s; retrying (attempt 3 of 3, waiting up to 0.6 s)`,
        `obs: waiting for ${url} to answer DescribeLogGroups (attempt 3 of 3, up to 0.6 s)`,
      ]);
    } finally {
      for (const [k, v] of Object.entries(saved))
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
    }
  }, 30_000);
});
