/**
 * The backends obs sets up, in the order they are asked about, listed in --help, written to the
 * compose environment and obs.yaml, summarised and checked. A new backend is one module here
 * (see types.ts) and one line in this list.
 */
import type { Check } from '../checks/types.js';
import { CORE_ONLINE_CHECKS } from '../checks/online/index.js';
import { COLLECTOR_PROJECT_CHECKS, CORE_PROJECT_CHECKS } from '../checks/project/index.js';
import { CORE_SECRET_CHECKS } from '../checks/secrets/index.js';
import type { ObsConfig } from '../config/obs-config.js';
import type { BackendChoice, InitChoices } from './choices.js';
import { cloudwatch } from './cloudwatch.js';
import { honeycomb } from './honeycomb.js';
import { rollbar } from './rollbar.js';
import type { Backend, BackendSettings } from './types.js';
import { xray } from './xray.js';

export const BACKENDS: readonly Backend[] = [honeycomb, xray, cloudwatch, rollbar];

/** A backend's settings in init's choices. */
export function settingsOf<S extends BackendSettings>(choices: InitChoices, backend: Backend<S>): S {
  return choices[backend.id] as unknown as S;
}

export function isEnabled(choices: InitChoices, backend: Backend): boolean {
  return (choices[backend.id] as BackendChoice | undefined)?.enabled === true;
}

/** `.env.example` placeholders of every backend, first comment wins, in backend order. */
export function placeholderComments(backends: readonly Backend[] = BACKENDS): Record<string, string> {
  const out: Record<string, string> = {};
  for (const backend of backends) for (const [key, comment] of Object.entries(backend.placeholders)) out[key] ??= comment;
  return out;
}

/** The settings an obs.yaml recorded, as init's choices. */
export function choicesFromConfig(config: ObsConfig, backends: readonly Backend[] = BACKENDS): InitChoices {
  // Built in --json order: services, the backends, force.
  const choices = { services: Object.keys(config.services), pipeline: config.pipeline ?? 'direct' } as InitChoices;
  for (const backend of backends) choices[backend.id] = backend.settingsFromConfig(config) as BackendChoice;
  choices.force = false;
  return choices;
}

/** The project checks: obs's own, then each backend's, then the collector's, in display order (the checklist prints a heading per group). */
export const PROJECT_CHECKS: readonly Check[] = [...CORE_PROJECT_CHECKS, ...BACKENDS.flatMap((b) => b.checks.project ?? []), ...COLLECTOR_PROJECT_CHECKS];

/** The key and secret checks: each backend's key, then the general ones. */
export const SECRET_CHECKS: readonly Check[] = [...BACKENDS.flatMap((b) => b.checks.secrets ?? []), ...CORE_SECRET_CHECKS];

/** The online checks: each backend's, then AWS. */
export const ONLINE_CHECKS: readonly Check[] = [...BACKENDS.flatMap((b) => b.checks.online ?? []), ...CORE_ONLINE_CHECKS];

/** Every doctor check, in the order they are shown. Ids are stable: scripts use them with --check. */
export const ALL_CHECKS: readonly Check[] = [...PROJECT_CHECKS, ...SECRET_CHECKS, ...ONLINE_CHECKS];
