import { readRegularTextSync } from '../../io/read-regular.js';
import { join, resolve } from 'node:path';
import { createAwsClients } from '../../aws/clients.js';
import type { AwsOptions } from '../../aws/options.js';
import { reportOutcomes } from '../../aws/render.js';
import { describeDifference, KIND_LABEL } from '../../aws/resource.js';
import { assertProfileExists } from '../../aws/profile.js';
import { resolveAwsSettings } from '../../aws/settings.js';
import { OBS_CONFIG_FILE, parseObsConfig } from '../../config/obs-config.js';
import { outputStream, say, type Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import { countDeclared, desiredFromConfig } from '../../config/desired.js';
import { applyInStages, planDeclared } from '../../config/declared.js';
import { readProjectDotenv } from '../../project/dotenv-values.js';
import { secretsInEnvironment } from '../../secrets/redact.js';

export interface ApplyOptions extends AwsOptions {
  dir?: string;
}

/**
 * Everything obs.yaml declares, planned first (every lookup in parallel), shown, then applied
 * (every change in parallel: the resources do not depend on each other). A re-run after a
 * partial failure finishes the job, since what exists is found and left alone.
 */
export async function runApply(ctx: Context, options: ApplyOptions): Promise<number> {
  const root = resolve(ctx.cwd, options.dir ?? '.');
  resolveAwsSettings(options, ctx.env); // bad flags first, before any file is read
  let text: string | undefined;
  try {
    text = readRegularTextSync(join(root, OBS_CONFIG_FILE), OBS_CONFIG_FILE);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`cannot read it: ${(err as Error).message}`, { file: OBS_CONFIG_FILE });
  }
  if (text === undefined) throw new UsageError(`no ${OBS_CONFIG_FILE} in ${root}`, { hint: 'run obs init first, or pass --dir' });
  const desired = desiredFromConfig(parseObsConfig(text, OBS_CONFIG_FILE), OBS_CONFIG_FILE);
  // Keys and region the user put in .env for compose count here too (process environment first).
  const dotenv = await readProjectDotenv(root);
  ctx.secrets.add(secretsInEnvironment(dotenv.values ?? []));
  if (dotenv.warning) say(ctx, `obs apply: ${dotenv.warning}`);
  const settings = resolveAwsSettings(options, ctx.env, dotenv.values);
  await assertProfileExists(settings, ctx.env);
  if (countDeclared(desired) === 0) {
    say(ctx, `${OBS_CONFIG_FILE} declares no AWS resources (X-Ray and CloudWatch Logs are off); nothing to do.`);
    return reportOutcomes(ctx, 'apply', [], settings.region, options);
  }
  const clients = createAwsClients(settings, (line) => say(ctx, line));
  const planned = await planDeclared(desired, clients);

  // The lookups made the clients: a region the SDK took from the profile is known now, at no cost.
  const region = await clients.region();
  const fromProfile = settings.region ? '' : `, from ${settings.profile ? `profile ${settings.profile}` : 'the default profile'}`;
  const fromDotenv = settings.region && settings.regionSource.endsWith(' in .env') ? `, from ${settings.regionSource}` : '';
  const credentials = settings.credentialsSource ? `; credentials from ${settings.credentialsSource}` : '';
  // The plan and the result are the output (stdout); progress and notes stay on stderr.
  const out = outputStream(ctx, options.json).stream;
  const show = (line = '') => out.write(`${line}\n`);
  show(`Plan (${region ? `${region}${fromProfile}${fromDotenv}` : 'region from the AWS profile'}${credentials}):`);
  // A dry run's outcomes are the plan ("would create ..."), with ARNs and lookup errors: shown once, below.
  if (!options.dryRun) {
    for (const p of planned) {
      const name = `${KIND_LABEL[p.handler.kind]} ${p.handler.name(p.desired)}`;
      if (p.failure) show(`  ? ${name}: lookup failed`);
      else {
        const lines = [...p.change!.differences.map((d) => describeDifference(d, p.change!.action)), ...(p.change!.detail ? [p.change!.detail] : [])];
        show(`  ${p.change!.action.padEnd(9)} ${name}${lines.map((line) => `\n              ${line}`).join('')}`);
      }
    }
    show();
  }

  const update = options.update !== false;
  const outcomes = await applyInStages(planned, clients, { dryRun: options.dryRun === true, update });
  const code = reportOutcomes(ctx, 'apply', outcomes, region, options);
  const count = (status: string) => outcomes.filter((o) => o.status === status).length;
  show(
    options.dryRun
      ? `Dry run: ${count('planned')} to change, ${count('unchanged')} unchanged, ${update ? '' : `${count('drift')} drifted, `}${count('failed')} failed; nothing was changed.`
      : `${count('created')} created, ${count('updated')} updated, ${count('unchanged')} unchanged, ${count('drift')} drifted, ${count('failed')} failed.`,
  );
  return code;
}
