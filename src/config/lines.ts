import { isMap, isScalar, isSeq, type parseDocument } from 'yaml';
import { lineColOf } from '../text/edits.js';
import type { ObsConfig } from './types.js';

type ParsedDocument = ReturnType<typeof parseDocument>;

/** The parsed document behind each config parseObsConfig returned, so later checks can name lines. */
const sources = new WeakMap<ObsConfig, { doc: ParsedDocument; text: string }>();

export function recordSource(config: ObsConfig, doc: ParsedDocument, text: string): void {
  sources.set(config, { doc, text });
}

/**
 * The line of `path` (`xray.samplingRules[0].fixedRate`) in the obs.yaml this config was parsed
 * from: the line of its key, or of the nearest enclosing entry when the setting is absent.
 * undefined for a config that was not parsed from text.
 */
export function obsConfigLine(config: ObsConfig, path: string): number | undefined {
  const source = sources.get(config);
  return source ? lineIn(source.doc, source.text, path) : undefined;
}

export function lineIn(doc: ParsedDocument, text: string, path: string): number {
  const segments = [...path.matchAll(/\[(\d+)\]|[^.[\]]+/g)].map((m) => (m[1] !== undefined ? Number(m[1]) : m[0]));
  let node: unknown = doc.contents;
  let offset = (node as { range?: number[] } | null)?.range?.[0] ?? 0;
  for (const segment of segments) {
    let next: { range?: number[] } | undefined;
    let at: number | undefined;
    if (isMap(node) && typeof segment === 'string') {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === segment);
      if (!pair) break;
      at = (pair.key as { range?: number[] }).range?.[0];
      next = pair.value as { range?: number[] } | undefined;
    } else if (isSeq(node) && typeof segment === 'number') {
      next = node.items[segment] as { range?: number[] } | undefined;
      at = next?.range?.[0];
      if (!next) break;
    } else break;
    if (at !== undefined) offset = at;
    node = next;
  }
  return lineColOf(text, offset).line;
}
