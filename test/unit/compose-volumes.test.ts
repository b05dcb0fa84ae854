import { expect, it } from 'vitest';
import { anonymousVolumeTargets, namedVolumeMounts } from '../../src/compose/nodes.js';
import { parseComposeText } from '../../src/compose/parse.js';
import { buildProject } from '../../src/compose/project.js';

const targets = (text: string) => anonymousVolumeTargets(buildProject([parseComposeText('docker-compose.yml', text)]).services[0]!);

it('anonymousVolumeTargets: container paths with a volume of their own and no source', () => {
  const text = [
    'services:',
    '  web:',
    '    volumes:',
    '      - ./frontend:/app',
    '      - /app/node_modules',
    '      - data:/var/lib/data',
    '      - type: volume',
    '        target: /app/.next',
    '      - type: volume',
    '        source: cache',
    '        target: /cache',
    '      - type: bind',
    '        source: ./x',
    '        target: /x',
    'volumes:',
    '  data:',
    '  cache:',
    '',
  ].join('\n');
  expect(targets(text)).toEqual(['/app/node_modules', '/app/.next']);
  expect(targets('services:\n  web:\n    image: nginx\n')).toEqual([]);
});

it('namedVolumeMounts: named volumes and where they are mounted; bind mounts and anonymous volumes are not', () => {
  const text = [
    'services:',
    '  web:',
    '    volumes:',
    '      - .:/usr/src/app',
    '      - bundle:/usr/local/bundle',
    '      - ~/cache:/cache',
    '      - /app/node_modules',
    '      - type: volume',
    '        source: gems',
    '        target: /gems',
    '      - type: bind',
    '        source: ./x',
    '        target: /x',
    'volumes:',
    '  bundle:',
    '  gems:',
    '',
  ].join('\n');
  const service = buildProject([parseComposeText('docker-compose.yml', text)]).services[0]!;
  expect(namedVolumeMounts(service)).toEqual([
    { volume: 'bundle', target: '/usr/local/bundle' },
    { volume: 'gems', target: '/gems' },
  ]);
});
