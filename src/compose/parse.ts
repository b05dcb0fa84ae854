import { isMap, isScalar, parseAllDocuments, type Document, type YAMLMap } from 'yaml';
import { UsageError } from '../errors.js';
import { detectEol, lineColOf } from './text-edits.js';

/** One compose file as read from disk: its text is the source of truth for edits. */
export interface ComposeFile {
  /** Path relative to the project directory, as shown to users. */
  path: string;
  text: string;
  eol: '\n' | '\r\n';
  doc: Document.Parsed;
}

/** Compose resolves `<<` merge keys (YAML 1.1 style) inside otherwise YAML 1.2 files. */
export const COMPOSE_PARSE_OPTIONS = { merge: true, uniqueKeys: true, prettyErrors: false } as const;

export function parseComposeText(path: string, text: string): ComposeFile {
  const docs = parseAllDocuments(text.replace(/^\uFEFF/, ''), COMPOSE_PARSE_OPTIONS);
  const list = Array.isArray(docs) ? docs : [docs];
  if (list.length === 0) throw new UsageError('the compose file is empty', { file: path });
  for (const doc of list) {
    const problem = doc.errors[0];
    if (problem) {
      const at = problem.pos?.[0] ?? 0;
      const { line, col } = lineColOf(text, at);
      throw new UsageError(`invalid YAML: ${firstLine(problem.message)}`, { file: path, line, col });
    }
  }
  if (list.length > 1) {
    const at = list[1]!.range[0];
    throw new UsageError('a compose file holds one YAML document, this one has several', { file: path, ...lineColOf(text, at) });
  }
  const doc = list[0]! as Document.Parsed;
  if (text.startsWith('\uFEFF')) {
    throw new UsageError('the file starts with a byte-order mark; save it as UTF-8 without BOM', { file: path, line: 1 });
  }
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
  return { path, text, eol: detectEol(text), doc };
}

export function servicesMap(file: ComposeFile): YAMLMap | undefined {
  const node = (file.doc.contents as YAMLMap).get('services', true);
  return isMap(node) ? node : undefined;
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}
