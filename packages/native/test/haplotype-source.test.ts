// The fused haplotype batch (HaplotypeSource) against the naive oracle of the
// separate kernels: diffs → offsets → shifts → reconstruction → reverse
// complement, serial == parallel == async == into a caller's buffer, over
// random worlds (fast-check); and its input errors, raised before any work.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import * as gvl from '../src-ts/index.js';
import { buildCase, bytesOf, type World, worldArb } from './arbitraries.js';
import { naiveDiffs, naiveHaplotypes, naiveReverseComplement } from './naive.js';

beforeAll(() => {
  gvl.configurePool({ numThreads: 2 });
});

function cumsum(lengths: number[]): BigInt64Array {
  const out = new BigInt64Array(lengths.length + 1);
  let acc = 0n;
  lengths.forEach((l, i) => {
    acc += BigInt(l);
    out[i + 1] = acc;
  });
  return out;
}

/**
 * A source over the world's queries: input region `i` is stored at on-disk row
 * `n - 1 - i` (so the index map is exercised), one sample, strand − where the world's
 * `rcMask` says so. Returns the source, the request and the expected bytes and offsets,
 * computed with the naive per-kernel oracles.
 */
function fusedCase(w: World) {
  const c = buildCase(w);
  const n = w.queries.length;
  const P = w.ploidy;
  const { genotypes, variants, reference } = c.haplotypes;
  // Genotype CSR in (region, sample 0, ploid) order of the on-disk rows.
  const rowVariants = (k: number) => {
    const g = Number(c.haplotypes.groups[k]);
    return Array.from(
      genotypes.variantIdxs.subarray(
        Number(genotypes.offsets[g]),
        Number(genotypes.offsets[g + 1]),
      ),
    );
  };
  const stored: number[][] = [];
  for (let r = 0; r < n; r++) {
    const i = n - 1 - r;
    for (let h = 0; h < P; h++) stored.push(rowVariants(i * P + h));
  }
  const jitter = Int32Array.from(
    w.queries,
    (_, i) => ((w.queries[i]?.rows[0]?.shift ?? 0) % 5) - 2,
  );
  const regions = new Int32Array(n * 4);
  for (let i = 0; i < n; i++) {
    const q = w.queries[i] as World['queries'][number];
    const r = n - 1 - i;
    regions.set([q.contig, q.start, q.start + q.length, w.rcMask[i % 24] ? -1 : 1], r * 4);
  }
  const src = gvl.HaplotypeSource.create({
    genotypes: {
      offsets: cumsum(stored.map((v) => v.length)),
      variantIdxs: Int32Array.from(stored.flat()),
    },
    variants,
    reference,
    regions,
    rIdxMap: Int32Array.from({ length: n }, (_, i) => n - 1 - i),
    nSamples: 1,
    ploidy: P,
  });
  const fixed = w.mode === 'fixed' ? Math.max(1, w.fixedLength) : undefined;
  const shiftU =
    fixed !== undefined && w.useShifts
      ? Float64Array.from(
          { length: n * P },
          (_, k) => ((w.queries[Math.floor(k / P)]?.rows[k % P]?.shift ?? 0) % 13) / 13,
        )
      : undefined;
  const request: gvl.HaplotypeRequest = {
    regionIdx: Int32Array.from({ length: n }, (_, i) => i),
    sampleIdx: new Int32Array(n),
    jitter,
    shiftU,
    length: fixed,
    rcNeg: true,
  };
  // Oracle: the separate kernels' semantics, step by step.
  const jRegions = new Int32Array(n * 3);
  w.queries.forEach((q, i) => {
    const j = jitter[i] as number;
    jRegions.set([q.contig, q.start + j, q.start + q.length + j], i * 3);
  });
  const diffs = naiveDiffs({
    regions: jRegions,
    ploidy: P,
    groups: c.haplotypes.groups,
    genotypes,
    variants,
  });
  const lens: number[] = [];
  const shifts = new Int32Array(n * P);
  for (let k = 0; k < n * P; k++) {
    const len = (w.queries[Math.floor(k / P)] as World['queries'][number]).length;
    const d = diffs[k] as number;
    if (fixed === undefined) lens.push(Math.max(0, len + d));
    else {
      lens.push(fixed);
      if (shiftU) {
        const max = Math.max(d, 0) + Math.max(len - fixed, 0);
        shifts[k] = Math.min(max, Math.floor((shiftU[k] as number) * (max + 1)));
      }
    }
  }
  const offsets = cumsum(lens);
  const bytes = naiveHaplotypes({
    regions: jRegions,
    ploidy: P,
    groups: c.haplotypes.groups,
    shifts,
    genotypes,
    variants,
    reference,
    outOffsets: offsets,
  });
  const rows = Uint8Array.from({ length: n * P }, (_, k) =>
    w.rcMask[Math.floor(k / P) % 24] ? 1 : 0,
  );
  return {
    src,
    request,
    offsets,
    variants,
    bytes: naiveReverseComplement(bytes, offsets, rows),
  };
}

