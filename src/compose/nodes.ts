/**
 * Where things are written in a compose file, for messages with file:line: the lines of nodes,
 * a service's own keys and list items, its settings as plain JS, and every string scalar.
 * Checks ask these instead of walking the YAML themselves.
 */
import { isMap, isPair, isScalar, isSeq, visit, type Node, type Pair, type Scalar } from 'yaml';
import { lineColOf } from '../text/edits.js';
import type { ComposeFile } from './parse.js';
import { splitShortVolume, type ComposeService } from './project.js';

/** Anything with a source range, as yaml's nodes have. */
export type Ranged = { range?: [number, number, number] | null } | null | undefined;

export function lineOf(file: ComposeFile, node: Ranged): number {
  return lineAt(file, node?.range?.[0] ?? 0);
}

const lineStartsCache = new WeakMap<ComposeFile, number[]>();

/**
 * The 1-based line of `offset`, by binary search over the file's line starts (built once per
 * file): the environment index asks for every variable's line, and counting newlines from the
 * start each time made a 1,000-service file quadratic.
 */
function lineAt(file: ComposeFile, offset: number): number {
  let starts = lineStartsCache.get(file);
  if (!starts) {
    starts = [0];
    for (let i = file.text.indexOf('\n'); i !== -1; i = file.text.indexOf('\n', i + 1)) starts.push(i + 1);
    lineStartsCache.set(file, starts);
  }
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

/** Line of `needle` inside a node's source text (a value on a later line of a block scalar), else the node's line. */
export function lineOfText(file: ComposeFile, node: Ranged, needle: string): number {
  const [start, end] = node?.range ?? [0, 0];
  const at = file.text.indexOf(needle, start);
  return lineColOf(file.text, at !== -1 && at < end ? at : start).line;
}

/** The service's compose settings as plain JS, merged over its definitions (later files win). */
export function rawService(service: ComposeService): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const def of service.definitions) {
    if (def.map) Object.assign(out, def.resolved);
  }
  return out;
}

/** The `key:` pair written in a service (last definition wins), with its file. */
export function servicePair(service: ComposeService, key: string): { file: ComposeFile; pair: Pair } | undefined {
  for (const def of [...service.definitions].reverse()) {
    const pair = def.map?.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key);
    if (pair) return { file: def.file, pair };
  }
  return undefined;
}

/** Where a service is declared, for findings about the service as a whole. */
export function serviceWhere(service: ComposeService): { file: string; line: number } {
  const def = service.definitions[0]!;
  return { file: def.file.path, line: lineOf(def.file, def.pair.key as Node) };
}

/** Where a service's `key:` is written, falling back to the service itself. */
export function keyWhere(service: ComposeService, key: string): { file: string; line: number } {
  const found = servicePair(service, key);
  return found ? { file: found.file.path, line: lineOf(found.file, found.pair.key as Node) } : serviceWhere(service);
}

/** Scalar items of a service's list setting (`command:`, `ports:`) with their lines. */
export function listItems(service: ComposeService, key: string): { value: string; file: string; line: number }[] {
  const found = servicePair(service, key);
  if (!found || !isSeq(found.pair.value)) return [];
  return found.pair.value.items.filter((i): i is Scalar => isScalar(i)).map((i) => ({ value: String(i.value), file: found.file.path, line: lineOf(found.file, i) }));
}

/** Top-level keys of the file (`services`, `x-aws-vpc`, ...), in order. */
export function topLevelKeys(file: ComposeFile): string[] {
  const root = file.doc.contents;
  return isMap(root) ? root.items.map((p) => String((p.key as { value?: unknown } | null)?.value ?? '')) : [];
}

export interface StringScalar {
  value: string;
  /** A mapping key (compose interpolates values only). */
  isKey: boolean;
  node: Ranged;
}

/** Every string scalar of the file, keys and values, in document order. */
export function stringScalars(file: ComposeFile): StringScalar[] {
  const out: StringScalar[] = [];
  visit(file.doc, {
    Scalar(key, node: Scalar) {
      if (typeof node.value === 'string') out.push({ value: node.value, isKey: key === 'key', node });
    },
  });
  return out;
}

/**
 * Container paths the service mounts an anonymous volume on (`- /app/node_modules`, or a
 * `type: volume` entry without a source). Compose keeps such a volume when it recreates the
 * container, so what a rebuilt image has there stays hidden until `up --renew-anon-volumes`.
 */
export function anonymousVolumeTargets(service: ComposeService): string[] {
  const raw = rawService(service).volumes;
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((item): string[] => {
    if (typeof item === 'string') {
      const { source, target } = splitShortVolume(item);
      return source === undefined && target.startsWith('/') ? [target] : [];
    }
    if (!item || typeof item !== 'object') return [];
    const { type, source, target } = item as { type?: unknown; source?: unknown; target?: unknown };
    return type === 'volume' && (source === undefined || source === '') && typeof target === 'string' ? [target] : [];
  });
}

/** Named volumes a service mounts (`bundle:/usr/local/bundle`, or the long form with `type: volume`): the volume and where. */
export function namedVolumeMounts(service: ComposeService): { volume: string; target: string }[] {
  const raw = rawService(service).volumes;
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((item): { volume: string; target: string }[] => {
    if (typeof item === 'string') {
      const { source, target } = splitShortVolume(item);
      // A path (./app, /data, ~/x) is a bind mount; a bare name is a volume.
      return source !== undefined && /^[A-Za-z0-9][\w.-]*$/.test(source) && target.startsWith('/') ? [{ volume: source, target }] : [];
    }
    if (!item || typeof item !== 'object') return [];
    const { type, source, target } = item as { type?: unknown; source?: unknown; target?: unknown };
    return type === 'volume' && typeof source === 'string' && source !== '' && typeof target === 'string' ? [{ volume: source, target }] : [];
  });
}
