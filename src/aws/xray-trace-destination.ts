import { loadXraySdk } from './sdk.js';
import type { ResourceHandler } from './ensure.js';
import { diffFields, type ResourceChange } from './resource.js';

/**
 * Transaction Search: X-Ray stores spans in CloudWatch Logs (aws/spans) instead of its own
 * store. The OTLP traces endpoint the collector sends to requires it. Account-wide per region.
 */
export interface DesiredTraceDestination {
  destination: 'CloudWatchLogs';
}

export interface CurrentTraceDestination {
  destination?: string;
  /** PENDING while X-Ray switches, then ACTIVE. */
  status?: string;
}

/** What the status means for the user: spans reach Transaction Search only once it is ACTIVE. */
export function describeDestinationStatus(status: string | undefined): string | undefined {
  if (status === 'PENDING') return 'status PENDING: X-Ray is switching (usually minutes); spans reach Transaction Search once it is ACTIVE';
  return status === undefined ? undefined : `status ${status}`;
}

export const traceDestinationHandler: ResourceHandler<DesiredTraceDestination, CurrentTraceDestination> = {
  kind: 'xray-trace-destination',
  service: 'xray',
  name: (d) => d.destination,
  operations: { read: 'GetTraceSegmentDestination', create: 'UpdateTraceSegmentDestination', update: 'UpdateTraceSegmentDestination' },

  // There is always a destination (XRay until changed): the lookup never finds "nothing".
  async read(clients) {
    const client = await clients.xray();
    const { GetTraceSegmentDestinationCommand } = await loadXraySdk();
    const out = await client.send(new GetTraceSegmentDestinationCommand({}));
    return { destination: out.Destination, status: out.Status };
  },

  plan(desired, current): ResourceChange {
    const differences = diffFields({ Destination: current?.destination }, { Destination: desired.destination });
    const detail = differences.length ? undefined : describeDestinationStatus(current?.status);
    return { kind: 'xray-trace-destination', name: desired.destination, action: differences.length ? 'update' : 'unchanged', differences, ...(detail && { detail }) };
  },

  create: (clients, desired) => switchDestination(clients, desired),
  update: (clients, desired) => switchDestination(clients, desired),

  isAlreadyExists: () => false,
};

async function switchDestination(clients: Parameters<typeof traceDestinationHandler.read>[0], desired: DesiredTraceDestination) {
  const client = await clients.xray();
  const { UpdateTraceSegmentDestinationCommand } = await loadXraySdk();
  const out = await client.send(new UpdateTraceSegmentDestinationCommand({ Destination: desired.destination }));
  return { detail: describeDestinationStatus(out.Status) };
}
