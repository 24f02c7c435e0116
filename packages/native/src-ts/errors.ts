/**
 * Typed errors thrown (or rejected) by `@gvl/native`. Every class extends
 * `GvlError` from `@gvl/errors` (`isGvlError(e)` holds) and carries a stable
 * string `code`; `param`, `index` and `value` name the offending input when
 * there is one. Messages state the problem once and do not repeat the code.
 *
 * Native errors cross the FFI as `CODE: message\n{json detail}` and are
 * rebuilt here by {@link toNativeError}.
 */
import { GvlError } from '@gvl/errors';

/** Every error code `@gvl/native` throws. */
export type NativeErrorCode =
  | 'GVL_INVALID_ARGUMENT'
  | 'GVL_INDEX_OUT_OF_RANGE'
  | 'GVL_POOL_CONFIGURED'
  | 'GVL_POOL_BUILD_FAILED'
  | 'GVL_ALLOCATION_FAILED'
  | 'GVL_OUTPUT_TOO_LARGE'
  | 'GVL_ABORTED'
  | 'GVL_NATIVE_PANIC'
  | 'GVL_ADDON_CONFLICT'
  | 'GVL_UNSUPPORTED_PLATFORM'
  | 'GVL_NATIVE_LOAD_FAILED';

/** The offending input named by an error. */
export interface ErrorDetail {
  /** The parameter, e.g. `"outOffsets"` or `"genotypes.variantIdxs"`. */
  param?: string;
  /** The element of `param` at fault, when it is an array. */
  index?: number;
  /** The offending value (numbers beyond 2^53 arrive as strings). */
  value?: unknown;
}

/**
 * Base class of every `@gvl/native` error.
 *
 * @example
 * ```ts
 * import { getReference, NativeError } from '@gvl/native';
 * try {
 *   await getReference({
 *     regions: new Int32Array([1, 0, 4]), // contig 1 does not exist
 *     reference: { sequence: new TextEncoder().encode('ACGT'), offsets: new BigInt64Array([0n, 4n]) },
 *     outOffsets: new BigInt64Array([0n, 4n]),
 *   });
 * } catch (e) {
 *   if (e instanceof NativeError) console.log(e.code, e.param, e.index, e.value); // GVL_INDEX_OUT_OF_RANGE …
 * }
 * ```
 */
export class NativeError extends GvlError<NativeErrorCode> {
  /** The parameter at fault, if any. */
  readonly param: string | undefined;
  /** The element of `param` at fault, if any. */
  readonly index: number | undefined;

  constructor(
    code: NativeErrorCode,
    message: string,
    detail: ErrorDetail = {},
    options?: { cause?: unknown },
  ) {
    super(
      code,
      message,
      options?.cause === undefined
        ? { value: detail.value }
        : { value: detail.value, cause: options.cause },
    );
    this.param = detail.param;
    this.index = detail.index;
  }
}

/**
 * The base of the classes that carry exactly one code: `class X extends
 * nativeErrorClass(code) {}` is a {@link NativeError} whose `code` is always
 * that code, built as `new X(message, detail?, options?)`. Its `name` is the
 * subclass's name (set by `GvlError`); the statics are `NativeError`'s.
 */
function nativeErrorClass<C extends NativeErrorCode>(
  code: C,
): Omit<typeof NativeError, 'prototype'> &
  (new (
    message: string,
    detail?: ErrorDetail,
    options?: { cause?: unknown },
  ) => Omit<NativeError, 'code'> & {
    /** Stable machine-readable code, prefixed `GVL_`; never changes between releases. */
    readonly code: C;
  }) {
  return class extends NativeError {
    /** Stable machine-readable code, prefixed `GVL_`; never changes between releases. */
    declare readonly code: C;
    constructor(message: string, detail?: ErrorDetail, options?: { cause?: unknown }) {
      super(code, message, detail, options);
    }
  };
}

/**
 * A malformed argument: wrong type, dtype, length or shape, non-monotone offsets, bad option.
 *
 * @example
 * ```ts
 * // offsets must be non-decreasing
 * await reverseComplement({ data: new Uint8Array(4), offsets: new BigInt64Array([0n, 3n, 1n]) });
 * // rejects: InvalidArgumentError, code 'GVL_INVALID_ARGUMENT', param 'offsets'
 * ```
 */
export class InvalidArgumentError extends nativeErrorClass('GVL_INVALID_ARGUMENT') {}

/**
 * An index (contig, group, variant, offset) outside the range of what it indexes.
 *
 * @example
 * ```ts
 * // the last offset (8) is past the end of data (4 bytes)
 * await reverseComplement({ data: new Uint8Array(4), offsets: new BigInt64Array([0n, 8n]) });
 * // rejects: IndexOutOfRangeError, code 'GVL_INDEX_OUT_OF_RANGE'
 * ```
 */
export class IndexOutOfRangeError extends nativeErrorClass('GVL_INDEX_OUT_OF_RANGE') {}

