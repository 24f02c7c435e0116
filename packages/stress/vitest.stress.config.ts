import { defineConfig } from 'vitest/config';

// The slow suite (`pnpm test:stress`): the peer's parameters, 5 workers x 8 threads x
// 40 iterations x 4 launches, 120 s per launch, in both modes.
export default defineConfig({
  test: {
    include: ['test/stress/**/*.test.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 30 * 60_000,
    hookTimeout: 10 * 60_000,
  },
});
