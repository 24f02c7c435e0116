/**
 * `@gvl/errors`: the one error family of gvl-ts. Every error a gvl-ts package throws on
 * purpose — from TypeScript, from the native addon, or rebuilt after crossing a worker
 * thread — is a {@link GvlError}: an `Error` with a stable, `GVL_`-prefixed string
 * {@link GvlError.code}, the offending {@link GvlError.value} when there is one, and the
 * underlying `cause` when it wraps a lower-level failure. Package-specific classes
 * (`ThreadsConfigError`, `NativeError`, `VcfError`, `StressConfigError`, …) extend it.
 *
 * Zero dependencies.
 *
 * @packageDocumentation
 */

/** A stable error code: `GVL_` followed by upper-case words, e.g. `GVL_BAD_VCF`. */
export type GvlCode = `GVL_${string}`;

/** Options accepted by the {@link GvlError} constructor. */
export interface GvlErrorOptions {
  /** The offending value (a path, a record, a sample name, an option value, an index). */
  value?: unknown;
  /** The underlying error, when this one wraps a lower-level failure. */
  cause?: unknown;
}

/**
 * The brand that marks every {@link GvlError}, whichever copy of this package created it.
 * `Symbol.for` keys are shared by every module copy and every `vm` realm of a process.
 */
const BRAND: unique symbol = Symbol.for('gvl.error') as never;

/**
 * The base class of every error gvl-ts throws on purpose.
 *
 * - {@link GvlError.code} is stable across releases: switch on it, not on the message.
 * - The message names the bad value and what was expected; it does not repeat the code
 *   (a CLI prints `CODE: message`).
 * - `x instanceof GvlError` and {@link isGvlError} recognise errors made by another copy
 *   of this package (two installed versions, a bundled copy, another `vm` realm).
 *
 * @typeParam C - the codes a subclass may carry.
 * @example
 * ```ts
 * import { GvlError, isGvlError } from '@gvl/errors';
 * try {
 *   await ds.get(0, 'NA99999');
 * } catch (e) {
 *   if (isGvlError(e, 'GVL_UNKNOWN_SAMPLE')) console.error(`${e.code}: ${e.message}`, e.value);
 *   else throw e;
 * }
 * ```
 */
export class GvlError<C extends GvlCode = GvlCode> extends Error {
  /** Stable machine-readable code, prefixed `GVL_`; never changes between releases. */
  readonly code: C;
  /** The offending value, when there is one. */
  readonly value: unknown;

  /**
   * @param code - the stable code, `GVL_…`.
   * @param message - what was wrong and what was expected, without the code.
   * @param options - the offending `value` and the `cause`.
   */
  constructor(code: C, message: string, options: GvlErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.value = options.value;
    this.name = new.target.name;
  }

  /**
   * `x instanceof GvlError` is true for every branded error, including those made by
   * another copy of this package; `x instanceof SomeSubclass` keeps the ordinary
   * prototype-chain meaning.
   */
  static override [Symbol.hasInstance](x: unknown): boolean {
    // `this` is the class on the right of `instanceof`: GvlError itself or a subclass.
    // biome-ignore lint/complexity/noThisInStatic: the receiver decides the semantics
    if (this === GvlError) return isGvlError(x);
    // biome-ignore lint/complexity/noThisInStatic: a subclass keeps the prototype-chain test
    return Function.prototype[Symbol.hasInstance].call(this, x);
  }
}

Object.defineProperty(GvlError.prototype, BRAND, { value: true });

/**
 * Narrows `e` to a {@link GvlError}, optionally with a given code. Works across duplicate
 * copies of `@gvl/errors` and across `vm` realms (the check is a `Symbol.for` brand, not
 * the prototype chain).
 *
 * @param e - any thrown value.
 * @param code - when given, `e.code` must equal it.
 * @example
 * ```ts
 * if (isGvlError(e, 'GVL_DATASET_EXISTS')) console.error('pass overwrite: true');
 * ```
 */
export function isGvlError<C extends GvlCode = GvlCode>(e: unknown, code?: C): e is GvlError<C> {
  if (typeof e !== 'object' || e === null) return false;
  if ((e as { [BRAND]?: unknown })[BRAND] !== true) return false;
  const c = (e as { code?: unknown }).code;
  return typeof c === 'string' && (code === undefined || c === code);
}

