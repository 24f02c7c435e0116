import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    // The smoke run spawns one process per measurement (the peer imports genvarloader each
    // time): about a minute on a quiet 2-CPU machine, several under load.
    testTimeout: 660_000,
  },
});
