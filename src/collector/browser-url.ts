import type { HostingHints } from '../aws/xray-url.js';

/**
 * The URL the browser reaches the collector at: localhost and the published port; on Gitpod and
 * Codespaces the forwarded https URL, from the variables those set in every workspace shell
 * (compose interpolates them when it starts the frontend).
 */
export function browserCollectorUrl(port: number, hints: HostingHints): string {
  if (hints.gitpod) return `https://${port}-\${GITPOD_WORKSPACE_ID}.\${GITPOD_WORKSPACE_CLUSTER_HOST}`;
  if (hints.codespaces) return `https://\${CODESPACE_NAME}-${port}.\${GITHUB_CODESPACES_PORT_FORWARDING_DOMAIN}`;
  return `http://localhost:${port}`;
}
