import type { ComposeService } from '../compose/project.js';
import { browserCollectorUrl } from '../collector/browser-url.js';
import type { InitSnapshot } from '../project/snapshot.js';
import { BROWSER_STACKS, type Stack } from '../stacks/detect.js';
import { desiredEnvironment, routeVia } from './environment.js';
import { choicesFromConfig } from './index.js';

/** What obs wrote for a service under the choices recorded in obs.yaml. */
export function previousValues(snapshot: InitSnapshot, service: ComposeService, stack: Stack): Map<string, string> {
  const previous = snapshot.previous;
  if (!previous || !previous.services[service.name]) return new Map();
  const choices = choicesFromConfig(previous);
  const route = routeVia(previous.xray.daemonService, previous.collector?.service);
  const settings = desiredEnvironment(service, stack, choices, snapshot.hints, route);
  const owned = new Map(settings.map((s) => [s.key, s.value]));
  // Earlier obs versions gave a browser app's container OTEL_SERVICE_NAME (its compose name), which no browser reads.
  if (BROWSER_STACKS.has(stack) && service.config.environment.get('OTEL_SERVICE_NAME') === service.name) owned.set('OTEL_SERVICE_NAME', service.name);
  // The browser build's collector URL came from the React planner: obs's while it still has the form obs writes.
  if (previous.pipeline === 'collector' && BROWSER_STACKS.has(stack)) {
    for (const key of ['VITE_OTEL_COLLECTOR_URL', 'REACT_APP_OTEL_COLLECTOR_URL']) {
      const value = service.config.environment.get(key);
      const port = typeof value === 'string' ? /^(?:http:\/\/localhost:|https:\/\/|https:\/\/\$\{CODESPACE_NAME\}-)(\d+)/.exec(value)?.[1] : undefined;
      if (port !== undefined && value === browserCollectorUrl(Number(port), snapshot.hints)) owned.set(key, value);
    }
  }
  return owned;
}
