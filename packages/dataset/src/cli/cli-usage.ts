/**
 * Usage-error helpers shared by the `gvl` subcommands: a command line that is wrong in
 * itself is a `UsageError` (`GVL_USAGE`, exit 64) naming the flag, apart from the typed
 * errors about the data (exit 2).
 *
 * @module
 */
import { isGvlError, UsageError } from '../errors.js';

/**
 * The one positional argument a command takes.
 *
 * @throws {@link UsageError} `GVL_USAGE` when there are none or several (listed).
 */
export function onePositional(positionals: readonly string[], what: string): string {
  if (positionals.length !== 1) {
    const given =
      positionals.length > 1 ? ` (${positionals.map((p) => JSON.stringify(p)).join(' ')})` : '';
    throw new UsageError(`expected exactly one ${what}, got ${positionals.length}${given}`, {
      value: positionals,
    });
  }
  return positionals[0] as string;
}

/**
 * Runs `parse`, which checks a flag's value with an API validator, and turns the
 * `GVL_INVALID_ARGUMENT` / `GVL_INVALID_MODE` it throws into a {@link UsageError} whose
 * message starts with `flag` (the cause keeps the original error).
 */
export function asUsage<T>(flag: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (isGvlError(e, 'GVL_INVALID_ARGUMENT') || isGvlError(e, 'GVL_INVALID_MODE')) {
      throw new UsageError(`${flag}: ${e.message}`, { flag, value: e.value, cause: e });
    }
    throw e;
  }
}
