import type { HostingHints } from '../aws/xray-url.js';
import type { EnvSetting } from '../compose/edit-env.js';
import type { ComposeService } from '../compose/project.js';
import { BROWSER_STACKS, type Stack } from '../stacks/detect.js';
import type { InitChoices } from './choices.js';
import { BACKENDS, isEnabled } from './index.js';
import type { Backend, Pipeline } from './types.js';

/**
 * Every variable obs wants on an instrumented service, in the order it writes them: the service
 * name, then each enabled backend's variables in the order of the backend list.
 */
export function desiredEnvironment(
  service: ComposeService,
  stack: Stack,
  choices: InitChoices,
  hints: HostingHints,
  daemonService: string | undefined,
  pipeline: Pipeline = 'direct',
  backends: readonly Backend[] = BACKENDS,
): EnvSetting[] {
  const settings: EnvSetting[] = [{ key: 'OTEL_SERVICE_NAME', value: service.name }];
  // A browser bundle cannot hold a key or reach a daemon: it only needs its name.
  if (BROWSER_STACKS.has(stack)) return settings;
  for (const backend of backends) {
    if (!isEnabled(choices, backend)) continue;
    settings.push(...backend.environment({ service, stack, settings: choices[backend.id] as never, pipeline, hints, daemonService }));
  }
  return settings;
}
