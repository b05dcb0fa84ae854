/**
 * AWS_XRAY_URL, the Host pattern hand-written X-Ray SDK code names segments by (dynamic naming):
 * checked by doctor's xray-url check, which suggests these patterns as fixes. obs writes none
 * (see the X-Ray backend, src/backends/xray.ts).
 */
import type { ComposeService } from '../compose/project.js';

export interface HostingHints {
  gitpod: boolean;
  codespaces: boolean;
}

/**
 * The port a browser reaches the service on, for X-Ray's dynamic segment naming. A range keeps
 * its last port; a `${VAR:-3000}` stays a reference, which compose interpolates in
 * AWS_XRAY_URL to the same port it publishes; `${VAR:-127.0.0.1:8000}` gives the default's port.
 */
export function publishedPort(service: ComposeService): string | undefined {
  const tcp = service.config.ports.find((p) => !p.protocol || p.protocol === 'tcp');
  const published = tcp?.published;
  if (published?.includes('${')) {
    // `${VAR:-127.0.0.1:8000}` publishes on a host address: the reference cannot stand for a
    // port, and the browser reaches the default's port (nickjj/docker-rails-example).
    const fallback = /^\$\{[A-Za-z_][A-Za-z0-9_]*:?-([^}]*)\}$/.exec(published)?.[1];
    if (fallback !== undefined && fallback.includes(':')) return fallback.replace(/^.*:/, '').replace(/^.*-/, '') || undefined;
    return published;
  }
  return published?.replace(/^.*-/, '') ?? tcp?.target;
}

/**
 * AWS_XRAY_URL is a pattern matched against the Host header: `*` on both sides, and the host
 * the browser really uses.
 *
 * On Gitpod and Codespaces the port is part of the host NAME (`80-<workspace>.<cluster>`,
 * `<codespace>-80.app.github.dev`, as the Cruddur corpus cases write it: `*4567-${GITPOD_...}*`)
 * and the browser reaches it over https on 443, so the Host header carries no `:port`: the
 * port stays in those forms, whatever it is.
 *
 * On localhost the port is a real `:port` in the Host header, and a browser (like curl and
 * every HTTP client following RFC 9110 §7.2) leaves it out when it is the scheme's default:
 * a service published on 80 (http) or 443 (https) is asked for as `Host: localhost`, which
 * "*localhost:80*" never matches. Those get `*localhost*` (which also matches an explicit
 * `localhost:80`). A `${VAR:-80}` port is only known when compose runs, so it stays as written.
 */
export function xrayUrlPattern(port: string, hints: HostingHints): string {
  if (hints.gitpod) return `*${port}-\${GITPOD_WORKSPACE_ID}.\${GITPOD_WORKSPACE_CLUSTER_HOST}*`;
  if (hints.codespaces) return `*\${CODESPACE_NAME}-${port}.\${GITHUB_CODESPACES_PORT_FORWARDING_DOMAIN}*`;
  if (port === '80' || port === '443') return '*localhost*';
  return `*localhost:${port}*`;
}
