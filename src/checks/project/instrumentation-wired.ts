import { posix, resolve } from 'node:path';
import { wiringProblems } from '../../instrument/wiring.js';
import { FolderReader } from '../../io/folder-reader.js';
import { composeDockerfileOf, readServiceSources } from '../../project/app-sources.js';
import { profileOf } from '../../project/discover.js';
import { appMountTargets } from '../../project/service-dir.js';
import type { Stack } from '../../stacks/detect.js';
import type { Check } from '../types.js';
import { serviceEnv } from './lib/env.js';
import { composeOrWhy, fail, report, skipped, warn, type Issue } from './lib/report.js';

const WIRED_STACKS = new Set(['flask', 'node', 'rails', 'react']);

/**
 * The OTEL_* variables obs sets send nothing unless the app loads an SDK: for each service in
 * obs.yaml, its module is there and runs (Flask: init_observability(app) is called; Node:
 * NODE_OPTIONS preloads tracing.cjs, which exists; Rails: the initializer; React: the tracing
 * module is the entry's first import) and the manifest declares the packages it loads.
 */
export const instrumentationWiredCheck: Check = {
  id: 'instrumentation-wired',
  title: 'The instrumentation is installed and loaded',
  group: 'otel',
  run(project) {
    const ready = composeOrWhy(project);
    if ('why' in ready) return skipped(this, ready.why);
    const services = Object.entries(project.obsConfig?.services ?? {});
    if (services.length === 0) return skipped(this, 'no services in obs.yaml');
    const folders = new FolderReader();
    const issues: Issue[] = [];
    const judged: string[] = [];
    // Services built from one folder share one module: judged once, under the first one's name.
    const seen = new Set<string>();
    for (const [name, { stack }] of services) {
      if (!WIRED_STACKS.has(stack)) continue;
      const service = ready.compose.services.find((s) => s.name === name);
      const context = service?.config.buildContext;
      if (!service || !context || /^[a-z][a-z0-9+.-]*:\/\//i.test(context)) continue;
      const contextDir = posix.normalize(posix.join(project.projectDir || '.', context.split('\\').join('/')));
      const profile = readSafely(() => profileOf(folders, resolve(project.root, contextDir), service.config));
      if (!profile) continue;
      if (profile.role !== 'app') continue;
      const dir = posix.normalize(posix.join(contextDir, profile.appDir)).replace(/^\.\/?$/, '');
      if (seen.has(`${dir}\0${stack}`)) {
        judged.push(name);
        continue;
      }
      seen.add(`${dir}\0${stack}`);
      const command = service.config.command;
      const dockerfileName = composeDockerfileOf(service, profile.appDir);
      const files = readSafely(() => readServiceSources(folders, project.root, dir, stack as Stack, undefined, service, dockerfileName));
      // A build context that is not here (another checkout, a generated folder) says nothing.
      if (!files || files.size === 0) continue;
      const problems = wiringProblems({
        stack,
        serviceName: name,
        serviceDir: dir,
        files,
        // env_file values count too (compose's environment wins over them).
        environment: new Map([...serviceEnv(project, name)].map(([key, entry]) => [key, entry.value] as [string, string | null])),
        ...(command !== undefined && command !== null ? { command: Array.isArray(command) ? command.map(String).join(' ') : String(command) } : {}),
        ...(service.config.buildTarget !== undefined ? { buildTarget: service.config.buildTarget } : {}),
        // Read the image the way init does: bind mounts of the source count as the files being there.
        appMountedAt: appMountTargets(project.projectDir, service, dir),
        ...(dockerfileName !== undefined ? { dockerfileName } : {}),
      });
      if (problems === undefined) continue;
      judged.push(name);
      for (const p of problems) issues.push(p.level === 'fail' ? fail({ file: p.file }, p.message, p.fix) : warn({ file: p.file }, p.message, p.fix));
    }
    if (judged.length === 0) return skipped(this, "no service in obs.yaml has code here that obs instruments (an app's own OpenTelemetry setup is not judged)");
    return report(this, issues, `${judged.join(', ')}: the SDK is loaded and its packages are declared`);
  },
};

/** A FIFO or device named like an app file is never read (it would block): that service is not judged. */
function readSafely<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}
