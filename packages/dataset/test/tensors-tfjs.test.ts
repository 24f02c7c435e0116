/**
 * `@gvl/dataset/tfjs` with the pure-JS `@tensorflow/tfjs` (CPU backend). The native
 * `@tensorflow/tfjs-node` cannot be tested here: its install script downloads
 * libtensorflow from storage.googleapis.com (see docs/training-at-scale.md); its loading
 * order and failure are tested with an injected `require`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as Tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dataset, isGvlError, Ragged, write } from '../src/index.js';
import { loadTensorflow, tfTensor, tfTensors } from '../src/tfjs.js';
import { gcCounts } from './gc-model.js';
import { chr20, hasChr20, suiteName } from './helpers.js';
import { tfjsMissing } from './runtimes.js';

const tf = (
  tfjsMissing.length === 0 ? createRequire(import.meta.url)('@tensorflow/tfjs') : undefined
) as typeof Tf;

function notFound(id: string): Error {
  return Object.assign(new Error(`Cannot find module '${id}'`), { code: 'MODULE_NOT_FOUND' });
}

describe.skipIf(tfjsMissing.length > 0)(suiteName('tfTensors', tfjsMissing), () => {
  it('float32 and int32 arrays are handed over as they are (the CPU backend keeps them)', () => {
    const f = new Float32Array([0.5, 1.5, 2.5, 3.5]);
    const t = tfTensor({ data: f, shape: [1, 2, 2] }, { tf });
    expect([t.dtype, t.shape]).toEqual(['float32', [1, 2, 2]]);
    expect(t.dataSync()).toBe(f);
    const i = new Int32Array([-1, 7]);
    expect(tfTensor({ data: i, shape: [2] }, { tf }).dataSync()).toBe(i);
    tf.dispose(t);
  });

  it('uint8 bytes are copied, widened to int32 with the same values', () => {
    const bytes = new Uint8Array([65, 67, 71, 84, 78, 255]);
    const t = tfTensors({ data: bytes, shape: [1, 2, 3] }, { tf });
    expect([t.dtype, t.shape]).toEqual(['int32', [1, 2, 3]]);
    expect(Array.from(t.dataSync())).toEqual(Array.from(bytes));
    bytes[0] = 0; // a copy: the tensor keeps its values
    expect(t.dataSync()[0]).toBe(65);
    // float64 → float32
    const d = tfTensor({ data: new Float64Array([0.1, 2]), shape: [2] }, { tf });
    expect(d.dtype).toBe('float32');
    expect(Array.from(d.dataSync())).toEqual([Math.fround(0.1), 2]);
  });

  it('ragged: values and int32 offsets; a [seqs, tracks] pair; a one-hot', () => {
    const r = Ragged.fromLengths(new Uint8Array([65, 67, 71, 84, 84]), [1, 2, 0, 2], [2, 2]);
    const tracks = { data: new Float32Array(2 * 4 * 3), shape: [2, 1, 4, 3] };
    const [s, t] = tfTensors([r, tracks], { tf });
    expect([s.offsets.dtype, Array.from(s.offsets.dataSync())]).toEqual(['int32', [0, 1, 3, 3, 5]]);
    expect(Array.from(s.values.dataSync())).toEqual([65, 67, 71, 84, 84]);
    expect(t.shape).toEqual([2, 1, 4, 3]);
    const oneHot = tfTensor({ data: new Float32Array(2 * 5 * 4), shape: [2, 5, 4] }, { tf });
    expect([oneHot.dtype, oneHot.shape]).toEqual(['float32', [2, 5, 4]]);
  });

  it('an int64 offset past 2^31 − 1 is GVL_INVALID_ARGUMENT, and no tensor is left behind', () => {
    const before = tf.memory().numTensors;
    const v = {
      shape: [1, 1, null] as [number, number, null],
      offsets: new BigInt64Array([0n, 1n]),
      start: new Int32Array([3]),
      ilen: new Int32Array([0]),
      alt: Ragged.fromLengths(new Uint8Array([65]), [1], [1]),
    };
    // Patch the ALT offsets to a value no int32 holds (as a batch of > 2 GiB of ALTs would).
    v.alt.offsets[1] = 2n ** 31n;
    let caught: unknown;
    try {
      tfTensors(v, { tf });
    } catch (e) {
      caught = e;
    }
    expect(isGvlError(caught, 'GVL_INVALID_ARGUMENT')).toBe(true);
    expect((caught as Error).message).toMatch(/^output\.alt\.offsets\[1\] = 2147483648 /);
    expect(tf.memory().numTensors).toBe(before); // offsets, start, ilen, alt.values disposed
  });

  it('runtime lookup: tfjs-node first, else tfjs; a broken tfjs-node is reported, not skipped', () => {
    const onlyTfjs = (id: string) => {
      if (id === '@tensorflow/tfjs') return tf;
      throw notFound(id);
    };
    expect(loadTensorflow(onlyTfjs).id).toBe('@tensorflow/tfjs');

    const noBinding = new Error(
      'The Node.js native addon module (tfjs_binding.node) can not be found',
    );
    const broken = (id: string) => {
      if (id === '@tensorflow/tfjs-node') throw noBinding;
      return tf;
    };
    let caught: unknown;
    try {
      loadTensorflow(broken);
    } catch (e) {
      caught = e;
    }
    expect(isGvlError(caught, 'GVL_RUNTIME_UNAVAILABLE')).toBe(true);
    expect((caught as Error).cause).toBe(noBinding);

    const none = (id: string) => {
      throw notFound(id);
    };
    expect(() => loadTensorflow(none)).toThrow(
      /npm install @tensorflow\/tfjs-node@\^4\.22\.0, or npm install @tensorflow\/tfjs@\^4\.22\.0/,
    );
  });
});

/** The chr20 dataset with the reference, without tracks (so outputs are typed as sequences). */
const openChr20 = async (path: string) =>
  (await Dataset.open(path, { reference: chr20.fasta })).withTracks(false);

const chr20Missing = [
  ...tfjsMissing,
  ...(hasChr20 ? [] : [`real data not found at ${chr20.vcf} (set GVL_DATA_DIR)`]),
];

describe.skipIf(chr20Missing.length > 0)(
  suiteName('TensorFlow.js ops on chr20 haplotype batches', chr20Missing),
  () => {
    let dir = '';
    let ds: Awaited<ReturnType<typeof openChr20>>;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'gvl-tfjs-'));
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

    it('GC counts from tf ops on the tensors equal those counted in JS', async () => {
      const L = 1000;
      const haps = ds
        .withSeqs('haplotypes')
        .withLen(L)
        .subsetTo({ regions: [0, 5, 300], samples: [0, 7, 42] });
      let rows = 0;
      for await (const batch of haps.loader({ batchSize: 4 })) {
        const seq = tfTensors(batch.data, { tf });
        expect(seq.shape).toEqual([batch.regions.length, 2, L]);
        const counts = tf.tidy(() =>
          tf.logicalOr(tf.equal(seq, 71), tf.equal(seq, 67)).cast('int32').sum(-1),
        );
        expect(Array.from(counts.dataSync())).toEqual(Array.from(gcCounts(batch.data.data, L)));
        rows += counts.size;
        tf.dispose([seq, counts]);
      }
      expect(rows).toBe(3 * 3 * 2);
    });
  },
);
