import { Command, CommanderError, Option } from 'commander';
import type { Context } from './context.js';
import { EXIT_USAGE } from './errors.js';
import { readVersion } from './version.js';

/** Collects a repeatable option (`-f a -f b`). */
function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * Registers the commands. Each action imports its module only when it runs, so the AWS SDK and
 * the prompts never load for a command that does not need them.
 */
export async function runCli(argv: string[], ctx: Context): Promise<number> {
  let exitCode = 0;
  const program = new Command('obs')
    .description('Wire a docker compose project for Honeycomb, AWS X-Ray, CloudWatch Logs and Rollbar, and keep it wired.')
    .version(readVersion(), '-V, --version')
    .exitOverride()
    .showHelpAfterError('(run obs --help for usage)')
    .configureOutput({
      writeOut: (s) => ctx.stdout.write(s),
      writeErr: (s) => ctx.stderr.write(s),
    });

  program
    .command('init')
    .description('add OpenTelemetry/Honeycomb, X-Ray, CloudWatch Logs and Rollbar settings to a compose project')
    .option('--dir <path>', 'project directory', '.')
    .option('-f, --file <path>', 'compose file to edit (repeatable; default: compose discovery)', collect)
    .option('--services <names>', 'comma-separated services to instrument (default: services with a build context)')
    .option('--honeycomb', 'send traces to Honeycomb over OTLP')
    .option('--no-honeycomb', 'do not set up Honeycomb')
    .addOption(new Option('--honeycomb-region <region>', 'Honeycomb region').choices(['us', 'eu']))
    .option('--honeycomb-dataset <name>', 'dataset header, for classic Honeycomb keys only')
    .option('--xray', 'add the X-Ray daemon and X-Ray settings')
    .option('--no-xray', 'do not set up X-Ray')
    .option('--xray-group <name>', 'X-Ray group name (recorded in obs.yaml for obs apply)')
    .option('--cloudwatch', 'add CloudWatch Logs settings')
    .option('--no-cloudwatch', 'do not set up CloudWatch Logs')
    .option('--log-group <name>', 'CloudWatch log group name')
    .option('--retention <days>', 'log retention in days (1, 3, 5, 7, 14, 30, 60, 90, ...)')
    .option('--rollbar', 'add the Rollbar access token setting')
    .option('--no-rollbar', 'do not set up Rollbar')
    .option('-y, --yes', 'accept defaults and apply without asking')
    .option('--dry-run', 'show the diff and stop')
    .option('--force', 'replace values you set that differ from what obs would write')
    .option('--json', 'print the plan and result as one JSON document on stdout')
    .action(async (options) => {
      const { runInit } = await import('./commands/init/index.js');
      exitCode = await runInit(ctx, options);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.version' || err.code === 'commander.helpDisplayed' || err.code === 'commander.help') return 0;
      return EXIT_USAGE;
    }
    throw err;
  }
  return exitCode;
}
