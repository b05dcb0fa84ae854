import type { Node } from 'yaml';
import { locateEnvironment } from './environment.js';
import type { ComposeProject } from './project.js';

/**
 * Services that read the environment node `name` writes into. An anchored environment (or an
 * anchored service) merged into other services is shared: adding to it adds to all of them.
 */
export function environmentConsumers(project: ComposeProject, name: string): string[] {
  const owner = project.services.find((s) => s.name === name);
  const definition = owner?.definitions.find((d) => d.map);
  if (!definition?.map) return [];
  const location = locateEnvironment(definition.file.doc, definition.map);
  if (location.kind !== 'own') return [];
  const node: Node = location.node;
  const readers: string[] = [];
  for (const service of project.services) {
    if (service.name === name) continue;
    for (const d of service.definitions) {
      if (d.file !== definition.file || !d.map) continue;
      const other = locateEnvironment(d.file.doc, d.map);
      const target = other.kind === 'own' ? other.node : other.kind === 'none' ? undefined : other.target;
      if (target === node) readers.push(service.name);
    }
  }
  return readers;
}
