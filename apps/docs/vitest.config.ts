import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    // Both suites spawn processes (examples) or a browser; running them one after the
    // other keeps the 2-CPU CI machine from timing out either.
    fileParallelism: false,
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