/**
 * `configurePool` after the pool size was fixed to a different value.
 *
 * @example
 * ```ts
 * configurePool({ numThreads: 2 });
 * configurePool({ numThreads: 4 }); // throws PoolConfiguredError, code 'GVL_POOL_CONFIGURED'
 * ```
 */
export class PoolConfiguredError extends nativeErrorClass('GVL_POOL_CONFIGURED') {}

/**
 * The rayon pool could not be built (parallel kernels fail; serial ones still run).
 *
 * @example
 * ```ts
 * try {
 *   await reconstructHaplotypes(input, { parallel: true });
 * } catch (e) {
 *   // The OS refused the pool's threads: serial kernels still work.
 *   if (e instanceof PoolBuildError) await reconstructHaplotypes(input, { parallel: false });
 *   else throw e;
 * }
 * ```
 */
export class PoolBuildError extends nativeErrorClass('GVL_POOL_BUILD_FAILED') {}

/**
 * The output buffer could not be allocated.
 *
 * @example
 * ```ts
 * try {
 *   await reconstructHaplotypes(hugeBatch);
 * } catch (e) {
 *   if (e instanceof AllocationError) console.log('batch too large for memory: use a smaller batchSize');
 * }
 * ```
 */
export class AllocationError extends nativeErrorClass('GVL_ALLOCATION_FAILED') {}

/**
 * The output of a call would take more bytes than the output cap
 * (`maxOutputBytes`, see `configureLimits`), or its size overflows 64
 * bits. Thrown before anything is allocated. `param` / `index` name the input
 * that sets the size (e.g. `outOffsets` and its last element); `value` is the
 * number of bytes requested (a string when beyond 2^53, `">= 2^64"` on
 * overflow). Use a smaller batch, or raise the cap.
 *
 * @example
 * ```ts
 * try {
 *   await intervalsToTracks(batch);
 * } catch (e) {
 *   if (e instanceof OutputTooLargeError) console.log(`batch needs ${e.value} bytes: split it`);
 *   else throw e;
 * }
 * ```
 */
export class OutputTooLargeError extends nativeErrorClass('GVL_OUTPUT_TOO_LARGE') {}

/**
 * The kernel was cancelled through its `AbortSignal`; `cause` is the signal's reason.
 *
 * @example
 * ```ts
 * const ctrl = new AbortController();
 * const pending = reverseComplement({ data, offsets }, { signal: ctrl.signal });
 * ctrl.abort();
 * await pending.catch((e) => e instanceof AbortError); // true unless it had already finished
 * ```
 */
export class AbortError extends nativeErrorClass('GVL_ABORTED') {}

/**
 * A Rust panic caught inside a kernel: a bug in `@gvl/native`. The process stays alive.
 *
 * @example
 * ```ts
 * try {
 *   await realignTracks(input);
 * } catch (e) {
 *   if (e instanceof NativePanicError) reportBug(e.message); // the process is still healthy
 *   throw e;
 * }
 * ```
 */
export class NativePanicError extends nativeErrorClass('GVL_NATIVE_PANIC') {}

/**
 * A second copy of `@gvl/native` with a different version was loaded into a process that
 * already holds one. Two addons would mean two rayon pools and two output caps in one
 * process, so the second copy refuses to load. `value` is the version that refused to
 * load; {@link AddonConflictError.loaded} describes the copy already loaded. Install one
 * version (`pnpm why @gvl/native` / `npm ls @gvl/native` shows where the copies come
 * from). Copies of the same version share the first one's addon.
 *
 * @example
 * ```ts
 * try {
 *   await import('@gvl/native');
 * } catch (e) {
 *   if (e instanceof AddonConflictError) console.error(e.loaded.version, e.loaded.location);
 *   throw e;
 * }
 * ```
 */
export class AddonConflictError extends nativeErrorClass('GVL_ADDON_CONFLICT') {
  /** The copy loaded first: its version and package directory. */
  readonly loaded: {
    /** `version` of that copy's `package.json`, or `'unknown'`. */
    readonly version: string;
    /** Its package directory (absolute path), or `'unknown'`. */
    readonly location: string;
  };
  constructor(
    message: string,
    detail?: ErrorDetail,
    options?: { cause?: unknown; loaded?: { version: string; location: string } },
  ) {
    super(message, detail, options);
    this.loaded = options?.loaded ?? { version: 'unknown', location: 'unknown' };
  }
}

/**
 * No prebuilt addon exists for this platform. Thrown when `@gvl/native` (and so
 * `@gvl/dataset` or the `gvl` CLI) is imported on a platform outside the list of
 * prebuilt targets, before any `.node` file is opened. `value` is the platform triple
 * (`os-arch[-libc]`, e.g. `"linux-arm64-musl"`, `"darwin-arm64"`);
 * {@link UnsupportedPlatformError.supported} lists the triples that have a prebuilt. The
 * message says how to build the addon from source and point `GVL_NATIVE_BINDING` at it.
 *
 * @example
 * ```ts
 * import { isGvlError } from '@gvl/errors';
 * try {
 *   await import('@gvl/native');
 * } catch (e) {
 *   // The package did not load, so test the code (not `instanceof`).
 *   if (isGvlError(e, 'GVL_UNSUPPORTED_PLATFORM')) console.error(e.message);
 *   throw e;
 * }
 * ```
 */
