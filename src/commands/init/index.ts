import { resolve } from 'node:path';
import { outputStream, say, type Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import { applyFileChanges, pendingApply, recoverInterruptedApply } from '../../io/atomic-write.js';
import { gitInfo } from '../../io/git.js';
import { unifiedDiff } from '../../io/diff.js';
import { resolveWriteTargets, writeRequestsFor } from '../../io/write-targets.js';
import { redactDiff } from '../../secrets/redact.js';
import { changedOnly } from '../../plan/file-change.js';
import { decideChoices, validateFlags } from './decide.js';
import { discover } from '../../project/discover.js';
import type { InitOptions } from './options.js';
import { planInit } from './plan.js';
import { readInstrumentation } from './instrument.js';
import { changeAction, conflictJson, describeSetup, findingsLines, nextSteps, noteJson, painter, renderDiffs } from './report.js';

/** discover -> decide -> plan -> show -> apply -> report. Only the last two steps write. */
export async function runInit(ctx: Context, options: InitOptions): Promise<number> {
  const root = resolve(ctx.cwd, options.dir ?? '.');
  // An apply a crash interrupted is finished or rolled back first, so the plan starts from whole files.
  if (!options.dryRun) {
    const recovered = await recoverInterruptedApply(root, () => gitInfo(root));
    if (recovered) say(ctx, `obs: ${recovered}`);
  } else if (await pendingApply(root)) {
    say(ctx, 'obs: an earlier obs run was interrupted while writing this project; obs init without --dry-run finishes or rolls it back.');
  }
  const found = await discover(root, options.file);
  const { snapshot, project } = found;
  ctx.secrets.addFromTexts([...snapshot.compose.map((f) => f.text), snapshot.dotenv?.text, snapshot.dotenvExample?.text, ...[...snapshot.envFiles.values()].map((f) => f?.text)]);
  validateFlags(
    options,
    project.services.map((s) => s.name),
    snapshot.compose[0]!.path,
    project,
  );
  const interactive = ctx.interactive && !options.yes;
  const prompter = interactive ? (await import('./prompter.js')).inquirerPrompter(ctx) : undefined;
  const paint = await painter(ctx);

  say(ctx, paint.bold(`obs init: ${root} (${snapshot.compose.map((f) => f.path).join(' + ')})`));
  for (const note of found.notes) say(ctx, `- ${note}`);
  const choices = await decideChoices({
    options,
    project,
    composePath: snapshot.compose[0]!.path,
    stacks: snapshot.stacks,
    ...(snapshot.profiles ? { profiles: snapshot.profiles } : {}),
    previous: found.previous,
    projectName: snapshot.projectName,
    prompter,
  });
  // Only now, with the services chosen, read what their instrumentation planners need.
  if (options.instrument !== false) snapshot.instrumentation = readInstrumentation(found, choices.services);
  const plan = planInit(snapshot, choices, project);
  ctx.secrets.add(plan.secretValues);
  const changes = changedOnly(plan.changes);
  // Symlinks decided before anything is shown: written through (said), or refused when outside.
  const targets = resolveWriteTargets(
    root,
    changes.map((c) => c.path),
    options.file ?? [],
  );
  plan.notes.push(...targets.notes.map((text) => ({ kind: 'write-through-link' as const, text })));
  for (const line of describeSetup(project, choices, snapshot.stacks, snapshot.profiles, plan.removedServices)) say(ctx, line);

  const findings = findingsLines(plan);
  // Diffs go to terminals and CI logs: secret values in them are masked.
  const diffs = new Map(changes.map((c) => [c, redactDiff(unifiedDiff(c), c, plan.secretValues)]));
  const result = {
    schemaVersion: 1,
    command: 'init',
    directory: root,
    composeFiles: snapshot.compose.map((f) => f.path),
    dryRun: options.dryRun === true,
    applied: false,
    choices,
    changes: changes.map((c) => ({ path: c.path, action: changeAction(c), diff: diffs.get(c)! })),
    untracked: plan.untrack,
    added: plan.added,
    updated: plan.updated,
    removed: plan.removed,
    restored: plan.restored,
    removedServices: plan.removedServices,
    movedSecrets: plan.movedSecrets,
    conflicts: plan.conflicts.map(conflictJson),
    notes: plan.notes.map(noteJson),
    nextSteps: nextSteps(plan, snapshot.hints.gitpod),
  };
  const finish = (code: number) => {
    if (options.json) ctx.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return code;
  };

  if (changes.length === 0 && plan.untrack.length === 0) {
    for (const line of findings) say(ctx, paint.warn(line));
    say(ctx, paint.ok('Nothing to change: the project is already wired as chosen.'));
    return finish(0);
  }
  // The diff is the output: on stdout, a patch `git apply` takes (`obs init --dry-run > plan.patch`).
  const output = outputStream(ctx, options.json);
  say(ctx);
  output.stream.write(renderDiffs([...diffs.values()], output.color === ctx.color ? paint : await painter(ctx, output.color)));
  // `obs init > changes.patch` in a terminal: the person is asked to apply a diff that went to
  // the file, so the terminal shows it too.
  const askingWithoutSeeing = prompter !== undefined && !options.dryRun && !options.json && (ctx.stdout as { isTTY?: boolean }).isTTY !== true;
  if (askingWithoutSeeing) ctx.stderr.write(renderDiffs([...diffs.values()], paint));
  say(ctx);
  // One write: a large project has a finding per service.
  if (findings.length > 0) ctx.stderr.write(findings.map((line) => `${paint.warn(line)}\n`).join(''));
  say(ctx, `${changes.length} file(s) to change: ${changes.map((c) => `${c.path} (${changeAction(c)})`).join(', ')}`);

  if (options.dryRun) {
    // A masked value never matches the file, so git apply refuses the whole patch: said, not left to find out.
    if (plan.movedSecrets.length > 0 && !options.json)
      say(ctx, paint.warn('! the diff masks the secret values it moves to .env, so `git apply` refuses it; run obs init without --dry-run to write these changes.'));
    say(ctx, 'Dry run: nothing was written.');
    return finish(0);
  }

  const dirty = await found.git.uncommitted(changes.map((c) => c.path));
  if (!options.yes) {
    if (!prompter) {
      throw new UsageError('obs init needs a yes to write these files', { hint: 'pass --yes to apply the changes above, or --dry-run to only show them' });
    }
    if (dirty.length > 0) say(ctx, paint.warn(`! uncommitted changes in ${dirty.join(', ')}; obs edits them in place.`));
    if (plan.untrack.length > 0 && !(await prompter.confirm(`Stop tracking ${plan.untrack.join(', ')} in git (git rm --cached; the file stays on disk)?`, true))) {
      say(ctx, 'Nothing was written: obs never writes secrets into a file git tracks.');
      return finish(1);
    }
    if (!(await prompter.confirm('Apply these changes?', true))) {
      say(ctx, 'Nothing was written.');
      return finish(0);
    }
  } else if (dirty.length > 0) {
    say(ctx, paint.warn(`! uncommitted changes in ${dirty.join(', ')}; proceeding because of --yes.`));
  }

  const requests = writeRequestsFor(root, changes, targets);
  await applyFileChanges({
    root,
    command: 'obs init',
    writes: requests,
    untrack: plan.untrack,
    composeFiles: snapshot.compose.map((f) => f.path),
    git: found.git,
    reads: found.reads,
  });
  result.applied = true;

  say(ctx, paint.ok(`Wrote ${changes.length} file(s).`));
  if (plan.untrack.length > 0) say(ctx, `Stopped tracking ${plan.untrack.join(', ')} in git; commit that removal.`);
  say(ctx, 'Next:');
  for (const step of result.nextSteps) say(ctx, `  - ${step}`);
  return finish(0);
}
