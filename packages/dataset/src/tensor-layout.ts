/**
 * How a batch's output becomes tensors, independent of the ML runtime: which typed arrays
 * become which tensors, with which dimensions. `@gvl/dataset/onnx` and
 * `@gvl/dataset/tfjs` supply the runtime's tensor constructor.
 *
 * @module
 */
import { InvalidArgumentError } from './errors.js';
import type {
  AnnotatedHaps,
  GetOutput,
  RaggedAnnotatedHaps,
  RaggedOneHot,
  RaggedVariants,
} from './output.js';
import { type Dense, Ragged, type TypedArray } from './ragged.js';

/**
 * A ragged array as two 1-D tensors: `values` (the flat data, length `n`) and `offsets`
 * (int64 in ONNX Runtime, int32 in TensorFlow.js; length `rows + 1`). Row `i` (the
 * row-major flattening of the ragged array's leading dimensions) is
 * `values[offsets[i] .. offsets[i + 1])`.
 */
export interface RaggedTensors<X> {
  /** The flat data of every row, 1-D, of the array's dtype (length `n`). */
  readonly values: X;
  /** Row boundaries in `values`, 1-D, length `rows + 1`, starting at 0. */
  readonly offsets: X;
}

/** Annotated haplotypes as tensors, each field a tensor `T` of the same layout. */
export interface AnnotatedTensors<T> {
  /** Haplotype bases, uint8 ASCII. */
  readonly haps: T;
  /** Per base, the variant's row in the dataset's variant table; −1 for reference bases (int32). */
  readonly varIdxs: T;
  /** Per base, its 0-based reference coordinate (int32). */
  readonly refCoords: T;
}

/**
 * {@link RaggedVariants} as tensors: `offsets` (length `rows + 1`) delimits each
 * haplotype's variants in `start` and `ilen` (int32, one per variant, 0-based start);
 * `alt` holds the ALT alleles as ragged uint8 ASCII (`alt.offsets` has length
 * `variants + 1`).
 */
export interface VariantsTensors<X> {
  /** Each haplotype's variants in `start`/`ilen`, 1-D, length `rows + 1`. */
  readonly offsets: X;
  /** 0-based start of each variant, int32, 1-D. */
  readonly start: X;
  /** Indel length of each variant (ALT length − REF length; 0 for SNVs), int32, 1-D. */
  readonly ilen: X;
  /** ALT alleles, uint8 ASCII, one row per variant. */
  readonly alt: RaggedTensors<X>;
}

/**
 * The tensors for an output `O` of `get()` (or a batch's `data`), with `X` the runtime's
 * tensor type:
 *
 * | output | tensors |
 * | --- | --- |
 * | `Dense<T>` (haplotypes, reference, tracks, any typed array with a shape) | one `X` with the same shape |
 * | `Ragged<T>` | {@link RaggedTensors} |
 * | {@link RaggedOneHot} | {@link RaggedTensors}: `values` `[bases, A]`, `offsets` in bases |
 * | {@link AnnotatedHaps} | {@link AnnotatedTensors} of `X` |
 * | {@link RaggedAnnotatedHaps} | {@link AnnotatedTensors} of {@link RaggedTensors} |
 * | {@link RaggedVariants} | {@link VariantsTensors} |
 * | `[seqs, tracks]` | `[tensors of seqs, tensors of tracks]` |
 *
 * Distributes over unions.
 */
export type TensorsOf<O, X> = O extends readonly [infer A, infer B]
  ? [TensorsOf<A, X>, TensorsOf<B, X>]
  : O extends Ragged<TypedArray>
    ? RaggedTensors<X>
    : O extends RaggedOneHot
      ? RaggedTensors<X>
      : O extends RaggedVariants
        ? VariantsTensors<X>
        : O extends RaggedAnnotatedHaps
          ? AnnotatedTensors<RaggedTensors<X>>
          : O extends AnnotatedHaps
            ? AnnotatedTensors<X>
            : O extends Dense<TypedArray>
              ? X
              : never;

/** What the tensor adapters accept: an output of `get()`, or any {@link Dense} array. */
export type TensorSource = GetOutput | Dense<TypedArray>;

/** Makes one runtime tensor from a typed array and its dimensions (row-major). */
export type MakeTensor<X> = (data: TypedArray, dims: readonly number[], path: string) => X;

function isTypedArray(x: unknown): x is TypedArray {
  return ArrayBuffer.isView(x) && !(x instanceof DataView);
}

