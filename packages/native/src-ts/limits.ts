/**
 * The output cap: the most bytes one kernel call may allocate for its output.
 */
import { native } from './binding.js';
import { invalidArgument, toNativeError } from './errors.js';

/** Options of {@link configureLimits}. */
export interface LimitOptions {
  /**
   * The most bytes one kernel call may allocate for its output (all of its
   * output arrays together, e.g. the five columns of `gatherVariants`): an
   * integer in [1, 2^53 - 1]. A caller-provided `out` is not allocated and
   * not counted.
   */
  maxOutputBytes?: number;
}

/** The output cap as {@link limitsInfo} reports it. */
export interface LimitsInfo {
  /** The most bytes one kernel call may allocate for its output. */
  maxOutputBytes: number;
  /**
   * Where it comes from: `"default"` (4 GiB), `"env"` (`GVL_MAX_OUTPUT_BYTES`,
   * read once, at the first kernel call or limits call) or `"configureLimits"`.
   */
  source: 'default' | 'env' | 'configureLimits';
}

function info(): LimitsInfo {
  try {
    const s = native.limitsInfo();
    return { maxOutputBytes: s.maxOutputBytes, source: s.source as LimitsInfo['source'] };
  } catch (err) {
    throw toNativeError(err);
  }
}

/**
 * Set the output cap: a kernel call whose output would take more than
 * `maxOutputBytes` bytes fails with `GVL_OUTPUT_TOO_LARGE` before anything is
 * allocated, instead of growing the process by gigabytes (a corrupt `ILEN`
 * or output offset can ask for any size). Sizes are element counts times
 * element sizes (uint8 1, int32 and float32 4, int64 8), summed over the
 * call's outputs in checked 64-bit arithmetic.
 *
 * The cap is process-wide: it applies to every worker thread, and to calls
 * that start after this one. It can be changed any number of times.
 *
 * @param options - `maxOutputBytes`, an integer in [1, 2^53 - 1].
 * @returns The cap after configuration.
 * @throws {@link InvalidArgumentError} `GVL_INVALID_ARGUMENT` for a missing, non-integer or
 *   out-of-range `maxOutputBytes`.
 * @example
 * ```ts
 * import { configureLimits, limitsInfo } from '@gvl/native';
 * configureLimits({ maxOutputBytes: 512 * 2 ** 20 }); // 512 MiB per call
 * limitsInfo(); // { maxOutputBytes: 536870912, source: 'configureLimits' }
 * ```
 */
export function configureLimits(options: LimitOptions): LimitsInfo {
  if (typeof options !== 'object' || options === null) {
    throw invalidArgument('options', options, '{ maxOutputBytes }');
  }
  const { maxOutputBytes } = options;
  if (
    typeof maxOutputBytes !== 'number' ||
    !Number.isSafeInteger(maxOutputBytes) ||
    maxOutputBytes < 1
  ) {
    throw invalidArgument('maxOutputBytes', maxOutputBytes, 'an integer in [1, 2^53 - 1]');
  }
  try {
    native.configureLimits(maxOutputBytes);
  } catch (err) {
    throw toNativeError(err);
  }
  return info();
}

/**
 * The output cap and where it comes from. The default is 4 GiB; the
 * environment variable `GVL_MAX_OUTPUT_BYTES` (an integer number of bytes,
 * optionally with a binary unit: `512M`, `8G`, `1TiB`), read once, replaces
 * it; {@link configureLimits} replaces both.
 *
 * @throws {@link InvalidArgumentError} `GVL_INVALID_ARGUMENT` (param `GVL_MAX_OUTPUT_BYTES`)
 *   when the variable is set to something else than a byte count and no cap was configured
 *   since; every kernel call throws the same error until then.
 * @example
 * ```ts
 * import { limitsInfo } from '@gvl/native';
 * const { maxOutputBytes, source } = limitsInfo(); // 4294967296, 'default'
 * ```
 */
export function limitsInfo(): LimitsInfo {
  return info();
}

/** Element type names and sizes of the arrays kernels allocate. */
export const DTYPE_BYTES = {
  uint8: 1,
  int32: 4,
  float32: 4,
  int64: 8,
} as const;

/** One output array about to be allocated. */
export interface OutputColumn {
  /** The input that sets its size, e.g. `outOffsets`. */
  param: string;
  /** The element of `param` that sets it. */
  index?: number | undefined;
  /** Number of elements (non-negative). */
  elements: bigint;
  dtype: keyof typeof DTYPE_BYTES;
  /** What the array is, in messages (default: the dtype). */
  label?: string;
}

/**
 * @internal Throw `GVL_OUTPUT_TOO_LARGE` unless `columns` fit under the cap
 * together (checked natively, in 64-bit arithmetic). Returns the total bytes.
 */
export function checkOutputBytes(columns: OutputColumn[]): number {
  try {
    return native.checkOutputBytes(
      columns.map((c) => ({
        param: c.param,
        ...(c.index === undefined || c.index < 0 ? {} : { index: c.index }),
        elements: c.elements,
        elemSize: DTYPE_BYTES[c.dtype],
        dtype: c.label ?? c.dtype,
      })),
    );
  } catch (err) {
    throw toNativeError(err);
  }
}
