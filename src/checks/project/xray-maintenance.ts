import type { Check } from '../types.js';
import { composeOrWhy, report, skipped, warn } from './lib/report.js';
import { serviceWhere, xrayDaemonService, xrayInUse, xrayVariables } from './lib/services.js';

export const XRAY_MAINTENANCE_MESSAGE =
  'the X-Ray daemon and SDKs are in maintenance since 2026-02-25 (security fixes only) and reach end of support on 2027-02-25: plan the move to OpenTelemetry (the ADOT collector, or OTLP straight to the backend)';

export const XRAY_MIGRATION_FIX =
  'move to OpenTelemetry: send OTLP straight to the backend (OTEL_EXPORTER_OTLP_ENDPOINT), or to X-Ray through the ADOT collector (public.ecr.aws/aws-observability/aws-otel-collector)';

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
    const first = xrayVariables(project)[0];
    const where = daemon ? serviceWhere(daemon) : first ? { file: first.file, line: first.line } : {};
    return report(this, [warn(where, XRAY_MAINTENANCE_MESSAGE, XRAY_MIGRATION_FIX)], '');
  },
};
