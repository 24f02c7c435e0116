import { defineConfig } from 'vitest/config';

// The fast suite. Test files run one at a time: each spawns several worker processes
// that saturate this package's CPU budget, and two files at once would turn the
// deadlock detector's timeouts into a measure of the machine's load.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/stress/**'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 90_000,
    hookTimeout: 120_000,
  },
});
