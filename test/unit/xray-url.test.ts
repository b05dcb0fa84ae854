import { describe, expect, it } from 'vitest';
import { publishedPort, xrayUrlPattern } from '../../src/aws/xray-url.js';
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

/** The Host patterns doctor's xray-url check suggests (obs wrote them into AWS_XRAY_URL until it named segments after the service). */
describe('xrayUrlPattern', () => {
  const services = (text: string) => buildProject([parseComposeText('docker-compose.yml', text)]).services;
  const LOCAL = { gitpod: false, codespaces: false };
  const GITPOD = { gitpod: true, codespaces: false };
  const CODESPACES = { gitpod: false, codespaces: true };

  it('a published port written with a variable keeps the reference, default included (corpus getlago__lago)', () => {
    const [api, front] = services(
      'services:\n  api:\n    build: ./api\n    ports:\n      - ${API_PORT:-3000}:3000\n  front:\n    build: ./front\n    ports:\n      - "127.0.0.1:${FRONT_PORT-80}:80/tcp"\n',
    );
    const port = publishedPort(api!)!;
    expect([LOCAL, GITPOD, CODESPACES].map((h) => xrayUrlPattern(port, h))).toEqual([
      '*localhost:${API_PORT:-3000}*',
      '*${API_PORT:-3000}-${GITPOD_WORKSPACE_ID}.${GITPOD_WORKSPACE_CLUSTER_HOST}*',
      '*${CODESPACE_NAME}-${API_PORT:-3000}.${GITHUB_CODESPACES_PORT_FORWARDING_DOMAIN}*',
    ]);
    expect(xrayUrlPattern(publishedPort(front!)!, LOCAL)).toBe('*localhost:${FRONT_PORT-80}*');
  });

  it('ports 80 and 443 match localhost without the port; Gitpod and Codespaces keep it in the host name', () => {
    expect(xrayUrlPattern('80', LOCAL)).toBe('*localhost*');
    expect(xrayUrlPattern('443', LOCAL)).toBe('*localhost*');
    expect(xrayUrlPattern('80', GITPOD)).toBe('*80-${GITPOD_WORKSPACE_ID}.${GITPOD_WORKSPACE_CLUSTER_HOST}*');
    expect(xrayUrlPattern('443', CODESPACES)).toBe('*${CODESPACE_NAME}-443.${GITHUB_CODESPACES_PORT_FORWARDING_DOMAIN}*');
  });
});
