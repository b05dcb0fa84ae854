import { HONEYCOMB_ENDPOINTS, type HoneycombRegion } from '../../config/obs-config.js';
import { skip, type Check, type CheckResult } from '../types.js';
import { redact } from './http.js';
import type { OtlpExporter } from './otlp-config.js';
import { apiBase, checkKey, honeycombSetup, OTHER_REGION, parseHoneycombApiUrl, REGION_LABEL, type AuthOutcome, type NameSlug } from './honeycomb.js';

const FIX_KEY = 'copy an ingest key from Honeycomb (Environment settings > API keys) into HONEYCOMB_API_KEY in .env';

/**
 * Asks Honeycomb whether the key is valid in the region the project sends to. EU keys sent to
 * the US endpoint are refused as "unknown API key", so on a 401 the other region is asked too,
 * and the result says which region the key is for.
 */
const META = { id: 'honeycomb-key-valid', title: 'Honeycomb API key is valid for the configured region' };

export const honeycombKeyValid: Check = {
  ...META,
  group: 'online',
  online: true,
  async run(project, options): Promise<CheckResult> {
    const base = META;
    let urls;
    try {
      urls = parseHoneycombApiUrl(options.honeycombApiUrl);
    } catch (err) {
      return { ...base, status: 'fail', detail: (err as Error).message, fix: 'pass --honeycomb-api-url URL or --honeycomb-api-url us=URL,eu=URL' };
    }
    const setup = honeycombSetup(project, urls);
    if ('notInUse' in setup) return skip(META, setup.notInUse);
    if (!setup.key) return skip(META, `no key to check: ${setup.noKey}`);
    const key = setup.key.value;
    const clean = (text: string | undefined) => (text === undefined ? undefined : redact(text, [key]));

    const here = apiBase(urls, setup.region, setup.region);
    const where = `${REGION_LABEL[setup.region]} (region from ${setup.regionSource}; ${here.url})`;
    const first = await checkKey(here.url, key);
    if (first.kind === 'ok') {
      const names = describeTeam(first.team, first.environment);
      if (first.access && first.access.events === false) {
        return {
          ...base,
          status: 'warn',
          detail: `${REGION_LABEL[setup.region]} knows the key in ${setup.key.source} (${names}), but it may not send events, so spans would be refused`,
          fix: 'create an ingest key (Environment settings > API keys) and put it in HONEYCOMB_API_KEY in .env',
        };
      }
      return { ...base, status: 'pass', detail: `${REGION_LABEL[setup.region]} accepts the key in ${setup.key.source}: ${names}` };
    }
    if (first.kind === 'network' || first.kind === 'unexpected')
      return {
        ...base,
        status: 'fail',
        detail: `could not check the key with ${REGION_LABEL[setup.region]}: ${first.message}`,
        fix: here.overridden ? 'check --honeycomb-api-url' : 'check the network (a proxy may need HTTPS_PROXY)',
      };
    if (first.kind === 'http') {
      return {
        ...base,
        status: 'fail',
        detail: `${where} answered HTTP ${first.status} to the key check${first.message ? `: ${clean(first.message)}` : ''}`,
        fix: first.status >= 500 || first.status === 429 ? 'Honeycomb had a problem; run obs doctor --online again in a minute' : FIX_KEY,
      };
    }

    // 401: maybe the key is for the other region.
    const otherRegion = OTHER_REGION[setup.region];
    const other = apiBase(urls, otherRegion, setup.region);
    const second = await checkKey(other.url, key);
    const said = first.message ? ` (${clean(first.message)})` : '';
    const refusal = `${where} answered 401${said}`;
    if (second.kind === 'ok') {
      return {
        ...base,
        status: 'fail',
        detail: `the key in ${setup.key.source} belongs to ${REGION_LABEL[otherRegion]} (${describeTeam(second.team, second.environment)}), but the project sends to ${where}, which answered 401${said}`,
        fix: `use the ${otherRegion.toUpperCase()} region: set ${endpointSetting(setup.exporter, otherRegion)} and honeycomb.region to ${otherRegion} in obs.yaml (obs init --honeycomb-region ${otherRegion} --force does both), or use a key from ${REGION_LABEL[setup.region]}`,
      };
    }
    if (second.kind === 'refused') {
      return {
        ...base,
        status: 'fail',
        detail: `neither Honeycomb region knows the key in ${setup.key.source}: ${refusal}, and ${REGION_LABEL[otherRegion]} (${other.url}) refused it too`,
        fix: FIX_KEY,
      };
    }
    return {
      ...base,
      status: 'fail',
      detail: `${refusal}; could not ask ${REGION_LABEL[otherRegion]} whether the key is for that region: ${describeFailure(second, clean)}`,
      fix: `${FIX_KEY}, or check that it is for ${REGION_LABEL[setup.region]}`,
    };
  },
};

/** `OTEL_EXPORTER_OTLP_ENDPOINT to https://api.eu1.honeycomb.io`, for the variable the service uses. */
function endpointSetting(exporter: OtlpExporter | undefined, region: HoneycombRegion): string {
  const key = exporter?.endpoint?.variable.key ?? 'OTEL_EXPORTER_OTLP_ENDPOINT';
  return `${key} to ${HONEYCOMB_ENDPOINTS[region]}${key === 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' ? '/v1/traces' : ''}`;
}

function describeTeam(team: NameSlug | undefined, environment: NameSlug | undefined): string {
  const t = team?.name || team?.slug;
  const e = environment?.name || environment?.slug;
  const parts = [t ? `team "${t}"` : 'team not named', e ? `environment "${e}"` : 'classic (no environment)'];
  return parts.join(', ');
}

function describeFailure(outcome: Exclude<AuthOutcome, { kind: 'ok' }>, clean: (t: string | undefined) => string | undefined): string {
  if (outcome.kind === 'network' || outcome.kind === 'unexpected') return outcome.message;
  return `HTTP ${outcome.status}${outcome.message ? ` (${clean(outcome.message)})` : ''}`;
}
