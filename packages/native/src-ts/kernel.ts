/**
 * The sync/async plumbing shared by every kernel wrapper, driven by the
 * generated binding's types (`../index.d.ts`): a kernel is declared once, by
 * its napi name and a `prepare` step that checks the JS-side input and builds
 * the native arguments; {@link kernelPair} and {@link rowsKernelPair} derive
 * the async and blocking forms, so a Rust signature change is a type error
 * here rather than a runtime surprise.
 *
 * Who validates what: the TS layer checks what napi's conversion would reject
 * without naming the parameter (the typed-array dtypes of every input, array
 * lengths tied to a query count, option object shapes) and turns friendly forms
 * into native ones (`padChar: 'N'` → 78); the addon checks values (enums,
 * ranges, offsets, indices, an insertion fill's parameters, seeds). No check
 * is made in both places.
 *
 * @internal
 */
import { native } from './binding.js';
import { AllocationError, invalidArgument } from './errors.js';
import { checkOutputBytes, DTYPE_BYTES } from './limits.js';
import { resolveParallel } from './pool.js';
import { checkSignal, runSync, submit } from './scheduler.js';
import type { AsyncKernelOptions, KernelOptions } from './types.js';
import {
  expectArray,
  expectObject,
  expectOptionalArray,
  lastOffset,
  lastOffsetBig,
  type TypedArrayKind,
} from './validate.js';

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

/** An output allocated by V8 before the call (see {@link Prepared.output}). */
export interface OutputSpec<Out> {
  length: bigint;
  dtype: keyof typeof DTYPE_BYTES;
  param: string;
  index?: number;
  create: (length: number) => Out;
}

/** The typed array of each dtype a kernel may allocate rows of. */
const ROW_ARRAYS = { uint8: Uint8Array, float32: Float32Array } as const;
/** The typed array `offsetsOutput` allocates for `dtype`. */
type RowArray<D extends keyof typeof ROW_ARRAYS> = InstanceType<(typeof ROW_ARRAYS)[D]>;

/**
 * The size and output of a kernel whose rows are delimited by `offsets`
 * (int64, from 0; row `k` is `out.subarray(offsets[k], offsets[k + 1])`):
 * `offsets[last]` elements of `dtype`, named `param[last]` when they exceed
 * the output cap. `bytes` sizes the `'auto'` gate.
 */
