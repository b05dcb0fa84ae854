import { Argument, Command, CommanderError, Option } from 'commander';
import { BACKENDS } from './backends/index.js';
import type { Context } from './context.js';
import { EXIT_USAGE, ObsError } from './errors.js';
import { readVersion } from './version.js';
import type { InitOptions } from './commands/init/options.js';
import type { RemoveOptions } from './commands/remove/options.js';
import type { XrayCreateGroupOptions } from './commands/xray/create-group.js';
import type { XrayCreateSamplingRuleOptions } from './commands/xray/create-sampling-rule.js';
import type { LogsCreateGroupOptions } from './commands/logs/create-group.js';
import type { ApplyOptions } from './commands/apply/index.js';
import type { DoctorCliOptions } from './commands/doctor/index.js';

/**
 * After a usage error commander prints this hint: each command points at its own --help, the one
 * that lists the flags at fault. Set once over the finished tree, so names cannot drift.
 */
function pointUsageErrorsAtOwnHelp(command: Command, path = command.name()): void {
  command.showHelpAfterError(`(run ${path} --help for usage)`);
  for (const sub of command.commands) pointUsageErrorsAtOwnHelp(sub, `${path} ${sub.name()}`);
}

/**
 * `obs help xray create-group` is `obs xray create-group --help`: commander's help command takes
 * only one name and would show the help of `obs xray`.
 */
function helpForSubcommands(argv: string[]): string[] {
  return argv[0] === 'help' && argv.length > 2 ? [...argv.slice(1), '--help'] : argv;
}

/**
 * Whether the command line asks a command that has --json for it. Read from the words, not from
 * parsed options: a usage error stops commander before any option is parsed.
 */
function jsonRequested(program: Command, argv: string[]): boolean {
  let command = program;
  for (const word of argv) {
    const sub = command.commands.find((c) => c.name() === word);
    if (!sub) break;
    command = sub;
  }
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json') && command.options.some((o) => o.long === '--json');
}

/**
 * With --json, a failure is one JSON document on stdout too: `{"error": {"kind": "usage", ...}}`
 * for bad usage or input (exit 2), kind "failure" for an ObsError that exits 1. The line for
 * the person still goes to stderr (src/main.ts).
 */
