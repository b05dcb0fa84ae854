/**
 * The AWS SDK packages, loaded on first use. They are CommonJS: in obs's bundled build a
 * dynamic import hands back their exports under `default`, under plain Node as named exports.
 */
type XraySdk = typeof import('@aws-sdk/client-xray');
type LogsSdk = typeof import('@aws-sdk/client-cloudwatch-logs');
type StsSdk = typeof import('@aws-sdk/client-sts');

function interop<T extends object>(mod: T & { default?: T }, probe: keyof T): T {
  return probe in mod && mod[probe] !== undefined ? mod : (mod.default ?? mod);
}

let xray: Promise<XraySdk> | undefined;
let logs: Promise<LogsSdk> | undefined;
let sts: Promise<StsSdk> | undefined;

export const loadXraySdk = (): Promise<XraySdk> => (xray ??= import('@aws-sdk/client-xray').then((m) => interop<XraySdk>(m, 'XRayClient')));
export const loadLogsSdk = (): Promise<LogsSdk> =>
  (logs ??= import('@aws-sdk/client-cloudwatch-logs').then((m) => interop<LogsSdk>(m, 'CloudWatchLogsClient')));
export const loadStsSdk = (): Promise<StsSdk> => (sts ??= import('@aws-sdk/client-sts').then((m) => interop<StsSdk>(m, 'STSClient')));
