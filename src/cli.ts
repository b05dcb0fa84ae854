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
    .option('--no-instrument', 'write environment settings only: no instrumentation code or dependencies')
    .option('-y, --yes', 'accept defaults and apply without asking')
    .option('--dry-run', 'show the diff and stop')
    .option('--force', 'replace values you set that differ from what obs would write')
    .option('--json', 'print the plan and result as one JSON document on stdout')
    .action(async (options) => {
      const { runInit } = await import('./commands/init/index.js');
      exitCode = await runInit(ctx, options);
    });

  /** --region, --profile, --endpoint-url, --json, --dry-run, --no-update, --verbose: like the AWS CLI. */
  const withAwsOptions = (command: Command): Command =>
    command
      .option('--region <region>', 'AWS region (default: AWS_REGION, then AWS_DEFAULT_REGION, then the profile)')
      .option('--profile <name>', 'profile from ~/.aws/config and ~/.aws/credentials (default: AWS_PROFILE)')
      .option('--endpoint-url <url>', 'send requests to this endpoint (AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE> also work)')
      .option('--dry-run', 'look up and show what would change, change nothing')
      .option('--no-update', 'report a resource that differs (exit 1) instead of updating it')
      .option('--json', 'print one JSON document on stdout')
      .option('--verbose', 'show request ids');

  const xray = program.command('xray').description('create X-Ray groups and sampling rules, idempotently');
  withAwsOptions(
    xray
      .command('create-group')
      .description('create or update an X-Ray group')
      .requiredOption('--name <name>', 'group name (1-32 characters, not "Default")')
      .option('--filter-expression <expr>', 'filter expression, e.g. \'service("api") {fault OR error}\'')
      .option('--service <name-or-url>', 'build the filter expression service("...") from a service name or URL')
      .option('--errors-only', 'with --service: only traces with faults or errors ({fault OR error})')
      .option('--insights', 'enable X-Ray Insights for the group')
      .option('--notifications', 'enable Insights notifications (needs --insights)')
      .option('--tag <key=value>', 'tag to add (repeatable); managed-by=obs is always added', collect),
  ).action(async (options) => {
    const { runXrayCreateGroup } = await import('./commands/xray/create-group.js');
    exitCode = await runXrayCreateGroup(ctx, options);
  });
  withAwsOptions(
    xray
      .command('create-sampling-rule')
      .description('create or update an X-Ray sampling rule')
      .option('--file <path>', 'rule as JSON: the AWS CLI input ({"SamplingRule": {...}}) or the bare rule')
      .option('--name <name>', 'rule name (1-32 characters, not "Default")')
      .option('--service-name <name>', 'service name to match (* and ? wildcards)')
      .option('--fixed-rate <rate>', 'fraction of requests to sample after the reservoir, 0 to 1 (default 0.05)')
      .option('--reservoir-size <n>', 'requests per second to sample before the fixed rate (default 1)')
      .option('--priority <n>', '1 (first) to 9999 (default 1000)')
      .option('--host <host>', 'host to match (default *)')
      .option('--http-method <method>', 'HTTP method to match (default *)')
      .option('--url-path <path>', 'URL path to match (default *)')
      .option('--service-type <type>', 'service type to match (default *)')
      .option('--resource-arn <arn>', 'resource ARN to match (default *)')
      .option('--attribute <key=value>', 'segment attribute to match (repeatable, at most 5)', collect)
      .option('--tag <key=value>', 'tag to add (repeatable); managed-by=obs is always added', collect),
  ).action(async (options) => {
    const { runXrayCreateSamplingRule } = await import('./commands/xray/create-sampling-rule.js');
    exitCode = await runXrayCreateSamplingRule(ctx, options);
  });

  const logs = program.command('logs').description('create CloudWatch log groups, idempotently');
  withAwsOptions(
    logs
      .command('create-group')
      .description('create or update a CloudWatch Logs log group')
      .requiredOption('--name <name>', 'log group name (not starting with aws/)')
      .option('--retention <days>', 'days to keep events: 1, 3, 5, 7, 14, 30, 60, 90, ... 3653')
      .option('--kms-key-id <arn>', 'KMS key ARN to encrypt the log group with')
      .option('--tag <key=value>', 'tag to add (repeatable); managed-by=obs is always added', collect),
  ).action(async (options) => {
    const { runLogsCreateGroup } = await import('./commands/logs/create-group.js');
    exitCode = await runLogsCreateGroup(ctx, options);
  });

  withAwsOptions(
    program
      .command('apply')
      .description('create or update every AWS resource obs.yaml declares (X-Ray groups, sampling rules, log groups)')
      .option('--dir <path>', 'directory with obs.yaml', '.'),
  ).action(async (options) => {
    const { runApply } = await import('./commands/apply/index.js');
    exitCode = await runApply(ctx, options);
  });

  program
    .command('doctor')
    .description('check the project for observability mistakes and say how to fix each one')
    .option('--dir <path>', 'project directory', '.')
    .option('-f, --file <path>', 'compose file (repeatable; default: obs.yaml, then compose discovery)', collect)
    .option('--online', 'also check keys and AWS resources against the real services')
    .option('--send-test-span', 'send one span over OTLP/HTTP with the configured endpoint and headers (implies --online)')
    .option('--honeycomb-api-url <url>', 'Honeycomb API base URL for the configured region, or us=URL,eu=URL (default: the public ones)')
    .option('--region <region>', 'AWS region for --online (default: AWS_REGION, then AWS_DEFAULT_REGION, then the profile)')
    .option('--profile <name>', 'AWS profile for --online')
    .option('--endpoint-url <url>', 'AWS endpoint for --online (AWS_ENDPOINT_URL_<SERVICE> also work)')
    .option('--check <ids>', 'run only these checks (comma-separated or repeated; see --list-checks)', collect)
    .option('--list-checks', 'list the check ids and exit')
    .option('--strict', 'warnings fail too (exit 1)')
    .option('--fix', 'apply the safe fixes first (secrets to .env, .env ignored, ${} around key names, distinct service names)')
    .option('--json', 'print one JSON document on stdout')
    .action(async (options) => {
      const { runDoctor } = await import('./commands/doctor/index.js');
      exitCode = await runDoctor(ctx, options);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end with 0; help shown because a command was missing is bad usage.
      if (err.code === 'commander.version' || err.code === 'commander.helpDisplayed' || (err.code === 'commander.help' && err.exitCode === 0)) return 0;
      return EXIT_USAGE;
    }
    throw err;
  }
  return exitCode;
}
