import { honeycombKeyValid } from '../checks/online/honeycomb-key.js';
import { sendTestSpan } from '../checks/online/test-span.js';
import { otelEndpointCheck } from '../checks/project/otel-endpoint.js';
import { otelHeadersCheck } from '../checks/project/otel-headers.js';
import { honeycombKey } from '../checks/secrets/honeycomb-key.js';
import { HONEYCOMB_ENDPOINTS, type HoneycombRegion } from '../config/obs-config.js';
import { UsageError } from '../errors.js';
import { BROWSER_STACKS } from '../stacks/detect.js';
import { given } from './flags.js';
import type { Backend, BackendSettings } from './types.js';

export interface HoneycombSettings extends BackendSettings {
  region: HoneycombRegion;
  dataset?: string;
}

export function validateDataset(name: string): string {
  if (!/^[A-Za-z0-9._-][A-Za-z0-9 ._-]{0,254}$/.test(name)) throw new UsageError(`--honeycomb-dataset has characters a header cannot carry: ${JSON.stringify(name)}`);
  return name;
}

export function otlpHeaders(settings: HoneycombSettings, keyVar = 'HONEYCOMB_API_KEY'): string {
  const team = `x-honeycomb-team=\${${keyVar}}`;
  // Header values are percent-encoded (OTLP exporter spec): a dataset name may hold spaces.
  return settings.dataset ? `${team},x-honeycomb-dataset=${encodeURIComponent(settings.dataset)}` : team;
}

/** Traces over OTLP/HTTP to Honeycomb's US or EU endpoint, with the ingest key as a header. */
export const honeycomb: Backend<HoneycombSettings> = {
  id: 'honeycomb',
  label: 'Honeycomb',
  help: { on: 'send traces to Honeycomb over OTLP (default: on)', off: 'do not set up Honeycomb' },
  flags: [
    { flags: '--honeycomb-region <region>', key: 'honeycombRegion', description: 'Honeycomb region, us (api.honeycomb.io, the default) or eu (api.eu1.honeycomb.io)', choices: ['us', 'eu'] },
    { flags: '--honeycomb-dataset <name>', key: 'honeycombDataset', description: 'add the x-honeycomb-dataset header (classic Honeycomb keys only)' },
  ],
  question: 'Send traces to Honeycomb (OpenTelemetry)?',
  enabledByDefault: () => true,
  validateFlags(options) {
    const dataset = given<string>(options, 'honeycombDataset');
    if (dataset !== undefined) validateDataset(dataset);
  },
  async decide(enabled, { options, previous, prompter }) {
    const flagRegion = given<HoneycombRegion>(options, 'honeycombRegion');
    let region = flagRegion ?? previous?.honeycomb.region ?? 'us';
    if (enabled && flagRegion === undefined && prompter) region = await prompter.region(region);
    const flagDataset = given<string>(options, 'honeycombDataset');
    const dataset = flagDataset !== undefined ? validateDataset(flagDataset) : previous?.honeycomb.dataset;
    return { enabled, region, ...(dataset ? { dataset } : {}) };
  },
  describe: (s) => `Honeycomb (${s.region.toUpperCase()}${s.dataset ? `, dataset ${s.dataset}` : ''})`,
  environment({ stack, settings, pipeline }) {
    // A browser bundle cannot hold a Honeycomb key; through a collector, only the collector does.
    if (BROWSER_STACKS.has(stack) || pipeline === 'collector') return [];
    return [
      { key: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: HONEYCOMB_ENDPOINTS[settings.region] },
      { key: 'OTEL_EXPORTER_OTLP_HEADERS', value: otlpHeaders(settings) },
    ];
  },
  placeholders: {
    HONEYCOMB_API_KEY: 'Honeycomb ingest key (Honeycomb > Environment settings > API keys). Never commit it.',
  },
  configSection: ({ settings }) => ({
    enabled: settings.enabled,
    region: settings.region,
    endpoint: HONEYCOMB_ENDPOINTS[settings.region],
    ...(settings.dataset ? { dataset: settings.dataset } : {}),
  }),
  settingsFromConfig: (config) => ({ enabled: config.honeycomb.enabled, region: config.honeycomb.region, ...(config.honeycomb.dataset ? { dataset: config.honeycomb.dataset } : {}) }),
  checks: { project: [otelEndpointCheck, otelHeadersCheck], secrets: [honeycombKey], online: [honeycombKeyValid, sendTestSpan] },
};
