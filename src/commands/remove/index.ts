import { composeCommand } from '../../compose/discover.js';
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { outputStream, say, type Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import { OBS_CONFIG_FILE, parseObsConfig } from '../../config/obs-config.js';
import { parseDotenv } from '../../dotenv/index.js';
import { applyFileChanges, pendingApply, recoverInterruptedApply } from '../../io/atomic-write.js';
import { unifiedDiff } from '../../io/diff.js';
import { gitInfo } from '../../io/git.js';
import { STAGING_DIR } from '../../io/journal.js';
import { resolveWriteTargets, writeRequestsFor } from '../../io/write-targets.js';
import { changedOnly } from '../../plan/file-change.js';
import { composeDockerfileOf, readServiceSources } from '../../project/app-sources.js';
import { discover } from '../../project/discover.js';
import type { ServiceSources } from '../../project/snapshot.js';
import { redactDiff } from '../../secrets/redact.js';
import { serviceDirOf } from '../../project/service-dir.js';
import { changeAction, painter, renderDiffs } from '../../io/paint.js';
import type { RemoveOptions } from './options.js';
import { planRemove } from './plan.js';
import { removeNoteText } from './render.js';

/** discover -> plan -> show -> apply -> report, like init: only the last two steps write. */
export async function runRemove(ctx: Context, options: RemoveOptions): Promise<number> {
  const root = resolve(ctx.cwd, options.dir ?? '.');
  // An apply a crash interrupted (maybe this very command) is finished or rolled back first.
  let recovered = false;
  if (!options.dryRun) {
    // Left staging counts too: a run killed while cleaning up had already written everything.
    recovered = (await pendingApply(root)) !== undefined || (await stat(join(root, STAGING_DIR)).catch(() => undefined)) !== undefined;
    const message = await recoverInterruptedApply(root, () => gitInfo(root));
    if (message) say(ctx, `obs: ${message}`);
    recovered ||= Boolean(message);
  } else if (await pendingApply(root)) {
    say(ctx, 'obs: an earlier obs run was interrupted while writing this project; obs remove without --dry-run finishes or rolls it back.');
  }
  const configText = await readFile(join(root, OBS_CONFIG_FILE), 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return undefined;
    throw new UsageError(`cannot read ${OBS_CONFIG_FILE}: ${err.message}`, { file: OBS_CONFIG_FILE });
  });
  // The interrupted run was an obs remove that is now finished.
  if (configText === undefined && recovered) {
    say(ctx, `obs: no ${OBS_CONFIG_FILE} left: the interrupted obs remove is complete.`);
    return 0;
  }
  if (configText === undefined) {
    throw new UsageError(`no ${OBS_CONFIG_FILE} in ${root}: obs remove undoes what obs init recorded there, so there is nothing to remove`);
  }
  const recordedFiles = parseObsConfig(configText).compose.files;
  const explicit = options.file && options.file.length > 0 ? options.file : recordedFiles;
  const found = await discover(root, explicit);
  const { snapshot, project } = found;
  const previous = found.previous!;
  ctx.secrets.addFromTexts([...snapshot.compose.map((f) => f.text), snapshot.dotenv?.text, snapshot.dotenvExample?.text, ...[...snapshot.envFiles.values()].map((f) => f?.text)]);
  const paint = await painter(ctx);
  say(ctx, paint.bold(`obs remove: ${root} (${snapshot.compose.map((f) => f.path).join(' + ')})`));
  for (const note of found.notes) say(ctx, `- ${note}`);

  // Each recorded service's app files, read the way init reads them.
  const apps = new Map<string, { dir: string; files: ServiceSources }>();
  for (const [name, entry] of Object.entries(previous.services)) {
    const service = project.services.find((s) => s.name === name);
    if (!service) continue;
    const profile = snapshot.profiles?.get(name);
    const dir = serviceDirOf(snapshot.projectDir, service, profile);
    if (dir === undefined) continue;
    apps.set(name, { dir, files: readServiceSources(found.folders, found.root, dir, entry.stack as never, undefined, service, composeDockerfileOf(service, profile?.appDir)) });
  }
  const plan = planRemove({ snapshot, previous, project, apps });
  const changes = changedOnly(plan.changes);
  const targets = resolveWriteTargets(
    root,
    changes.map((c) => c.path),
    options.file ?? [],
  );
  // Values the user filled into .env are secrets: masked in every diff.
  const dotenvValues = snapshot.dotenv ? parseDotenv(snapshot.dotenv.text, snapshot.dotenv.path).entries.flatMap((e) => (e.value ? [e.value] : [])) : [];
  const diffs = new Map(changes.map((c) => [c, redactDiff(unifiedDiff(c), c, dotenvValues)]));
  const notes = plan.notes.map((note) => ({ ...note, message: removeNoteText(note) }));
  const result = {
    schemaVersion: 1,
    command: 'remove',
    directory: root,
    composeFiles: snapshot.compose.map((f) => f.path),
    dryRun: options.dryRun === true,
    applied: false,
    changes: changes.map((c) => ({ path: c.path, action: changeAction(c), diff: diffs.get(c)! })),
    removedValues: plan.removedValues,
    restoredValues: plan.restoredValues,
    removedServices: plan.removedServices,
    removedPackages: plan.removedPackages,
    notes,
  };
  const finish = (code: number) => {
    if (options.json) ctx.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return code;
  };

  // The diff is the output, on stdout (a patch `git apply` takes); people read the rest on stderr.
  const output = outputStream(ctx, options.json);
  say(ctx);
  output.stream.write(renderDiffs([...diffs.values()], output.color === ctx.color ? paint : await painter(ctx, output.color)));
  say(ctx);
  if (notes.length > 0) ctx.stderr.write(notes.map((n) => `${paint.warn(`! ${n.message}`)}\n`).join(''));
  say(ctx, `${changes.length} file(s) to change: ${changes.map((c) => `${c.path} (${changeAction(c)})`).join(', ')}`);
  if (options.dryRun) {
    say(ctx, 'Dry run: nothing was written.');
    return finish(0);
  }

  const interactive = ctx.interactive && !options.yes;
  const dirty = await found.git.uncommitted(changes.map((c) => c.path));
  if (!options.yes) {
    if (!interactive) throw new UsageError('obs remove needs a yes to write these files', { hint: 'pass --yes to apply the changes above, or --dry-run to only show them' });
    const { confirm } = await import('@inquirer/prompts');
    if (dirty.length > 0) say(ctx, paint.warn(`! uncommitted changes in ${dirty.join(', ')}; obs edits them in place.`));
    if (!(await confirm({ message: 'Remove what obs added?', default: true }, { input: ctx.stdin, output: ctx.stderr, clearPromptOnDone: false }))) {
      say(ctx, 'Nothing was written.');
      return finish(0);
    }
  } else if (dirty.length > 0) {
    say(ctx, paint.warn(`! uncommitted changes in ${dirty.join(', ')}; proceeding because of --yes.`));
  }

  await applyFileChanges({
    root,
    command: 'obs remove',
    writes: writeRequestsFor(root, changes, targets),
    untrack: [],
    composeFiles: snapshot.compose.map((f) => f.path),
    git: found.git,
    reads: found.reads,
  });
  result.applied = true;
  say(ctx, paint.ok(`Changed ${changes.length} file(s): what obs added is gone.`));
  // The lock step and rebuild per manifest, as init names them (with -f when compose would not find the files itself).
  const compose = composeCommand(snapshot.compose.map((f) => f.path));
  for (const { file, commands } of plan.removedPackages) {
    say(ctx, `Next: reinstall without what obs added to ${file}: ${commands.map((c) => c.replace(/^docker compose /, `${compose} `)).join(', then ')}`);
  }
  return finish(0);
}
