/**
 * `@gvl/dataset/onnx`: every output kind as ONNX Runtime tensors sharing the batch's
 * memory, and a tiny ONNX model (GC content, built here from a few operators) run on
 * haplotype batches streamed from `ds.loader()` over the real chr20 data, checked against
 * the same computation in JS.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as Ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dataset, isGvlError, Ragged, write } from '../src/index.js';
import { loadOnnxRuntime, ortTensor, ortTensors } from '../src/onnx.js';
import type { RaggedVariants } from '../src/output.js';
import { gcCounts, gcModel } from './gc-model.js';
import { chr20, hasChr20, suiteName } from './helpers.js';
import { ortMissing } from './runtimes.js';

const ort = (
  ortMissing.length === 0 ? createRequire(import.meta.url)('onnxruntime-node') : undefined
) as typeof Ort;

describe.skipIf(ortMissing.length > 0)(suiteName('ortTensors', ortMissing), () => {
  it('each typed array becomes the ONNX type of its elements, holding the same array', () => {
    const cases = [
      [new Uint8Array(6), 'uint8'],
      [new Int8Array(6), 'int8'],
      [new Uint16Array(6), 'uint16'],
      [new Int16Array(6), 'int16'],
      [new Int32Array(6), 'int32'],
      [new Uint32Array(6), 'uint32'],
      [new Float32Array(6), 'float32'],
      [new Float64Array(6), 'float64'],
      [new BigInt64Array(6), 'int64'],
      [new BigUint64Array(6), 'uint64'],
    ] as const;
    for (const [data, type] of cases) {
      const t = ortTensor({ data, shape: [1, 2, 3] });
      expect(t.type, type).toBe(type);
      expect(t.dims).toEqual([1, 2, 3]);
      expect(t.data, type).toBe(data);
    }
  });

  it('zero-copy: a write to the batch is seen through the tensor, and back', () => {
    const data = new Uint8Array([65, 67, 71, 84, 78, 78]);
    const t = ortTensor({ data, shape: [1, 2, 3] });
    data[4] = 71;
    expect((t.data as Uint8Array)[4]).toBe(71);
    (t.data as Uint8Array)[0] = 67;
    expect(data[0]).toBe(67);
    // A Uint8ClampedArray is viewed (same buffer and offset) as the Uint8Array ORT takes.
    const buf = new ArrayBuffer(16);
    const clamped = new Uint8ClampedArray(buf, 4, 8);
    const c = ortTensor({ data: clamped, shape: [8] });
    expect(c.type).toBe('uint8');
    expect((c.data as Uint8Array).buffer).toBe(buf);
    expect((c.data as Uint8Array).byteOffset).toBe(4);
  });

  it('a float32 one-hot [batch, ploidy, length, 4] is one tensor of that shape', () => {
    const data = new Float32Array(2 * 2 * 3 * 4);
    const t = ortTensors({ data, shape: [2, 2, 3, 4] });
    expect(t.type).toBe('float32');
    expect(t.dims).toEqual([2, 2, 3, 4]);
    expect(t.data).toBe(data);
  });

  it('ragged: uint8 values and int64 offsets; variants; [seqs, tracks]', () => {
    const r = Ragged.fromLengths(new Uint8Array([65, 67, 71, 84, 84]), [1, 2, 0, 2], [2, 2]);
    const rt = ortTensors(r);
    expect([rt.values.type, rt.values.dims]).toEqual(['uint8', [5]]);
    expect([rt.offsets.type, rt.offsets.dims]).toEqual(['int64', [5]]);
    expect(rt.offsets.data).toBe(r.offsets);

    const v: RaggedVariants = {
      shape: [1, 2, null],
      offsets: new BigInt64Array([0n, 1n, 2n]),
      start: new Int32Array([5, 9]),
      ilen: new Int32Array([0, 2]),
      alt: Ragged.fromLengths(new Uint8Array([65, 67, 71, 84]), [1, 3], [2]),
    };
    const vt = ortTensors(v);
    expect([vt.start.type, vt.ilen.type, vt.offsets.type]).toEqual(['int32', 'int32', 'int64']);
    expect(vt.alt.values.data).toBe(v.alt.data);

    const seqs = { data: new Uint8Array(4), shape: [1, 2, 2] };
    const tracks = { data: new Float32Array(4), shape: [1, 1, 2, 2] };
    const [s, t] = ortTensors([seqs, tracks]);
    expect([s.type, t.type]).toEqual(['uint8', 'float32']);
    expect(t.dims).toEqual([1, 1, 2, 2]);
  });

  it('a shape that does not fit is GVL_INVALID_ARGUMENT before any tensor is made', () => {
    expect(() => ortTensor({ data: new Uint8Array(5), shape: [2, 3] })).toThrow(
      expect.objectContaining({ code: 'GVL_INVALID_ARGUMENT' }),
    );
  });

  it('without onnxruntime-node: GVL_RUNTIME_UNAVAILABLE naming the install command', () => {
    const absent = (id: string) => {
      throw Object.assign(new Error(`Cannot find module '${id}'`), { code: 'MODULE_NOT_FOUND' });
    };
    let caught: unknown;
    try {
      loadOnnxRuntime(absent);
    } catch (e) {
      caught = e;
    }
    expect(isGvlError(caught, 'GVL_RUNTIME_UNAVAILABLE')).toBe(true);
    expect((caught as Error).message).toContain('npm install onnxruntime-node@^1.30.0');
    // The default loader finds the installed runtime (the same module as a plain require).
    expect(loadOnnxRuntime().Tensor).toBe(ort.Tensor);
  });
});

/** The chr20 dataset with the reference, without tracks (so outputs are typed as sequences). */
const openChr20 = async (path: string) =>
  (await Dataset.open(path, { reference: chr20.fasta })).withTracks(false);

