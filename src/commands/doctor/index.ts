import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { resolveAwsSettings } from '../../aws/settings.js';
import { ALL_CHECKS } from '../../backends/index.js';
import { parseHoneycombApiUrl } from '../../checks/online/honeycomb.js';
import { explicitComposeFiles } from '../../compose/discover.js';
import type { Check, CheckResult, DoctorOptions, DoctorProject } from '../../checks/types.js';
import type { AwsSettings } from '../../aws/settings.js';
import { say, type Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import { redactMessage } from '../../secrets/redact.js';
import { loadDoctorProject } from './load.js';
import { githubAnnotations } from './github-annotations.js';
import { PLAIN, renderChecklist, summaryLine, type Paint } from './render.js';

export interface DoctorCliOptions {
  dir?: string;
  file?: string[];
  online?: boolean;
  sendTestSpan?: boolean;
  honeycombApiUrl?: string;
  allowEndpoint?: string[];
  region?: string;
  profile?: string;
  endpointUrl?: string;
  json?: boolean;
  strict?: boolean;
  check?: string[];
  skip?: string[];
  listChecks?: boolean;
  fix?: boolean;
}

export const DOCTOR_SCHEMA_VERSION = 1;

/** Runs the checks; exit 0 when nothing fails, 1 when a check fails (or warns, with --strict). */
export async function runDoctor(ctx: Context, options: DoctorCliOptions): Promise<number> {
  if (options.listChecks) {
    for (const check of ALL_CHECKS) ctx.stdout.write(`${check.id.padEnd(32)} ${check.group.padEnd(8)} ${check.title}${check.online ? ' (--online)' : ''}\n`);
    return 0;
  }
  // Every flag is checked before --fix writes anything: a bad value is exit 2 with nothing changed.
  const selected = selectChecks(options);
  const root = resolve(ctx.cwd, options.dir ?? '.');
  if (!statSync(root, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`no such directory: ${root}`, { hint: 'pass --dir with the project folder' });
  parseHoneycombApiUrl(options.honeycombApiUrl);
  resolveAwsSettings(options, ctx.env); // --region, --endpoint-url: exit 2 here, not after --fix wrote
  const explicit = options.file ? explicitComposeFiles(root, options.file) : undefined;
  for (const note of explicit?.notes ?? []) ctx.stderr.write(`note: ${note}\n`);
  const fixed = options.fix ? await applySafeFixes(ctx, root, explicit?.files) : [];
  const project = await loadDoctorProject(root, ctx.env, explicit?.files);
  for (const note of project.skipped ?? []) ctx.stderr.write(`note: ${note}\n`);
  ctx.secrets.addFromTexts([...project.compose.map((f) => f.text), project.dotenv?.text, project.dotenvExample?.text, ...[...project.envFiles.values()].map((f) => f?.text)]);
  const doctorOptions: DoctorOptions = {
    online: options.online === true || options.sendTestSpan === true,
    sendTestSpan: options.sendTestSpan === true,
    honeycombApiUrl: options.honeycombApiUrl,
    allowedEndpoints: options.allowEndpoint ?? [],
    aws: awsSettingsFor(options, ctx.env, project),
    progress: (line: string) => say(ctx, line),
  };
  if (doctorOptions.sendTestSpan && selected.some((c) => c.id === 'send-test-span')) await askEndpointConsent(ctx, project, doctorOptions);
  const results = await Promise.all(
    selected.map(async (check): Promise<CheckResult> => {
      if (check.online && !doctorOptions.online) return { id: check.id, title: check.title, status: 'skip', detail: 'needs --online' };
      try {
        return await check.run(project, doctorOptions);
      } catch (err) {
        return { id: check.id, title: check.title, status: 'fail', detail: `the check itself failed: ${(err as Error).message}` };
      }
    }),
  );
  // Checks mask what they know; this masks secrets by position in every message they wrote.
  const shown = results.map(maskResult);
  const failed = shown.some((r) => r.status === 'fail' || (options.strict && r.status === 'warn'));
  if (options.json) {
    const doc = { schemaVersion: DOCTOR_SCHEMA_VERSION, directory: root, ok: !failed, strict: options.strict === true, summary: summaryLine(shown), ...(options.fix ? { fixed } : {}), checks: shown };
    ctx.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
  } else {
    // The checklist is the output (`obs doctor > report.txt`); notes and progress stay on stderr.
    ctx.stdout.write(renderChecklist(selected, shown, await painter(ctx.stdoutColor)));
    // On GitHub Actions, problems also become annotations on the files they name (stdout is where
    // the runner reads workflow commands; --json keeps stdout for its one document), after the checklist.
    if (ctx.env.GITHUB_ACTIONS === 'true') ctx.stdout.write(githubAnnotations(shown, options.strict === true));
  }
  return failed ? 1 : 0;
}

/**
 * --fix: the safe repairs (secrets out of compose into .env, .env ignored and untracked, key
 * references spelled so compose interpolates them, distinct service names), through the same
 * plan / diff / atomic write path as obs init. The checks then run on the result.
 */
async function applySafeFixes(ctx: Context, root: string, files: string[] | undefined): Promise<string[]> {
  const [{ discover }, { planFixes }, { changedOnly }, { unifiedDiff }, { redactDiff }, { applyFileChanges, recoverInterruptedApply }, { gitInfo }] = await Promise.all([
    import('../../project/discover.js'),
    import('./fix-plan.js'),
    import('../../plan/file-change.js'),
    import('../../io/diff.js'),
    import('../../secrets/redact.js'),
    import('../../io/atomic-write.js'),
    import('../../io/git.js'),
  ]);
  const { resolveWriteTargets, writeRequestsFor } = await import('../../io/write-targets.js');
  const recovered = await recoverInterruptedApply(root, () => gitInfo(root));
  if (recovered) ctx.stderr.write(`obs: ${recovered}\n`);
  const found = await discover(root, files);
  const { snapshot } = found;
  ctx.secrets.addFromTexts([...snapshot.compose.map((f) => f.text), snapshot.dotenv?.text, snapshot.dotenvExample?.text, ...[...snapshot.envFiles.values()].map((f) => f?.text)]);
  const plan = planFixes(found.snapshot, found.project);
  ctx.secrets.add(plan.secretValues);
  const changes = changedOnly(plan.changes);
  if (changes.length === 0 && plan.untrack.length === 0) {
    ctx.stderr.write('obs doctor --fix: nothing it can fix safely.\n');
    return [];
  }
  const targets = resolveWriteTargets(
    root,
    changes.map((c) => c.path),
    files ?? [],
  );
  for (const note of targets.notes) ctx.stderr.write(`note: ${note}\n`);
  for (const change of changes) ctx.stderr.write(redactDiff(unifiedDiff(change), change, plan.secretValues));
  const requests = writeRequestsFor(root, changes, targets);
  await applyFileChanges({
    root,
    command: 'obs doctor --fix',
    writes: requests,
    untrack: plan.untrack,
    composeFiles: found.snapshot.compose.map((f) => f.path),
    git: found.git,
    reads: found.reads,
  });
  const n = plan.applied.length;
  ctx.stderr.write(`obs doctor --fix made ${n} safe fix${n === 1 ? '' : 'es'}; the checks below see the result:\n${plan.applied.map((a) => `  fixed ${a}\n`).join('')}`);
  return plan.applied;
}

/**
 * The AWS settings of apply, with the project's .env as a source. An invalid region in .env is a
 * finding of the aws-credentials check, not a usage error: then the settings leave .env out.
 */
function awsSettingsFor(options: DoctorCliOptions, env: NodeJS.ProcessEnv, project: DoctorProject): AwsSettings {
  try {
    return resolveAwsSettings(options, env, project.dotenv?.values);
  } catch (err) {
    if (err instanceof UsageError && project.dotenv) return resolveAwsSettings(options, env);
    throw err;
  }
}

/**
 * In a terminal, --send-test-span asks before it sends the key to an endpoint that is not
 * Honeycomb over https; without one the check refuses and names --allow-endpoint.
 */
async function askEndpointConsent(ctx: Context, project: DoctorProject, options: DoctorOptions): Promise<void> {
  if (!ctx.interactive) return;
  const { planTestSpan, endpointConsent } = await import('../../checks/online/test-span.js');
  const planned = planTestSpan(project, options);
  if ('result' in planned) return;
  const consent = endpointConsent(planned, options.allowedEndpoints ?? []);
  if (!consent.needed || consent.given) return;
  const { confirm } = await import('@inquirer/prompts');
  ctx.stderr.write(`obs doctor --send-test-span: ${consent.reason}.\n`);
  const yes = await confirm({ message: `Send the test span with these headers to ${consent.host}?`, default: false }, { input: ctx.stdin, output: ctx.stderr, clearPromptOnDone: false });
  if (yes) options.allowedEndpoints = [...(options.allowedEndpoints ?? []), consent.host];
}

function maskResult(result: CheckResult): CheckResult {
  return {
    ...result,
    detail: redactMessage(result.detail),
    ...(result.fix === undefined ? {} : { fix: redactMessage(result.fix) }),
    ...(result.findings ? { findings: result.findings.map((f) => ({ ...f, message: redactMessage(f.message), ...(f.fix === undefined ? {} : { fix: redactMessage(f.fix) }) })) } : {}),
  };
}

/** --check narrows the list to the ids given; --skip then leaves ids out (say, one warning a team accepts under --strict). */
function selectChecks(options: DoctorCliOptions): readonly Check[] {
  const wanted = checkIds('--check', options.check);
  const skipped = checkIds('--skip', options.skip);
  const both = wanted.filter((id) => skipped.includes(id));
  if (both.length > 0) throw new UsageError(`--check and --skip both name ${both.join(', ')}`, { hint: 'name a check in one of them' });
  return ALL_CHECKS.filter((c) => (wanted.length === 0 || wanted.includes(c.id)) && !skipped.includes(c.id));
}

function checkIds(flag: string, values: string[] | undefined): string[] {
  const ids = (values ?? [])
    .flatMap((c) => c.split(','))
    .map((c) => c.trim())
    .filter(Boolean);
  const unknown = ids.filter((id) => !ALL_CHECKS.some((c) => c.id === id));
  if (unknown.length > 0) throw new UsageError(`${flag} names unknown check ${unknown.join(', ')}`, { hint: 'obs doctor --list-checks shows the ids' });
  return ids;
}

async function painter(color: boolean): Promise<Paint> {
  if (!color) return PLAIN;
  const { Chalk } = await import('chalk');
  const chalk = new Chalk({ level: 1 });
  return { pass: chalk.green, warn: chalk.yellow, fail: chalk.red, dim: chalk.dim, bold: chalk.bold };
}
