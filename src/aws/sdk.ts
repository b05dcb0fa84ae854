/**
 * The AWS SDK clients, loaded on first use, through src/aws/vendor/*.ts (the parts obs uses).
 * The build makes each vendor file its own CommonJS bundle: a dynamic import of it hands back
 * its exports under `default` there, as named exports under plain Node and vitest.
 */
type XraySdk = typeof import('./vendor/xray.js');
type LogsSdk = typeof import('./vendor/logs.js');
type StsSdk = typeof import('./vendor/sts.js');

function interop<T extends object>(mod: T & { default?: T }, probe: keyof T): T {
  return probe in mod && mod[probe] !== undefined ? mod : (mod.default ?? mod);
}

let xray: Promise<XraySdk> | undefined;
let logs: Promise<LogsSdk> | undefined;
let sts: Promise<StsSdk> | undefined;

export const loadXraySdk = (): Promise<XraySdk> => (xray ??= import('./vendor/xray.js').then((m) => interop<XraySdk>(m, 'XRayClient')));
export const loadLogsSdk = (): Promise<LogsSdk> => (logs ??= import('./vendor/logs.js').then((m) => interop<LogsSdk>(m, 'CloudWatchLogsClient')));
export const loadStsSdk = (): Promise<StsSdk> => (sts ??= import('./vendor/sts.js').then((m) => interop<StsSdk>(m, 'STSClient')));
