/**
 * The tensor layout types that both tensor adapters, `@gvl/dataset/onnx` and
 * `@gvl/dataset/tfjs`, export (each re-exports this list whole): the layouts of
 * {@link TensorsOf} and the `require` a runtime is loaded with.
 *
 * @module
 */
export type { RequireFn } from './optional-runtime.js';
export type {
  AnnotatedTensors,
  RaggedTensors,
  TensorSource,
  TensorsOf,
  VariantsTensors,
} from './tensor-layout.js';
