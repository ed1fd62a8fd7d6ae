import { defineConfig } from 'vitest/config';

/**
 * The deploy-bundle suite: `netlify build --offline`, then the built function
 * zips, unpacked outside the project, served under Netlify's limits.
 */
export default defineConfig({
  test: {
    // `npm run test:deploy:long` runs the long renders (180 s at 1080p from 40 photos) instead.
    include:
      process.env.SIRTRAV_DEPLOY_LONG === '1'
        ? ['tests/deploy/**/*.long.test.ts']
        : ['tests/deploy/**/*.deploy.test.ts'],
    globalSetup: ['tests/deploy/global-setup.ts'],
    environment: 'node',
    testTimeout: 10 * 60_000,
    hookTimeout: 5 * 60_000,
    // Renders are heavy and the memory figures must be the function's own: one file at a time.
    fileParallelism: false,
    env: { NODE_ENV: 'test', LOG_LEVEL: 'error' },
  },
});
