/**
 * The sync/async plumbing shared by every kernel wrapper.
 *
 * @internal
 */
import { AllocationError, invalidArgument } from './errors.js';
import { checkOutputBytes, DTYPE_BYTES } from './limits.js';
import { resolveParallel } from './pool.js';
import { checkSignal, runSync, submit } from './scheduler.js';
import type { AsyncKernelOptions, KernelOptions } from './types.js';
import { expectOptionalArray, type TypedArrayKind } from './validate.js';

/** Validate the options object and its `out`. */
function checkOptions<Out>(
  options: unknown,
  outKind: TypedArrayKind | null,
): AsyncKernelOptions<Out> {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null) {
    throw invalidArgument('options', options, 'an options object');
  }
  const out = (options as { out?: unknown }).out;
  if (outKind === null) {
    if (out !== undefined) {
      throw invalidArgument('options.out', out, 'undefined (this kernel has no out option)');
    }
  } else {
    expectOptionalArray('options.out', out, outKind);
  }
  return options as AsyncKernelOptions<Out>;
}

/** A validated native call, ready to run either way. */
export interface Prepared<Out, R> {
  /** Output size in bytes, for the `'auto'` gate. */
  bytes: number;
  /**
   * The output to allocate here, by V8 (GC-accounted, transferable), unless
   * the caller passed `out`; the kernel writes into it directly (no copy).
   * `length` is its element count, checked against the output cap (in bytes)
   * before allocating; `param` / `index` name the input that sets it. `null`
   * for in-place kernels and kernels that allocate in `prepare` (after
   * checking the cap themselves).
   */
  output: {
    length: bigint;
    dtype: keyof typeof DTYPE_BYTES;
    param: string;
    index?: number;
    create: (length: number) => Out;
  } | null;
  sync: (parallel: boolean, out: Out | undefined) => R;
  async: (parallel: boolean, out: Out | undefined, signal: AbortSignal) => Promise<R>;
}

/**
 * The caller's `out`, or a new output: its bytes are checked against the
 * cap first (`GVL_OUTPUT_TOO_LARGE`), and a V8 allocation failure becomes
 * `GVL_ALLOCATION_FAILED`.
 */
function outputOf<Out, R>(p: Prepared<Out, R>, given: Out | undefined): Out | undefined {
  if (given !== undefined || p.output === null) return given;
  const { length, dtype, param, index, create } = p.output;
  checkOutputBytes([{ param, index, elements: length, dtype }]);
  return allocate(() => create(Number(length)), Number(length), dtype);
}

/** Run a V8 allocation of `length` `dtype` elements; a RangeError becomes {@link AllocationError}. */
export function allocate<T>(make: () => T, length: number, dtype: keyof typeof DTYPE_BYTES): T {
  try {
    return make();
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    const bytes = length * DTYPE_BYTES[dtype];
    throw new AllocationError(
      `could not allocate an output of ${length} ${dtype} elements (${bytes} bytes): ${err.message}`,
      { value: bytes },
      { cause: err },
    );
  }
}

/** Validate, resolve `parallel`, run on the calling thread; native errors become typed errors. */
export function runSyncKernel<Out, R>(
  options: KernelOptions<Out> | undefined,
  outKind: TypedArrayKind | null,
  prepare: () => Prepared<Out, R>,
): R {
  const opts = checkOptions<Out>(options, outKind);
  const p = prepare();
  const parallel = resolveParallel(opts.parallel, p.bytes);
  const out = outputOf(p, opts.out);
  return runSync(() => p.sync(parallel, out));
}

/** Validate, resolve `parallel`, run off the JS thread through the admission queue. Never throws synchronously. */
export async function runAsyncKernel<Out, R>(
  options: AsyncKernelOptions<Out> | undefined,
  outKind: TypedArrayKind | null,
  prepare: () => Prepared<Out, R>,
): Promise<R> {
  const opts = checkOptions<Out>(options, outKind);
  const signal = checkSignal(opts.signal);
  const p = prepare();
  const parallel = resolveParallel(opts.parallel, p.bytes);
  const out = outputOf(p, opts.out);
  return submit((inner) => p.async(parallel, out, inner), signal);
}
