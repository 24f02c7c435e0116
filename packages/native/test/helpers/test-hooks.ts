/**
 * The test-only functions of the addon's `test-hooks` build (`pnpm run build:test`,
 * opened through `GVL_NATIVE_BINDING` by the `test-hooks` vitest project). The published
 * binding (and its generated `index.d.ts`) has none of them: they are typed here.
 */
import { native } from '../../src-ts/binding.js';

/** Whether the armed row was reached, and rows seen since arming. */
export interface RowGateState {
  /** A call reached the armed row and is held until its signal aborts. */
  reached: boolean;
  /** Rows of calls with a signal that reached the row driver since the gate was armed. */
  rowsSeen: number;
}

/** The hooks of the `test-hooks` build. */
export interface TestHooks {
  /** A kernel that panics in row 37; must reject with `GVL_NATIVE_PANIC`. */
  debugPanic(parallel: boolean): Promise<void>;
  /** The synchronous form of {@link TestHooks.debugPanic}. */
  debugPanicSync(parallel: boolean): void;
  /** Hold the first cancellable call that reaches row `row` until it is aborted. */
  debugRowGateArm(row: number): void;
  /** Disarm the row gate. */
  debugRowGateDisarm(): void;
  /** The row gate's state. */
  debugRowGateState(): RowGateState;
}

const loaded = native as unknown as Partial<TestHooks>;
if (typeof loaded.debugPanicSync !== 'function' || typeof loaded.debugRowGateArm !== 'function')
  throw new Error(
    `the loaded addon (GVL_NATIVE_BINDING=${process.env.GVL_NATIVE_BINDING ?? '(unset)'}) has no test hooks: run \`pnpm --filter @gvl/native build:test\` and these tests through the 'test-hooks' vitest project`,
  );

/** The binding with its test hooks. */
export const hooks = native as typeof native & TestHooks;
