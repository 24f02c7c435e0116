/**
 * `@gvl/dataset/tfjs`: batches as [TensorFlow.js](https://www.tensorflow.org/js) tensors.
 *
 * The runtime is an optional peer dependency, loaded on the first call (never by
 * `import '@gvl/dataset'`): `@tensorflow/tfjs-node` when installed (native TensorFlow),
 * else `@tensorflow/tfjs` (pure JS, CPU). Pass `{ tf }` to choose one explicitly (e.g.
 * `@tensorflow/tfjs-node-gpu`). Neither installed is a `GVL_RUNTIME_UNAVAILABLE` error
 * naming the packages to install.
 *
 * **Memory — where copies happen.** TensorFlow.js has three element types for numbers:
 * `float32`, `int32` and `bool`. Here:
 * - `Float32Array` (tracks, one-hot) and `Int32Array` (annotated `varIdxs`/`refCoords`,
 *   variant `start`/`ilen`) are handed to `tf.tensor` as they are: this module copies
 *   nothing. Whether the runtime does is its own choice: `@tensorflow/tfjs-node` copies
 *   the values into TensorFlow's memory when it makes the tensor; the pure-JS CPU
 *   backend of `@tensorflow/tfjs` keeps the array it was given (so do not write to a
 *   batch while a tensor made from it is in use).
 * - `Uint8Array` (haplotype and reference bytes, ragged `alt`), `Int8Array`,
 *   `Uint16Array`, `Int16Array` and `Uint32Array` are copied, widened to `int32` (4 bytes
 *   per element: a `uint8 [32, 2, 1000]` batch becomes 256 000 bytes).
 * - `BigInt64Array`/`BigUint64Array` (ragged offsets) are copied to `int32`; a value past
 *   `2^31 − 1` is a `GVL_INVALID_ARGUMENT` error.
 * - `Float64Array` is copied to `float32` (rounded).
 *
 * For zero-copy tensors use `@gvl/dataset/onnx`.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { tfTensors } from '@gvl/dataset/tfjs';
 * const haps = await ds.withSeqs('haplotypes').withLen(1000).get([0, 1], [0, 0]);
 * const t = tfTensors(haps, { tf }); // int32 [2, 2, 1000]
 * ```
 *
 * @module @gvl/dataset/tfjs
 */
import type * as Tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from './errors.js';
import type { RequireFn, RuntimeCandidate } from './optional-runtime.js';
import type { Dense, TypedArray } from './ragged.js';
import { runtimeLoader, tensorConverters } from './tensor-adapter.js';
import type { TensorSource, TensorsOf } from './tensor-layout.js';

export type * from './tensor-types.js';
export type { RuntimeCandidate };

/** The part of a TensorFlow.js module used here: `tensor()`. */
export type TfModule = Pick<typeof Tf, 'tensor'>;

/** A TensorFlow.js tensor. */
export type TfTensor = Tf.Tensor;

/** Options of {@link tfTensors} and {@link tfTensor}. */
export interface TfTensorOptions {
  /**
   * The TensorFlow.js module to make tensors with (`@tensorflow/tfjs`,
   * `@tensorflow/tfjs-node`, `@tensorflow/tfjs-node-gpu`). Default: `@tensorflow/tfjs-node`
   * if installed, else `@tensorflow/tfjs`, loaded on first use.
   */
  tf?: TfModule;
}

/** The packages tried, in order, when no `tf` is given, with their install commands. */
export const TFJS_RUNTIMES: readonly RuntimeCandidate[] = [
  { id: '@tensorflow/tfjs-node', install: 'npm install @tensorflow/tfjs-node@^4.22.0' },
  { id: '@tensorflow/tfjs', install: 'npm install @tensorflow/tfjs@^4.22.0' },
];

/** What {@link loadTensorflow} loaded. */
export interface LoadedTensorflow {
  /** The package loaded: `@tensorflow/tfjs-node` or `@tensorflow/tfjs`. */
  readonly id: string;
  /** Its exports (the `tf` namespace). */
  readonly module: typeof Tf;
}

const loadTf = runtimeLoader<typeof Tf>('@gvl/dataset/tfjs', TFJS_RUNTIMES);

/**
 * Loads TensorFlow.js (once): `@tensorflow/tfjs-node` when installed, else
 * `@tensorflow/tfjs`.
 *
 * @param req - the `require` to load with (default: resolved from `@gvl/dataset`).
 * @returns the package loaded (`id`) and its module.
 * @throws RuntimeUnavailableError `GVL_RUNTIME_UNAVAILABLE` when neither is installed (the
 *   message gives both install commands), or when `@tensorflow/tfjs-node` is installed but
 *   fails to load (e.g. its native TensorFlow library was never downloaded; `cause` says why).
 */
