import type { Check } from '../types.js';
import { composeOrWhy, report, skipped, warn } from './lib/report.js';
import { serviceWhere, throughCollector, xrayDaemonService, xrayInUse, xrayVariables } from './lib/services.js';

const SDK_LEFT_FIX = 'port the app to OpenTelemetry (obs init writes its instrumentation), then drop its X-Ray SDK code, aws-xray-sdk and AWS_XRAY_DAEMON_ADDRESS';

export const XRAY_MAINTENANCE_MESSAGE =
  'the X-Ray daemon and SDKs are in maintenance since 2026-02-25 (security fixes only) and reach end of support on 2027-02-25: plan the move to OpenTelemetry (the ADOT collector, or OTLP straight to the backend)';

/** The collector pipeline replaces the daemon in one diff, keeping hand-wired X-Ray SDK apps working. */
export const XRAY_MIGRATION_FIX =
  'obs init --pipeline collector: an OpenTelemetry Collector (otel/opentelemetry-collector-contrib) replaces the daemon and sends OTLP to X-Ray (https://xray.<region>.amazonaws.com/v1/traces, signed by the sigv4auth extension) and to Honeycomb; apps still on the X-Ray SDK keep working through its awsxray receiver';

/** Said whenever X-Ray is in use, so nobody builds something new on it unawares. */
export const xrayMaintenanceCheck: Check = {
  id: 'xray-maintenance',
  title: 'X-Ray end of support',
  group: 'xray',
  run(project) {
    const ready = composeOrWhy(project);
    if ('why' in ready) return skipped(this, ready.why);
    if (!xrayInUse(project)) return skipped(this, 'X-Ray is not used');
    const daemon = xrayDaemonService(project);
    const sdkSender = xrayVariables(project).find((e) => e.key === 'AWS_XRAY_DAEMON_ADDRESS');
    const first = sdkSender ?? xrayVariables(project)[0];
    // Through the collector, only apps still on the X-Ray SDK (sending segments to its awsxray receiver) are left to move.
    if (!daemon && !sdkSender && throughCollector(project)) return report(this, [], 'no X-Ray daemon and no X-Ray SDK sender: X-Ray gets OpenTelemetry spans through the collector');
    const where = daemon ? serviceWhere(daemon) : first ? { file: first.file, line: first.line } : {};
    return report(this, [warn(where, XRAY_MAINTENANCE_MESSAGE, daemon || !throughCollector(project) ? XRAY_MIGRATION_FIX : SDK_LEFT_FIX)], '');
  },
};
