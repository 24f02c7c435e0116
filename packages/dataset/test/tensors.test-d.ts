// Type tests of the tensor adapters: each output kind of a Dataset<S, T, L> maps to the
// tensor layout TensorsOf says, for ONNX Runtime and TensorFlow.js alike.
import type { Tensor as TfTensor } from '@tensorflow/tfjs';
import type { Tensor as OrtTensor } from 'onnxruntime-node';
import { describe, expectTypeOf, it } from 'vitest';
import type { Dataset, DatasetOutput } from '../src/index.js';
import { ortTensors } from '../src/onnx.js';
import type { RaggedTensors, VariantsTensors } from '../src/tensor-layout.js';
import { tfTensors } from '../src/tfjs.js';

declare const dense: DatasetOutput<'haplotypes', false, 'dense'>;
declare const ragged: DatasetOutput<'haplotypes', false, 'ragged'>;
declare const variants: DatasetOutput<'variants', false, 'ragged'>;
declare const annotated: DatasetOutput<'annotated', false, 'dense'>;
declare const raggedAnnotated: DatasetOutput<'annotated', false, 'ragged'>;
declare const withTracks: DatasetOutput<'haplotypes', true, 'dense'>;
declare const ds: Dataset<'haplotypes', false, 'dense'>;

describe('ortTensors', () => {
  it('maps each output kind to its tensors', () => {
    expectTypeOf(ortTensors(dense)).toEqualTypeOf<OrtTensor>();
    expectTypeOf(ortTensors(ragged)).toEqualTypeOf<RaggedTensors<OrtTensor>>();
    expectTypeOf(ortTensors(variants)).toEqualTypeOf<VariantsTensors<OrtTensor>>();
    expectTypeOf(ortTensors(annotated).varIdxs).toEqualTypeOf<OrtTensor>();
    expectTypeOf(ortTensors(raggedAnnotated).haps).toEqualTypeOf<RaggedTensors<OrtTensor>>();
    expectTypeOf(ortTensors(withTracks)).toEqualTypeOf<[OrtTensor, OrtTensor]>();
    expectTypeOf(
      ortTensors({ data: new Float32Array(8), shape: [1, 2, 1, 4] }),
    ).toEqualTypeOf<OrtTensor>();
  });

  it("a loader's batches map without casts", async () => {
    for await (const batch of ds.loader())
      expectTypeOf(ortTensors(batch.data)).toEqualTypeOf<OrtTensor>();
  });
});

describe('tfTensors', () => {
  it('maps each output kind to its tensors', () => {
    expectTypeOf(tfTensors(dense)).toEqualTypeOf<TfTensor>();
    expectTypeOf(tfTensors(ragged)).toEqualTypeOf<RaggedTensors<TfTensor>>();
    expectTypeOf(tfTensors(variants).alt).toEqualTypeOf<RaggedTensors<TfTensor>>();
    expectTypeOf(tfTensors(withTracks)).toEqualTypeOf<[TfTensor, TfTensor]>();
  });
});