export function offsetsOutput<D extends keyof typeof ROW_ARRAYS>(
  param: string,
  offsets: BigInt64Array,
  dtype: D,
): { bytes: number; output: OutputSpec<RowArray<D>> } {
  return {
    bytes: lastOffset(offsets) * DTYPE_BYTES[dtype],
    output: {
      length: lastOffsetBig(offsets),
      dtype,
      param,
      index: offsets.length - 1,
      create: (n) => new ROW_ARRAYS[dtype](n) as RowArray<D>,
    },
  };
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
  output: OutputSpec<Out> | null;
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
function runSyncKernel<Out, R>(
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
async function runAsyncKernel<Out, R>(
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

type Binding = typeof native;
type SyncName<K extends string> = `${K}Sync` & keyof Binding;

/**
 * The napi kernels called as `name(input, parallel, out?, signal?)` that have a
 * blocking twin `nameSync(input, parallel, out?)`, read off the generated binding.
 */
export type InputKernel = {
  [K in keyof Binding & string]: `${K}Sync` extends keyof Binding
    ? Binding[K] extends (
        input: infer In,
        parallel: boolean,
        out?: never,
        signal?: AbortSignal | null,
      ) => Promise<unknown>
      ? In extends object
        ? K
        : never
      : never
    : never;
}[keyof Binding & string];

/** The native input object of kernel `K`. */
export type NativeInput<K extends InputKernel> = Parameters<Binding[K]>[0];
/** The output kernel `K` writes into (`out`). */
export type NativeOut<K extends InputKernel> = Binding[SyncName<K>] extends (
  input: never,
  parallel: boolean,
  out?: infer O,
) => unknown
  ? NonNullable<O>
  : never;
/** What kernel `K` returns. */
export type NativeResult<K extends InputKernel> = Binding[SyncName<K>] extends (
  ...args: never[]
) => infer R
  ? R
  : never;

/** A kernel call built by a `prepare` step: native arguments, size and output. */
export interface KernelCall<K extends InputKernel> {
  /** The native input object, checked on the JS side. */
  args: NativeInput<K>;
  /** Output size in bytes, for the `'auto'` gate. */
  bytes: number;
  /** See {@link Prepared.output}. */
  output: OutputSpec<NativeOut<K>> | null;
  /** An output built by `prepare` itself (it replaces a caller's `out`, which such kernels refuse). */
  out?: NativeOut<K>;
}

/** The async and blocking forms of one kernel. */
export interface KernelPair<I, Out, R> {
  run: (input: I, options?: AsyncKernelOptions<Out>) => Promise<R>;
  runSync: (input: I, options?: KernelOptions<Out>) => R;
}

type SyncCall<K extends InputKernel> = (
  input: NativeInput<K>,
  parallel: boolean,
  out?: NativeOut<K>,
) => NativeResult<K>;
type AsyncCall<K extends InputKernel> = (
  input: NativeInput<K>,
  parallel: boolean,
  out: NativeOut<K> | undefined,
  signal: AbortSignal,
) => Promise<NativeResult<K>>;

/**
 * Both forms of the napi kernel `name`: `prepare` checks the JS input and
 * builds the call; `outKind` is the typed array a caller's `out` must be
 * (`null`: the kernel takes no `out`).
 */
export function kernelPair<K extends InputKernel, I>(
  name: K,
  outKind: TypedArrayKind | null,
  prepare: (input: I) => KernelCall<K>,
): KernelPair<I, NativeOut<K>, NativeResult<K>> {
  const prepared = (input: I): Prepared<NativeOut<K>, NativeResult<K>> => {
    const c = prepare(input);
    const syncCall = native[`${name}Sync` as SyncName<K>] as unknown as SyncCall<K>;
    const asyncCall = native[name] as unknown as AsyncCall<K>;
    return {
      bytes: c.bytes,
      output: c.output,
      sync: (parallel, out) => syncCall(c.args, parallel, c.out ?? out),
      async: (parallel, out, signal) => asyncCall(c.args, parallel, c.out ?? out, signal),
    };
  };
  return {
    run: (input, options) => runAsyncKernel(options, outKind, () => prepared(input)),
    runSync: (input, options) => runSyncKernel(options, outKind, () => prepared(input)),
  };
}

/** The napi in-place row kernels: `name(data, offsets, rows, parallel, signal?)` and `nameSync`. */
export type RowsKernel = 'reverseComplement' | 'reverseRows';

/** A row kernel's data array, read off the generated binding. */
export type RowsData<K extends RowsKernel> = Parameters<Binding[K]>[0];

/** Rows of a flat array, transformed in place. */
export interface RowsInput<T> {
  /** The data, modified in place and returned. */
  data: T;
  /**
   * int64 `(n_rows + 1)` non-negative, non-decreasing offsets within `data`:
   * row `i` is `data.subarray(offsets[i], offsets[i + 1])`.
   */
  offsets: BigInt64Array;
  /** uint8 `(n_rows)` mask: rows with a non-zero flag are transformed. Default: all rows. */
  rows?: Uint8Array;
}

/** Both forms of the in-place row kernel `name`, over `dataKind` rows (`'auto'` sized on the selected span). */
export function rowsKernelPair<K extends RowsKernel>(
  name: K,
  dataKind: 'Uint8Array' | 'Float32Array',
): KernelPair<RowsInput<RowsData<K>>, undefined, RowsData<K>> {
  type T = RowsData<K>;
  const width = DTYPE_BYTES[dataKind === 'Uint8Array' ? 'uint8' : 'float32'];
  const prepared = (input: RowsInput<T>): Prepared<undefined, T> => {
    expectObject('input', input);
    expectArray('data', input.data, dataKind);
    expectArray('offsets', input.offsets, 'BigInt64Array');
    expectOptionalArray('rows', input.rows, 'Uint8Array');
    const { data, offsets, rows } = input;
    const span = offsets.length === 0 ? 0 : lastOffset(offsets) - Number(offsets[0]);
    const syncCall = native[`${name}Sync`] as unknown as (
      d: T,
      o: BigInt64Array,
      r: Uint8Array | undefined,
      p: boolean,
    ) => T;
    const asyncCall = native[name] as unknown as (
      d: T,
      o: BigInt64Array,
      r: Uint8Array | undefined,
      p: boolean,
      s: AbortSignal,
    ) => Promise<T>;
    return {
      bytes: Math.max(0, span) * width,
      output: null,
      sync: (parallel) => syncCall(data, offsets, rows, parallel),
      async: (parallel, _out, signal) => asyncCall(data, offsets, rows, parallel, signal),
    };
  };
  return {
    run: (input, options) => runAsyncKernel(options, null, () => prepared(input)),
    runSync: (input, options) => runSyncKernel(options, null, () => prepared(input)),
  };
}
