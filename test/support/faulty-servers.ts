/**
 * Endpoints that are wrong in the ways issue 13 found (items 13 and 14):
 * - startYesServer: answers every request `200 {}` (application/json), whatever it asks: a stub,
 *   a catch-all proxy, the wrong port. Every request is recorded.
 * - startSilentServer: accepts connections, reads the requests, never answers.
 */
import http from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { readBody } from './http-request.js';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface FaultyServer {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export async function startYesServer(): Promise<FaultyServer> {
  const requests: RecordedRequest[] = [];
  const server = http.createServer((req, res) => {
    void readBody(req).then((body) => {
      requests.push({ method: req.method ?? '', path: req.url ?? '/', headers: req.headers, body: body.toString('utf8') });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '2' });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export async function startSilentServer(): Promise<FaultyServer> {
  const sockets: Socket[] = [];
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((socket) => {
    sockets.push(socket);
    socket.on('data', (chunk: Buffer) => {
      const head = chunk.toString('utf8').split('\r\n')[0] ?? '';
      const [method = '', path = ''] = head.split(' ');
      if (/^[A-Z]+$/.test(method)) requests.push({ method, path, headers: {}, body: '' });
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
