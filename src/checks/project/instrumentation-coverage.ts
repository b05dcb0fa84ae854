import { readRegularTextSync } from '../../io/read-regular.js';
import { join, posix } from 'node:path';
import { coverageFiles, uncoveredLibraries } from '../../instrument/coverage.js';
import { imageRequirements } from '../../stacks/package-manager.js';
import { requirementsClosure } from '../../stacks/pip-installs.js';
import { FolderReader } from '../../io/folder-reader.js';
import { profileOf } from '../../project/discover.js';
import type { Check } from '../types.js';
import { composeOrWhy, report, skipped, warn, type Issue } from './lib/report.js';

/**
 * obs loads only the instrumentations an app's dependencies call for when it writes the module:
 * a traced library added to the manifest later (pg, psycopg2, sidekiq, ...) has no spans until
 * `obs init` runs again. Warns per library, naming the package that traces it.
 */
export const instrumentationCoverageCheck: Check = {
  id: 'instrumentation-coverage',
  title: 'Every traced library has its instrumentation',
  group: 'otel',
  run(project) {
    const ready = composeOrWhy(project);
    if ('why' in ready) return skipped(this, ready.why);
    const services = Object.entries(project.obsConfig?.services ?? {});
    if (services.length === 0) return skipped(this, 'no services in obs.yaml');
    const issues: Issue[] = [];
    const judged: string[] = [];
    const folders = new FolderReader();
    for (const [name, { stack }] of services) {
      const service = ready.compose.services.find((s) => s.name === name);
      const context = service?.config.buildContext;
      if (!context || /^[a-z][a-z0-9+.-]*:\/\//i.test(context)) continue;
      const contextDir = posix.normalize(posix.join(project.projectDir || '.', context.split('\\').join('/')));
      // The app may sit in a folder of the build context (the Dockerfile copies backend/package.json).
      let appDir = '';
      try {
        appDir = profileOf(folders, join(project.root, contextDir), service.config).appDir;
      } catch {
        // a FIFO named Dockerfile is never read: the build context itself, then
      }
      const dir = posix.normalize(posix.join(contextDir, appDir));
      const files = readAll(join(project.root, dir), stack, service.config.buildTarget);
      const uncovered = uncoveredLibraries(stack, files, service.config.buildTarget);
      if (uncovered === undefined) continue;
      judged.push(name);
      for (const u of uncovered) {
        const where = dir === '.' ? '' : `${dir}/`;
        issues.push(
          warn(
            { file: `${where}${u.manifest}` },
            `${name} uses ${u.library}, which ${where}${u.module} does not instrument: its calls make no spans`,
            `run obs init again (it adds ${u.pkg}), or add ${u.pkg} and its line in ${u.module} by hand`,
          ),
        );
      }
    }
    if (judged.length === 0) return skipped(this, 'no service runs an instrumentation module written by obs');
    return report(this, issues, `${judged.join(', ')}: every traced library in the manifest is instrumented`);
  },
};

/** The coverage files of one build context (and the requirements files the image installs and `-r` lines name). */
function readAll(dir: string, stack: string, buildTarget: string | undefined): Map<string, string> {
  const files = new Map<string, string>();
  const read = (name: string) => {
    try {
      // Regular files only: a FIFO named requirements.txt would block doctor forever.
      const text = readRegularTextSync(join(dir, name));
      if (text !== undefined) files.set(name, text);
    } catch {
      // absent or not a regular file: not in the map
    }
  };
  for (const name of coverageFiles(stack)) read(name);
  if (stack === 'flask') {
    // A file counts as installed only when it is there: read it on the way.
    const onDisk = {
      has: (name: string) => {
        if (!files.has(name)) read(name);
        return files.has(name);
      },
      get: (name: string) => files.get(name),
    };
    requirementsClosure(['requirements.txt', ...imageRequirements(onDisk, buildTarget)], (name) => {
      if (!files.has(name)) read(name);
      return files.get(name);
    });
  }
  return files;
}
