/**
 * Images of databases, caches, proxies, telemetry plumbing and developer tools (code analysis,
 * database and mail UIs): services running them are not the user's application, so obs does
 * not instrument them unless asked to.
 */
const INFRASTRUCTURE = new Set([
  'postgres', 'postgis', 'postgres-partman', 'mysql', 'mariadb', 'mongo', 'mongodb', 'redis', 'valkey', 'memcached',
  'rabbitmq', 'elasticsearch', 'opensearch', 'kibana', 'zookeeper', 'kafka', 'cp-kafka', 'clickhouse-server', 'clickhouse',
  'minio', 'localstack', 'dynamodb-local', 'aws-xray-daemon', 'xray-daemon', 'opentelemetry-collector',
  'opentelemetry-collector-contrib', 'otel-collector', 'all-in-one', 'jaeger', 'prometheus', 'grafana', 'loki', 'tempo',
  'promtail', 'nginx', 'traefik', 'haproxy', 'caddy', 'envoy', 'mailhog', 'mailpit', 'maildev', 'pgbouncer', 'adminer',
  'pgadmin4', 'busybox', 'alpine', 'seaweedfs', 'vault', 'consul', 'etcd', 'nats', 'azurite', 'mssql-server', 'cassandra',
  'neo4j', 'influxdb', 'exim4', 'postfix', 'gotenberg', 'lago-gotenberg', 'docker-dind', 'dind',
  'sonarqube', 'sonar-scanner-cli', 'phpmyadmin', 'mongo-express', 'redis-commander', 'redisinsight', 'pgweb', 'portainer',
  'portainer-ce', 'mailcatcher', 'smtp4dev', 'swagger-ui', 'swagger-editor', 'wiremock', 'dozzle', 'watchtower', 'ngrok',
]);

/** `docker.io/valkey/valkey:8.0-alpine` -> `valkey`; interpolated images are judged by their default. */
export function imageRepositoryName(image: string): string {
  const withDefault = image.replace(/\$\{[^}:]*:?-([^}]*)\}/g, '$1');
  const noDigest = withDefault.split('@')[0]!;
  const lastSegment = noDigest.split('/').pop() ?? noDigest;
  return lastSegment.split(':')[0]!.toLowerCase();
}

export function isInfrastructureImage(image: string | undefined): boolean {
  return image !== undefined && INFRASTRUCTURE.has(imageRepositoryName(image));
}
