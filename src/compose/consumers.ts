import { isMap, type Document, type Node, type YAMLMap, type YAMLSeq } from 'yaml';
import { envNodeOf, locateEnvironment, mergeSources } from './environment.js';
import type { ComposeProject } from './project.js';

/**
 * Which services read which environment node. An anchored environment (or an anchored service)
 * merged into other services is shared: adding to it adds to all of them.
 */
export interface EnvironmentReaders {
  /** Services other than `name` that read the environment node `name` itself writes into. */
  sharedWith(name: string): string[];
}

export function environmentReaders(project: ComposeProject): EnvironmentReaders {
  const readers = new Map<Node, string[]>();
  const owned = new Map<string, Node>();
  for (const service of project.services) {
    for (const definition of service.definitions) {
      if (!definition.map) continue;
      const location = locateEnvironment(definition.file.doc, definition.map);
      const node = envNodeOf(location);
      if (!node) continue;
      // A service reads its environment node and everything that node merges in (`<<: *x`).
      for (const read of withMergeSources(definition.file.doc, node)) readers.set(read, [...(readers.get(read) ?? []), service.name]);
      if (location.kind === 'own' && !owned.has(service.name)) owned.set(service.name, node);
    }
  }
  return {
    sharedWith(name) {
      const node = owned.get(name);
      return node ? (readers.get(node) ?? []).filter((s) => s !== name) : [];
    },
  };
}

function withMergeSources(doc: Document, node: YAMLMap | YAMLSeq): Node[] {
  const out: Node[] = [node];
  for (let i = 0; i < out.length; i++) {
    const current = out[i]!;
    if (!isMap(current)) continue;
    for (const source of mergeSources(doc, current)) if (!out.includes(source)) out.push(source);
  }
  return out;
}
