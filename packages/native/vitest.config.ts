import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/** Tests of the addon's test hooks (debugPanic, the row gate, GVL_NATIVE_FAULT). */
const HOOK_TESTS = ['test/errors.test.ts', 'test/pool.test.ts', 'test/abort.test.ts'];

/** The `test-hooks` build (`pnpm run build:test`): `test-build/gvl-native.<triple>.node`. */
function testBinding(): string | undefined {
  const dir = fileURLToPath(new URL('./test-build/', import.meta.url));
  try {
    const file = readdirSync(dir).find((f) => f.endsWith('.node'));
    return file === undefined ? undefined : join(dir, file);
  } catch {
    return undefined;
  }
}

const binding = testBinding();
// Read by the project's globalSetup, which fails with a clear message when it is missing.
if (binding !== undefined) process.env.GVL_NATIVE_TEST_BINDING = binding;

const shared = { pool: 'forks', testTimeout: 60_000, hookTimeout: 60_000 } as const;

export default defineConfig({
  test: {
    projects: [
      { test: { ...shared, name: 'default', include: ['test/**/*.test.ts'], exclude: HOOK_TESTS } },
      {
        test: {
          ...shared,
          name: 'test-hooks',
          include: HOOK_TESTS,
          globalSetup: ['test/helpers/test-hooks-setup.ts'],
          // The tests and the child processes they spawn open the test build.
          env: binding === undefined ? {} : { GVL_NATIVE_BINDING: binding },
        },
      },
    ],
  },
});
