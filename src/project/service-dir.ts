import { posix } from 'node:path';
import type { ComposeService } from '../compose/project.js';
import type { ServiceProfile } from '../stacks/service-profile.js';

/**
 * The folder of a service's app as a posix path relative to where obs runs: its build context,
 * or the folder in it that the Dockerfile copies the manifest from (`profile.appDir`).
 */
export function serviceDirOf(projectDir: string, service: ComposeService, profile?: Pick<ServiceProfile, 'appDir'>): string | undefined {
  const context = service.config.buildContext;
  if (context === undefined || /^[a-z][a-z0-9+.-]*:\/\//i.test(context)) return undefined; // a git URL is not ours to edit
  return posix.normalize(posix.join(projectDir || '.', context.split('\\').join('/'), profile?.appDir ?? '')).replace(/^\.\/?$/, '');
}

/**
 * Where a bind mount shows the app's folder in the container (absolute, posix): `./:/app` on a
 * service whose app is the project folder gives /app; `.:/srv` with the app in `api/` gives
 * /srv/api. `appDir` is serviceDirOf's result ('' for where obs runs); sources are resolved
 * against the compose project folder. Absolute and `~` sources (another machine's paths) count not.
 */
export function appMountTargets(projectDir: string, service: ComposeService, appDir: string): string[] {
  const app = appDir === '' ? '.' : appDir;
  const out: string[] = [];
  for (const { source, target } of service.config.bindMounts ?? []) {
    if (!source.startsWith('.') || source.includes('$') || !target.startsWith('/')) continue;
    const from = posix.normalize(posix.join(projectDir || '.', source.split('\\').join('/'))).replace(/\/$/, '');
    const inside = from === app ? '' : from === '.' ? app : app.startsWith(`${from}/`) ? app.slice(from.length + 1) : undefined;
    if (inside === undefined) continue;
    out.push(posix.normalize(inside === '' ? target : `${target}/${inside}`).replace(/(.)\/$/, '$1'));
  }
  return out;
}