/** The message of an `Error`, or the string form of any other thrown value. */
export function describeError(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * A command line that is wrong in itself, whatever the files it names: an unknown command
 * or flag, a missing required flag, a flag value of the wrong form, a wrong number of
 * arguments, flags that exclude each other. The message names the CLI flag (`--vcf`), not
 * the API option behind it. Code `GVL_USAGE`; {@link formatCliError} exits with
 * {@link EXIT_USAGE} (64) for it, apart from the typed errors about the data (2).
 *
 * @example
 * ```ts
 * throw new UsageError('--bed is required', { flag: '--bed' });
 * ```
 */
export class UsageError extends GvlError<'GVL_USAGE'> {
  /** The flag at fault (`--workers`), when there is one. */
  readonly flag: string | undefined;

  /**
   * @param message - what is wrong with the command line, naming the flag.
   * @param options - the `flag`, the offending `value` and the `cause`.
   */
  constructor(message: string, options: GvlErrorOptions & { flag?: string } = {}) {
    super(
      'GVL_USAGE',
      message,
      options.cause === undefined
        ? { value: options.value }
        : { value: options.value, cause: options.cause },
    );
    this.flag = options.flag;
  }
}

/**
 * Exit code of a CLI for a usage error ({@link UsageError}, `GVL_USAGE`): the command line
 * itself is wrong. 64 is `EX_USAGE` of BSD's sysexits.
 */
export const EXIT_USAGE = 64;
/** Exit code of a CLI for any other typed {@link GvlError}: the data, files or configuration. */
export const EXIT_TYPED = 2;
/**
 * Exit code of a CLI for a typed {@link GvlError}.
 *
 * @deprecated Usage errors now exit with {@link EXIT_USAGE} (64); use {@link EXIT_TYPED}
 * (the same value, 2) for the other typed errors.
 */
export const EXIT_USAGE_OR_TYPED = 2;
/** Exit code of a CLI for an unexpected failure: a bug to report. */
export const EXIT_INTERNAL = 1;

/** Where to report an internal error, printed by {@link formatCliError}. */
export const REPORT_HINT =
  'this is a bug in gvl-ts: please report it in the gvl-ts issue tracker with the command line and the output below';

/**
 * What a CLI prints and returns for a thrown value:
 * - a {@link UsageError} (`GVL_USAGE`, from any copy of this package): `GVL_USAGE: message`,
 *   exit code {@link EXIT_USAGE} (64);
 * - any other {@link GvlError}: `CODE: message` (no stack trace), exit code 2;
 * - anything else: `internal error: …` with {@link REPORT_HINT} and the stack, exit code 1.
 *
 * @returns `text` (newline-terminated, for stderr) and `exitCode`.
 * @example
 * ```ts
 * try {
 *   await run(argv);
 * } catch (e) {
 *   const { text, exitCode } = formatCliError(e);
 *   process.stderr.write(text);
 *   process.exitCode = exitCode;
 * }
 * ```
 */
export function formatCliError(e: unknown): {
  /** What to write to stderr: one or more lines, ending with a newline. */
  text: string;
  /**
   * The process exit code: {@link EXIT_USAGE} (64) for usage errors, {@link EXIT_TYPED} (2)
   * for other typed errors, {@link EXIT_INTERNAL} (1) for anything else.
   */
  exitCode: number;
} {
  if (isGvlError(e, 'GVL_USAGE'))
    return { text: `${e.code}: ${e.message}\n`, exitCode: EXIT_USAGE };
  if (isGvlError(e)) return { text: `${e.code}: ${e.message}\n`, exitCode: EXIT_TYPED };
  const detail = e instanceof Error ? (e.stack ?? `${e.name}: ${e.message}`) : String(e);
  return { text: `internal error: ${REPORT_HINT}\n${detail}\n`, exitCode: EXIT_INTERNAL };
}

/**
 * The value of an integer flag of a command line (`--workers 4`, `--max-jitter 128`), the
 * one integer parser of every `gvl` CLI: decimal digits only (no sign, exponent, fraction
 * or spaces), from `min` to `max` inclusive.
 *
 * @param flag - the flag as typed, with its dashes (`'--workers'`); named in the message.
 * @param value - the flag's raw value; `undefined` (the flag is absent) is returned as is.
 * @param range - `min` (default 0) and `max` (default `Number.MAX_SAFE_INTEGER`).
 * @returns the integer, or `undefined` when `value` is `undefined`.
 * @throws {@link UsageError} `GVL_USAGE` naming the flag and the value:
 *   `--FLAG "VALUE" is invalid: expected an integer >= MIN`, or
 *   `… expected an integer from MIN to MAX` when `range.max` is given (or the value is
 *   beyond `Number.MAX_SAFE_INTEGER`).
 * @example
 * ```ts
 * parseIntegerFlag('--workers', '4', { min: 1 }); // 4
 * parseIntegerFlag('--workers', '0', { min: 1 }); // throws GVL_USAGE: --workers "0" is invalid: expected an integer >= 1
 * ```
 */
export function parseIntegerFlag(
  flag: string,
  value: unknown,
  range: { readonly min?: number; readonly max?: number } = {},
): number | undefined {
  if (value === undefined) return undefined;
  const min = range.min ?? 0;
  const max = range.max ?? Number.MAX_SAFE_INTEGER;
  const s = String(value);
  const n = /^\d+$/.test(s) ? Number(s) : Number.NaN;
  if (Number.isSafeInteger(n) && n >= min && n <= max) return n;
  const expected =
    range.max !== undefined || (Number.isFinite(n) && n > max)
      ? `an integer from ${min} to ${max}`
      : `an integer >= ${min}`;
  throw new UsageError(`${flag} ${JSON.stringify(s)} is invalid: expected ${expected}`, {
    flag,
    value: s,
  });
}
