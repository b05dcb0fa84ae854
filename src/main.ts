import { processContext, type Context } from './context.js';
import { SecretNet } from './secrets/net.js';
import { secretsInArguments, secretsInEnvironment } from './secrets/redact.js';
import { EXIT_CANCELLED, EXIT_FAILURE, EXIT_USAGE, formatError, ObsError } from './errors.js';

/**
 * The one place that turns outcomes into exit codes: 0 ok, 1 a check or AWS call failed,
 * 2 bad usage or bad input. Nothing else in obs exits the process.
 */
export async function main(argv: string[], ctx: Context = processContext(seenSecrets(argv))): Promise<number> {
  try {
    const { runCli } = await import('./cli.js');
    return await runCli(argv, ctx);
  } catch (err) {
    return reportError(err, ctx);
  }
}

/**
 * The net under every output: secrets in the environment (key-like variables, headers, URL
 * passwords) and in the arguments (`--endpoint-url http://user:pass@host`) are masked from the
 * start; commands add what they find in the files they read.
 */
function seenSecrets(argv: string[]): SecretNet {
  const net = new SecretNet();
  net.add(secretsInEnvironment(Object.entries(process.env)));
  net.add(secretsInArguments(argv));
  return net;
}

function reportError(err: unknown, ctx: Context): number {
  if (err instanceof ObsError) {
    ctx.stderr.write(`obs: ${formatError(err)}\n`);
    if (err.hint) ctx.stderr.write(`  ${err.hint}\n`);
    return err.exitCode;
  }
  // Ctrl-C or Ctrl-D at a prompt: the user chose to stop, nothing was written yet.
  if ((err as Error)?.name === 'ExitPromptError' || (err as Error)?.name === 'AbortPromptError') {
    ctx.stderr.write('obs: cancelled; nothing was written.\n');
    return EXIT_CANCELLED;
  }
  const code = (err as { exitCode?: number; code?: string }).code;
  if (typeof code === 'string' && code.startsWith('commander.')) return EXIT_USAGE;
  ctx.stderr.write(`obs: unexpected error: ${(err as Error)?.stack ?? String(err)}\n`);
  ctx.stderr.write('  This is a bug in obs; please report it with the command you ran.\n');
  return EXIT_FAILURE;
}
