/**
 * vitest globalSetup of the `test-hooks` project: the test build must exist (a clear
 * message instead of an addon load error when `build:test` was not run).
 */
import { existsSync } from 'node:fs';

export default function setup(): void {
  const file = process.env.GVL_NATIVE_TEST_BINDING;
  if (file === undefined || !existsSync(file))
    throw new Error(
      `the test-hooks build is missing (${file ?? 'no .node in test-build/'}): run \`pnpm --filter @gvl/native build:test\` (cargo feature test-hooks, into test-build/)`,
    );
}
