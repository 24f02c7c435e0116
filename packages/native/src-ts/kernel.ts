/**
 * The sync/async plumbing shared by every kernel wrapper.
 *
 * @internal
 */
import { invalidArgument } from './errors.js';
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
   * Output elements and constructor: the output is allocated here, by V8
   * (GC-accounted, transferable), unless the caller passed `out`; the kernel
   * writes into it directly (no copy). `null` for in-place kernels.
   */
  output: { length: number; param: string; index?: number; create: (length: number) => Out } | null;
  sync: (parallel: boolean, out: Out | undefined) => R;
  async: (parallel: boolean, out: Out | undefined, signal: AbortSignal) => Promise<R>;
}

/** Largest output, in elements (the native limit too). */
const MAX_OUTPUT_ELEMENTS = 2 ** 32 - 1;

function outputOf<Out, R>(p: Prepared<Out, R>, given: Out | undefined): Out | undefined {
  if (given !== undefined || p.output === null) return given;
  const { length, param, index, create } = p.output;
  if (length > MAX_OUTPUT_ELEMENTS) {
    throw invalidArgument(
      param,
      length,
      `a total output size <= ${MAX_OUTPUT_ELEMENTS} elements`,
      index,
    );
  }
  return create(length);
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
