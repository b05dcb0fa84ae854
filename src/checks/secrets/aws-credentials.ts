import { findXrayDaemon } from '../../compose/xray-daemon.js';
import { skip, type Check, type CheckResult, type DoctorProject, type Finding } from '../types.js';
import { readSharedFiles, resolveProfile, type AwsProfile } from '../../aws/shared-files.js';
import { composeLiteral, composeMentions, composeTextWithoutComments, findValue, type FoundValue, setVariableFix } from './sources.js';

const META = { id: 'aws-credentials', title: 'AWS credentials and region' };
const REGION = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Why AWS credentials are needed, or undefined when neither X-Ray nor CloudWatch is in use. */
function awsInUse(project: DoctorProject): string | undefined {
  if (project.obsConfig?.xray.enabled) return 'X-Ray is enabled in obs.yaml';
  if (project.obsConfig?.cloudwatch.enabled) return 'CloudWatch is enabled in obs.yaml';
  const daemon = project.project ? findXrayDaemon(project.project) : undefined;
  if (daemon) return `compose runs the X-Ray daemon service ${daemon.name}`;
  if (composeMentions(project, /(?<![A-Za-z0-9_])AWS_(?:ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN|PROFILE|XRAY_[A-Z_]+)(?![A-Za-z0-9_])/)) {
    return 'compose passes AWS credentials or X-Ray settings';
  }
  if (/\bawslogs\b/.test(composeTextWithoutComments(project))) return 'compose uses the awslogs logging driver';
  return undefined;
}

const nonEmpty = (found: FoundValue | undefined): FoundValue | undefined => (found && found.value.trim() !== '' ? found : undefined);

function describeProfile(profile: AwsProfile): string {
  const c = profile.credentials!;
  return `profile ${profile.name} in ${c.where} (${c.how}${c.verifiable ? '' : ', not checked offline'})`;
}

/**
 * AWS credentials and a region are resolvable offline, with the precedence of the AWS commands:
 * credentials from --profile or AWS_PROFILE, else AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (the
 * environment, or .env that compose passes on), else the default profile in the shared files;
 * region from --region, AWS_REGION, AWS_DEFAULT_REGION, then the profile. Names where each came
 * from, never a value.
 */
