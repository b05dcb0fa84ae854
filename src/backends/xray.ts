import { validateGroup } from '../aws/xray-group.js';
import { publishedPort, xrayUrlPattern } from '../aws/xray-url.js';
import type { ComposeService } from '../compose/project.js';
import { xrayDaemonAddressCheck } from '../checks/project/xray-daemon-address.js';
import { xrayDaemonCommandCheck } from '../checks/project/xray-daemon-command.js';
import { xrayDaemonImageCheck } from '../checks/project/xray-daemon-image.js';
import { xrayDaemonPresentCheck } from '../checks/project/xray-daemon-present.js';
import { xrayDaemonSetupCheck } from '../checks/project/xray-daemon-setup.js';
import { xrayMaintenanceCheck } from '../checks/project/xray-maintenance.js';
import { xrayUrlCheck } from '../checks/project/xray-url.js';
import { BROWSER_STACKS } from '../stacks/detect.js';
import { AWS_PLACEHOLDERS } from './aws-placeholders.js';
import { given, validationMessage } from './flags.js';
import type { Backend, BackendSettings } from './types.js';

export interface XraySettings extends BackendSettings {
  group: string;
}

/** The same rules `obs xray create-group` applies, here for --xray-group. */
export function validateXrayGroupName(name: string, flag = '--xray-group'): string {
  validateGroup({ name, tags: new Map() }, () => flag);
  return name;
}

const GROUP_NAME_MAX = 32;

/**
 * `cruddur` -> `Cruddur`: a valid X-Ray group name (1-32 letters, digits, dashes) from the compose
 * project name. Runs of other characters become one dash; a longer name is cut at the last word
 * boundary that fits (`omenking__aws-bootcamp-cruddur-2023__week2` -> `Omenking-aws-bootcamp-cruddur`),
 * not mid-word, unless that would leave less than half of it.
 */
export function defaultGroupName(projectName: string): string {
  const dashed = projectName.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  const boundary = dashed.length > GROUP_NAME_MAX ? dashed.lastIndexOf('-', GROUP_NAME_MAX) : -1;
  const cut = dashed.length <= GROUP_NAME_MAX ? dashed : boundary >= GROUP_NAME_MAX / 2 ? dashed.slice(0, boundary) : dashed.slice(0, GROUP_NAME_MAX);
  const cleaned = cut.replace(/-+$/, '') || 'app';
  const name = cleaned[0]!.toUpperCase() + cleaned.slice(1);
  return name === 'Default' ? 'Default-app' : name;
}

/**
 * The AWS_XRAY_URL values obs wrote before it stopped (see environment below): the Host pattern of
 * the published port, locally, on Gitpod, on Codespaces. A re-run that takes the daemon away takes
 * one of these out with it.
 */
export function formerXrayUrls(service: ComposeService): string[] {
  const port = publishedPort(service);
  if (!port) return [];
  const hints = [
    { gitpod: false, codespaces: false },
    { gitpod: true, codespaces: false },
    { gitpod: false, codespaces: true },
  ];
  return [...new Set(hints.map((h) => xrayUrlPattern(port, h)))];
}

/** AWS X-Ray through the X-Ray daemon service init adds; obs.yaml holds a group and a sampling rule for `obs apply`. */
export const xray: Backend<XraySettings> = {
  id: 'xray',
  label: 'X-Ray',
  help: {
    on: 'send traces to X-Ray: through the collector, or the X-Ray daemon with --pipeline direct (default: on for backend services; with --pipeline direct only for Flask or apps already on the X-Ray SDK)',
    off: 'do not set up X-Ray',
  },
  flags: [
    {
      flags: '--xray-group <name>',
      key: 'xrayGroup',
      description: 'X-Ray group recorded in obs.yaml for obs apply: 1-32 letters, digits and dashes, not "Default" (default: the project name, capitalised)',
    },
  ],
  question: 'Send traces to AWS X-Ray?',
  // Through a collector every OpenTelemetry app reaches X-Ray; directly, only an app obs writes
  // X-Ray SDK code for (Flask) or one already on the SDK does: otherwise a daemon nobody sends to.
  enabledByDefault: (ctx) => (ctx.pipeline === 'collector' ? ctx.serverSide : ctx.xraySdkSender),
  validateFlags(options) {
    const group = given<string>(options, 'xrayGroup');
    if (group !== undefined) validateXrayGroupName(group);
  },
  async decide(enabled, { options, previous, prompter, projectName }) {
    const flagGroup = given<string>(options, 'xrayGroup');
    let group = flagGroup ?? previous?.xray.groups[0]?.name ?? defaultGroupName(projectName);
    if (enabled && flagGroup === undefined && prompter) group = await prompter.text('X-Ray group name', group, (v) => validationMessage(() => validateXrayGroupName(v, 'the group name')));
    if (enabled) validateXrayGroupName(group);
    return { enabled, group };
  },
  describe: (s) => `X-Ray (group ${s.group})`,
  environment({ stack, daemonService, pipeline }) {
    // A browser bundle cannot reach a daemon; through a collector, apps send OTLP and the collector exports to X-Ray.
    if (BROWSER_STACKS.has(stack) || !daemonService || pipeline === 'collector') return [];
    // No AWS_XRAY_URL: no X-Ray SDK reads it, only hand-written dynamic naming (the bootcamp's
    // `dynamic_naming=os.getenv("AWS_XRAY_URL")`), which names segments after the Host header, so
    // obs.yaml's group filter and sampling rule (`service("<name>")`) never match them. obs's Flask
    // module names segments after the service. One already there stays while the daemon does
    // (formerXrayUrls).
    return [{ key: 'AWS_XRAY_DAEMON_ADDRESS', value: `${daemonService}:2000` }];
  },
  placeholders: AWS_PLACEHOLDERS,
  configSection({ settings, traced, daemonService, pipeline }) {
    if (!settings.enabled) return { enabled: false, groups: [], samplingRules: [] };
    // Spans reach X-Ray through its OTLP endpoint, which needs Transaction Search (obs apply turns it on).
    const collector = pipeline === 'collector';
    // Only server-side code sends X-Ray segments; a browser frontend never matches a group.
    const filter = traced.map((n) => `service(${JSON.stringify(n)}) {fault OR error}`).join(' OR ');
    return {
      enabled: true,
      ...(collector ? {} : { daemonService }),
      groups: traced.length > 0 ? [{ name: settings.group, filterExpression: filter }] : [],
      samplingRules:
        traced.length === 0
          ? []
          : [
              {
                ruleName: settings.group,
                priority: 9000,
                fixedRate: 0.1,
                reservoirSize: 5,
                serviceName: traced.length === 1 ? traced[0]! : '*',
                serviceType: '*',
                host: '*',
                httpMethod: '*',
                urlPath: '*',
                resourceArn: '*',
              },
            ],
      ...(collector ? { transactionSearch: true } : {}),
    };
  },
  settingsFromConfig: (config) => ({ enabled: config.xray.enabled, group: config.xray.groups[0]?.name ?? '' }),
  checks: {
    project: [xrayDaemonPresentCheck, xrayDaemonAddressCheck, xrayUrlCheck, xrayDaemonImageCheck, xrayDaemonCommandCheck, xrayDaemonSetupCheck, xrayMaintenanceCheck],
  },
};
