/**
 * A stand-in for the AWS X-Ray daemon, for tests: it records the segment documents an X-Ray SDK
 * sends over UDP, and answers the SDK's sampling-rule polls over TCP on the same port (as the
 * real daemon does, proxying the X-Ray API) with the rules it was given: none by default, so the
 * SDK falls back to its local sampling rules quietly. Sampling targets are answered with no
 * quota (the SDK then borrows one request a second per rule, as before AWS answers).
 *
 * Each datagram is a header line and a segment: `{"format": "json", "version": 1}\n<segment JSON>`.
 * sendXraySegment sends one the same way (to the daemon, or to a collector's awsxray receiver).
 */
import dgram from 'node:dgram';
import http from 'node:http';

export interface XraySegment {
  id: string;
  name: string;
  trace_id: string;
  start_time: number;
  end_time?: number;
  in_progress?: boolean;
  http?: { request?: { url?: string; method?: string }; response?: { status?: number } };
  [key: string]: unknown;
}

export interface XrayDaemon {
  port: number;
  /** `127.0.0.1:<port>`, the value for AWS_XRAY_DAEMON_ADDRESS. */
  address: string;
  segments: XraySegment[];
  /** Paths of the sampling requests the SDK made over TCP (/GetSamplingRules, /SamplingTargets), in order. */
  samplingRequests: string[];
  /** Datagrams that were not a header line plus a JSON segment. */
  malformed: string[];
  /** Resolves with the first segment (already received or still to come) that matches. */
  waitFor(match: (segment: XraySegment) => boolean, timeoutMs?: number): Promise<XraySegment>;
  close(): Promise<void>;
}

export interface XrayDaemonOptions {
  /** SamplingRule objects as GetSamplingRules returns them (RuleName, Priority, FixedRate, ..., Version). */
  samplingRules?: Record<string, unknown>[];
}

export async function startXrayDaemon(options: XrayDaemonOptions = {}): Promise<XrayDaemon> {
  const samplingRequests: string[] = [];
  const rules = (options.samplingRules ?? []).map((SamplingRule) => ({ SamplingRule, CreatedAt: 0, ModifiedAt: 0 }));
  for (let attempt = 0; attempt < 10; attempt++) {
    const udp = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(0, '127.0.0.1', () => resolve());
    });
    const port = udp.address().port;
    const tcp = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        samplingRequests.push(req.url ?? '');
        res.setHeader('content-type', 'application/json');
        if (req.url === '/GetSamplingRules') res.end(JSON.stringify({ SamplingRuleRecords: rules }));
        else if (req.url === '/SamplingTargets') res.end(JSON.stringify({ SamplingTargetDocuments: [], LastRuleModification: 0, UnprocessedStatistics: [] }));
        else {
          res.statusCode = 404;
          res.end('{}');
        }
      });
    });
    const listening = await new Promise<boolean>((resolve) => {
      tcp.once('error', () => resolve(false));
      tcp.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (!listening) {
      udp.close();
      continue; // the TCP port with that number is taken: try another pair
    }
    return daemon(udp, tcp, port, samplingRequests);
  }
  throw new Error('no free port for both UDP and TCP after 10 attempts');
}

function daemon(udp: dgram.Socket, tcp: http.Server, port: number, samplingRequests: string[]): XrayDaemon {
  const segments: XraySegment[] = [];
  const malformed: string[] = [];
  const waiters = new Set<{ match: (s: XraySegment) => boolean; resolve: (s: XraySegment) => void }>();
  udp.on('message', (data) => {
    const text = data.toString('utf8');
    const nl = text.indexOf('\n');
    try {
      const header = JSON.parse(text.slice(0, nl)) as { format?: string; version?: number };
      if (nl < 0 || header.format !== 'json' || header.version !== 1) throw new Error('bad header');
      const segment = JSON.parse(text.slice(nl + 1)) as XraySegment;
      segments.push(segment);
      for (const waiter of waiters) {
        if (waiter.match(segment)) {
          waiters.delete(waiter);
          waiter.resolve(segment);
        }
      }
    } catch {
      malformed.push(text);
    }
  });
  return {
    port,
    address: `127.0.0.1:${port}`,
    segments,
    samplingRequests,
    malformed,
    waitFor(match, timeoutMs = 10_000) {
      const found = segments.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const waiter = {
          match,
          resolve: (s: XraySegment) => {
            clearTimeout(timer);
            resolve(s);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no matching X-Ray segment within ${timeoutMs} ms; received: ${JSON.stringify(segments.map((s) => s.name))}`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    async close() {
      await new Promise<void>((resolve) => udp.close(() => resolve()));
      tcp.closeAllConnections();
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
    },
  };
}

/** Sends one segment as an X-Ray SDK does: a UDP datagram of the header line and the segment JSON. */
export async function sendXraySegment(port: number, segment: XraySegment, host = '127.0.0.1'): Promise<void> {
  const socket = dgram.createSocket('udp4');
  const datagram = Buffer.from(`${JSON.stringify({ format: 'json', version: 1 })}\n${JSON.stringify(segment)}`);
  try {
    await new Promise<void>((resolve, reject) => socket.send(datagram, port, host, (err) => (err ? reject(err) : resolve())));
  } finally {
    socket.close();
  }
}
