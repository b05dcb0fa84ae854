import { UsageError } from '../../errors.js';
import { RETENTION_DAYS } from './choices.js';

/** X-Ray GroupName: 1-32 characters; the console allows letters, digits and dashes; `Default` is reserved. */
export function validateXrayGroupName(name: string, flag = '--xray-group'): string {
  if (name.length < 1 || name.length > 32) throw new UsageError(`${flag} must be 1 to 32 characters, got ${name.length}`);
  if (!/^[A-Za-z0-9-]+$/.test(name)) throw new UsageError(`${flag} may contain only letters, digits and dashes: ${JSON.stringify(name)}`);
  if (name === 'Default') throw new UsageError(`${flag} cannot be "Default": X-Ray reserves that name`);
  return name;
}

/** CloudWatch log group name: 1-512 of [.-_/#A-Za-z0-9], not starting with aws/. */
export function validateLogGroupName(name: string, flag = '--log-group'): string {
  if (name.length < 1 || name.length > 512) throw new UsageError(`${flag} must be 1 to 512 characters`);
  if (!/^[.\-_/#A-Za-z0-9]+$/.test(name)) throw new UsageError(`${flag} may contain only letters, digits and . - _ / #: ${JSON.stringify(name)}`);
  if (name.startsWith('aws/')) throw new UsageError(`${flag} cannot start with "aws/": AWS reserves that prefix`);
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

/** `cruddur` -> `Cruddur`: a valid X-Ray group name from the compose project name. */
export function defaultGroupName(projectName: string): string {
  const cleaned = projectName.replace(/[^A-Za-z0-9-]/g, '-').replace(/^-+|-+$/g, '').slice(0, 32) || 'app';
  const name = cleaned[0]!.toUpperCase() + cleaned.slice(1);
  return name === 'Default' ? 'Default-app' : name;
}
