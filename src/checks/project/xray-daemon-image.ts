import type { Check } from '../types.js';
import { composeOrWhy, report, skipped, warn } from './lib/report.js';
import { keyWhere, xrayDaemonService } from './lib/services.js';
import { XRAY_DAEMON_IMAGE } from '../../compose/xray-daemon.js';

/** The two images AWS publishes; mirrors keep the repository name. */
const OFFICIAL = /^(?:(?:docker\.io|registry\.hub\.docker\.com|index\.docker\.io)\/)?amazon\/aws-xray-daemon$|^public\.ecr\.aws\/xray\/aws-xray-daemon$|\/aws-xray-daemon$/;

export function imageRepository(image: string): string {
  const noDigest = image.split('@')[0]!;
  const lastColon = noDigest.lastIndexOf(':');
  return lastColon > noDigest.lastIndexOf('/') ? noDigest.slice(0, lastColon) : noDigest;
}

export const xrayDaemonImageCheck: Check = {
  id: 'xray-daemon-image',
  title: 'X-Ray daemon image',
  group: 'xray',
  run(project) {
    const ready = composeOrWhy(project);
    if ('why' in ready) return skipped(this, ready.why);
    const daemon = xrayDaemonService(project);
    if (!daemon) return skipped(this, 'no X-Ray daemon service');
    const image = daemon.config.image;
    if (!image) return report(this, [], daemon.config.buildContext ? `${daemon.name} is built from ${daemon.config.buildContext}` : `${daemon.name} has no image`);
    if (OFFICIAL.test(imageRepository(image))) return report(this, [], `${daemon.name} runs ${image}`);
    if (/\.dkr\.ecr\.[^/]+\.amazonaws\.com\/.*x-?ray/i.test(image)) return report(this, [], `${daemon.name} runs ${image}, a private ECR image (taken to be a copy of the daemon)`);
    return report(
      this,
      [
        warn(
          keyWhere(daemon, 'image'),
          `${daemon.name} runs image ${image}, which is not the X-Ray daemon image (amazon/aws-xray-daemon or public.ecr.aws/xray/aws-xray-daemon): the pull fails unless you build that image yourself`,
          `image: "${XRAY_DAEMON_IMAGE}"`,
        ),
      ],
      '',
    );
  },
};
