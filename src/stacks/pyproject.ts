/**
 * Reads pyproject.toml with a TOML parser (smol-toml): what a Python app declares and which tools
 * it configures. Reading only: obs edits the file as text (instrument/requirements.ts), keeping
 * the user's layout.
 */
import { parse, type TomlTable } from 'smol-toml';

export interface Pyproject {
  /** `[project] dependencies`: PEP 508 requirement strings, as written. */
  dependencies: string[];
  /** Poetry's dependency tables (main, dev and groups): name and version constraint ('' when none). */
  poetry: { name: string; spec: string }[];
  /** Requirement strings in optional dependencies and dependency groups (PEP 735). */
  optional: string[];
  /** `[tool.x]` tables present. */
  tools: Set<string>;
  /** `[tool.poetry.dependencies]` is there (Poetry manages the project). */
  poetryDependencies: boolean;
  /** The Pythons the project declares: `[project] requires-python`, else Poetry's `python` dependency. */
  requiresPython?: string;
}

let last: { text: string; read: Pyproject | undefined } | undefined;

/** The file as read, or undefined when it is not valid TOML (pip, uv and poetry would refuse it too). */
export function readPyproject(text: string): Pyproject | undefined {
  // One service's planners ask for the same file several times.
  if (last?.text === text) return last.read;
  const read = parsePyproject(text);
  last = { text, read };
  return read;
}

function parsePyproject(text: string): Pyproject | undefined {
  let doc: TomlTable;
  try {
    doc = parse(text);
  } catch {
    return undefined;
  }
  const project = table(doc.project);
  const tool = table(doc.tool);
  const poetry = table(tool?.poetry);
  const poetryTables = [poetry?.dependencies, poetry?.['dev-dependencies'], ...Object.values(table(poetry?.group) ?? {}).map((g) => table(g)?.dependencies)];
  return {
    dependencies: strings(project?.dependencies),
    poetry: poetryTables.flatMap((t) => Object.entries(table(t) ?? {}).map(([name, value]) => ({ name, spec: poetrySpec(value) }))),
    optional: [...Object.values(table(project?.['optional-dependencies']) ?? {}), ...Object.values(table(doc['dependency-groups']) ?? {})].flatMap(strings),
    tools: new Set(Object.keys(tool ?? {})),
    poetryDependencies: table(poetry?.dependencies) !== undefined,
    ...pythonRange(project?.['requires-python'], table(poetry?.dependencies)?.python),
  };
}

function pythonRange(requiresPython: unknown, poetryPython: unknown): { requiresPython?: string } {
  const spec = typeof requiresPython === 'string' ? requiresPython : poetrySpec(poetryPython);
  return spec.trim() === '' ? {} : { requiresPython: spec.trim() };
}

function table(value: unknown): TomlTable | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date) ? (value as TomlTable) : undefined;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** `flask = "^3.0"` or `flask = { version = "^3.0", extras = [...] }`; a git or path source has none. */
function poetrySpec(value: unknown): string {
  if (typeof value === 'string') return value.trim();
  const version = table(value)?.version;
  return typeof version === 'string' ? version.trim() : '';
}
