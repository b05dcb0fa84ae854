import type { BackendSettings, Pipeline } from './types.js';

/** One backend's settings as init decided them; each backend module knows its own shape. */
export type BackendChoice = BackendSettings & { readonly [setting: string]: unknown };

/**
 * Everything `obs init` asks; each answer also has a flag. Besides services and force, one entry
 * per backend of src/backends/index.ts, under its id, in that list's order (as --json prints it).
 */
export interface InitChoices {
  services: string[];
  /** How telemetry leaves the apps (--pipeline, obs.yaml, else collector). */
  pipeline: Pipeline;
  /** Overwrite values the user set that differ from what obs would write. */
  force: boolean;
  [backend: string]: BackendChoice | string[] | boolean | Pipeline;
}
