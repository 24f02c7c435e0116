/**
 * `@gvl/dataset/onnx`: batches as [ONNX Runtime](https://onnxruntime.ai/) tensors,
 * without copying.
 *
 * `onnxruntime-node` (≥ 1.30) is an optional peer dependency: install it next to
 * `@gvl/dataset` to use this entry point. It is loaded on the first call, never by
 * `import '@gvl/dataset'`, and a missing runtime is a `GVL_RUNTIME_UNAVAILABLE` error
 * naming the package to install.
 *
 * **Memory**: every tensor made here is a view of the batch's own typed array (ONNX
 * Runtime's `Tensor` keeps the array it is given): no byte is copied, and
 * `tensor.data === array`. Do not write to a batch while a tensor made from it is in use.
 * What `session.run` then does with an input is ONNX Runtime's choice: its Node binding
 * builds the input over the array's memory and may copy it first (depending on its
 * version and run mode); a GPU provider copies it to the device.
 *
 * @example
 * ```ts
 * import { ortTensors } from '@gvl/dataset/onnx';
 * for await (const batch of ds.withLen(1000).loader({ batchSize: 32 })) {
 *   const haps = ortTensors(batch.data); // Tensor uint8 [32, 2, 1000], same memory
 *   const out = await session.run({ seq: haps });
 * }
 * ```
 *
 * @module @gvl/dataset/onnx
 */
import type * as Ort from 'onnxruntime-node';
import { InvalidArgumentError } from './errors.js';
import type { RequireFn } from './optional-runtime.js';
import type { Dense, TypedArray } from './ragged.js';
import { runtimeLoader, tensorConverters } from './tensor-adapter.js';
import type { TensorSource, TensorsOf } from './tensor-layout.js';

export type * from './tensor-types.js';

/** The part of an ONNX Runtime module used here: its `Tensor` class. */
export type OrtModule = Pick<typeof Ort, 'Tensor'>;

/** An ONNX Runtime tensor (`onnxruntime-node`'s `Tensor`). */
export type OrtTensor = Ort.Tensor;

/** Options of {@link ortTensors} and {@link ortTensor}. */
export interface OrtTensorOptions {
  /**
   * The ONNX Runtime module to make tensors with, e.g. `import * as ort from
   * 'onnxruntime-node'` (or `onnxruntime-web`, whose `Tensor` is the same class). Default:
   * `onnxruntime-node`, loaded on first use.
   */
  ort?: OrtModule;
}

/** `npm install` command for the runtime, shown in `GVL_RUNTIME_UNAVAILABLE` errors. */
export const ONNXRUNTIME_INSTALL = 'npm install onnxruntime-node@^1.30.0';

const loadOrt = runtimeLoader<typeof Ort>('@gvl/dataset/onnx', [
  { id: 'onnxruntime-node', install: ONNXRUNTIME_INSTALL },
]);

/**
 * Loads `onnxruntime-node` (once; later calls return the same module).
 *
 * @param req - the `require` to load it with (default: resolved from `@gvl/dataset`).
 * @throws RuntimeUnavailableError `GVL_RUNTIME_UNAVAILABLE` when `onnxruntime-node` is not
 *   installed or fails to load; the message says `npm install onnxruntime-node@^1.30.0`.
 */
export function loadOnnxRuntime(req?: RequireFn): typeof Ort {
  return loadOrt(req).module;
}

type OrtDataType =
  | 'uint8'
  | 'int8'
  | 'uint16'
  | 'int16'
  | 'int32'
  | 'uint32'
  | 'float32'
  | 'float64'
  | 'int64'
  | 'uint64';

