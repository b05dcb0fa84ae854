import { accessSync, constants, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { loadSharedConfigFiles } from '@smithy/shared-ini-file-loader';

/**
 * The AWS shared config and credentials files, read offline by the SDK's own loader
 * (@smithy/shared-ini-file-loader, what the SDK clients resolve profiles with), so doctor,
 * apply and the SDK agree on what a profile holds. Never the SDK provider chain, which may
 * reach the EC2 metadata endpoint.
 */

/** Profile name (config: `[profile x]` and `[default]` already named x and default) -> settings. */
export type IniSections = Map<string, Map<string, string>>;

/** Sections the SDK keeps that are not profiles: `[sso-session x]`, `[services x]`. */
const NOT_PROFILES = /^(sso-session|services|profile)\./;

function sectionsOf(parsed: Record<string, Record<string, string | undefined>>): IniSections {
  const sections: IniSections = new Map();
  for (const [name, values] of Object.entries(parsed)) {
    if (NOT_PROFILES.test(name)) continue;
    sections.set(name, new Map(Object.entries(values).filter((e): e is [string, string] => e[1] !== undefined)));
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

/** Where a shared file is: the variable's path, else ~/.aws/<fallback>. */
function sharedPath(envPath: string | undefined, home: string | undefined, fallback: string): { display: string; path?: string } {
  const display = envPath?.trim() ? envPath.trim() : `~/.aws/${fallback}`;
  const path = envPath?.trim() ? expandHome(envPath.trim(), home) : home ? join(home, '.aws', fallback) : undefined;
  return path === undefined ? { display } : { display, path };
}

/** A regular file obs can read: a FIFO at AWS_CONFIG_FILE would block doctor (it counts as unreadable). */
function readable(path: string | undefined): path is string {
  try {
    if (path === undefined || !statSync(path).isFile()) return false;
    accessSync(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

export async function readSharedFiles(env: NodeJS.ProcessEnv): Promise<{ credentials: SharedFile; config: SharedFile }> {
  const home = env.HOME || env.USERPROFILE || undefined;
  const credentials = sharedPath(env.AWS_SHARED_CREDENTIALS_FILE, home, 'credentials');
  const config = sharedPath(env.AWS_CONFIG_FILE, home, 'config');
  const hasCredentials = readable(credentials.path);
  const hasConfig = readable(config.path);
  // A file left out is given as a path that cannot exist: the loader reads it as empty.
  const nowhere = join(home ?? '/', '.aws', '\0obs-not-read');
  const loaded = await loadSharedConfigFiles({
    filepath: hasCredentials ? credentials.path : nowhere,
    configFilepath: hasConfig ? config.path : nowhere,
    ignoreCache: true,
  });
  return {
    credentials: { display: credentials.display, ...(hasCredentials ? { sections: sectionsOf(loaded.credentialsFile) } : {}) },
    config: { display: config.display, ...(hasConfig ? { sections: sectionsOf(loaded.configFile) } : {}) },
  };
}

/** The profiles the shared files define: `[profile x]` and `[default]` in config, `[x]` in credentials. */
export function profileNames(files: { credentials: SharedFile; config: SharedFile }): string[] {
  const names = new Set<string>();
  for (const section of files.config.sections?.keys() ?? []) names.add(section);
  for (const section of files.credentials.sections?.keys() ?? []) names.add(section);
  return [...names].sort();
}

/** What a profile in the shared files provides: the credentials file wins key by key, as in the SDK. */
export function resolveProfile(name: string, files: { credentials: SharedFile; config: SharedFile }): AwsProfile {
  const fromCredentials = files.credentials.sections?.get(name);
  const fromConfig = files.config.sections?.get(name);
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
