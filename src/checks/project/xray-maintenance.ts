import type { Check } from '../types.js';
import { composeOrWhy, report, skipped, warn } from './lib/report.js';
import { serviceWhere, xrayDaemonService, xrayInUse, xrayVariables } from './lib/services.js';

export const XRAY_MAINTENANCE_MESSAGE =
  'the X-Ray daemon and SDKs are in maintenance since 2026-02-25 (security fixes only) and reach end of support on 2027-02-25: plan the move to OpenTelemetry (the ADOT collector, or OTLP straight to the backend)';

/**
 * The collector pipeline: `obs init --pipeline collector` arrives with obs's collector wiring; until
 * an obs has it, the same setup is written by hand, so the fix says both and stays true either way.
 */
export const XRAY_MIGRATION_FIX =
  'move to the collector pipeline: an OpenTelemetry Collector (otel/opentelemetry-collector-contrib) sends OTLP to X-Ray (https://xray.<region>.amazonaws.com/v1/traces, signed by the sigv4auth extension) and to Honeycomb; `obs init --pipeline collector` writes it once your obs has that flag (see `obs init --help`), until then by hand; or send OTLP straight to the backend (OTEL_EXPORTER_OTLP_ENDPOINT)';

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
