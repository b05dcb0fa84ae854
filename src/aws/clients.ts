import { DEFAULT_TIMEOUTS, patientClient, type AttemptTimeouts, type Progress } from './attempts.js';
import { endpointOf, type AwsService } from './errors.js';
import { checkResponses } from './responses.js';
import { loadLogsSdk, loadStsSdk, loadXraySdk } from './sdk.js';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { XRayClient } from '@aws-sdk/client-xray';
import type { AwsSettings } from './settings.js';

/** Lazily built SDK clients: a command loads only the SDK it uses. */
export interface AwsClients {
  settings: AwsSettings;
  xray(): Promise<XRayClient>;
  logs(): Promise<CloudWatchLogsClient>;
  /**
   * The region the requests went to: the known one, or else the one the SDK resolved (from the
   * profile) for a client already made. No request, and no work at all when the region is known.
   */
  region(): Promise<string | undefined>;
  /**
   * Who the credentials belong to (STS GetCallerIdentity, which needs no IAM permission): the
   * account and partition that ARNs in policies are built from. Asked once per run.
   */
  identity(): Promise<CallerIdentity>;
}

export interface CallerIdentity {
  account: string;
  /** `aws`, `aws-cn`, `aws-us-gov`: from the caller's ARN. */
  partition: string;
}

/**
 * Options for the SDK's HTTP handler. Each attempt's own timeout is set by patientClient
 * (attempts.ts); this one is the handler's fallback. @smithy/node-http-handler only logs a
 * warning when requestTimeout passes unless throwOnRequestTimeout is set: without it an
 * endpoint that accepts but never answers hangs obs.
 */
export function requestHandlerOptions(timeouts: AttemptTimeouts = DEFAULT_TIMEOUTS) {
  return { connectionTimeout: timeouts.connectMs, requestTimeout: timeouts.writeMs, throwOnRequestTimeout: true };
}

/** `progress` hears what obs waits for and each retry (one line each, for stderr). */
export function createAwsClients(settings: AwsSettings, progress?: Progress): AwsClients {
  // The SDK warns on Node 20 that its releases after January 2027 need Node 22. obs ships a
  // pinned SDK that runs on Node 20, so the warning would only alarm users; their own setting wins.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const common = {
    ...(settings.region ? { region: settings.region } : {}),
    ...(settings.profile ? { profile: settings.profile } : {}),
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    ...(settings.credentials ? { credentials: settings.credentials } : {}),
    requestHandler: requestHandlerOptions(settings.timeouts),
  };
  const timeouts = settings.timeouts ?? DEFAULT_TIMEOUTS;
  const prepare = <C>(client: C, service: AwsService): C => checkResponses(patientClient(client, timeouts, endpointOf(settings, service).where, progress), service);
  let xray: Promise<XRayClient> | undefined;
  let logs: Promise<CloudWatchLogsClient> | undefined;
  let identity: Promise<CallerIdentity> | undefined;
  return {
    settings,
    xray: () => (xray ??= loadXraySdk().then((m) => prepare(new m.XRayClient(common), 'xray'))),
    logs: () => (logs ??= loadLogsSdk().then((m) => prepare(new m.CloudWatchLogsClient(common), 'logs'))),
    identity: () =>
      (identity ??= loadStsSdk().then(async (m) => {
        const sts = new m.STSClient(common);
        try {
          const out = await sts.send(new m.GetCallerIdentityCommand({}));
          if (!out.Account) throw new Error('STS GetCallerIdentity returned no account');
          return { account: out.Account, partition: /^arn:([^:]+):/.exec(out.Arn ?? '')?.[1] ?? 'aws' };
        } finally {
          sts.destroy();
        }
      })),
    async region() {
      if (settings.region) return settings.region;
      const client = await (xray ?? logs);
      return client ? client.config.region().catch(() => undefined) : undefined;
    },
  };
}