function writeJsonError(ctx: Context, err: CommanderError | ObsError): void {
  const usage = err instanceof CommanderError || err.exitCode === EXIT_USAGE;
  const error = {
    kind: usage ? 'usage' : 'failure',
    message: err instanceof CommanderError ? err.message.replace(/^error: /, '') : err.message,
    ...(err instanceof ObsError && err.file !== undefined ? { file: err.file } : {}),
    ...(err instanceof ObsError && err.line !== undefined ? { line: err.line } : {}),
    ...(err instanceof ObsError && err.col !== undefined ? { col: err.col } : {}),
    ...(err instanceof ObsError && err.hint !== undefined ? { hint: err.hint } : {}),
  };
  ctx.stdout.write(`${JSON.stringify({ error }, null, 2)}\n`);
}

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
    .configureOutput({
      writeOut: (s) => ctx.stdout.write(s),
      writeErr: (s) => ctx.stderr.write(s),
    });

  // Defaults obs.yaml can override are written in the help text, not given to commander: a
  // commander default would count as a flag and win over obs.yaml.
  const init = program
    .command('init')
    .summary('wire a docker compose project for observability')
    .description(
      'Wire a docker compose project for OpenTelemetry/Honeycomb, X-Ray, CloudWatch Logs and Rollbar: environment settings, ' +
        'an OpenTelemetry Collector service (or, with --pipeline direct, the X-Ray daemon), instrumentation code, .env for secrets and obs.yaml. Flags first, then obs.yaml, then the defaults decide; ' +
        'without a terminal (or with CI set) obs never asks.',
    )
    .option('--dir <path>', 'project directory', '.')
    .option('-f, --file <path>', 'compose file to edit (repeatable; default: compose discovery)', collect)
    .option('--services <names>', 'comma-separated services to instrument (default: those in obs.yaml, else services with a build context, else those whose image is not a database, cache or proxy)')
    .addOption(
      new Option(
        '--pipeline <pipeline>',
        'collector: apps send OTLP to one OpenTelemetry Collector service that holds the keys and exports to every backend; direct: apps send to Honeycomb, X-Ray through the daemon (default: obs.yaml, else collector)',
      ).choices(['collector', 'direct']),
    );
  // Each backend's on/off flags and settings flags, in the order of src/backends/index.ts.
  for (const backend of BACKENDS) {
    init.option(`--${backend.id}`, backend.help.on).option(`--no-${backend.id}`, backend.help.off);
    for (const flag of backend.flags) {
      const option = new Option(flag.flags, flag.description);
      init.addOption(flag.choices ? option.choices(flag.choices) : option);
    }
  }
  init
    .option('--no-instrument', 'write environment settings only: no instrumentation code or dependencies')
    .option('-y, --yes', 'accept defaults and apply without asking')
    .option('--dry-run', 'show the diff, write nothing')
    .option('--force', 'replace values you set that differ from what obs would write')
    .option('--json', 'print the plan and result as one JSON document on stdout')
    .action(async (options: InitOptions) => {
      const { runInit } = await import('./commands/init/index.js');
      exitCode = await runInit(ctx, options);
    });

  program
    .command('remove')
    .summary('undo obs init: take out everything obs added')
    .description(
      'Undo obs init in one diff: the compose values obs wrote (a value you changed since stays), the X-Ray daemon or collector obs added and its config, ' +
        '.env.example placeholders and empty .env keys, the instrumentation files obs wrote (while they carry its marker line) with the lines that load them ' +
        'and the packages obs added, and finally obs.yaml. Values you filled into .env stay.',
    )
    .option('--dir <path>', 'project directory', '.')
    .option('-f, --file <path>', 'compose file (repeatable; default: the ones obs.yaml names)', collect)
    .option('-y, --yes', 'apply without asking')
    .option('--dry-run', 'show the diff, write nothing')
    .option('--json', 'print the plan and result as one JSON document on stdout')
    .action(async (options: RemoveOptions) => {
      const { runRemove } = await import('./commands/remove/index.js');
      exitCode = await runRemove(ctx, options);
    });

  /** --region, --profile, --endpoint-url, --json, --dry-run, --no-update, --verbose: like the AWS CLI. */
  const withAwsOptions = (command: Command): Command =>
    command
      .option('--region <region>', 'AWS region (default: AWS_REGION, then AWS_DEFAULT_REGION, then the profile)')
      .option('--profile <name>', 'profile from ~/.aws/config and ~/.aws/credentials (default: AWS_PROFILE)')
      .option('--endpoint-url <url>', 'send requests to this endpoint (AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE> also work)')
      .option('--dry-run', 'look up and show what would change, change nothing')
      .option('--no-update', 'report a resource that differs (exit 1, in a dry run too) instead of updating it; missing ones are still created')
      .option('--json', 'print one JSON document on stdout')
      .option('--verbose', 'show request ids');

  const xray = program.command('xray').summary('create or update X-Ray groups and sampling rules').description('Create or update X-Ray groups and sampling rules; safe to repeat.');
  withAwsOptions(
    xray
      .command('create-group')
      .summary('create or update an X-Ray group')
      .description('Create an X-Ray group, or update it to match. Give --service or --filter-expression.')
      .requiredOption('--name <name>', 'group name (required): 1-32 letters, digits and dashes, not "Default"')
      .option('--filter-expression <expr>', 'filter expression, e.g. \'service("api") {fault OR error}\' (or use --service)')
      .option('--service <name-or-url>', 'build the filter expression service("...") from a service name or URL (or use --filter-expression)')
      .option('--errors-only', 'with --service: only traces with faults or errors ({fault OR error})')
      .option('--insights', 'enable X-Ray Insights for the group (without --insights or --no-insights, obs leaves the setting alone: off on a new group)')
      .option('--no-insights', 'disable X-Ray Insights for the group, and so its notifications')
      .option('--notifications', 'enable Insights notifications (needs --insights)')
      .option('--tag <key=value>', 'tag to add (repeatable); managed-by=obs is always added', collect),
  ).action(async (options: XrayCreateGroupOptions) => {
    const { runXrayCreateGroup } = await import('./commands/xray/create-group.js');
    exitCode = await runXrayCreateGroup(ctx, options);
  });
  withAwsOptions(
    xray
      .command('create-sampling-rule')
      .summary('create or update an X-Ray sampling rule')
      .description('Create an X-Ray sampling rule, or update it to match. Give --file, or --name and --service-name.')
      .option('--file <path>', 'rule as JSON: the AWS CLI input ({"SamplingRule": {...}}) or the bare rule; no other rule flags then')
      .option('--name <name>', 'rule name (required without --file): 1-32 characters, not "Default"')
      .option('--service-name <name>', 'service name to match, * and ? wildcards (required without --file)')
      .option('--fixed-rate <rate>', 'fraction of requests to sample after the reservoir, 0 to 1 (default: 0.05)')
      .option('--reservoir-size <n>', 'requests per second to sample before the fixed rate (default: 1)')
      .option('--priority <n>', 'rule priority, 1 (evaluated first) to 9999 (default: 1000)')
      .option('--host <host>', 'host to match (default: *)')
      .option('--http-method <method>', 'HTTP method to match (default: *)')
      .option('--url-path <path>', 'URL path to match (default: *)')
      .option('--service-type <type>', 'service type to match (default: *)')
      .option('--resource-arn <arn>', 'resource ARN to match (default: *)')
      .option('--attribute <key=value>', 'segment attribute to match (repeatable, at most 5)', collect)
      .option('--tag <key=value>', 'tag to add (repeatable); managed-by=obs is always added', collect),
  ).action(async (options: XrayCreateSamplingRuleOptions) => {
    const { runXrayCreateSamplingRule } = await import('./commands/xray/create-sampling-rule.js');
    exitCode = await runXrayCreateSamplingRule(ctx, options);
  });

  const logs = program.command('logs').summary('create or update CloudWatch Logs log groups').description('Create or update CloudWatch Logs log groups; safe to repeat.');
  withAwsOptions(
    logs
      .command('create-group')
      .summary('create or update a CloudWatch Logs log group')
      .description('Create a CloudWatch Logs log group, or bring its retention and tags in line.')
      .requiredOption('--name <name>', 'log group name (required): 1-512 letters, digits and . - _ / #, not starting with aws/')
      .option('--retention <days>', 'days to keep events: 1, 3, 5, 7, 14, 30, 60, 90, ... 3653 (default: a new group never expires, an existing one keeps its setting)')
      .option('--kms-key-id <arn>', 'KMS key ARN to encrypt a new log group with (obs does not re-key an existing group)')
      .option('--tag <key=value>', 'tag to add (repeatable); managed-by=obs is always added', collect),
  ).action(async (options: LogsCreateGroupOptions) => {
    const { runLogsCreateGroup } = await import('./commands/logs/create-group.js');
    exitCode = await runLogsCreateGroup(ctx, options);
  });

  withAwsOptions(
    program
      .command('apply')
      .summary('create or update every AWS resource obs.yaml declares')
      .description('Create or update every AWS resource obs.yaml declares (X-Ray groups, sampling rules, log groups): plan, show the plan, apply, summarise.')
      .option('--dir <path>', 'directory with obs.yaml', '.'),
  ).action(async (options: ApplyOptions) => {
    const { runApply } = await import('./commands/apply/index.js');
    exitCode = await runApply(ctx, options);
  });

  program
    .command('doctor')
    .summary('check a project for observability mistakes, with fixes')
    .description('Check the project for observability mistakes and say how to fix each one (offline unless --online or --send-test-span).')
    .option('--dir <path>', 'project directory', '.')
    .option('-f, --file <path>', 'compose file (repeatable; default: obs.yaml, then compose discovery)', collect)
    .option('--online', 'also check keys and AWS resources against the real services')
    .option('--send-test-span', 'send one span over OTLP/HTTP with the configured endpoint and headers (implies --online)')
    .option('--honeycomb-api-url <url>', 'Honeycomb API base URL for the configured region, or us=URL,eu=URL (default: the public ones)')
    .option(
      '--allow-endpoint <host>',
      'let --send-test-span send the configured headers (the key) to HOST or HOST:PORT, an endpoint that is not Honeycomb over https (repeatable; asked in a terminal)',
      collect,
    )
    .option('--region <region>', 'AWS region for the aws-credentials check and --online (default: AWS_REGION, then AWS_DEFAULT_REGION, then the profile)')
    .option('--profile <name>', 'AWS profile for the aws-credentials check and --online (default: AWS_PROFILE)')
    .option('--endpoint-url <url>', 'AWS endpoint for --online (AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE> also work)')
    .option('--check <ids>', 'run only these checks (comma-separated or repeated; see --list-checks)', collect)
    .option('--skip <ids>', 'leave these checks out (comma-separated or repeated), e.g. an accepted warning under --strict', collect)
    .option('--list-checks', 'list the check ids and exit')
    .option('--strict', 'warnings fail too (exit 1)')
    .option('--fix', 'apply the safe fixes first (secrets to .env, .env ignored, ${} around key names, distinct service names, the X-Ray daemon command as flags)')
    .option('--json', 'print one JSON document on stdout')
    .action(async (options: DoctorCliOptions) => {
      const { runDoctor } = await import('./commands/doctor/index.js');
      exitCode = await runDoctor(ctx, options);
    });

  program
    .command('completion')
    .summary('print a shell completion script (bash, zsh or fish)')
    .description(
      'Print the completion script for your shell. bash: eval "$(obs completion bash)" in ~/.bashrc; zsh: eval "$(obs completion zsh)" in ~/.zshrc; fish: obs completion fish > ~/.config/fish/completions/obs.fish',
    )
    .addArgument(new Argument('<shell>', 'the shell').choices(['bash', 'zsh', 'fish']))
    .action(async (shell: 'bash' | 'zsh' | 'fish') => {
      const [{ completionSpec }, { renderCompletion }] = await Promise.all([import('./commands/completion/spec.js'), import('./commands/completion/render.js')]);
      ctx.stdout.write(renderCompletion(shell, completionSpec(program)));
    });

  pointUsageErrorsAtOwnHelp(program);
  const json = jsonRequested(program, argv);
  try {
    await program.parseAsync(helpForSubcommands(argv), { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end with 0; help shown because a command was missing is bad usage.
      if (err.code === 'commander.version' || err.code === 'commander.helpDisplayed' || (err.code === 'commander.help' && err.exitCode === 0)) return 0;
      if (json) writeJsonError(ctx, err);
      return EXIT_USAGE;
    }
    if (json && err instanceof ObsError) writeJsonError(ctx, err);
    throw err;
  }
  return exitCode;
}
