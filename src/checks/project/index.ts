import type { Check } from '../types.js';
import { browserExposedSecretCheck } from './browser-exposed-secret.js';
import { composeFileCheck } from './compose-file.js';
import { composeInterpolationCheck } from './compose-interpolation.js';
import { envVarNamesCheck } from './env-var-names.js';
import { obsConfigCheck } from './obs-config.js';
import { obsConfigServicesCheck } from './obs-config-services.js';
import { otelEndpointCheck } from './otel-endpoint.js';
import { otelHeadersCheck } from './otel-headers.js';
import { otelServiceNameCheck } from './otel-service-name.js';
import { otelServiceNameUniqueCheck } from './otel-service-name-unique.js';
import { rollbarTokenCheck } from './rollbar-token-reference.js';
import { telemetryNetworkCheck } from './telemetry-network.js';
import { xrayDaemonAddressCheck } from './xray-daemon-address.js';
import { xrayDaemonCommandCheck } from './xray-daemon-command.js';
import { xrayDaemonImageCheck } from './xray-daemon-image.js';
import { xrayDaemonPresentCheck } from './xray-daemon-present.js';
import { xrayDaemonSetupCheck } from './xray-daemon-setup.js';
import { xrayMaintenanceCheck } from './xray-maintenance.js';
import { xrayUrlCheck } from './xray-url.js';

/** The project checks, in display order (grouped: the checklist prints a heading per group). */
export const PROJECT_CHECKS: readonly Check[] = [
  composeFileCheck,
  obsConfigCheck,
  obsConfigServicesCheck,
  composeInterpolationCheck,
  telemetryNetworkCheck,
  envVarNamesCheck,
  browserExposedSecretCheck,
  otelServiceNameCheck,
  otelServiceNameUniqueCheck,
  otelEndpointCheck,
  otelHeadersCheck,
  xrayDaemonPresentCheck,
  xrayDaemonAddressCheck,
  xrayUrlCheck,
  xrayDaemonImageCheck,
  xrayDaemonCommandCheck,
  xrayDaemonSetupCheck,
  xrayMaintenanceCheck,
  rollbarTokenCheck,
];
