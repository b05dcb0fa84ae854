import { readRegularTextSync } from '../io/read-regular.js';
import { isAbsolute, join, resolve } from 'node:path';

/**
 * The AWS shared config and credentials files, read offline the way the SDK reads them: never the
 * SDK provider chain, which may reach the EC2 metadata endpoint.
 */

export type IniSections = Map<string, Map<string, string>>;

/** INI as the AWS SDKs read it: `[section]`, `key = value`, `#`/`;` comment lines; indented sub-settings ignored. */
export function parseAwsIni(text: string): IniSections {
  const sections: IniSections = new Map();
  let current: Map<string, string> | undefined;
  for (const raw of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[([^\]]*)\]/.exec(line);
    if (section) {
      const name = section[1]!.trim().replace(/\s+/g, ' ');
      current = sections.get(name) ?? new Map();
      sections.set(name, current);
      continue;
    }
    if (!current || /^\s/.test(raw)) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    current.set(line.slice(0, eq).trim().toLowerCase(), line.slice(eq + 1).trim());
  }
  return sections;
}

export interface SharedFile {
  /** As shown to users: `~/.aws/credentials` or the path from the variable. */
  display: string;
  sections?: IniSections;
}

export interface AwsProfile {
  name: string;
  /** How the profile supplies credentials, or undefined when it has none. */
  credentials?: { how: string; where: string; verifiable: boolean };
  /** Static keys written with an empty value. */
  emptyKeys?: string;
  region?: { value: string; where: string };
  /** The profile is in neither file. */
  missing: boolean;
}

function expandHome(path: string, home: string | undefined): string {
  if (home && (path === '~' || path.startsWith('~/'))) return join(home, path.slice(1));
  return isAbsolute(path) ? path : resolve(path);
}

async function readShared(envPath: string | undefined, home: string | undefined, fallback: string): Promise<SharedFile> {
  const display = envPath?.trim() ? envPath.trim() : `~/.aws/${fallback}`;
  const path = envPath?.trim() ? expandHome(envPath.trim(), home) : home ? join(home, '.aws', fallback) : undefined;
  if (!path) return { display };
  try {
    // Regular files only: a FIFO at AWS_CONFIG_FILE would block doctor (it counts as unreadable).
    const text = readRegularTextSync(path, display);
    return text === undefined ? { display } : { display, sections: parseAwsIni(text) };
  } catch {
    return { display };
  }
}

export async function readSharedFiles(env: NodeJS.ProcessEnv): Promise<{ credentials: SharedFile; config: SharedFile }> {
  const home = env.HOME || env.USERPROFILE || undefined;
  const [credentials, config] = await Promise.all([
    readShared(env.AWS_SHARED_CREDENTIALS_FILE, home, 'credentials'),
    readShared(env.AWS_CONFIG_FILE, home, 'config'),
  ]);
  return { credentials, config };
}

/** The profiles the shared files define: `[profile x]` and `[default]` in config, `[x]` in credentials. */
export function profileNames(files: { credentials: SharedFile; config: SharedFile }): string[] {
  const names = new Set<string>();
  for (const section of files.config.sections?.keys() ?? []) {
    if (section === 'default') names.add(section);
    else if (section.startsWith('profile ')) names.add(section.slice('profile '.length).trim());
  }
  for (const section of files.credentials.sections?.keys() ?? []) names.add(section);
  return [...names].sort();
}

/** What a profile in the shared files provides: the credentials file wins key by key, as in the SDK. */
export function resolveProfile(name: string, files: { credentials: SharedFile; config: SharedFile }): AwsProfile {
  const fromCredentials = files.credentials.sections?.get(name);
  const fromConfig = files.config.sections?.get(`profile ${name}`) ?? (name === 'default' ? files.config.sections?.get('default') : undefined);
  const profile: AwsProfile = { name, missing: !fromCredentials && !fromConfig };
  const get = (key: string): { value: string; where: string } | undefined => {
    const a = fromCredentials?.get(key);
    if (a !== undefined) return { value: a, where: files.credentials.display };
    const b = fromConfig?.get(key);
    return b === undefined ? undefined : { value: b, where: files.config.display };
  };
  const id = get('aws_access_key_id');
  const secret = get('aws_secret_access_key');
  if (id && secret && id.value !== '' && secret.value !== '') {
    profile.credentials = { how: 'static keys', where: id.where, verifiable: true };
  } else if (id || secret) {
    profile.emptyKeys = !id || id.value === '' ? 'aws_access_key_id' : 'aws_secret_access_key';
  }
  if (!profile.credentials) {
    const other: [string, string][] = [
      ['role_arn', 'an assumed role'],
      ['credential_process', 'credential_process'],
      ['sso_session', 'SSO'],
      ['sso_start_url', 'SSO'],
      ['web_identity_token_file', 'web identity'],
    ];
    for (const [key, how] of other) {
      const found = get(key);
      if (found && found.value !== '') {
        profile.credentials = { how, where: found.where, verifiable: false };
        delete profile.emptyKeys;
        break;
      }
    }
  }
  const region = get('region');
  if (region && region.value !== '') profile.region = region;
  return profile;
}
