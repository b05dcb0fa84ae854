import { SECRET_KEYS } from '../../secrets/shapes.js';
import type { Check } from '../types.js';
import { serviceEnvs } from './lib/env.js';
import { referencesIn } from '../../compose/interpolation.js';
import { composeOrWhy, fail, report, type Issue } from './lib/report.js';
import { isBrowserVariable } from './lib/services.js';
import { redact } from './lib/text.js';

const SECRET_NAME = /API_?KEY|SECRET|TOKEN|PASSWORD|PASSWD|WRITEKEY|PRIVATE|CREDENTIAL/i;

/** Browser-safe by design: Rollbar post_client_item tokens, publishable keys. */
const PUBLIC_NAME = /CLIENT|PUBLIC|PUBLISHABLE/i;

function isSecretName(name: string): boolean {
  return SECRET_KEYS.has(name) || (SECRET_NAME.test(name) && !PUBLIC_NAME.test(name.replace(/^(REACT_APP|VITE|NEXT_PUBLIC|VUE_APP|NG_APP|EXPO_PUBLIC|GATSBY|PUBLIC)_/, '')));
}

/**
 * REACT_APP_*, VITE_* and friends are copied into the JavaScript bundle at build time: a key
 * handed to one ships to every browser that loads the app.
 */
export const browserExposedSecretCheck: Check = {
  id: 'browser-exposed-secret',
  title: 'No keys in browser build variables',
  group: 'compose',
  run(project) {
    const ready = composeOrWhy(project);
    if ('why' in ready) return { id: this.id, title: this.title, status: 'skip', detail: ready.why };
    const issues: Issue[] = [];
    let seen = 0;
    for (const [service, env] of serviceEnvs(project)) {
      for (const entry of env.values()) {
        if (!isBrowserVariable(entry.key)) continue;
        seen++;
        const value = entry.value ?? '';
        const secretRefs = referencesIn(value)
          .filter((r) => isSecretName(r.name))
          .map((r) => r.text);
        const where = { file: entry.file, line: entry.line };
        const fix = `remove ${entry.key}; let the browser send spans to a collector (e.g. otel-collector) that adds the key`;
        if (secretRefs.length > 0) {
          issues.push(fail(where, `${entry.key} on ${service} hands ${secretRefs.join(', ')} to the browser build: the key ships to every browser that loads the app`, fix));
        } else if ((isSecretName(entry.key) && redact(value) !== value) || /x-honeycomb-team/i.test(value)) {
          issues.push(fail(where, `${entry.key} on ${service} holds a key (${redact(value)}): it ships to every browser that loads the app`, fix));
        } else if (isSecretName(entry.key) && (entry.value === null || referencesIn(value).length > 0)) {
          issues.push(fail(where, `${entry.key} on ${service} passes a secret to the browser build: it ships to every browser that loads the app`, fix));
        }
      }
    }
    return report(this, issues, seen === 0 ? 'no browser build variables' : `${seen} browser build variable${seen === 1 ? '' : 's'}, none holding a key`);
  },
};