describe('HaplotypeSource: one call per batch', () => {
  it('equals the separate kernels (diffs, offsets, shifts, haplotypes, reverse complement), serial == parallel', () => {
    fc.assert(
      fc.property(worldArb(), (w) => {
        const { src, request, offsets, bytes } = fusedCase(w);
        for (const parallel of [false, true]) {
          const got = src.getSync(request, { parallel });
          expect(bytesOf(got.offsets)).toStrictEqual(bytesOf(offsets));
          expect(bytesOf(got.data)).toStrictEqual(bytesOf(bytes));
          expect(got.parallel).toBe(parallel);
        }
      }),
      { numRuns: 250 },
    );
  });

  it('async get and a caller buffer give the same bytes, every byte written; a buffer too small is not used', async () => {
    await fc.assert(
      fc.asyncProperty(worldArb(), async (w) => {
        const { src, request, bytes } = fusedCase(w);
        const a = await src.get(request, { parallel: true });
        expect(bytesOf(a.data)).toStrictEqual(bytesOf(bytes));
        // New outputs are not zero-filled: the kernel must write every byte. Buffers
        // prefilled with two different non-base bytes show any byte left unwritten.
        for (const fill of [0x3f, 0x00]) {
          const big = new Uint8Array(bytes.length + 7).fill(fill);
          const b = src.getSync(request, { out: big });
          expect(b.data.buffer).toBe(big.buffer);
          expect(bytesOf(b.data)).toStrictEqual(bytesOf(bytes));
          expect(big[bytes.length]).toBe(fill); // nothing written past the batch
        }
        if (bytes.length > 0) {
          const small = new Uint8Array(bytes.length - 1);
          const s = src.getSync(request, { out: small });
          expect(s.data.buffer).not.toBe(small.buffer);
          expect(bytesOf(s.data)).toStrictEqual(bytesOf(bytes));
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('HaplotypeSource: annotated batches (annotate: true)', () => {
  it('bytes equal the plain batch; annotations have the same offsets; serial == parallel == async == into a buffer', async () => {
    await fc.assert(
      fc.asyncProperty(worldArb(), async (w) => {
        const { src, request, offsets, bytes, variants } = fusedCase(w);
        const req = { ...request, annotate: true };
        const serial = src.getSync(req, { parallel: false });
        expect(bytesOf(serial.offsets)).toStrictEqual(bytesOf(offsets));
        expect(bytesOf(serial.data)).toStrictEqual(bytesOf(bytes));
        const vi = serial.varIdxs as Int32Array;
        const rc = serial.refCoords as Int32Array;
        expect(vi.length).toBe(bytes.length);
        expect(rc.length).toBe(bytes.length);
        // Each base is reference (−1) or a variant-table row whose start is its coordinate.
        vi.forEach((x, j) => {
          if (x !== -1) expect(rc[j]).toBe(variants.starts[x]);
        });
        const parallel = src.getSync(req, { parallel: true });
        const later = await src.get(req, { parallel: true });
        const into = src.getSync(req, { out: new Uint8Array(bytes.length + 3).fill(0x3f) });
        for (const got of [parallel, later, into]) {
          expect(bytesOf(got.data)).toStrictEqual(bytesOf(bytes));
          expect(bytesOf(got.varIdxs as Int32Array)).toStrictEqual(bytesOf(vi));
          expect(bytesOf(got.refCoords as Int32Array)).toStrictEqual(bytesOf(rc));
        }
        // Without the flag: no annotations.
        expect(src.getSync(request).varIdxs).toBeUndefined();
      }),
      { numRuns: 120 },
    );
  });

  const ref = {
    sequence: new TextEncoder().encode('ACGTACGTAC'),
    offsets: BigInt64Array.from([0n, 10n]),
  };
  // Row 0: SNV G>T at 2; row 1: insertion T>TGG at 3; row 2: deletion ACG>A at 4.
  const variants = {
    starts: Int32Array.from([2, 3, 4]),
    ilens: Int32Array.from([0, 2, -2]),
    alts: new TextEncoder().encode('TTGGA'),
    altOffsets: BigInt64Array.from([0n, 1n, 4n, 5n]),
  };
  const make = (strand: number) =>
    gvl.HaplotypeSource.create({
      genotypes: {
        offsets: BigInt64Array.from([0n, 1n, 3n]),
        variantIdxs: Int32Array.from([0, 1, 2]),
      },
      variants,
      reference: ref,
      regions: Int32Array.from([0, 1, 9, strand]),
      rIdxMap: Int32Array.from([0]),
      nSamples: 1,
      ploidy: 2,
    });
  const req = { regionIdx: Int32Array.of(0), sampleIdx: Int32Array.of(0), annotate: true };

  it('hand-worked rows: SNV, insertion (anchor and inserted bases), deletion, trailing pad', () => {
    const out = make(1).getSync({ ...req, rcNeg: true });
    expect(Array.from(out.offsets, Number)).toEqual([0, 8, 16]);
    const rows = [0, 1].map((k) => new TextDecoder().decode(out.data.subarray(k * 8, k * 8 + 8)));
    // hap 0: C T T A C G T A (SNV at 2); hap 1: C G T G G A T A (ins at 3, del at 4).
    expect(rows).toEqual(['CTTACGTA', 'CGTGGATA']);
    expect(Array.from(out.varIdxs as Int32Array)).toEqual([
      -1, 0, -1, -1, -1, -1, -1, -1, -1, -1, 1, 1, 1, 2, -1, -1,
    ]);
    expect(Array.from(out.refCoords as Int32Array)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 3, 3, 4, 7, 8,
    ]);
    // A fixed length past the contig end: the pad maps to 2^31 - 1.
    const long = make(1).getSync({ ...req, rcNeg: true, length: 11 });
    expect(new TextDecoder().decode(long.data.subarray(0, 11))).toBe('CTTACGTACNN');
    expect(Array.from((long.refCoords as Int32Array).subarray(8, 11))).toEqual([
      9,
      2 ** 31 - 1,
      2 ** 31 - 1,
    ]);
    expect(Array.from((long.varIdxs as Int32Array).subarray(8, 11))).toEqual([-1, -1, -1]);
  });

  it('− strand rows: bytes reverse-complemented, annotations reversed (rcNeg false: as +)', () => {
    const plus = make(1).getSync({ ...req, rcNeg: true });
    const minus = make(-1).getSync({ ...req, rcNeg: true });
    const unflipped = make(-1).getSync({ ...req, rcNeg: false });
    expect(bytesOf(unflipped.varIdxs as Int32Array)).toStrictEqual(
      bytesOf(plus.varIdxs as Int32Array),
    );
    for (const k of [0, 1]) {
      const s = k * 8;
      const e = s + 8;
      expect(Array.from((minus.varIdxs as Int32Array).subarray(s, e))).toEqual(
        Array.from((plus.varIdxs as Int32Array).subarray(s, e)).reverse(),
      );
      expect(Array.from((minus.refCoords as Int32Array).subarray(s, e))).toEqual(
        Array.from((plus.refCoords as Int32Array).subarray(s, e)).reverse(),
      );
    }
    expect(new TextDecoder().decode(minus.data.subarray(0, 8))).toBe('TACGTAAG');
  });

  it('a non-boolean annotate is GVL_INVALID_ARGUMENT naming request.annotate', () => {
    expect(() => make(1).getSync({ ...req, rcNeg: true, annotate: 'yes' as never })).toThrow(
      expect.objectContaining({
        code: 'GVL_INVALID_ARGUMENT',
        message: expect.stringContaining('request.annotate'),
      }),
    );
  });
});

describe('HaplotypeSource: bad input is a typed error naming the value, before any work', () => {
  const ref = {
    sequence: new TextEncoder().encode('ACGTACGTAC'),
    offsets: BigInt64Array.from([0n, 10n]),
  };
  const variants = {
    starts: Int32Array.from([2]),
    ilens: Int32Array.from([0]),
    alts: new TextEncoder().encode('T'),
    altOffsets: BigInt64Array.from([0n, 1n]),
  };
  const make = () =>
    gvl.HaplotypeSource.create({
      genotypes: { offsets: BigInt64Array.from([0n, 1n, 1n]), variantIdxs: Int32Array.from([0]) },
      variants,
      reference: ref,
      regions: Int32Array.from([0, 0, 8, 1]),
      rIdxMap: Int32Array.from([0]),
      nSamples: 1,
      ploidy: 2,
    });

  it('reads a batch (sanity of the fixture)', () => {
    const out = make().getSync({
      regionIdx: Int32Array.of(0),
      sampleIdx: Int32Array.of(0),
      rcNeg: true,
    });
    expect(new TextDecoder().decode(out.data)).toBe('ACTTACGTACGTACGT');
  });

  it('regionIdx and sampleIdx out of range name the element', () => {
    const src = make();
    expect(() =>
      src.getSync({ regionIdx: Int32Array.of(0, 1), sampleIdx: Int32Array.of(0, 0), rcNeg: false }),
    ).toThrow(
      expect.objectContaining({
        code: 'GVL_INDEX_OUT_OF_RANGE',
        message: expect.stringContaining('regionIdx[1] = 1'),
      }),
    );
    expect(() =>
      src.getSync({ regionIdx: Int32Array.of(0), sampleIdx: Int32Array.of(-1), rcNeg: false }),
    ).toThrow(
      expect.objectContaining({
        code: 'GVL_INDEX_OUT_OF_RANGE',
        message: expect.stringContaining('sampleIdx[0] = -1'),
      }),
    );
  });

  it('mismatched lengths, bad shifts and wrong dtypes are GVL_INVALID_ARGUMENT', async () => {
    const src = make();
    const base = { regionIdx: Int32Array.of(0), sampleIdx: Int32Array.of(0), rcNeg: false };
    expect(() => src.getSync({ ...base, sampleIdx: Int32Array.of(0, 0) })).toThrow(
      expect.objectContaining({
        code: 'GVL_INVALID_ARGUMENT',
        message: expect.stringContaining('sampleIdx.length'),
      }),
    );
    expect(() => src.getSync({ ...base, length: 4, shiftU: Float64Array.of(0.5, 1) })).toThrow(
      expect.objectContaining({
        code: 'GVL_INVALID_ARGUMENT',
        message: expect.stringContaining('shiftU'),
      }),
    );
    expect(() => src.getSync({ ...base, regionIdx: [0] as never })).toThrow(
      expect.objectContaining({
        code: 'GVL_INVALID_ARGUMENT',
        message: expect.stringContaining('request.regionIdx'),
      }),
    );
    await expect(src.get({ ...base, jitter: Int32Array.of(1, 2) })).rejects.toMatchObject({
      code: 'GVL_INVALID_ARGUMENT',
    });
  });

  it('a source whose rIdxMap points past the regions is refused at creation', () => {
    expect(() =>
      gvl.HaplotypeSource.create({
        genotypes: { offsets: BigInt64Array.from([0n, 1n, 1n]), variantIdxs: Int32Array.from([0]) },
        variants,
        reference: ref,
        regions: Int32Array.from([0, 0, 8, 1]),
        rIdxMap: Int32Array.from([0, 3]),
        nSamples: 1,
        ploidy: 2,
      }),
    ).toThrow(
      expect.objectContaining({
        code: 'GVL_INDEX_OUT_OF_RANGE',
        message: expect.stringContaining('rIdxMap[1] = 3'),
      }),
    );
  });

  it('an out buffer aliasing the reference is refused', () => {
    const src = make();
    const out = ref.sequence;
    expect(() =>
      src.getSync(
        { regionIdx: Int32Array.of(0), sampleIdx: Int32Array.of(0), length: 2, rcNeg: false },
        { out },
      ),
    ).toThrow(
      expect.objectContaining({
        code: 'GVL_INVALID_ARGUMENT',
        message: expect.stringContaining('reference.sequence'),
      }),
    );
  });
});

describe('HaplotypeSource: new outputs come back for reuse only after JS drops them', () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const turn = () => new Promise<void>((r) => setImmediate(r));

  it('a kept batch is never overwritten; dropped ones return their memory and are reused', async () => {
    // 64 kb of sequence on the − strand: rcNeg false and true give different bytes.
    const n = 1 << 16;
    const seq = new Uint8Array(n);
    for (let i = 0; i < n; i++) seq[i] = 'ACGT'.charCodeAt((i * 7 + (i >> 5)) % 4);
    const src = gvl.HaplotypeSource.create({
      genotypes: { offsets: BigInt64Array.from([0n, 0n, 0n]), variantIdxs: new Int32Array(0) },
      variants: {
        starts: new Int32Array(0),
        ilens: new Int32Array(0),
        alts: new Uint8Array(0),
        altOffsets: BigInt64Array.from([0n]),
      },
      reference: { sequence: seq, offsets: BigInt64Array.from([0n, BigInt(n)]) },
      regions: Int32Array.from([0, 0, n, -1]),
      rIdxMap: Int32Array.from([0]),
      nSamples: 1,
      ploidy: 2,
    });
    const req = (rcNeg: boolean) => ({
      regionIdx: Int32Array.of(0),
      sampleIdx: Int32Array.of(0),
      rcNeg,
    });
    const kept = src.getSync(req(false));
    const keptCopy = kept.data.slice();
    const other = src.getSync(req(true)).data.slice();
    expect(bytesOf(other)).not.toStrictEqual(bytesOf(keptCopy));

    let held = 0;
    for (let round = 0; round < 50 && held === 0; round++) {
      for (let i = 0; i < 8; i++) src.getSync(req(true)); // dropped at once
      gc();
      await turn();
      await turn();
      held = src.heldOutputBytes;
    }
    expect(held).toBeGreaterThanOrEqual(2 * n); // at least one batch came back
    // The next batch takes its memory from the held buffers…
    const again = src.getSync(req(true));
    expect(src.heldOutputBytes).toBeLessThan(held);
    expect(bytesOf(again.data)).toStrictEqual(bytesOf(other));
    // …while the batch still referenced kept its own bytes through all of it.
    expect(bytesOf(kept.data)).toStrictEqual(bytesOf(keptCopy));
  });
});
