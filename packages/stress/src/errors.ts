/**
 * Error classes of `@gvl/stress`. Every error carries a stable string `code` that
 * programs can match on; the message names the bad value and what was expected.
 *
 * A hang or a crashed worker is not an error: it is a finding, reported in the
 * {@link StressReport}. Errors are reserved for a run that cannot start.
 *
 * Every class extends `GvlError` from `@gvl/errors` (`isGvlError(e)` holds).
 *
 * @module
 */
import { GvlError } from '@gvl/errors';

/** Stable codes of the errors this package throws. */
export type StressErrorCode =
  /** An option (or CLI flag) is malformed, missing, or conflicts with another. */
  | 'GVL_INVALID_ARGUMENT'
  /** `mode` is not `'process'` or `'thread'`. */
  | 'GVL_INVALID_MODE'
  /** The dataset, the reference or the demo data cannot be found. */
  | 'GVL_DATA_NOT_FOUND'
  /** The demo dataset could not be written. */
  | 'GVL_DEMO_FAILED'
  /** The platform lacks what the harness needs (Linux `/proc`). */
  | 'GVL_UNSUPPORTED_PLATFORM';

/** Options of {@link StressConfigError}. */
export interface StressErrorOptions {
  /** The option or flag that was bad. */
  option?: string;
  /** The offending value, as given. */
  value?: unknown;
  /** The underlying error. */
  cause?: unknown;
}

/**
 * The stress run cannot start: a bad option, missing data, an unsupported platform.
 * Thrown by {@link runStress} before any worker is spawned. The CLI prints
 * `CODE: message` and exits 2.
 */
export class StressConfigError extends GvlError<StressErrorCode> {
  /** The option or flag that was bad, when one was. */
  readonly option: string | undefined;

  constructor(code: StressErrorCode, message: string, options: StressErrorOptions = {}) {
    super(
      code,
      message,
      options.cause === undefined
        ? { value: options.value }
        : { value: options.value, cause: options.cause },
    );
    this.option = options.option;
  }
}

/** Shorthand for a `GVL_INVALID_ARGUMENT` error about `option`. */
export function invalidOption(option: string, value: unknown, expected: string): StressConfigError {
  return new StressConfigError(
    'GVL_INVALID_ARGUMENT',
    `${option}=${JSON.stringify(value)} is invalid: expected ${expected}`,
    { option, value },
  );
}
