import { HONEYCOMB_ENDPOINTS } from '../config/obs-config.js';
import type { ComposeService } from '../compose/project.js';
import { BROWSER_STACKS, type Stack } from '../stacks/detect.js';
import type { EnvSetting } from '../compose/edit-env.js';
import type { InitChoices } from './choices.js';

export interface HostingHints {
  gitpod: boolean;
  codespaces: boolean;
}

/**
 * The port a browser reaches the service on, for X-Ray's dynamic segment naming. A range keeps
 * its last port; a `${VAR:-3000}` stays a reference, which compose interpolates in
 * AWS_XRAY_URL to the same port it publishes.
 */
export function publishedPort(service: ComposeService): string | undefined {
  const tcp = service.config.ports.find((p) => !p.protocol || p.protocol === 'tcp');
  const published = tcp?.published;
  if (published?.includes('${')) return published;
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

export function otlpHeaders(choices: InitChoices, keyVar = 'HONEYCOMB_API_KEY'): string {
  const team = `x-honeycomb-team=\${${keyVar}}`;
  // Header values are percent-encoded (OTLP exporter spec): a dataset name may hold spaces.
  return choices.honeycomb.dataset ? `${team},x-honeycomb-dataset=${encodeURIComponent(choices.honeycomb.dataset)}` : team;
}

/** Every variable obs wants on an instrumented service, in the order it writes them. */
export function desiredEnvironment(
  service: ComposeService,
  stack: Stack,
  choices: InitChoices,
  hints: HostingHints,
  daemonService: string | undefined,
): EnvSetting[] {
  const settings: EnvSetting[] = [{ key: 'OTEL_SERVICE_NAME', value: service.name }];
  // A browser bundle cannot hold a Honeycomb key or reach a daemon: it only needs its name.
  if (BROWSER_STACKS.has(stack)) return settings;
  if (choices.honeycomb.enabled) {
    settings.push({ key: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: HONEYCOMB_ENDPOINTS[choices.honeycomb.region] });
    settings.push({ key: 'OTEL_EXPORTER_OTLP_HEADERS', value: otlpHeaders(choices) });
  }
  if (choices.xray.enabled && daemonService) {
    const port = publishedPort(service);
    if (port) settings.push({ key: 'AWS_XRAY_URL', value: xrayUrlPattern(port, hints) });
    settings.push({ key: 'AWS_XRAY_DAEMON_ADDRESS', value: `${daemonService}:2000` });
  }
  if (choices.cloudwatch.enabled) {
    settings.push({ key: 'AWS_DEFAULT_REGION', value: '${AWS_DEFAULT_REGION}' });
    settings.push({ key: 'AWS_ACCESS_KEY_ID', value: '${AWS_ACCESS_KEY_ID}' });
    settings.push({ key: 'AWS_SECRET_ACCESS_KEY', value: '${AWS_SECRET_ACCESS_KEY}' });
  }
  if (choices.rollbar.enabled) settings.push({ key: 'ROLLBAR_ACCESS_TOKEN', value: '${ROLLBAR_ACCESS_TOKEN}' });
  return settings;
}

/** Placeholders for `.env.example`, with the one-line comment each gets. */
export const PLACEHOLDER_COMMENTS: Record<string, string> = {
  HONEYCOMB_API_KEY: 'Honeycomb ingest key (Honeycomb > Environment settings > API keys). Never commit it.',
  AWS_ACCESS_KEY_ID: 'AWS access key id used by the X-Ray daemon and CloudWatch Logs.',
  AWS_SECRET_ACCESS_KEY: 'AWS secret access key that goes with AWS_ACCESS_KEY_ID. Never commit it.',
  AWS_DEFAULT_REGION: 'AWS region for X-Ray and CloudWatch Logs, e.g. us-east-1.',
  ROLLBAR_ACCESS_TOKEN: 'Rollbar project access token with the post_server_item scope. Never commit it.',
};