export function loadTensorflow(req?: RequireFn): LoadedTensorflow {
  return loadTf(req);
}

const INT32_MAX = 2 ** 31 - 1;
const INT32_MIN = -(2 ** 31);

function int32From(data: TypedArray, path: string): Int32Array {
  const out = new Int32Array(data.length);
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    for (let i = 0; i < data.length; i++) {
      const v = data[i] as bigint;
      if (v > BigInt(INT32_MAX) || v < BigInt(INT32_MIN)) {
        throw new InvalidArgumentError(
          `${path}[${i}] = ${v} does not fit TensorFlow.js int32 (at most 2^31 − 1); use smaller batches or @gvl/dataset/onnx (int64)`,
          { value: v },
        );
      }
      out[i] = Number(v);
    }
    return out;
  }
  if (data instanceof Uint32Array) {
    for (let i = 0; i < data.length; i++) {
      const v = data[i] as number;
      if (v > INT32_MAX) {
        throw new InvalidArgumentError(
          `${path}[${i}] = ${v} does not fit TensorFlow.js int32 (at most 2^31 − 1)`,
          { value: v },
        );
      }
    }
  }
  out.set(data as ArrayLike<number>);
  return out;
}

/** `tfTensors` / `tfTensor`: a conversion that fails part-way disposes the tensors it made. */
const convert = tensorConverters(
  (options: TfTensorOptions | undefined) => {
    const tf = options?.tf ?? loadTensorflow().module;
    return (data: TypedArray, dims: readonly number[], path: string): Tf.Tensor => {
      const shape = [...dims];
      return data instanceof Float32Array
        ? tf.tensor(data, shape, 'float32')
        : data instanceof Int32Array
          ? tf.tensor(data, shape, 'int32')
          : data instanceof Float64Array
            ? tf.tensor(Float32Array.from(data), shape, 'float32')
            : tf.tensor(int32From(data, path), shape, 'int32');
    };
  },
  (t) => t.dispose(),
);

/**
 * A batch's output (`batch.data`, or what `get()` returns) as TensorFlow.js tensors,
 * mapped as {@link TensorsOf} says (the same layout as `@gvl/dataset/onnx`):
 *
 * - haplotypes / reference, dense: `int32` `[batch, ploidy, length]` of ASCII codes
 *   (widened from uint8: a copy);
 * - tracks (dense): `float32` `[batch, tracks, ploidy, length]`;
 * - annotated, dense: `{ haps, varIdxs, refCoords }`, all `int32`;
 * - `withLen('ragged')`: `{ values, offsets }`, both 1-D, `offsets` `int32` of length
 *   `rows + 1` (rows = the leading dims' product, row-major);
 * - variants: `{ offsets, start, ilen, alt: { values, offsets } }`, all `int32`;
 * - sequences and tracks together: `[seqs, tracks]`;
 * - any `{ data, shape }` ({@link Dense}), e.g. a `float32` one-hot `[..., length, alphabet]`.
 *
 * The module's doc lists where copies happen. Dispose the tensors (`tf.dispose`) when
 * done: `@tensorflow/tfjs-node` holds their memory outside the JS heap.
 *
 * @throws RuntimeUnavailableError `GVL_RUNTIME_UNAVAILABLE` when no TensorFlow.js is
 *   installed and no `options.tf` is given.
 * @throws InvalidArgumentError `GVL_INVALID_ARGUMENT` when `output` is not an output of
 *   `get()` or a `{ data, shape }` whose shape matches its length, or an int64 offset
 *   exceeds `2^31 − 1` (the message names the field and index).
 */
export function tfTensors<O extends TensorSource>(
  output: O,
  options?: TfTensorOptions,
): TensorsOf<O, Tf.Tensor> {
  return convert.tensors(output, options);
}

/**
 * One typed array with a shape (row-major) as a TensorFlow.js tensor (`float32` for
 * float arrays, else `int32`; copies as the module's doc says).
 *
 * @throws InvalidArgumentError `GVL_INVALID_ARGUMENT` when the shape's product is not
 *   `data.length`, or a 64-bit value does not fit int32.
 * @throws RuntimeUnavailableError `GVL_RUNTIME_UNAVAILABLE` as {@link tfTensors}.
 */
export function tfTensor(dense: Dense<TypedArray>, options?: TfTensorOptions): Tf.Tensor {
  return convert.tensor(dense, options);
}
