import type { HostingHints } from '../aws/xray-url.js';
import { portRange, portsOf, unsetDefault } from '../compose/ports.js';
import type { PortMapping } from '../compose/project.js';

export interface FrontendPorts {
  /** The compose service, for messages. */
  service: string;
  ports: readonly PortMapping[];
}

export interface CorsOrigins {
  /** For the OTLP HTTP receiver's cors.allowed_origins, in the order found, without repeats. */
  origins: string[];
  /** Published ports no origin can be computed for (`${PORT}` without a default), to name in a note. */
  unknown: { service: string; published: string }[];
}

/** Published TCP ports beyond this in one range are not listed one by one (nobody serves a page on them all). */
const MAX_RANGE = 20;

/**
 * The origins a frontend's pages are served from, so the browser may send spans to the
 * collector. Only published ports count: a page is loaded through them. `${PORT:-3000}` takes
 * its default (what compose publishes when PORT is unset).
 *
 * The origin a browser sends leaves out the scheme's default port (RFC 6454): a page on
 * localhost:80 has origin `http://localhost`. Gitpod and Codespaces put the port in the host
 * name and serve https on 443: `https://3000-<workspace>.<cluster>.gitpod.io`,
 * `https://<codespace>-3000.app.github.dev`; the receiver's CORS takes one `*` per origin.
 * `hints` is what `obs init` already detected (.gitpod.yml, .devcontainer/).
 */
export function corsOrigins(frontends: readonly FrontendPorts[], hints: HostingHints): CorsOrigins {
  const origins = new Set<string>();
  const unknown: CorsOrigins['unknown'] = [];
  for (const { service, ports } of frontends) {
    for (const mapping of ports) {
      if (mapping.protocol && mapping.protocol !== 'tcp') continue;
      if (mapping.published === undefined) continue;
      const numbers = portNumbers(mapping.published);
      if (!numbers) {
        unknown.push({ service, published: mapping.published });
        continue;
      }
      for (const port of numbers) {
        // A page published on 443 is https (there is no other reason to use it); the default port is left out.
        const base = port === 443 ? 'https://' : 'http://';
        const suffix = port === 80 || port === 443 ? '' : `:${port}`;
        origins.add(`${base}localhost${suffix}`);
        origins.add(`${base}127.0.0.1${suffix}`);
        if (hints.gitpod) origins.add(`https://${port}-*.gitpod.io`);
        if (hints.codespaces) origins.add(`https://*-${port}.app.github.dev`);
      }
    }
  }
  return { origins: [...origins], unknown };
}

/** `3000`, `3000-3002`, `${PORT:-3000}`; undefined when compose alone decides (`${PORT}`). */
function portNumbers(published: string): number[] | undefined {
  const range = portRange(unsetDefault(published));
  if (!range || range.first < 1 || range.last > 65535 || range.last < range.first) return undefined;
  return portsOf(range, MAX_RANGE);
}
