/**
 * What the tensor adapters (`onnx.ts`, `tfjs.ts`) share: their runtime, loaded once, and
 * the conversion of an output to runtime tensors, which releases the tensors already
 * made when a later field fails.
 *
 * @module
 */
import { loadRuntime, type RequireFn, type RuntimeCandidate } from './optional-runtime.js';
import type { Dense, TypedArray } from './ragged.js';
import { type MakeTensor, mapOutput, type TensorSource, type TensorsOf } from './tensor-layout.js';

/** A runtime loaded with {@link loadRuntime}: the package name and its exports. */
export interface LoadedRuntime<M> {
  /** The package loaded, e.g. `onnxruntime-node`. */
  readonly id: string;
  /** Its exports. */
  readonly module: M;
}

/**
 * A loader of the first installed of `candidates` that loads it once: later calls without
 * a `req` return the same module; a call with a `req` loads with it and caches nothing.
 * Errors as {@link loadRuntime} (`GVL_RUNTIME_UNAVAILABLE`).
 */
export function runtimeLoader<M>(
  what: string,
  candidates: readonly RuntimeCandidate[],
): (req?: RequireFn) => LoadedRuntime<M> {
  let loaded: LoadedRuntime<M> | undefined;
  return (req) => {
    if (loaded && req === undefined) return loaded;
    const found = loadRuntime<M>(what, candidates, req);
    if (req === undefined) loaded = found;
    return found;
  };
}

/** The two conversions of an adapter, made by {@link tensorConverters}. */
export interface TensorConverters<X, Options> {
  /** An output of `get()` (or a batch's `data`) as tensors, as {@link TensorsOf} says. */
  tensors<O extends TensorSource>(output: O, options: Options | undefined): TensorsOf<O, X>;
  /** One `{ data, shape }` array as a tensor. */
  tensor(dense: Dense<TypedArray>, options: Options | undefined): X;
}

/**
 * An adapter's conversions from its tensor maker. `maker(options)` resolves the runtime
 * (loading it on first use) and returns a {@link MakeTensor}; `dispose`, when given,
 * releases the tensors of a conversion that fails part-way.
 */
export function tensorConverters<X, Options>(
  maker: (options: Options | undefined) => MakeTensor<X>,
  dispose?: (tensor: X) => void,
): TensorConverters<X, Options> {
  function convert<R>(options: Options | undefined, run: (make: MakeTensor<X>) => R): R {
    const make = maker(options);
    const made: X[] = [];
    try {
      return run((data, dims, path) => {
        const t = make(data, dims, path);
        made.push(t);
        return t;
      });
    } catch (e) {
      if (dispose !== undefined) for (const t of made) dispose(t);
      throw e;
    }
  }
  return {
    tensors: (output, options) => convert(options, (make) => mapOutput(output, make)),
    tensor: (dense, options) => convert(options, (make) => mapOutput(dense, make, 'array')),
  };
}