/** The ONNX element type of a typed array, and the array ONNX Runtime accepts for it. */
function ortData(data: TypedArray, path: string): [OrtDataType, Ort.Tensor.DataType] {
  if (data instanceof Uint8Array) return ['uint8', data];
  // Same bytes, viewed as the Uint8Array ONNX Runtime expects (no copy).
  if (data instanceof Uint8ClampedArray)
    return ['uint8', new Uint8Array(data.buffer, data.byteOffset, data.length)];
  if (data instanceof Int8Array) return ['int8', data];
  if (data instanceof Uint16Array) return ['uint16', data];
  if (data instanceof Int16Array) return ['int16', data];
  if (data instanceof Int32Array) return ['int32', data];
  if (data instanceof Uint32Array) return ['uint32', data];
  if (data instanceof Float32Array) return ['float32', data];
  if (data instanceof Float64Array) return ['float64', data];
  if (data instanceof BigInt64Array) return ['int64', data];
  if (data instanceof BigUint64Array) return ['uint64', data];
  throw new InvalidArgumentError(
    `${path}: ${Object.prototype.toString.call(data)} is not a typed array ONNX Runtime accepts`,
    {
      value: data,
    },
  );
}

/** `ortTensors` / `ortTensor`: tensors over the output's own arrays (nothing to dispose). */
const convert = tensorConverters((options: OrtTensorOptions | undefined) => {
  const ort = options?.ort ?? loadOnnxRuntime();
  return (data: TypedArray, dims: readonly number[], path: string): Ort.Tensor => {
    const [type, view] = ortData(data, path);
    return new ort.Tensor(type, view as never, dims) as Ort.Tensor;
  };
});

/**
 * A batch's output (`batch.data`, or what `get()` returns) as ONNX Runtime tensors that
 * share its memory. Every output kind maps as {@link TensorsOf} says:
 *
 * - haplotypes / reference, `withLen('variable')` or a fixed length: one `uint8` tensor
 *   `[batch, ploidy, length]` (reference: `[batch, length]`), ASCII bytes;
 * - tracks (dense): `float32` `[batch, tracks, ploidy, length]` (as `get()` shapes them);
 * - annotated, dense: `{ haps: uint8, varIdxs: int32, refCoords: int32 }`, each `[batch, ploidy, length]`;
 * - `withLen('ragged')`: `{ values, offsets }`, `values` 1-D over every base of the batch,
 *   `offsets` `int64` of length `rows + 1` (rows = `batch × ploidy`, row-major);
 * - variants (always ragged): `{ offsets: int64, start: int32, ilen: int32, alt: { values: uint8, offsets: int64 } }`;
 * - sequences and tracks together: a pair `[seqs, tracks]`;
 * - any `{ data, shape }` ({@link Dense}) of any typed array ONNX has a type for
 *   (e.g. a `float32` one-hot `[batch, ploidy, length, alphabet]`).
 *
 * Coordinates in `start`/`refCoords` are 0-based. No byte is copied: `tensor.data` is the
 * batch's array (a `Uint8ClampedArray` is viewed as `Uint8Array`, same bytes).
 *
 * @param output - a batch's `data` or an output of `get()`.
 * @throws RuntimeUnavailableError `GVL_RUNTIME_UNAVAILABLE` when `onnxruntime-node` is
 *   not installed and no `options.ort` is given.
 * @throws InvalidArgumentError `GVL_INVALID_ARGUMENT` when `output` is not an output of
 *   `get()` or a `{ data, shape }` whose shape matches its length (the message names the field).
 * @example
 * ```ts
 * const ds = await Dataset.open('chr20.gvl', { reference: 'chr20.fa.gz' });
 * const haps = await ds.withSeqs('haplotypes').withLen(1000).get([0, 1], [0, 0]); // Dense<Uint8Array> [2, 2, 1000]
 * const t = ortTensors(haps); // t.type 'uint8', t.dims [2, 2, 1000], t.data === haps.data
 * ```
 */
export function ortTensors<O extends TensorSource>(
  output: O,
  options?: OrtTensorOptions,
): TensorsOf<O, Ort.Tensor> {
  return convert.tensors(output, options);
}

/**
 * One typed array with a shape (row-major) as an ONNX Runtime tensor of the matching
 * element type, sharing its memory (`tensor.data === dense.data`).
 *
 * @throws InvalidArgumentError `GVL_INVALID_ARGUMENT` when the shape's product is not
 *   `data.length` (or a dimension is not an integer ≥ 0).
 * @throws RuntimeUnavailableError `GVL_RUNTIME_UNAVAILABLE` as {@link ortTensors}.
 */
export function ortTensor(dense: Dense<TypedArray>, options?: OrtTensorOptions): Ort.Tensor {
  return convert.tensor(dense, options);
}