export const awsCredentials: Check = {
  ...META,
  group: 'secrets',
  async run(project, options): Promise<CheckResult> {
    const why = awsInUse(project);
    if (!why) return skip(META, 'X-Ray and CloudWatch are not set up (obs.yaml enables neither; compose has no X-Ray daemon or AWS credentials)');
    const files = await readSharedFiles(project.env);
    const shared = `${files.credentials.display} or ${files.config.display}`;
    const problems: Finding[] = [];
    const warnings: Finding[] = [];
    const keysFix = `${setVariableFix(project, ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'])}, or run \`aws configure\``;

    // Credentials: --profile, then AWS_PROFILE, wins over keys in the environment, as in the SDK.
    // The environment is read here (with .env), so only the flags are taken from the settings.
    let credentials: string | undefined;
    const flagProfile = options.aws.profileSource === '--profile' ? options.aws.profile?.trim() || undefined : undefined;
    const profileName = flagProfile ?? (project.env.AWS_PROFILE?.trim() || undefined);
    const profile = resolveProfile(profileName ?? 'default', files);
    const id = findValue(project, 'AWS_ACCESS_KEY_ID');
    const secret = findValue(project, 'AWS_SECRET_ACCESS_KEY');
    const keysSet = nonEmpty(id) && nonEmpty(secret);
    if (profileName) {
      if (profile.missing) {
        problems.push({
          message: `${flagProfile ? '--profile' : 'AWS_PROFILE'} names profile ${profileName}, which is in neither ${shared}`,
          fix: `aws configure --profile ${profileName}, or ${flagProfile ? 'pass a --profile that exists' : 'unset AWS_PROFILE'}`,
        });
      } else if (!profile.credentials) {
        problems.push({ message: `profile ${profileName} has no credentials${profile.emptyKeys ? ` (${profile.emptyKeys} is missing or empty)` : ''}`, fix: `aws configure --profile ${profileName}` });
      } else credentials = describeProfile(profile);
    } else if (keysSet) {
      credentials = id!.where === secret!.where ? `AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in ${id!.where}` : `AWS_ACCESS_KEY_ID in ${id!.where}, AWS_SECRET_ACCESS_KEY in ${secret!.where}`;
    } else if (nonEmpty(id) || nonEmpty(secret)) {
      const [have, lack] = nonEmpty(id) ? [id!, 'AWS_SECRET_ACCESS_KEY'] : [secret!, 'AWS_ACCESS_KEY_ID'];
      const lackFound = lack === 'AWS_ACCESS_KEY_ID' ? id : secret;
      problems.push({
        message: `${have.name} is set in ${have.where} but ${lack} is ${lackFound ? `empty in ${lackFound.where}` : 'not set'}`,
        fix: setVariableFix(project, [lack]),
      });
    } else if (profile.credentials) {
      credentials = describeProfile(profile);
    } else if (project.env.AWS_WEB_IDENTITY_TOKEN_FILE && project.env.AWS_ROLE_ARN) {
      credentials = 'web identity (AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN, not checked offline)';
    } else if (project.env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI || project.env.AWS_CONTAINER_CREDENTIALS_FULL_URI) {
      credentials = 'the container credentials endpoint (not checked offline)';
    } else if (composeLiteral(project, 'AWS_ACCESS_KEY_ID') && composeLiteral(project, 'AWS_SECRET_ACCESS_KEY')) {
      const where = composeLiteral(project, 'AWS_ACCESS_KEY_ID')!.where;
      warnings.push({
        message: `AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are written in ${where} instead of .env, and obs itself finds no credentials`,
        fix: `move them to .env and write \${AWS_ACCESS_KEY_ID} and \${AWS_SECRET_ACCESS_KEY} in compose (see no-hardcoded-secrets)`,
      });
    } else {
      const empty = id ?? secret;
      problems.push({
        message: empty
          ? `${empty.name} is empty in ${empty.where}, and there is no default profile in ${shared}`
          : `no AWS credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set, and there is no default profile in ${shared}`,
        fix: keysFix,
      });
    }

    const credentialsProblem = problems.length > 0;

    // Region.
    let region: string | undefined;
    const flagRegion = options.aws.regionSource === '--region' ? options.aws.region : undefined;
    const regionFound = nonEmpty(findValue(project, 'AWS_REGION')) ?? nonEmpty(findValue(project, 'AWS_DEFAULT_REGION'));
    const composeRegion = nonEmpty(composeLiteral(project, 'AWS_REGION')) ?? nonEmpty(composeLiteral(project, 'AWS_DEFAULT_REGION'));
    if (flagRegion) {
      // resolveAwsSettings has already refused an invalid --region (exit 2).
      region = `region ${flagRegion} from --region`;
    } else if (regionFound) {
      const value = regionFound.value.trim();
      if (REGION.test(regionFound.value)) region = `region ${value} from ${regionFound.name} in ${regionFound.where}`;
      else {
        const shown = value.length <= 32 && REGION.test(value) ? `"${regionFound.value}" (spaces around it)` : value.length <= 32 ? JSON.stringify(value) : `(${value.length} chars)`;
        problems.push({
          message: `${regionFound.name} in ${regionFound.where} is not a valid region name: ${shown}`,
          fix: `set ${regionFound.name} to a region name such as us-east-1 in ${regionFound.where}`,
        });
      }
    } else if (profile.region) {
      if (REGION.test(profile.region.value)) region = `region ${profile.region.value} from profile ${profile.name} in ${profile.region.where}`;
      else
        problems.push({ message: `the region of profile ${profile.name} in ${profile.region.where} is not a valid region name`, fix: `aws configure set region us-east-1 --profile ${profile.name}` });
    } else if (composeRegion && REGION.test(composeRegion.value)) {
      region = `region ${composeRegion.value} from ${composeRegion.name} in ${composeRegion.where}`;
    } else {
      problems.push({
        message: `no AWS region: AWS_REGION and AWS_DEFAULT_REGION are not set, and profile ${profile.name} has no region`,
        fix: `${setVariableFix(project, ['AWS_DEFAULT_REGION'])} (e.g. us-east-1), or aws configure set region us-east-1`,
      });
    }

    // Compose hands containers the keys from the environment or .env, never from ~/.aws.
    for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION', 'AWS_DEFAULT_REGION']) {
      // `${NAME}` or `$NAME`, not `${NAME:-default}`.
      if (!new RegExp(`\\$\\{?${name}(?![A-Za-z0-9_]|:?-)`).test(composeTextWithoutComments(project))) continue;
      if (nonEmpty(findValue(project, name))) continue;
      // Already reported: no credentials, or no region at all.
      const isRegion = name === 'AWS_REGION' || name === 'AWS_DEFAULT_REGION';
      if (isRegion ? !flagRegion && !regionFound && !profile.region && !composeRegion : credentialsProblem) continue;
      warnings.push({ message: `compose passes \${${name}} to containers, but it is not set in the environment or .env`, fix: setVariableFix(project, [name]) });
    }

    const found = [credentials && `credentials from ${credentials}`, region].filter(Boolean).join('; ');
    if (problems.length > 0 || warnings.length > 0) {
      const all = [...problems, ...warnings];
      const detail = all.length === 1 ? all[0]!.message : `${all.length} problems; AWS is needed because ${why}`;
      return {
        ...META,
        status: problems.length > 0 ? 'fail' : 'warn',
        detail: found ? `${detail}; ${found}` : detail,
        fix: all[0]!.fix,
        ...(all.length > 1 ? { findings: all } : {}),
      };
    }
    return { ...META, status: 'pass', detail: found };
  },
};
