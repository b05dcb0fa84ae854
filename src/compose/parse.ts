import { isMap, isPair, isScalar, isSeq, parseAllDocuments, type Document, type YAMLMap } from 'yaml';
import { UsageError } from '../errors.js';
import { detectEol, lineColOf } from '../text/edits.js';
import { checkEncoding, depthError, resolveComposeDocument, tooDeepOffset } from './validity.js';

/** One compose file as read from disk: its text is the source of truth for edits. */
export interface ComposeFile {
  /** Path relative to the project directory, as shown to users. */
  path: string;
  text: string;
  eol: '\n' | '\r\n';
  doc: Document.Parsed;
  /** The file's value as compose reads it (aliases and merges resolved), valid against the compose schema. */
  value: Record<string, unknown>;
}

/** Compose resolves `<<` merge keys (YAML 1.1 style) inside otherwise YAML 1.2 files. */
export const COMPOSE_PARSE_OPTIONS = { merge: true, uniqueKeys: true, prettyErrors: false } as const;

/**
 * The parser's own duplicate-key check compares each key with every earlier key of its map:
 * quadratic in the number of services. A first parse skips it and a linear check stands in;
 * a file with any error or duplicate is parsed again with the parser's check, so what is
 * reported stays exactly the parser's (a clean file parses to the same Document either way).
 */
const WITHOUT_KEY_CHECK = { ...COMPOSE_PARSE_OPTIONS, uniqueKeys: false } as const;

export function parseComposeText(path: string, text: string): ComposeFile {
  checkEncoding(path, text);
  // The parser skips a leading byte-order mark itself and keeps node offsets in `text`, so
  // edits land where they belong and the mark stays (compose reads such files too).
  let docs: ReturnType<typeof parseAllDocuments>;
  try {
    docs = parseAllDocuments(text, WITHOUT_KEY_CHECK);
    if (!Array.isArray(docs) || docs.some((doc) => doc.errors.length > 0 || hasDuplicateKey(doc.contents))) docs = parseAllDocuments(text, COMPOSE_PARSE_OPTIONS);
  } catch (err) {
    if (err instanceof RangeError) throw depthError(path, text, tooDeepOffset(text));
    throw err;
  }
  const list = Array.isArray(docs) ? docs : [docs];
  if (list.length === 0) throw new UsageError('the compose file is empty', { file: path });
  for (const doc of list) {
    const problem = doc.errors[0];
    if (problem) {
      const at = problem.pos?.[0] ?? 0;
      // The parser recurses once per level and reports running out of stack as a YAML error.
      if (/Maximum call stack/.test(problem.message)) throw depthError(path, text, tooDeepOffset(text));
      const { line, col } = lineColOf(text, at);
      throw new UsageError(`invalid YAML: ${firstLine(problem.message)}`, { file: path, line, col });
    }
  }
  if (list.length > 1) {
    const at = (list[1] as Document.Parsed).range[0];
    throw new UsageError('a compose file holds one YAML document, this one has several', { file: path, ...lineColOf(text, at) });
  }
  const doc = list[0]! as Document.Parsed;
  const root = doc.contents;
  if (!isMap(root)) {
    const at = root?.range?.[0] ?? 0;
    throw new UsageError('a compose file must be a mapping with a `services:` key', { file: path, ...lineColOf(text, at) });
  }
  const services = root.get('services', true);
  if (services !== undefined && !(isScalar(services) && services.value === null) && !isMap(services)) {
    const at = (services as { range?: number[] }).range?.[0] ?? 0;
    throw new UsageError('`services` must be a mapping of service names to their settings', { file: path, ...lineColOf(text, at) });
  }
  const value = resolveComposeDocument(path, text, doc);
  return { path, text, eol: detectEol(text), doc, value };
}

export function servicesMap(file: ComposeFile): YAMLMap | undefined {
  const node = (file.doc.contents as YAMLMap).get('services', true);
  return isMap(node) ? node : undefined;
}

/** Whether any map under `node` has two scalar keys with the same value (what the parser's check looks for). */
function hasDuplicateKey(node: unknown): boolean {
  if (isMap(node)) {
    const seen = new Set<unknown>();
    for (const pair of node.items) {
      if (isScalar(pair.key)) {
        if (seen.has(pair.key.value)) return true;
        seen.add(pair.key.value);
      } else if (hasDuplicateKey(pair.key)) return true;
      if (hasDuplicateKey(pair.value)) return true;
    }
    return false;
  }
  if (isSeq(node)) return node.items.some((item) => (isPair(item) ? hasDuplicateKey(item.key) || hasDuplicateKey(item.value) : hasDuplicateKey(item)));
  return false;
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}
