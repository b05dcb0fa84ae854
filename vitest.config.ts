import { defineConfig } from 'vitest/config';

// Two projects: unit tests import src/ directly and need neither a build, nor moto_server, nor the
// test collector, so `npm run test:unit` is the quick loop; e2e and support tests run the built
// binary against local servers (global-setup.ts checks the build and starts moto_server).
// `npm test` runs both.
export default defineConfig({
  test: {
    setupFiles: ['test/support/cleanup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores on CI machines: forks keep child processes and servers isolated.
    pool: 'forks',
    // Tests that use the AWS SDK in-process: its Node 20 notice is noise here (obs silences it too).
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    // The JSON report is what .ci/run counts; people read the default one.
    reporters: ['default', 'json'],
    outputFile: { json: '.tmp/vitest-report.json' },
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      {
        extends: true,
        test: { name: 'e2e', include: ['test/e2e/**/*.test.ts', 'test/support-tests/**/*.test.ts'], globalSetup: ['test/support/global-setup.ts'] },
      },
    ],
  },
});
