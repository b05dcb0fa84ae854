import type { ComposeService } from '../compose/project.js';
import { browserCollectorUrl } from '../collector/browser-url.js';
import type { InitSnapshot } from '../project/snapshot.js';
import { BROWSER_STACKS, type Stack } from '../stacks/detect.js';
import { desiredEnvironment, routeVia } from './environment.js';
import type { InitChoices } from './choices.js';
import { choicesFromConfig, settingsOf } from './index.js';
import { formerXrayUrls, xray } from './xray.js';

/**
 * What obs wrote for a service under the choices recorded in obs.yaml. `now`: the choices of
 * this init run; absent for `obs remove`, which takes everything away.
 */
export function previousValues(snapshot: InitSnapshot, service: ComposeService, stack: Stack, now?: InitChoices): Map<string, string> {
  const previous = snapshot.previous;
  if (!previous || !previous.services[service.name]) return new Map();
  const choices = choicesFromConfig(previous);
  const route = routeVia(previous.xray.daemonService, previous.collector?.service);
  const settings = desiredEnvironment(service, stack, choices, snapshot.hints, route);
  const owned = new Map(settings.map((s) => [s.key, s.value]));
  // Earlier obs versions wrote AWS_XRAY_URL next to the daemon address (backends/xray.ts says why
  // no more). While the daemon stays, one there stays (obs cannot tell it from the user's); on the
  // run that takes the daemon away (X-Ray off, the collector, or obs remove) it goes with the
  // address, if it still has a form obs wrote, else it is reported as the user's.
  const daemonGoes =
    previous.pipeline !== 'collector' && previous.xray.enabled && previous.xray.daemonService !== undefined && (now === undefined || !settingsOf(now, xray).enabled || now.pipeline === 'collector');
  const xrayUrl = service.config.environment.get('AWS_XRAY_URL');
  const forms = formerXrayUrls(service);
  if (daemonGoes && !BROWSER_STACKS.has(stack) && typeof xrayUrl === 'string' && forms.length > 0) owned.set('AWS_XRAY_URL', forms.includes(xrayUrl) ? xrayUrl : forms[0]!);
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
