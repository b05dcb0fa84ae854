import type { Check } from '../types.js';
import { COLLECTOR_IMAGE } from '../../collector/image.js';
import { imageRepository } from '../../collector/service.js';
import { expand } from '../../compose/interpolation.js';
import { projectCollectors } from './lib/collector.js';
import { projectLookup } from './lib/env.js';
import { composeOrWhy, report, skipped, warn, type Issue } from './lib/report.js';
import { keyWhere } from './lib/services.js';

/** The tag of an image reference, '' when it has none; undefined when pinned by digest. */
export function imageTag(image: string): string | undefined {
  if (image.includes('@')) return undefined;
  const lastColon = image.lastIndexOf(':');
  return lastColon > image.lastIndexOf('/') ? image.slice(lastColon + 1) : '';
}

/** A collector release can rename or drop components and settings: `latest` breaks a config on some pull. */
export const collectorImageCheck: Check = {
  id: 'collector-image',
  title: 'Collector image pinned',
  group: 'collector',
  run(project) {
    const ready = composeOrWhy(project);
    if ('why' in ready) return skipped(this, ready.why);
    const collectors = projectCollectors(project);
    if (collectors.length === 0) return skipped(this, 'no collector service');
    const issues: Issue[] = [];
    const ok: string[] = [];
    for (const { collector } of collectors) {
      const service = collector.service;
      const written = service.config.image;
      if (!written) {
        ok.push(`${service.name} is built from ${service.config.buildContext ?? 'its Dockerfile'}`);
        continue;
      }
      const image = expand(written, projectLookup(project)).value;
      const tag = imageTag(image);
      if (tag === undefined || (tag !== '' && tag !== 'latest')) {
        ok.push(`${service.name} runs ${image}`);
        continue;
      }
      const same = imageRepository(image).endsWith(imageRepository(COLLECTOR_IMAGE));
      issues.push(
        warn(
          keyWhere(service, 'image'),
          `${service.name} runs ${image}${tag === '' ? ' (no tag: latest)' : ''}: each pull can bring a release that renames or drops components, and the collector stops on its config`,
          same ? `image: "${COLLECTOR_IMAGE}"` : `image: "${imageRepository(image)}:<release>" (a release tag, or a digest)`,
        ),
      );
    }
    return report(this, issues, ok.join(', '));
  },
};
