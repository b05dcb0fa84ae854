import { describe, expect, it } from 'vitest';
import { profileService, testRunner } from '../../src/stacks/service-profile.js';

const lf = (...lines: string[]) => lines.map((l) => `${l}\n`).join('');
const context = (map: Record<string, string>) => ({ has: (n: string) => n in map, get: (n: string) => map[n] });

/**
 * A service that runs a test suite (fastapi/full-stack-fastapi-template's `playwright`, built
 * FROM mcr.microsoft.com/playwright; an override's `command: yarn test`) serves no requests:
 * obs must not pick it as an app nor write tracing code into it.
 */
describe('test runners are not apps', () => {
  const workspace = context({
    'package.json': '{"private":true,"workspaces":["frontend"]}',
    'frontend/package.json': '{"dependencies":{"react":"^19","vite":"^7"},"devDependencies":{"@playwright/test":"^1.62.1"}}',
  });
  // frontend/Dockerfile.playwright of fastapi/full-stack-fastapi-template@68adb40d37, verbatim but for its comments.
  const playwright = lf(
    'FROM mcr.microsoft.com/playwright:v1.62.1-noble',
    'WORKDIR /app',
    'RUN apt-get update && apt-get install -y unzip \\',
    '    && rm -rf /var/lib/apt/lists/*',
    'RUN curl -fsSL https://bun.sh/install | bash',
    'ENV PATH="/root/.bun/bin:$PATH"',
    'COPY package.json bun.lock /app/',
    'COPY frontend/package.json /app/frontend/',
    'WORKDIR /app/frontend',
    'RUN bun install',
    'COPY ./frontend /app/frontend',
  );

  it('an image built FROM a browser-test image (Playwright, Cypress) runs tests', () => {
    expect(profileService({ files: workspace, dockerfile: playwright })).toMatchObject({ role: 'tests', testRunner: 'built FROM mcr.microsoft.com/playwright:v1.62.1-noble' });
    for (const from of ['cypress/included:13.6.0', 'cypress/base:20', 'mcr.microsoft.com/playwright/python:v1.49.0-jammy', 'testcafe/testcafe']) {
      expect(profileService({ files: workspace, dockerfile: lf(`FROM ${from}`, 'COPY . .') }).role, from).toBe('tests');
    }
  });

  it('a command that runs a test suite runs tests; one that starts a server does not', () => {
    for (const command of [
      'yarn test',
      'npm run test:e2e',
      'npx playwright test',
      'bunx playwright test --project=chromium',
      'cypress run',
      'jest -i',
      'vitest run',
      'pytest -x',
      'python -m pytest',
      'bundle exec rspec',
      'bin/rails test',
    ]) {
      expect(testRunner(command), command).toBe(command);
    }
    for (const command of [
      'yarn start',
      'node src/index.js',
      'npm run dev',
      'gunicorn app:app',
      'bin/rails server -b 0.0.0.0',
      'pm2 start ecosystem.config.json --no-daemon',
      'npm run test-server',
      'node tests/fixtures/server.js',
    ]) {
      expect(testRunner(command), command).toBeUndefined();
    }
    const node = lf('FROM node:20', 'WORKDIR /app', 'COPY . .');
    const app = context({ 'package.json': '{"dependencies":{"express":"^4"}}' });
    expect(profileService({ files: app, dockerfile: node, command: 'yarn test' })).toEqual({ stack: 'node', appDir: '', role: 'tests', testRunner: 'yarn test', baseImage: 'node:20' });
    expect(profileService({ files: app, dockerfile: node, command: 'yarn start' }).role).toBe('app');
  });
});
