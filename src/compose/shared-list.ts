import { isScalar, isSeq } from 'yaml';
import { locateEnvironment } from './environment.js';
import type { ComposeProject, ComposeService } from './project.js';

/**
 * A service's environment when it is another node's LIST, reached through a `<<:` merge or an
 * alias (`environment: *list`): its items (key and node), how it is reached, and the service that
 * writes it as its own, when one does. Undefined for a service's own environment or a mapping.
 */
export function sharedListOf(
  project: ComposeProject,
  service: ComposeService,
  definition: ComposeService['definitions'][number],
): { via: 'merge' | 'alias'; from?: string; items: { key: string; node: unknown }[] } | undefined {
  if (!definition.map) return undefined;
  const location = locateEnvironment(definition.file.doc, definition.map);
  if ((location.kind !== 'inherited' && location.kind !== 'alias') || !isSeq(location.target)) return undefined;
  const target = location.target;
  const owner = project.services.find(
    (s) =>
      s !== service &&
      s.definitions.some((d) => {
        if (!d.map || d.file !== definition.file) return false;
        const own = locateEnvironment(d.file.doc, d.map);
        return own.kind === 'own' && own.node === target;
      }),
  );
  const items = target.items.map((node) => ({ key: String((isScalar(node) ? node.value : '') ?? '').split('=')[0]!, node }));
  return { via: location.kind === 'alias' ? 'alias' : 'merge', items, ...(owner ? { from: owner.name } : {}) };
}
