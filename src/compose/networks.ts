import type { ComposeService } from './project.js';

/** The network compose puts a service on when it names none. */
export const DEFAULT_NETWORK = 'default';

/** The compose networks a service is on: its own list, or `default`; none with a network_mode. */
export function networksOf(service: ComposeService): string[] {
  if (service.config.networkMode !== undefined) return [];
  return service.config.networks ?? [DEFAULT_NETWORK];
}

/** Whether two services can reach each other by service name (they share a compose network). */
export function shareNetwork(a: ComposeService, b: ComposeService): boolean {
  const theirs = new Set(networksOf(b));
  return networksOf(a).some((n) => theirs.has(n));
}

/**
 * The `networks:` a service obs adds needs so that every sender reaches it by name: undefined when
 * all senders are on `default` only (compose's default needs no key), otherwise every network a
 * sender is on, in order of first appearance. Senders with a network_mode join no compose network
 * and are returned as unreachable, for the report.
 */
export function networksToReach(senders: readonly ComposeService[]): { networks?: string[]; unreachable: string[] } {
  const unreachable = senders.filter((s) => s.config.networkMode !== undefined).map((s) => s.name);
  const networks = [...new Set(senders.flatMap(networksOf))];
  const onlyDefault = networks.every((n) => n === DEFAULT_NETWORK);
  return { ...(onlyDefault ? {} : { networks }), unreachable };
}
