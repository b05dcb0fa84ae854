import { UsageError } from '../errors.js';
import { profileNames, readSharedFiles, resolveProfile } from './shared-files.js';
import type { AwsSettings } from './settings.js';

/**
 * A named profile must exist in ~/.aws/config or ~/.aws/credentials (or the files
 * AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE name). The SDK would only fail later with
 * "no credentials" or "no region", which sends the user looking in the wrong place; the AWS CLI
 * refuses it up front too. Bad usage (exit 2), before any AWS call. Reads the two small files
 * only when a profile is named.
 */
export async function assertProfileExists(settings: AwsSettings, env: NodeJS.ProcessEnv): Promise<void> {
  const name = settings.profile;
  if (name === undefined) return;
  const files = await readSharedFiles(env);
  if (!resolveProfile(name, files).missing) return;
  const describe = (variable: 'AWS_CONFIG_FILE' | 'AWS_SHARED_CREDENTIALS_FILE', file: { display: string; sections?: unknown }) => {
    const fromVariable = Boolean(env[variable]?.trim());
    const notes = [...(fromVariable ? [variable] : []), ...(file.sections === undefined && fromVariable ? ['no such file'] : [])];
    return notes.length ? `${file.display} (${notes.join(', ')})` : file.display;
  };
  const names = profileNames(files);
  const found =
    names.length > 0 ? `profiles there: ${names.join(', ')}` : files.config.sections === undefined && files.credentials.sections === undefined ? 'neither file exists' : 'neither has a profile';
  const flag = settings.profileSource === 'AWS_PROFILE' ? `AWS_PROFILE=${name}` : `--profile ${name}`;
  throw new UsageError(`${flag}: no such AWS profile in ${describe('AWS_CONFIG_FILE', files.config)} or ${describe('AWS_SHARED_CREDENTIALS_FILE', files.credentials)}; ${found}`, {
    hint: `create it with aws configure --profile ${name}, or pick one that exists`,
  });
}
