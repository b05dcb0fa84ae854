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