function denseTensor<X>(d: Dense<TypedArray>, make: MakeTensor<X>, path: string): X {
  const dims = d.shape;
  if (!Array.isArray(dims) || !dims.every((n) => Number.isSafeInteger(n) && n >= 0)) {
    throw new InvalidArgumentError(
      `${path}: shape ${JSON.stringify(dims)} is not a list of integers >= 0`,
      { value: dims },
    );
  }
  const size = dims.reduce((a, b) => a * b, 1);
  if (size !== d.data.length) {
    throw new InvalidArgumentError(
      `${path}: shape [${dims.join(', ')}] holds ${size} elements, data has ${d.data.length}`,
      { value: dims },
    );
  }
  return make(d.data, dims, path);
}

function raggedTensors<X>(r: Ragged<TypedArray>, make: MakeTensor<X>, path: string) {
  return {
    values: make(r.data, [r.data.length], `${path}.values`),
    offsets: make(r.offsets, [r.offsets.length], `${path}.offsets`),
  };
}

/**
 * Ragged one-hot rows: `values` 2-D `[bases, A]` (the flat data viewed per base, no copy)
 * and `offsets` in bases, so row `i` is `values[offsets[i] .. offsets[i + 1])`.
 */
function raggedOneHotTensors<X>(h: RaggedOneHot, make: MakeTensor<X>, path: string) {
  const a = h.shape[h.shape.length - 1];
  if (typeof a !== 'number' || !Number.isSafeInteger(a) || a < 1 || h.data.length % a !== 0) {
    throw new InvalidArgumentError(
      `${path}: one-hot alphabet size ${JSON.stringify(a)} does not divide the data's ${h.data.length} values`,
      { value: h.shape },
    );
  }
  return {
    values: make(h.data, [h.data.length / a, a], `${path}.values`),
    offsets: make(h.offsets, [h.offsets.length], `${path}.offsets`),
  };
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null;
}

/**
 * Maps an output of `get()` (or a batch's `data`, or any `{ data, shape }` array) to
 * tensors made by `make`, following {@link TensorsOf}. `make` receives the output's own
 * typed arrays; the mapping itself copies nothing.
 *
 * @throws InvalidArgumentError `GVL_INVALID_ARGUMENT` when `output` is none of the
 *   outputs of {@link TensorsOf}, or a dense shape does not match its data's length
 *   (the message names the field, e.g. `[1].data`).
 */
export function mapOutput<O extends TensorSource, X>(
  output: O,
  make: MakeTensor<X>,
  path = 'output',
): TensorsOf<O, X> {
  return mapAny(output, make, path) as TensorsOf<O, X>;
}

function mapAny<X>(o: unknown, make: MakeTensor<X>, path: string): unknown {
  if (Array.isArray(o)) {
    if (o.length !== 2) {
      throw new InvalidArgumentError(
        `${path}: expected [sequences, tracks] (2 items), got an array of ${o.length}`,
        { value: o.length },
      );
    }
    return [mapAny(o[0], make, `${path}[0]`), mapAny(o[1], make, `${path}[1]`)];
  }
  if (o instanceof Ragged) return raggedTensors(o, make, path);
  if (isRecord(o)) {
    if ('ilen' in o && 'alt' in o && o.alt instanceof Ragged) {
      const v = o as unknown as RaggedVariants;
      return {
        offsets: make(v.offsets, [v.offsets.length], `${path}.offsets`),
        start: make(v.start, [v.start.length], `${path}.start`),
        ilen: make(v.ilen, [v.ilen.length], `${path}.ilen`),
        alt: raggedTensors(v.alt, make, `${path}.alt`),
      };
    }
    if ('haps' in o && 'varIdxs' in o && 'refCoords' in o) {
      const a = o as unknown as RaggedAnnotatedHaps | AnnotatedHaps;
      return {
        haps: mapAny(a.haps, make, `${path}.haps`),
        varIdxs: mapAny(a.varIdxs, make, `${path}.varIdxs`),
        refCoords: mapAny(a.refCoords, make, `${path}.refCoords`),
      };
    }
    if (isTypedArray(o.data) && o.offsets instanceof BigInt64Array && Array.isArray(o.shape)) {
      return raggedOneHotTensors(o as unknown as RaggedOneHot, make, path);
    }
    if (isTypedArray(o.data) && 'shape' in o) {
      return denseTensor(o as unknown as Dense<TypedArray>, make, path);
    }
  }
  throw new InvalidArgumentError(
    `${path}: expected a Dense { data, shape }, a Ragged, variants, annotated haplotypes or [sequences, tracks]`,
    { value: o },
  );
}
