import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Each file starts its own Blobs server; two cores, so two files at a time.
    maxWorkers: 2,
    env: { NODE_ENV: 'test', LOG_LEVEL: 'error' },
  },
});
