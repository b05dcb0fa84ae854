// Two independent checks that a docker compose file is valid:
//  - validateComposeSchema: the official compose-spec JSON schema (src/compose/schema/, the copy obs validates with), offline;
//  - dockerComposeConfig: Debian's docker-compose 1.29 (`config -q`), which also checks
//    interpolation, env files and cross-references, but predates parts of today's spec.
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject } from 'ajv';
import ajvFormats from 'ajv-formats';
import { execa } from 'execa';
import { parse } from 'yaml';

const schema = JSON.parse(readFileSync(new URL('../../src/compose/schema/compose-spec.json', import.meta.url), 'utf8')) as Record<string, unknown>;

// The schema declares "https://json-schema.org/draft-07/schema", which ajv's draft-07
// meta-schema does not answer to; the keywords are plain draft-07, so skip meta-validation.
const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
(ajvFormats as unknown as typeof ajvFormats.default)(ajv);
const validate = ajv.compile(schema);

function render(e: ErrorObject): string {
  const where = e.instancePath || '/';
  const extra = 'additionalProperty' in e.params ? ` ('${e.params.additionalProperty}')` : '';
  return `${where} ${e.message}${extra}`;
}

/** Parses YAML (with `<<` merge keys, as Compose does) and checks it against the compose-spec schema. */
export function validateComposeSchema(text: string): { ok: boolean; errors: string[] } {
  let doc: unknown;
  try {
    doc = parse(text, { merge: true, maxAliasCount: -1 }); // Compose has no alias limit
  } catch (err) {
    return { ok: false, errors: [`YAML: ${(err as Error).message}`] };
  }
  if (validate(doc)) return { ok: true, errors: [] };
  return { ok: false, errors: [...new Set((validate.errors ?? []).map(render))] };
}

/**
 * Runs `docker-compose -f F1 -f F2 … config -q` in `dir`, with only PATH and `env` set.
 * ok:false with stderr when docker-compose rejects the files (see canDockerComposeRead);
 * skipped when the binary is not installed.
 */
export async function dockerComposeConfig(dir: string, files: string[], env: Record<string, string> = {}): Promise<{ ok: boolean; skipped?: string; stderr: string }> {
  const args = [...files.flatMap((f) => ['-f', f]), 'config', '-q'];
  const r = await execa('docker-compose', args, {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    extendEnv: false,
    reject: false,
    timeout: 30_000,
  });
  if (r.code === 'ENOENT') return { ok: false, skipped: 'docker-compose not installed', stderr: '' };
  return { ok: r.exitCode === 0, stderr: r.stderr || (r.message ?? '') }; // message: e.g. timed out
}

// Every property name the current spec knows anywhere (service keys, network keys, ...).
function propertyNames(node: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(node)) node.forEach((n) => propertyNames(n, out));
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === 'properties' && v && typeof v === 'object') Object.keys(v).forEach((p) => out.add(p));
      propertyNames(v, out);
    }
  }
  return out;
}
const knownKeys = propertyNames(schema);

// docker-compose 1.29's wording when it rejects a key; the key is the first group.
const REJECTED_KEY = [
  /'([^']+)' does not match any of the regexes: '\^x-'/, // top level (name, include) and nested
  /Additional properties are not allowed \('([^']+)' was unexpected\)/,
  /^Unsupported config option for [^:]+: '([^']+)'/,
  /contains unsupported option: '([^']+)'/,
];
const VERSION_ERROR = /^Version .* is (invalid|unsupported)|Unsupported Compose file version/;
// Its schema's types are older than today's (boolean env values, env_file {path}, ...);
// types are exactly what validateComposeSchema checks, so these lines are left to it.
const TYPE_ERROR = /\bis an invalid type\b|\bcontains an invalid type\b/;
// It rejects a lone `$` (`^[0-9]$`, `$((x))`) and `${VAR:+alt}`, which today's Compose keeps
// literally or supports; a malformed `${...}` (`${}`, `${A`) is an error for both.
const INTERPOLATION = /^Invalid interpolation format for .*?: "([\s\S]*)"$/;
const modernInterpolation = (value: string) => (value.replaceAll('$$', '').match(/\$\{[^$]{0,64}/g) ?? []).every((t) => /^\$\{[_a-zA-Z][_a-zA-Z0-9]*(\}|:?[-?+])/.test(t));

function isOldToolGap(error: string): boolean {
  if (VERSION_ERROR.test(error) || TYPE_ERROR.test(error)) return true;
  const value = INTERPOLATION.exec(error)?.[1];
  if (value !== undefined) return modernInterpolation(value);
  return REJECTED_KEY.some((re) => {
    const key = re.exec(error)?.[1];
    return key !== undefined && knownKeys.has(key);
  });
}

/**
 * Can docker-compose 1.29 judge these files? Given the stderr of a failed dockerComposeConfig,
 * returns false when every error it reports is the old tool not knowing today's Compose:
 * a rejected key that the current compose-spec schema defines (top-level `name`/`include`,
 * `develop`, depends_on `restart`/`required`, healthcheck `start_interval`, ...), a `version:`
 * complaint (today's Compose ignores `version`), a type complaint (validateComposeSchema judges
 * types with today's rules), or an interpolation it cannot parse but today's Compose can.
 * Callers then rely on validateComposeSchema alone. Returns true when any error is real for
 * today's Compose too: unknown key, bad service name, YAML syntax, `${}`, a missing env_file
 * or build context (those depend on the files around), no image or build, and anything else.
 */
export function canDockerComposeRead(stderr: string): boolean {
  const errors = errorMessages(stderr);
  return errors.length === 0 || !errors.every(isOldToolGap);
}

// One entry per error: drops the "variable is not set" warnings, the "is invalid because:"
// header and the generic "wrong Compose file version" advice. An interpolation error ends
// the run, so all that follows it is its (possibly multi-line) value.
function errorMessages(stderr: string): string[] {
  const noise = /variable is not set\. Defaulting|is invalid because:$|^You might be seeing this error|^For more on the Compose file format/;
  const out: string[] = [];
  const lines = stderr.split('\n');
  for (const [i, raw] of lines.entries()) {
    const line = raw.replace(/^(ERROR|WARNING): /, '').trim();
    if (line.startsWith('Invalid interpolation format')) {
      return [...out, [line, ...lines.slice(i + 1)].join('\n').trimEnd()];
    }
    if (line && !noise.test(line)) out.push(line);
  }
  return out;
}
