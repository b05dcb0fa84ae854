import { loadLogsSdk } from './sdk.js';
import { UsageError } from '../errors.js';
import type { ResourceHandler } from './ensure.js';

/** The stream the collector's CloudWatch Logs exporter writes to: the OTLP logs endpoint does not create it. */
export interface DesiredLogStream {
  logGroup: string;
  name: string;
}

export interface CurrentLogStream {
  arn?: string;
}

/** From the CloudWatch Logs model (shape LogStreamName): 1-512 characters, pattern `[^:*]*`. */
export const LOG_STREAM_NAME_MIN = 1;
export const LOG_STREAM_NAME_MAX = 512;
export const LOG_STREAM_NAME_PATTERN = '[^:*]*';

const NAME_RE = new RegExp(`^(?:${LOG_STREAM_NAME_PATTERN})$`);

export function validateLogStream(desired: DesiredLogStream, label: (field: 'name') => string): void {
  const { name } = desired;
  if (name.length < LOG_STREAM_NAME_MIN || name.length > LOG_STREAM_NAME_MAX) {
    throw new UsageError(`${label('name')} must be ${LOG_STREAM_NAME_MIN} to ${LOG_STREAM_NAME_MAX} characters, got ${name.length}`);
  }
  if (!NAME_RE.test(name)) throw new UsageError(`${label('name')} may not contain ':' or '*': ${JSON.stringify(name)}`);
}

/** Neither a group nor a stream name may hold ':', so `group:stream` names one stream. */
const streamName = (d: DesiredLogStream) => `${d.logGroup}:${d.name}`;

export const logStreamHandler: ResourceHandler<DesiredLogStream, CurrentLogStream> = {
  kind: 'log-stream',
  service: 'logs',
  name: streamName,
  operations: { read: 'DescribeLogStreams', create: 'CreateLogStream', update: 'CreateLogStream' },

  async read(clients, desired) {
    const { DescribeLogStreamsCommand } = await loadLogsSdk();
    const client = await clients.logs();
    let nextToken: string | undefined;
    try {
      do {
        // The prefix also matches siblings (collector, collector-2): compare names exactly.
        const page = await client.send(new DescribeLogStreamsCommand({ logGroupName: desired.logGroup, logStreamNamePrefix: desired.name, nextToken }));
        const found = page.logStreams?.find((s) => s.logStreamName === desired.name);
        if (found) return { arn: found.arn };
        nextToken = page.nextToken || undefined;
      } while (nextToken);
    } catch (err) {
      // No group yet: obs apply creates it first, and then the stream.
      if ((err as { name?: string } | null)?.name === 'ResourceNotFoundException') return undefined;
      throw err;
    }
    return undefined;
  },

  plan(desired, current) {
    const base = { kind: 'log-stream' as const, name: streamName(desired), differences: [] };
    return current ? { ...base, action: 'unchanged', arn: current.arn } : { ...base, action: 'create' };
  },

  async create(clients, desired) {
    const { CreateLogStreamCommand } = await loadLogsSdk();
    const client = await clients.logs();
    await client.send(new CreateLogStreamCommand({ logGroupName: desired.logGroup, logStreamName: desired.name }));
    return {};
  },

  // A stream has nothing obs sets besides its name: never planned as an update.
  async update() {
    return {};
  },

  isAlreadyExists: (err) => (err as { name?: string } | null)?.name === 'ResourceAlreadyExistsException',
};
