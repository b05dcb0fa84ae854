import type { Node } from 'yaml';
import { locateEnvironment } from './environment.js';
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
      const node = location.kind === 'own' ? location.node : location.kind === 'none' ? undefined : location.target;
      if (!node) continue;
      readers.set(node, [...(readers.get(node) ?? []), service.name]);
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