const chr20Missing = [
  ...ortMissing,
  ...(hasChr20 ? [] : [`real data not found at ${chr20.vcf} (set GVL_DATA_DIR)`]),
];

describe.skipIf(chr20Missing.length > 0)(
  suiteName('an ONNX model on chr20 haplotype batches', chr20Missing),
  () => {
    let dir = '';
    let ds: Awaited<ReturnType<typeof openChr20>>;
    const LENGTH = 2000;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'gvl-onnx-'));
      const path = join(dir, 'chr20.gvl');
      await write(path, {
        bed: chr20.bed2kb,
        variants: chr20.vcf,
        progress: false,
        onWarning: () => undefined,
      });
      ds = await openChr20(path);
    }, 240_000);

    afterAll(() => {
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('GC content per haplotype from the model equals GC content computed in JS', async () => {
      const session = await ort.InferenceSession.create(gcModel());
      const haps = ds
        .withSeqs('haplotypes')
        .withLen(LENGTH)
        .subsetTo({ regions: [0, 1, 2, 3, 100, 250, 487], samples: [0, 1, 2, 150, 299] });
      let batches = 0;
      let rows = 0;
      let gcSeen = 0;
      for await (const batch of haps.loader({ batchSize: 8 })) {
        const seq = ortTensors(batch.data);
        expect(seq.data).toBe(batch.data.data); // the batch's own bytes, no copy
        expect(seq.dims).toEqual([batch.regions.length, 2, LENGTH]);
        const out = await session.run({ seq });
        const count = out.gc_count as Ort.Tensor;
        const fraction = out.gc_fraction as Ort.Tensor;
        expect(count.dims).toEqual([batch.regions.length, 2]);
        const expected = gcCounts(batch.data.data, LENGTH);
        expect(Array.from(count.data as Float32Array)).toEqual(Array.from(expected));
        const f = fraction.data as Float32Array;
        for (let i = 0; i < expected.length; i++) {
          expect(f[i]).toBeCloseTo((expected[i] as number) / LENGTH, 6);
          gcSeen += expected[i] as number;
        }
        batches++;
        rows += expected.length;
      }
      expect(batches).toBe(Math.ceil((7 * 5) / 8));
      expect(rows).toBe(7 * 5 * 2);
      expect(gcSeen).toBeGreaterThan(0); // the data is real sequence, not padding
    });

    it('one-hot batches from the loader: [batch, ploidy, length, 4] tensors on the batch memory, C+G columns = GC of the ASCII rows', async () => {
      const sub = ds.subsetTo({ regions: [0, 1, 2, 3, 250], samples: [0, 150] });
      const ascii = sub.withSeqs('haplotypes').withLen(LENGTH);
      const oneHot = ascii.withSettings({ tokenAlphabet: 'ACGT', oneHot: true });
      const plain: Uint8Array[] = [];
      for await (const b of ascii.loader({ batchSize: 4 })) plain.push(b.data.data.slice());
      let k = 0;
      for await (const batch of oneHot.loader({ batchSize: 4 })) {
        const t = ortTensors(batch.data);
        expect(t.type).toBe('float32');
        expect(t.data).toBe(batch.data.data);
        expect(t.dims).toEqual([batch.regions.length, 2, LENGTH, 4]);
        const bases = plain[k++] as Uint8Array;
        const expected = gcCounts(bases, LENGTH);
        const v = t.data as Float32Array;
        const got = new Float32Array(expected.length);
        for (let i = 0; i < bases.length; i++) {
          const row = Math.floor(i / LENGTH);
          got[row] = (got[row] as number) + (v[4 * i + 1] as number) + (v[4 * i + 2] as number);
        }
        expect(Array.from(got)).toEqual(Array.from(expected));
      }
      expect(k).toBe(plain.length);
      const ragged = await oneHot.withLen('ragged').get([0, 1], [0, 1]);
      const rt = ortTensors(ragged);
      expect(rt.values.dims).toEqual([ragged.data.length / 4, 4]);
      expect(rt.offsets.data).toBe(ragged.offsets);
    });

    it('reference, annotated and variants batches map with their dtypes and shapes', async () => {
      const sub = ds.subsetTo({ regions: [0, 1, 2], samples: [0, 1] });
      const ref = await sub.withSeqs('reference').withLen(LENGTH).get([0, 1], [0, 0]);
      const rt = ortTensors(ref);
      expect([rt.type, rt.dims]).toEqual(['uint8', [2, LENGTH]]);
      expect(rt.data).toBe(ref.data);

      const ann = await sub.withSeqs('annotated').withLen(LENGTH).get([0, 1], [0, 1]);
      const at = ortTensors(ann);
      expect([at.haps.type, at.varIdxs.type, at.refCoords.type]).toEqual([
        'uint8',
        'int32',
        'int32',
      ]);
      expect(at.varIdxs.dims).toEqual([2, 2, LENGTH]);
      expect(at.refCoords.data).toBe(ann.refCoords.data);

      const ragged = await sub.withSeqs('haplotypes').withLen('ragged').get([0, 1], [0, 1]);
      const gt = ortTensors(ragged);
      expect(gt.offsets.dims).toEqual([2 * 2 + 1]);
      expect(gt.offsets.data).toBe(ragged.offsets);
      expect(gt.values.dims).toEqual([ragged.data.length]);

      const vars = await sub.withSeqs('variants').get([0, 1], [0, 1]);
      const vt = ortTensors(vars);
      expect(vt.offsets.data).toBe(vars.offsets);
      expect(vt.start.dims).toEqual([vars.start.length]);
      expect(vt.alt.offsets.type).toBe('int64');
    });
  },
);
