/**
 * Error classes of `@gvl/threads`. Every class extends `GvlError` from `@gvl/errors`
 * (`isGvlError(e)` holds): a stable string `code` that programs can match on, the
 * offending `value`; the message names the bad value and what was expected.
 *
 * @module
 */
import { GvlError } from '@gvl/errors';

/** Stable codes of the errors this package throws. */
export type ThreadsErrorCode = 'GVL_INVALID_ENV' | 'GVL_INVALID_ARGUMENT';

/**
 * A configuration value (an environment variable or an option) is malformed.
 *
 * - `GVL_INVALID_ENV`: an environment variable such as `GVL_NUM_THREADS` holds a value
 *   that is not allowed; `variable` names it and `value` is the raw string.
 * - `GVL_INVALID_ARGUMENT`: a function argument is out of its domain; `variable` names
 *   the parameter.
 *
 * Never a silent fallback: a bad value always throws.
 *
 * @example
 * ```ts
 * try {
 *   resolveThreads({ env: { GVL_NUM_THREADS: 'two' } });
 * } catch (e) {
 *   if (e instanceof ThreadsConfigError) {
 *     e.code; // 'GVL_INVALID_ENV'
 *     e.variable; // 'GVL_NUM_THREADS'
 *     e.value; // 'two'
 *   }
 * }
 * ```
 */
export class ThreadsConfigError extends GvlError<ThreadsErrorCode> {
  /** The environment variable or parameter that was bad. */
  readonly variable: string;

  constructor(code: ThreadsErrorCode, variable: string, value: unknown, expected: string) {
    super(code, `${variable}=${JSON.stringify(value)} is invalid: expected ${expected}`, {
      value,
    });
    this.variable = variable;
  }
}
