import { describe, expect, it } from 'vitest';
import { publishedPort } from '../../src/aws/xray-url.js';
import { parseComposeText } from '../../src/compose/parse.js';
import { buildProject } from '../../src/compose/project.js';

function portOf(spec: string): string | undefined {
  const project = buildProject([parseComposeText('compose.yaml', `services:\n  web:\n    image: x\n    ports:\n      - "${spec}"\n`)]);
  return publishedPort(project.services[0]!);
}

describe('publishedPort: the port a browser reaches the service on', () => {
  it('literal mappings, ranges and host addresses', () => {
    expect(portOf('4567:4567')).toBe('4567');
    expect(portOf('127.0.0.1:8080:80')).toBe('8080');
    expect(portOf('3000-3001:3000-3001')).toBe('3001');
    expect(portOf('5000')).toBe('5000');
  });

  it('a variable standing for the port stays a reference (compose interpolates AWS_XRAY_URL the same way)', () => {
    expect(portOf('${API_PORT:-3000}:3000')).toBe('${API_PORT:-3000}');
    expect(portOf('${HOST:-0.0.0.0}:${PORT:-8000}:8000')).toBe('${PORT:-8000}');
  });

  it('a variable whose default holds a host address gives the default port (nickjj/docker-rails-example)', () => {
    expect(portOf('${DOCKER_WEB_PORT_FORWARD:-127.0.0.1:8000}:${PORT:-8000}')).toBe('8000');
    expect(portOf('${X-127.0.0.1:28080}:28080')).toBe('28080');
  });
});
