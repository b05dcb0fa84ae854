import { outputStream, type Context } from '../context.js';
import { describeDifference, KIND_LABEL, type ResourceOutcome } from './resource.js';

const VERB: Record<ResourceOutcome['status'], string> = {
  created: 'created',
  updated: 'updated',
  unchanged: 'unchanged',
  drift: 'drift',
  failed: 'failed',
  planned: 'would change',
};

/**
 * One line per resource, with its differences, on stdout (with --json: the document there, the
 * lines on stderr); why one failed or drifted goes to stderr. Returns the exit code.
 */
export function reportOutcomes(
  ctx: Context,
  command: string,
  outcomes: ResourceOutcome[],
  /** The region really used (AwsClients.region()), undefined when none was resolved. */
  region: string | undefined,
  options: { json?: boolean; verbose?: boolean; dryRun?: boolean },
): number {
  const code = outcomes.some((o) => o.status === 'failed' || o.status === 'drift') ? 1 : 0;
  if (options.json) {
    const doc = { schemaVersion: 1, command, region: region ?? null, dryRun: options.dryRun === true, ok: code === 0, resources: outcomes };
    ctx.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
  }
  const out = outputStream(ctx, options.json).stream;
  for (const outcome of outcomes) {
    const verb = outcome.status === 'planned' ? `would ${outcome.action ?? 'change'}` : VERB[outcome.status];
    const label = `${KIND_LABEL[outcome.kind]} ${outcome.name}`;
    out.write(`${verb.padEnd(12)} ${label}${outcome.arn ? `  ${outcome.arn}` : ''}\n`);
    for (const d of outcome.differences) if (outcome.status !== 'unchanged' && outcome.status !== 'created') out.write(`             ${describeDifference(d, outcome.action)}\n`);
    if (outcome.detail) out.write(`             ${outcome.detail}\n`);
    // Why it failed and what to do are for the person: stderr, right under the line they belong to.
    if (outcome.status === 'drift') ctx.stderr.write('             differs from what you asked for; run without --no-update to change it\n');
    if (outcome.error) ctx.stderr.write(`             ${outcome.error}\n`);
    if (options.verbose && outcome.requestId) out.write(`             request id: ${outcome.requestId}\n`);
  }
  return code;
}
