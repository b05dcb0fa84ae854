import { UsageError } from '../../errors.js';
import { RETENTION_DAYS } from '../../aws/retention.js';
import { validateGroup } from '../../aws/xray-group.js';
import { validateLogGroup } from '../../aws/log-group.js';

/** The same rules `obs xray create-group` applies, here for --xray-group. */
export function validateXrayGroupName(name: string, flag = '--xray-group'): string {
  validateGroup({ name, tags: new Map() }, () => flag);
  return name;
}

/** The same rules `obs logs create-group` applies, here for --log-group. */
export function validateLogGroupName(name: string, flag = '--log-group'): string {
  validateLogGroup({ name, tags: new Map() }, () => flag);
  return name;
}

export function parseRetention(value: string, flag = '--retention'): number {
  const days = Number(value);
  if (!Number.isInteger(days) || !(RETENTION_DAYS as readonly number[]).includes(days)) {
    throw new UsageError(`${flag} must be one of ${RETENTION_DAYS.join(', ')} (days), got ${JSON.stringify(value)}`);
  }
  return days;
}

export function validateDataset(name: string): string {
  if (!/^[A-Za-z0-9._-][A-Za-z0-9 ._-]{0,254}$/.test(name)) throw new UsageError(`--honeycomb-dataset has characters a header cannot carry: ${JSON.stringify(name)}`);
  return name;
}

const GROUP_NAME_MAX = 32;

/**
 * `cruddur` -> `Cruddur`: a valid X-Ray group name (1-32 letters, digits, dashes) from the compose
 * project name. Runs of other characters become one dash; a longer name is cut at the last word
 * boundary that fits (`omenking__aws-bootcamp-cruddur-2023__week2` -> `Omenking-aws-bootcamp-cruddur`),
 * not mid-word, unless that would leave less than half of it.
 */
export function defaultGroupName(projectName: string): string {
  const dashed = projectName.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  const boundary = dashed.length > GROUP_NAME_MAX ? dashed.lastIndexOf('-', GROUP_NAME_MAX) : -1;
  const cut = dashed.length <= GROUP_NAME_MAX ? dashed : boundary >= GROUP_NAME_MAX / 2 ? dashed.slice(0, boundary) : dashed.slice(0, GROUP_NAME_MAX);
  const cleaned = cut.replace(/-+$/, '') || 'app';
  const name = cleaned[0]!.toUpperCase() + cleaned.slice(1);
  return name === 'Default' ? 'Default-app' : name;
}
