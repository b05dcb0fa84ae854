import type { Check } from '../types.js';
import { applyLeftoversCheck } from './apply-leftovers.js';
import { browserExposedSecretCheck } from './browser-exposed-secret.js';
import { collectorAppsCheck } from './collector-apps.js';
import { collectorConfigCheck } from './collector-config.js';
import { collectorCorsCheck } from './collector-cors.js';
import { collectorEnvCheck } from './collector-env.js';
import { collectorImageCheck } from './collector-image.js';
import { collectorSigv4Check } from './collector-sigv4.js';
import { composeFileCheck } from './compose-file.js';
import { composeInterpolationCheck } from './compose-interpolation.js';
import { envVarNamesCheck } from './env-var-names.js';
import { instrumentationCoverageCheck } from './instrumentation-coverage.js';
import { instrumentationWiredCheck } from './instrumentation-wired.js';
import { obsConfigCheck } from './obs-config.js';
import { obsConfigServicesCheck } from './obs-config-services.js';
import { otelServiceNameCheck } from './otel-service-name.js';
import { otelServiceNameUniqueCheck } from './otel-service-name-unique.js';
import { telemetryNetworkCheck } from './telemetry-network.js';

/** The project checks of no backend in particular, in display order (src/backends/index.ts adds each backend's after them). */
export const CORE_PROJECT_CHECKS: readonly Check[] = [
  composeFileCheck,
  applyLeftoversCheck,
  obsConfigCheck,
  obsConfigServicesCheck,
  composeInterpolationCheck,
  telemetryNetworkCheck,
  envVarNamesCheck,
  browserExposedSecretCheck,
  otelServiceNameCheck,
  otelServiceNameUniqueCheck,
  instrumentationWiredCheck,
  instrumentationCoverageCheck,
];

/**
 * The collector pipeline's checks (apps → an OpenTelemetry Collector → the backends): not a
 * backend of their own, shown after every backend's checks.
 */
export const COLLECTOR_PROJECT_CHECKS: readonly Check[] = [collectorConfigCheck, collectorEnvCheck, collectorAppsCheck, collectorCorsCheck, collectorSigv4Check, collectorImageCheck];
