import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STSClient } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { readSharedFiles, resolveProfile } from '../../src/aws/shared-files.js';

/*
 * obs reads the shared files offline (doctor's aws-credentials check, apply's profile check); the
 * SDK client reads them when apply calls AWS. Each case is a file where a hand-written INI reader
 * and the SDK used to disagree: obs must see what the real SDK client resolves.
 */
const CASES: { name: string; profile: string; config?: string; credentials?: string }[] = [
  { name: 'inline comment after a value', profile: 'default', config: '[default]\nregion = eu-west-1 # prod\n' },
  { name: 'two spaces in a section name', profile: 'x', config: '[profile  x]\nregion = eu-west-2\n[profile y]\nregion = us-east-2\n' },
  { name: 'keys in capitals', profile: 'default', credentials: '[default]\nAWS_ACCESS_KEY_ID = AKIAEXAMPLEEXAMPLE12\nAWS_SECRET_ACCESS_KEY = abc\n' },
  {
    name: 'credentials win key by key',
    profile: 'p',
    config: '[profile p]\nregion = ap-south-1\naws_access_key_id = AKIACONFIGCONFIG1234\naws_secret_access_key = fromconfig\n',
    credentials: '[p]\naws_access_key_id = AKIACREDSCREDSCREDS1\naws_secret_access_key = fromcreds\n',
  },
  { name: 'profile default beside default', profile: 'default', config: '[default]\nregion = us-west-1\n[profile default]\nregion = us-west-2\n' },
  { name: 'an sso-session is not a profile', profile: 's', config: '[sso-session s]\nregion = eu-north-1\n' },
];

async function sdkView(env: Record<string, string>, profile: string): Promise<{ region?: string; keyId?: string }> {
  const saved = { ...process.env };
  Object.assign(process.env, env, { AWS_EC2_METADATA_DISABLED: 'true' });
  for (const name of ['AWS_PROFILE', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) delete process.env[name];
  try {
    const client = new STSClient({ profile });
    const region = await client.config.region().catch(() => undefined);
    const credentials = await client.config.credentials().catch(() => undefined);
    return { ...(region ? { region } : {}), ...(credentials ? { keyId: credentials.accessKeyId } : {}) };
  } finally {
    process.env = saved;
  }
}

describe('AWS shared files, read as the SDK reads them', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const dir = await mkdtemp(join(tmpdir(), 'obs-aws-ini-'));
      const env = { HOME: dir, AWS_CONFIG_FILE: join(dir, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials') };
      if (c.config !== undefined) await writeFile(env.AWS_CONFIG_FILE, c.config);
      if (c.credentials !== undefined) await writeFile(env.AWS_SHARED_CREDENTIALS_FILE, c.credentials);
      const ours = resolveProfile(c.profile, await readSharedFiles(env));
      const sdk = await sdkView(env, c.profile);
      expect(ours.region?.value).toBe(sdk.region);
      // obs says "static keys" exactly when the SDK gets keys from the files.
      expect(ours.credentials?.how === 'static keys').toBe(sdk.keyId !== undefined);
    });
  }

  it('a FIFO named by AWS_CONFIG_FILE is not read (it would block)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'obs-aws-ini-'));
    const { execFileSync } = await import('node:child_process');
    execFileSync('mkfifo', [join(dir, 'config')]);
    const files = await readSharedFiles({ HOME: dir, AWS_CONFIG_FILE: join(dir, 'config') });
    expect(files.config.sections).toBeUndefined();
  });
});
