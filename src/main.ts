import { processContext, type Context } from './context.js';
import { secretsInArguments } from './secrets/redact.js';
import { EXIT_CANCELLED, EXIT_FAILURE, EXIT_USAGE, formatError, ObsError } from './errors.js';

/**
 * The one place that turns outcomes into exit codes: 0 ok, 1 a check or AWS call failed,
 * 2 bad usage or bad input. Nothing else in obs exits the process.
 */
export async function main(argv: string[], ctx: Context = processContext()): Promise<number> {
  // `--endpoint-url http://user:pass@host`: the password is masked in whatever obs writes.
  ctx.secrets.add(secretsInArguments(argv));
  try {
    const { runCli } = await import('./cli.js');
    return await runCli(argv, ctx);
  } catch (err) {
    return reportError(err, ctx);
  }
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
