/**
 * Literal secrets in compose files move to `.env` as `${VAR}` references; `.env`, `.env.example`
 * and `.gitignore` are planned around them. Shared by `obs init` and `obs doctor --fix`. Pure.
 */
import { findEnvEntry, replaceEnvValue } from '../compose/edit-env.js';
import type { ComposeFile } from '../compose/parse.js';
import type { ComposeProject } from '../compose/project.js';
import { buildEnvironmentIndex, envFilePath, type EnvironmentIndex } from '../compose/environment-index.js';
import { appendDotenvKeys, dotenvToMap, parseDotenv, setDotenvValue, type DotenvAddition } from '../dotenv/index.js';
import type { FileChange } from '../plan/file-change.js';
import { holdsLiteralSecret, honeycombTeamLiteral, isLiteralSecret, OTLP_HEADER_KEYS } from '../secrets/shapes.js';
import { lineColOf, type TextEdit } from '../text/edits.js';
import type { InitSnapshot } from './snapshot.js';

export interface MovedSecret {
  file: string;
  line: number;
  service: string;
  key: string;
  envVar: string;
  /**
   * Set when --force replaced the value the secret was in with obs's own (this text): the
   * secret is kept in .env as envVar, but nothing references it any more.
   */
  replacedWith?: string;
}

/** A secret obs leaves in the compose file: the `.env` it would move to is loaded by other services. */
export interface HeldBackSecret {
  file: string;
  line: number;
  service: string;
  key: string;
  envVar: string;
  /** The other services that load `.env` through env_file. */
  loadedBy: string[];
}

export interface SecretWork {
  /** Each move's edit of the value it was in; superseded when --force rewrites that value whole. */
  edits: { file: ComposeFile; edit: TextEdit; scalar: unknown; moved: MovedSecret; superseded?: boolean; /** The value with the reference. */ value: string }[];
  /** `.env` variable -> literal value moved there. */
  dotenvValues: Map<string, string>;
  /** `service\0KEY` whose value was replaced by a reference -> the value with the reference. */
  replaced: Map<string, string>;
  heldBack: HeldBackSecret[];
}

export function planSecretMoves(
  project: ComposeProject,
  snapshot: InitSnapshot,
  moved: MovedSecret[],
  index: EnvironmentIndex = buildEnvironmentIndex(project, snapshot.projectDir, (path) => snapshot.envFiles.get(path)),
): SecretWork {
  const work: SecretWork = { edits: [], dotenvValues: new Map(), replaced: new Map(), heldBack: [] };
  // `.env` may also be an env_file: a value moved there reaches every service that loads it.
  const dotenvReaders = index.envFileReaders(envFilePath(snapshot.projectDir, '.env'));
  const existing = snapshot.dotenv ? dotenvToMap(parseDotenv(snapshot.dotenv.text, snapshot.dotenv.path)) : new Map<string, string | undefined>();
  const seenNodes = new Set<unknown>();
  const variableFor = (base: string, value: string, service: string): string => {
    for (const candidate of [base, `${base}_${service.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`]) {
      const planned = work.dotenvValues.get(candidate);
      const onDisk = existing.get(candidate);
      if ((planned === undefined || planned === value) && (!onDisk || onDisk === value)) return candidate;
    }
    return `${base}_${moved.length + 1}`;
  };
  for (const service of project.services) {
    for (const definition of service.definitions) {
      if (!definition.map) continue;
      for (const [key, value] of service.config.environment) {
        // Only secrets move: most values are not, and need no lookup of where they are written.
        if (value === null || !holdsLiteralSecret(key, value)) continue;
        const entry = findEnvEntry(definition.file.doc, definition.map, key);
        if (!entry || seenNodes.has(entry.scalar)) continue;
        const written = entry.form === 'map' ? String(entry.scalar.value ?? '') : String(entry.scalar.value).slice(key.length + 1);
        if (written !== value) continue; // defined in another file; handled there
        let replacement: string | undefined;
        let envVar: string | undefined;
        let moving = value;
        if (isLiteralSecret(key, value)) {
          envVar = variableFor(key, value, service.name);
          replacement = `\${${envVar}}`;
        } else if (OTLP_HEADER_KEYS.has(key)) {
          const literal = honeycombTeamLiteral(value);
          if (literal) {
            envVar = variableFor('HONEYCOMB_API_KEY', literal.value, service.name);
            replacement = `${value.slice(0, literal.start)}\${${envVar}}${value.slice(literal.end)}`;
            moving = literal.value;
          }
        }
        if (replacement === undefined || envVar === undefined) continue;
        seenNodes.add(entry.scalar);
        const loadedBy = dotenvReaders.filter((r) => r !== service.name);
        if (loadedBy.length > 0) {
          work.heldBack.push({ file: definition.file.path, line: lineColOf(definition.file.text, entry.scalar.range![0]).line, service: service.name, key, envVar, loadedBy });
          continue;
        }
        work.dotenvValues.set(envVar, moving);
        work.replaced.set(`${service.name}\0${key}`, replacement);
        const { line } = lineColOf(definition.file.text, entry.scalar.range![0]);
        const record: MovedSecret = { file: definition.file.path, line, service: service.name, key, envVar };
        moved.push(record);
        work.edits.push({ file: definition.file, edit: replaceEnvValue(definition.file.text, entry, key, replacement), scalar: entry.scalar, moved: record, value: replacement });
      }
    }
  }
  return work;
}

