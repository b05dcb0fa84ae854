import { skip, type Check, type CheckResult, type DoctorProject } from '../types.js';
import { classifyHoneycombKey, maskValue } from '../../secrets/shapes.js';
import { composeLiteral, composeMentions, composeTextWithoutComments, findValue, notSetDetail, resultOf, setVariableFix } from './sources.js';

const KEY = 'HONEYCOMB_API_KEY';
const META = { id: 'honeycomb-key', title: 'Honeycomb API key' };

/** HONEYCOMB_API_KEY is set where compose reads it, and has the shape of a Honeycomb key. */
export const honeycombKey: Check = {
  ...META,
  group: 'secrets',
  run(project): CheckResult {
    const result = (status: CheckResult['status'], detail: string, fix?: string) => resultOf(META, status, detail, fix);
    if (!(project.obsConfig?.honeycomb.enabled || composeMentions(project, KEY))) {
      if (/x-honeycomb-team/i.test(composeTextWithoutComments(project))) {
        return skip(META, `compose sends a key in x-honeycomb-team without \${${KEY}} (see no-hardcoded-secrets)`);
      }
      return skip(META, `Honeycomb is not set up (obs.yaml does not enable it and compose does not reference \${${KEY}})`);
    }
    const literal = composeLiteral(project, KEY);
    const found = findValue(project, KEY, { envFiles: true }) ?? literal;
    if (!found) {
      return result('fail', notSetDetail(project, KEY), `${setVariableFix(project, [KEY])} (the key is in Honeycomb under Environment settings > API keys)`);
    }
    const value = found.value.trim();
    if (value === '') return result('fail', `${KEY} is empty in ${found.where}`, `set a Honeycomb ingest key: ${setVariableFix(project, [KEY])}`);
    const shape = classifyHoneycombKey(value);
    if (!shape) {
      return result(
        'warn',
        `${KEY} in ${found.where} does not look like a Honeycomb key (${maskValue(value)}): expected 22-23 letters and digits, 32 hex, or a 64-character hcaik_… key`,
        'copy the key again from Honeycomb (Environment settings > API keys); `obs doctor --online` tests it',
      );
    }
    const detail = `set in ${found.where} (${shape.label}, ${maskValue(value)})`;
    if (found.from === 'compose') {
      return result('warn', `${detail}: written in the compose file instead of .env`, `move it to .env and write \${${KEY}} in compose (see no-hardcoded-secrets)`);
    }
    if (shape.classic && !hasDataset(project)) {
      return result(
        'warn',
        `${detail}; a classic key needs a dataset, and none is set`,
        'add x-honeycomb-dataset=<dataset> to OTEL_EXPORTER_OTLP_HEADERS (or use an Environments & Services ingest key)',
      );
    }
    return result('pass', shape.classic ? `${detail}; classic key with x-honeycomb-dataset` : detail);
  },
};

function hasDataset(project: DoctorProject): boolean {
  if (project.obsConfig?.honeycomb.dataset) return true;
  if (/x-honeycomb-dataset|HONEYCOMB_DATASET/i.test(composeTextWithoutComments(project))) return true;
  const dataset = findValue(project, 'HONEYCOMB_DATASET', { envFiles: true })?.value;
  if (dataset !== undefined && dataset.trim() !== '') return true;
  const headers = findValue(project, 'OTEL_EXPORTER_OTLP_HEADERS', { envFiles: true })?.value;
  return headers !== undefined && /x-honeycomb-dataset\s*=\s*[^,\s]/i.test(headers);
}