export class UnsupportedPlatformError extends nativeErrorClass('GVL_UNSUPPORTED_PLATFORM') {
  /** The platform triples that have a prebuilt addon. */
  readonly supported: readonly string[];
  constructor(
    message: string,
    detail?: ErrorDetail,
    options?: { cause?: unknown; supported?: readonly string[] },
  ) {
    super(message, detail, options);
    this.supported = options?.supported ?? [];
  }
}

/**
 * This platform has a prebuilt addon, but none could be loaded: the platform package
 * (`@gvl/native-<triple>`) is not installed (optional dependencies omitted, or npm's
 * optional-dependency bug), the system's C library is older than the addon needs (glibc
 * 2.17), or the file named by `GVL_NATIVE_BINDING` cannot be opened. Thrown at import.
 * `param` is `"GVL_NATIVE_BINDING"` when that variable was set, else `"platform"`;
 * `value` is that path or the platform triple; `cause` is the last loader error (e.g.
 * `dlopen`'s `GLIBC_2.xx not found`). The message lists every place tried and why each
 * failed.
 *
 * @example
 * ```ts
 * import { isGvlError } from '@gvl/errors';
 * try {
 *   await import('@gvl/native');
 * } catch (e) {
 *   if (isGvlError(e, 'GVL_NATIVE_LOAD_FAILED')) console.error(e.message); // what was tried, and the fix
 *   throw e;
 * }
 * ```
 */
export class NativeLoadError extends nativeErrorClass('GVL_NATIVE_LOAD_FAILED') {}

type ErrorClass = new (
  message: string,
  detail?: ErrorDetail,
  options?: { cause?: unknown },
) => NativeError;

const CLASSES: Record<NativeErrorCode, ErrorClass> = {
  GVL_INVALID_ARGUMENT: InvalidArgumentError,
  GVL_INDEX_OUT_OF_RANGE: IndexOutOfRangeError,
  GVL_POOL_CONFIGURED: PoolConfiguredError,
  GVL_POOL_BUILD_FAILED: PoolBuildError,
  GVL_ALLOCATION_FAILED: AllocationError,
  GVL_OUTPUT_TOO_LARGE: OutputTooLargeError,
  GVL_ABORTED: AbortError,
  GVL_NATIVE_PANIC: NativePanicError,
  GVL_ADDON_CONFLICT: AddonConflictError,
  GVL_UNSUPPORTED_PLATFORM: UnsupportedPlatformError,
  GVL_NATIVE_LOAD_FAILED: NativeLoadError,
};

const ENCODED = /^(GVL_[A-Z_]+): ([^\n]*)\n(\{.*\})$/s;

/**
 * Rebuild a typed error from whatever the native binding threw. Errors that
 * are already typed pass through; napi's own argument-conversion errors become
 * {@link InvalidArgumentError}; napi's cancellation of queued work becomes
 * {@link AbortError}.
 *
 * @internal
 */
export function toNativeError(err: unknown, abortReason?: unknown): unknown {
  if (err instanceof NativeError || !(err instanceof Error)) return err;
  const m = ENCODED.exec(err.message);
  if (m) {
    const code = m[1] as NativeErrorCode;
    const Cls = CLASSES[code];
    if (Cls) {
      let detail: ErrorDetail = {};
      try {
        detail = JSON.parse(m[3] ?? '{}') as ErrorDetail;
      } catch {
        detail = {};
      }
      const cause = code === 'GVL_ABORTED' && abortReason !== undefined ? abortReason : err;
      return new Cls(m[2] ?? '', detail, { cause });
    }
  }
  if (err.name === 'AbortError' || (err as { code?: unknown }).code === 'Cancelled') {
    return new AbortError(
      'the kernel was cancelled before it started',
      {},
      {
        cause: abortReason ?? err,
      },
    );
  }
  const napiCode = (err as { code?: unknown }).code;
  if (napiCode === 'InvalidArg' || napiCode === 'NumberExpected' || napiCode === 'ObjectExpected') {
    return new InvalidArgumentError(err.message, {}, { cause: err });
  }
  return err;
}

/** An {@link InvalidArgumentError} naming `param`, the value and the expectation. */
export function invalidArgument(
  param: string,
  value: unknown,
  expected: string,
  index?: number,
): InvalidArgumentError {
  const at = index === undefined ? param : `${param}[${index}]`;
  return new InvalidArgumentError(
    `${at} is ${describe(value)}; expected ${expected}`,
    index === undefined ? { param, value } : { param, index, value },
  );
}

/** A short description of a value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (ArrayBuffer.isView(value)) {
    const tag = Object.prototype.toString.call(value).slice(8, -1);
    const len = (value as { length?: number }).length ?? value.byteLength;
    return `a ${tag} of length ${len}`;
  }
  if (Array.isArray(value)) return `an Array of length ${value.length}`;
  if (typeof value === 'function') return 'a function';
  return `a ${Object.prototype.toString.call(value).slice(8, -1)}`;
}
