/**
 * Error classes of `@gvl/threads`. Every error carries a stable string `code` that
 * programs can match on; the message names the bad value and what was expected.
 *
 * @module
 */

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
export class ThreadsConfigError extends Error {
  override readonly name = 'ThreadsConfigError';
  /** Stable machine-readable code. */
  readonly code: ThreadsErrorCode;
  /** The environment variable or parameter that was bad. */
  readonly variable: string;
  /** The offending value, as given. */
  readonly value: unknown;

  constructor(code: ThreadsErrorCode, variable: string, value: unknown, expected: string) {
    super(`${variable}=${JSON.stringify(value)} is invalid: expected ${expected}`);
    this.code = code;
    this.variable = variable;
    this.value = value;
  }
}
