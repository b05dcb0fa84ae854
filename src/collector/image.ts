/**
 * The collector obs runs in the compose project.
 *
 * The upstream contrib image, not AWS's ADOT one: obs's tests build a collector from the
 * upstream Go modules at this same release (test/support/otelcol: v0.141.0, the newest at which
 * the Go module proxy serves awsxrayreceiver with its internal modules), with exactly the
 * components obs writes, and run its `validate` on every config obs renders, so what the tests
 * prove is the code this image runs; move both together. ADOT repackages a subset of these
 * components on its own release train, so a pass in the tests would say less about it. ADOT's
 * one advantage for compose is its `/healthcheck` binary (both images are built FROM scratch:
 * no shell, no curl); the contrib image's health is read from outside instead, on the
 * health_check extension's port.
 * Never `latest`: a collector release can rename or drop components and settings.
 */
export const COLLECTOR_RELEASE = '0.141.0';
export const COLLECTOR_IMAGE = `otel/opentelemetry-collector-contrib:${COLLECTOR_RELEASE}`;

/** Where the contrib image reads its config: obs mounts its file here, read-only. */
export const COLLECTOR_CONFIG_PATH = '/etc/otelcol-contrib/config.yaml';

/** The collector's ports: OTLP gRPC and HTTP, X-Ray SDK segments (UDP) and sampling (TCP), health. */
export const COLLECTOR_PORTS = { otlpGrpc: 4317, otlpHttp: 4318, xray: 2000, health: 13133 } as const;

/** Where obs writes the collector's config, next to the compose file; the second when a file of the user's has the first name. */
export const COLLECTOR_CONFIG_NAMES = ['otel-collector-config.yaml', 'otel-collector-config.obs.yaml'] as const;

/** The collector binary in the contrib image (its entrypoint). */
export const COLLECTOR_BINARY = '/otelcol-contrib';

/** The service name obs gives the collector (another free name when a service has it). */
export const COLLECTOR_SERVICE_NAME = 'otel-collector';
