/**
 * A tiny ONNX model built from a few operators, as ModelProto bytes (onnx-proto): GC
 * content of each haplotype.
 *
 * Input `seq`: uint8 `[batch, ploidy, length]` ASCII bytes. Outputs, float32
 * `[batch, ploidy]`: `gc_count`, the number of `G`/`C` bytes of each row, and
 * `gc_fraction`, that count over `length`.
 *
 *   seq → Cast(int32) → Equal 'G' ─┐
 *                     → Equal 'C' ─┴ Or → Cast(float) → ReduceSum(-1)  → gc_count
 *                                                     → ReduceMean(-1) → gc_fraction
 */
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
const T = onnx.TensorProto.DataType;
const A = onnx.AttributeProto.AttributeType;

const dims = (names: string[]) => ({ dim: names.map((dimParam) => ({ dimParam })) });

/** The model's bytes (ONNX IR 8, opset 13). */
export function gcModel(): Uint8Array {
  const int = (name: string, i: number) => ({ name, type: A.INT, i });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'gvl-ts tests',
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'gc_content',
      input: [
        {
          name: 'seq',
          type: { tensorType: { elemType: T.UINT8, shape: dims(['batch', 'ploidy', 'length']) } },
        },
      ],
      output: ['gc_count', 'gc_fraction'].map((name) => ({
        name,
        type: { tensorType: { elemType: T.FLOAT, shape: dims(['batch', 'ploidy']) } },
      })),
      initializer: [
        { name: 'G', dataType: T.INT32, dims: [], int32Data: [71] },
        { name: 'C', dataType: T.INT32, dims: [], int32Data: [67] },
        { name: 'last_axis', dataType: T.INT64, dims: [1], int64Data: [-1] },
      ],
      node: [
        { opType: 'Cast', input: ['seq'], output: ['codes'], attribute: [int('to', T.INT32)] },
        { opType: 'Equal', input: ['codes', 'G'], output: ['is_g'] },
        { opType: 'Equal', input: ['codes', 'C'], output: ['is_c'] },
        { opType: 'Or', input: ['is_g', 'is_c'], output: ['is_gc'] },
        { opType: 'Cast', input: ['is_gc'], output: ['gc'], attribute: [int('to', T.FLOAT)] },
        {
          opType: 'ReduceSum',
          input: ['gc', 'last_axis'],
          output: ['gc_count'],
          attribute: [int('keepdims', 0)],
        },
        {
          opType: 'ReduceMean',
          input: ['gc'],
          output: ['gc_fraction'],
          attribute: [{ name: 'axes', type: A.INTS, ints: [-1] }, int('keepdims', 0)],
        },
      ],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

/** GC count of each row of the last axis of `seq` (row-major), computed in JS. */
export function gcCounts(seq: Uint8Array, length: number): Float64Array {
  const rows = seq.length / length;
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let n = 0;
    for (let j = r * length; j < (r + 1) * length; j++) {
      const b = seq[j];
      if (b === 71 || b === 67) n++;
    }
    out[r] = n;
  }
  return out;
}
