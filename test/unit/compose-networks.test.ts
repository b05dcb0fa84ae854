import { describe, expect, it } from 'vitest';
import { parseComposeText as parseCompose } from '../../src/compose/parse.js';
import { buildProject } from '../../src/compose/project.js';
import { networksToReach, shareNetwork } from '../../src/compose/networks.js';
import { destinationHosts } from '../../src/checks/project/telemetry-network.js';

function services(text: string) {
  const project = buildProject([parseCompose('compose.yaml', text)]);
  return new Map(project.services.map((s) => [s.name, s]));
}

describe('compose networks', () => {
  const s = services(
    [
      'services:',
      '  app: { image: a }',
      '  api: { image: a, networks: [back, front] }',
      '  worker: { image: a, networks: { back: { aliases: [w] } } }',
      '  hostnet: { image: a, network_mode: host }',
      '  mixed: { image: a, networks: [default, back] }',
    ].join('\n'),
  );
  const get = (name: string) => s.get(name)!;

  it('needs no networks key when every sender is on the default network only', () => {
    expect(networksToReach([get('app')])).toEqual({ unreachable: [] });
  });
  it('lists every network of the senders, in order of first appearance, default included when one needs it', () => {
    expect(networksToReach([get('api'), get('worker')])).toEqual({ networks: ['back', 'front'], unreachable: [] });
    expect(networksToReach([get('app'), get('worker')])).toEqual({ networks: ['default', 'back'], unreachable: [] });
  });
  it('reports senders with a network_mode as unreachable by name', () => {
    expect(networksToReach([get('hostnet'), get('api')])).toEqual({ networks: ['back', 'front'], unreachable: ['hostnet'] });
  });
  it('shareNetwork: default by omission, map form, and network_mode', () => {
    expect(shareNetwork(get('app'), get('mixed'))).toBe(true);
    expect(shareNetwork(get('app'), get('api'))).toBe(false);
    expect(shareNetwork(get('worker'), get('api'))).toBe(true);
    expect(shareNetwork(get('hostnet'), get('app'))).toBe(false);
  });
  it('merges a service networks across files', () => {
    const project = buildProject([parseCompose('a.yaml', 'services:\n  x: { image: a, networks: [one] }\n'), parseCompose('b.yaml', 'services:\n  x: { networks: { two: {} } }\n')]);
    expect(project.services[0]!.config.networks).toEqual(['one', 'two']);
  });
});

describe('destinationHosts', () => {
  it('reads host:port, tcp:/udp: pairs and URLs', () => {
    expect(destinationHosts('xray-daemon:2000')).toEqual(['xray-daemon']);
    expect(destinationHosts('tcp:xray:2000 udp:xray:2000')).toEqual(['xray', 'xray']);
    expect(destinationHosts('http://otel-collector:4318')).toEqual(['otel-collector']);
    expect(destinationHosts('https://api.honeycomb.io')).toEqual(['api.honeycomb.io']);
    expect(destinationHosts('not an address')).toEqual([]);
  });
});
