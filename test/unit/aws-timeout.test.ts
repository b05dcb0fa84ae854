import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

describe('AWS request timeouts', () => {
  it('the request timeout is an error, not only a warning the SDK logs', () => {
    // @smithy/node-http-handler only warns when requestTimeout passes unless told to throw.
    expect(requestHandlerOptions()).toMatchObject({ requestTimeout: 30_000, connectionTimeout: 5_000, throwOnRequestTimeout: true });
  });

  it('a server that never answers fails with "timed out" instead of hanging', async () => {
    const env = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_MAX_ATTEMPTS: '1' };
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, env);
    try {
      const settings = { ...resolveAwsSettings({ region: 'us-east-1', endpointUrl: url }, {}), timeouts: { connectMs: 2_000, requestMs: 300 } };
      const started = Date.now();
      const planned = await planResource(logGroupHandler, { name: '/hang', tags: new Map() }, createAwsClients(settings));
      expect(planned.failure?.status).toBe('failed');
      expect(planned.failure?.error).toBe(`DescribeLogGroups to ${url} timed out; check the network or try again`);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
    }
  }, 15_000);
});