/**
 * `.env.example` placeholders, `.env` (moved secrets and empty keys, appended, never rewritten)
 * and `.gitignore`, plus whether `.env` must leave the git index before a secret goes into it.
 */
export function planSecretFiles(
  snapshot: InitSnapshot,
  dotenvValues: Map<string, string>,
  requiredVariables: string[],
  /** Comments for `.env.example`, by variable (the backends' placeholders). */
  placeholders: Readonly<Record<string, string>>,
): { changes: FileChange[]; untrack: string[] } {
  const changes: FileChange[] = [];
  const envPath = joinPath(snapshot.projectDir, '.env');
  const examplePath = joinPath(snapshot.projectDir, '.env.example');
  const exampleAdditions: DotenvAddition[] = requiredVariables.map((key) => ({
    key,
    value: '',
    comment: placeholders[key] ?? `Moved out of ${snapshot.compose[0]!.path} by obs. Never commit it.`,
  }));
  const exampleBefore = snapshot.dotenvExample?.text ?? null;
  if (exampleBefore !== null || exampleAdditions.length > 0) {
    changes.push({ path: examplePath, before: exampleBefore, after: appendDotenvKeys(exampleBefore ?? '', exampleAdditions, examplePath) });
  }
  const untrack: string[] = [];
  const envBefore = snapshot.dotenv?.text ?? null;
  if (envBefore !== null || dotenvValues.size > 0) {
    let envAfter = envBefore ?? '# Local secrets for docker compose. Git-ignored: never commit this file.\n';
    for (const [envVar, value] of dotenvValues) {
      const current = dotenvToMap(parseDotenv(envAfter, envPath));
      envAfter = current.has(envVar) ? setDotenvValue(envAfter, envVar, value, envPath) : appendDotenvKeys(envAfter, [{ key: envVar, value }], envPath);
    }
    envAfter = appendDotenvKeys(
      envAfter,
      requiredVariables.map((key) => ({ key, value: '' })),
      envPath,
    );
    changes.push({ path: envPath, before: envBefore, after: envAfter });
  }
  // Whether or not obs writes to it: .env is where secrets live, and the .gitignore line obs
  // adds does nothing while git still tracks the file.
  if (snapshot.envTracked && envBefore !== null) untrack.push(envPath);
  if (!snapshot.envIgnored) {
    const before = snapshot.gitignore?.text ?? null;
    const base = before ?? '';
    const eol = base.includes('\r\n') ? '\r\n' : '\n';
    const block = `# Local secrets (added by obs)${eol}.env`;
    // As appendDotenvKeys: a file without a final newline stays without one, so remove can give it back.
    const after = base === '' || base.endsWith('\n') ? `${base}${block}${eol}` : `${base}${eol}${block}`;
    changes.push({ path: '.gitignore', before, after });
  }
  return { changes, untrack };
}

function joinPath(dir: string, name: string): string {
  return dir === '' || dir === '.' ? name : `${dir}/${name}`;
}
