import { describe, expect, it } from 'vitest';
import { COMPOSE_FILE_NAMES, composeCommand, composeLookalikes, discoverComposeFiles, OVERRIDE_FILE_NAMES } from '../../src/compose/discover.js';
import { imageRepositoryName, isInfrastructureImage } from '../../src/compose/infrastructure.js';

const found = (...names: string[]) => discoverComposeFiles(new Set(names));

describe('discoverComposeFiles', () => {
  it('knows compose-go default names, legacy `.yml` before `.yaml`', () => {
    expect(COMPOSE_FILE_NAMES).toEqual(['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml']);
    expect(OVERRIDE_FILE_NAMES).toEqual(['compose.override.yml', 'compose.override.yaml', 'docker-compose.override.yml', 'docker-compose.override.yaml']);
  });

  it('returns undefined when no main file is present, even with an override', () => {
    expect(found()).toBeUndefined();
    expect(found('docker-compose.override.yml', 'README.md', 'compose.yaml.bak')).toBeUndefined();
  });

  it.each([
    [['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'], 'compose.yaml', ['compose.yml', 'docker-compose.yml', 'docker-compose.yaml']],
    [['compose.yml', 'docker-compose.yml', 'docker-compose.yaml'], 'compose.yml', ['docker-compose.yml', 'docker-compose.yaml']],
    [['docker-compose.yaml', 'docker-compose.yml'], 'docker-compose.yml', ['docker-compose.yaml']],
    [['docker-compose.yaml'], 'docker-compose.yaml', []],
  ])('among %j picks %s and reports the others', (names, main, ignored) => {
    expect(found(...names)).toEqual({ files: [main], ignored });
  });

  it('adds the first override present, `.yml` before `.yaml`, whichever main name is used', () => {
    expect(found('docker-compose.yml', 'docker-compose.override.yml')).toEqual({ files: ['docker-compose.yml', 'docker-compose.override.yml'], ignored: [] });
    expect(found('compose.yaml', 'compose.override.yaml', 'compose.override.yml')).toEqual({
      files: ['compose.yaml', 'compose.override.yml'],
      ignored: ['compose.override.yaml'],
    });
    expect(found('compose.yaml', 'docker-compose.override.yaml', 'compose.override.yaml')).toEqual({
      files: ['compose.yaml', 'compose.override.yaml'],
      ignored: ['docker-compose.override.yaml'],
    });
    expect(found('docker-compose.yml', 'docker-compose.override.yaml', 'docker-compose.override.yml', 'compose.yml')).toEqual({
      files: ['compose.yml', 'docker-compose.override.yml'],
      ignored: ['docker-compose.yml', 'docker-compose.override.yaml'],
    });
  });

  it('matches names exactly (case-sensitive, no other extensions)', () => {
    expect(found('Docker-Compose.yml', 'docker-compose.yml.orig', 'docker-compose.json')).toBeUndefined();
  });
});

describe('imageRepositoryName', () => {
  it.each([
    ['postgres', 'postgres'],
    ['postgres:13-alpine', 'postgres'],
    ['docker.io/valkey/valkey:8.0-alpine', 'valkey'],
    ['amazon/aws-xray-daemon', 'aws-xray-daemon'],
    ['public.ecr.aws/xray/aws-xray-daemon:latest', 'aws-xray-daemon'],
    ['localhost:5000/org/redis', 'redis'],
    ['localhost:5000/org/Redis:7@sha256:0123abcd', 'redis'],
    ['redis@sha256:0123abcd', 'redis'],
    ['${DB_IMAGE:-postgres:15}', 'postgres'],
    ['${DB_IMAGE-mysql}', 'mysql'],
    ['${REGISTRY:-docker.io}/library/nginx:${TAG:-1.25}', 'nginx'],
    ['myorg/backend:${TAG}', 'backend'],
  ])('%s -> %s', (image, name) => {
    expect(imageRepositoryName(image)).toBe(name);
  });
});

describe('isInfrastructureImage', () => {
  it.each([
    'postgres:13-alpine',
    'redis',
    'docker.io/valkey/valkey:8',
    'amazon/aws-xray-daemon',
    'otel/opentelemetry-collector-contrib:0.90.0',
    'nginx:alpine',
    '${DB:-mysql:8}',
    'localstack/localstack',
    'amazon/dynamodb-local',
  ])('%s is infrastructure', (image) => {
    expect(isInfrastructureImage(image)).toBe(true);
  });

  it.each(['myorg/backend-flask', 'node:20', 'python:3.12-slim', 'ruby:3.3', 'postgres-exporter', '${IMAGE}'])('%s is not infrastructure', (image) => {
    expect(isInfrastructureImage(image)).toBe(false);
  });

  it('is false without an image', () => {
    expect(isInfrastructureImage(undefined)).toBe(false);
  });
});

describe('composeLookalikes', () => {
  it('names files that look like a compose file compose would not read by itself, the plain names in another case first', () => {
    const names = new Set(['docker-compose.dev.yml', 'Docker-compose.yml', 'README.md', 'compose.override.yml', 'compose.prod.yaml', 'docker-compose.yml.bak', 'mycompose.yml']);
    expect(composeLookalikes(names)).toEqual(['Docker-compose.yml', 'compose.prod.yaml', 'docker-compose.dev.yml']);
    expect(composeLookalikes(new Set(['package.json']))).toEqual([]);
  });
});

describe('composeCommand', () => {
  it('names the files with -f only when compose would not find them itself', () => {
    expect(composeCommand([])).toBe('docker compose');
    expect(composeCommand(['compose.yaml'])).toBe('docker compose');
    expect(composeCommand(['docker-compose.yml', 'docker-compose.override.yml'])).toBe('docker compose');
    expect(composeCommand(['docker-compose.prod.yml'])).toBe('docker compose -f docker-compose.prod.yml');
    expect(composeCommand(['docker-compose.yml', 'docker-compose.dev.yml'])).toBe('docker compose -f docker-compose.yml -f docker-compose.dev.yml');
    expect(composeCommand(['dev/docker-compose.yml'])).toBe('docker compose -f dev/docker-compose.yml');
    expect(composeCommand(["my app/it's.yml"])).toBe(`docker compose -f 'my app/it'\\''s.yml'`);
  });
});
