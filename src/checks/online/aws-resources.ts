import { createAwsClients } from '../../aws/clients.js';
import { describeDifference, KIND_LABEL } from '../../aws/resource.js';
import { countDeclared, desiredFromConfig, type DesiredResources } from '../../config/desired.js';
import { planDeclared } from '../../config/declared.js';
import { OBS_CONFIG_FILE } from '../../config/obs-config.js';
import { formatError, ObsError } from '../../errors.js';
import { skip, type Check, type CheckResult, type Finding } from '../types.js';

const META = { id: 'aws-resources', title: 'AWS resources in obs.yaml exist and match' };

/**
 * Looks up every X-Ray group, sampling rule and log group obs.yaml declares with the same
 * `read` + `plan` `obs apply` uses, and reports what is missing or differs. Changes nothing.
 */
export const awsResources: Check = {
  ...META,
  group: 'online',
  online: true,
  async run(project, options): Promise<CheckResult> {
    if (project.obsConfigError) return skip(META, `${OBS_CONFIG_FILE} could not be read: ${project.obsConfigError.message}`);
    if (!project.obsConfig) return skip(META, `no ${OBS_CONFIG_FILE}, so no AWS resources are declared`);
    let desired: DesiredResources;
    try {
      desired = desiredFromConfig(project.obsConfig, OBS_CONFIG_FILE);
    } catch (err) {
      return { ...META, status: 'fail', detail: err instanceof ObsError ? formatError(err) : (err as Error).message, fix: `correct ${OBS_CONFIG_FILE}, then run obs apply` };
    }
    const total = countDeclared(desired);
    if (total === 0) return skip(META, `${OBS_CONFIG_FILE} declares no X-Ray groups, sampling rules, log groups or Transaction Search`);

    const clients = createAwsClients(options.aws, options.progress);
    const planned = await planDeclared(desired, clients);

    const region = (await clients.region()) ?? 'the region of the AWS profile';
    const findings: Finding[] = [];
    let missing = 0;
    let differ = 0;
    let failed = 0;
    for (const p of planned) {
      const label = `${KIND_LABEL[p.handler.kind]} ${p.handler.name(p.desired)}`;
      if (p.failure) {
        failed++;
        findings.push({ message: `${label}: could not look it up: ${p.failure.error ?? 'unknown error'}` });
      } else if (p.change!.action === 'create') {
        missing++;
        findings.push({ message: `${label} is missing`, fix: 'obs apply' });
      } else if (p.change!.action === 'update') {
        differ++;
        const versionOnly = p.change!.differences.every((d) => d.field.startsWith('Version'));
        findings.push({
          message: `${label} differs from ${OBS_CONFIG_FILE} (AWS -> ${OBS_CONFIG_FILE}): ${p.change!.differences.map((d) => describeDifference(d)).join('; ')}`,
          fix: versionOnly ? `delete the rule (aws xray delete-sampling-rule --rule-name ${p.handler.name(p.desired)}), then obs apply` : 'obs apply',
        });
      }
    }
    if (findings.length === 0) {
      return { ...META, status: 'pass', detail: `all ${total} (${counts(desired)}) exist in ${region} and match ${OBS_CONFIG_FILE}` };
    }
    if (failed === total) {
      // The same cause for every lookup (no credentials, endpoint down): say it once.
      const first = planned[0]!.failure!;
      const same = planned.every((p) => p.failure!.error === first.error);
      if (same) return { ...META, status: 'fail', detail: `could not look up the ${total} resources in ${region}: ${first.error}` };
    }
    const parts = [missing && `${missing} missing`, differ && `${differ} differ`, failed && `${failed} could not be looked up`].filter(Boolean);
    return {
      ...META,
      status: 'fail',
      detail: `of the ${total} resources ${OBS_CONFIG_FILE} declares (${region}): ${parts.join(', ')}`,
      fix: missing || differ ? 'obs apply' : undefined,
      findings,
    };
  },
};

function counts(d: DesiredResources): string {
  const n = (count: number, one: string, many: string) => (count ? [`${count} ${count === 1 ? one : many}`] : []);
  return [
    ...n(d.groups.length, 'X-Ray group', 'X-Ray groups'),
    ...n(d.rules.length, 'sampling rule', 'sampling rules'),
    ...n(d.logGroups.length, 'log group', 'log groups'),
    ...n(d.logStreams.length, 'log stream', 'log streams'),
    ...(d.transactionSearch ? ['Transaction Search'] : []),
  ].join(', ');
}
