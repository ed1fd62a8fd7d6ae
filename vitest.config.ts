import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // The deploy-bundle suite has its own config (vitest.deploy.config.ts).
    exclude: ['tests/deploy/**', 'node_modules/**'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Each file starts its own Blobs server; two cores, so two files at a time.
    maxWorkers: 2,
    // The in-process host renders inside the test process (see src/pipeline/pipeline-process.ts).
    env: {
      NODE_ENV: 'test',
      LOG_LEVEL: 'error',
      MALLOC_ARENA_MAX: '2',
      SIRTRAV_LOCAL: '1',
      SIRTRAV_WEBHOOK_ALLOW_PRIVATE: '1',
    },
  },
});
