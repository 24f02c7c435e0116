// DatasetSource on a hand-worked dataset (expected rows written out by hand from the
// semantics: reference fetch, interval painting, realignment with a constant fill,
// reverse complement / reverse on the − strand), sync == async == parallel; and its
// bad input, refused with a typed error naming the value before any work.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as gvl from '../src-ts/index.js';

beforeAll(() => {
  gvl.configurePool({ numThreads: 2 });
});

const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);
const big = (xs: number[]) => BigInt64Array.from(xs, BigInt);

// Reference "AACGTTTGCA". On-disk rows: 0 = [0, 8) − strand, 1 = [2, 6) + strand;
// input region 0 is disk row 1, input region 1 is disk row 0.
const reference = {
  sequence: new TextEncoder().encode('AACGTTTGCA'),
  offsets: big([0, 10]),
};
const regions = Int32Array.from([0, 0, 8, -1, 0, 2, 6, 1]);
const rIdxMap = Int32Array.from([1, 0]);
// Annotation track: disk row 0 has [1, 3) = 1.5 and [6, 12) = 2; disk row 1 has [0, 4) = -1.
const annotation = {
  intervals: {
    starts: Int32Array.from([1, 6, 0]),
    ends: Int32Array.from([3, 12, 4]),
    values: Float32Array.from([1.5, 2, -1]),
    offsets: big([0, 2, 3]),
  },
  annotation: true,
};
// One insertion G -> GAC at position 3 on haplotype 0 of (disk row 1, sample 0): group 2.
const genotypes = { offsets: big([0, 0, 0, 1, 1]), variantIdxs: Int32Array.from([0]) };
const variants = {
  starts: Int32Array.from([3]),
  ilens: Int32Array.from([2]),
  alts: new TextEncoder().encode('GAC'),
  altOffsets: big([0, 3]),
};
const make = (extra: Partial<gvl.DatasetSourceInput> = {}) =>
  gvl.DatasetSource.create({
    regions,
    rIdxMap,
    nSamples: 1,
    ploidy: 2,
    reference,
    genotypes,
    variants,
    tracks: [annotation],
    ...extra,
  });
const both = { regionIdx: Int32Array.of(0, 1), sampleIdx: Int32Array.of(0, 0) };

describe('DatasetSource: one call per batch', () => {
  it('reference rows and tracks, − strand reverse-complemented / reversed', () => {
    const out = make().getSync({ ...both, rcNeg: true, seqs: 'reference', tracks: [0] });
    // Row 0: [2, 6) = CGTT; row 1: rc(AACGTTTG) = CAAACGTT.
    expect(text(out.seqs?.data)).toBe('CGTTCAAACGTT');
    expect(out.seqs?.offsets).toStrictEqual(big([0, 4, 12]));
    // Row 0 from 2: [-1, -1, 0, 0]; row 1 from 0: [0, 1.5, 1.5, 0, 0, 0, 2, 2] reversed.
    expect([...(out.tracks?.data ?? [])]).toStrictEqual([-1, -1, 0, 0, 2, 2, 0, 0, 0, 1.5, 1.5, 0]);
    expect(out.tracks?.offsets).toStrictEqual(big([0, 4, 12]));
  });

  it('fixed length and jitter move the window; without rcNeg nothing is reversed', () => {
    const out = make().getSync({
      ...both,
      jitter: Int32Array.of(-3, 1),
      length: 3,
      rcNeg: false,
      seqs: 'reference',
      tracks: [0],
    });
    // Row 0 from -1: N A A, track [0, -1, -1]; row 1 from 1: A C G, track [1.5, 1.5, 0].
    expect(text(out.seqs?.data)).toBe('NAAACG');
    expect([...(out.tracks?.data ?? [])]).toStrictEqual([0, -1, -1, 1.5, 1.5, 0]);
  });

  it('haplotypes and their realigned tracks from one call (constant insertion fill)', async () => {
    const req: gvl.DatasetRequest = {
      regionIdx: Int32Array.of(0),
      sampleIdx: Int32Array.of(0),
      rcNeg: true,
      seqs: 'haplotypes',
      tracks: [0],
      realign: true,
      fills: [{ kind: 'constant', value: 9 }],
    };
    const src = make();
    const out = src.getSync(req, { parallel: false });
    expect(text(out.seqs?.data)).toBe('CGACTTCGTT');
    expect(out.seqs?.offsets).toStrictEqual(big([0, 6, 10]));
    // Haplotype 0: the anchor and the two inserted bases take the fill.
    expect([...(out.tracks?.data ?? [])]).toStrictEqual([-1, 9, 9, 9, 0, 0, -1, -1, 0, 0]);
    expect(out.tracks?.offsets).toStrictEqual(big([0, 6, 10]));
    const par = src.getSync(req, { parallel: true });
    expect(par.parallel).toBe(true);
    const asy = await src.get(req, { parallel: true });
    for (const r of [par, asy]) {
      expect(r.seqs).toStrictEqual(out.seqs);
      expect(r.tracks).toStrictEqual(out.tracks);
    }
  });

  it("'annotated': the haplotype rows and tracks of 'haplotypes', plus per-base annotations", async () => {
    const req: gvl.DatasetRequest = {
      regionIdx: Int32Array.of(0, 1),
      sampleIdx: Int32Array.of(0, 0),
      rcNeg: true,
      tracks: [0],
      realign: true,
      fills: [{ kind: 'constant', value: 9 }],
    };
    const src = make();
    const plain = src.getSync({ ...req, seqs: 'haplotypes' });
    const out = src.getSync({ ...req, seqs: 'annotated' }, { parallel: false });
    expect(out.seqs).toStrictEqual(plain.seqs);
    expect(out.tracks).toStrictEqual(plain.tracks);
    expect(plain.annotations).toBeUndefined();
    // Item 0 ([2, 6) +): hap 0 C [G A C] T T, the insertion is variant 0 at 3; hap 1 C G T T.
    // Item 1 ([0, 8) −): no variants, coordinates 0..7 reversed.
    expect([...(out.annotations?.varIdxs ?? [])]).toStrictEqual([
      -1,
      0,
      0,
      0,
      -1,
      -1,
      -1,
      -1,
      -1,
      -1,
      ...Array(16).fill(-1),
    ]);
    expect([...(out.annotations?.refCoords ?? [])]).toStrictEqual([
      2, 3, 3, 3, 4, 5, 2, 3, 4, 5, 7, 6, 5, 4, 3, 2, 1, 0, 7, 6, 5, 4, 3, 2, 1, 0,
    ]);
    for (const r of [
      src.getSync({ ...req, seqs: 'annotated' }, { parallel: true }),
      await src.get({ ...req, seqs: 'annotated' }, { parallel: true }),
    ])
      expect(r.annotations).toStrictEqual(out.annotations);
  });

  it('tracks alone need no reference or genotypes', async () => {
    const src = gvl.DatasetSource.create({
      regions,
      rIdxMap,
      nSamples: 1,
      ploidy: 2,
      tracks: [annotation],
    });
    const out = await src.get({ ...both, rcNeg: false, tracks: [0, 0] });
    expect(out.seqs).toBeUndefined();
    expect(out.tracks?.offsets).toStrictEqual(big([0, 4, 8, 16, 24]));
  });
});

describe('DatasetSource: bad input is a typed error naming the value, before any work', () => {
  const before = gvl.limitsInfo().maxOutputBytes;
  afterEach(() => {
    gvl.configureLimits({ maxOutputBytes: before });
  });

  it('indices out of range name the element', () => {
    const src = make();
    expect(() =>
      src.getSync({
        regionIdx: Int32Array.of(0, 2),
        sampleIdx: Int32Array.of(0, 0),
        rcNeg: false,
        seqs: 'reference',
      }),
    ).toThrow(
      expect.objectContaining({
        code: 'GVL_INDEX_OUT_OF_RANGE',
        message: expect.stringContaining('regionIdx[1] = 2'),
      }),
    );
    expect(() => src.getSync({ ...both, rcNeg: false, tracks: [1] })).toThrow(
      expect.objectContaining({
        code: 'GVL_INDEX_OUT_OF_RANGE',
        message: expect.stringContaining('tracks'),
      }),
    );
  });

  it('outputs the source cannot make, bad fills and options are GVL_INVALID_ARGUMENT', async () => {
    const bare = gvl.DatasetSource.create({ regions, rIdxMap, nSamples: 1, ploidy: 2, reference });
    expect(() => bare.getSync({ ...both, rcNeg: false, seqs: 'haplotypes' })).toThrow(
      expect.objectContaining({
        code: 'GVL_INVALID_ARGUMENT',
        message: expect.stringContaining('seqs'),
      }),
    );
    const src = make();
    expect(() =>
      src.getSync({
        ...both,
        rcNeg: false,
        seqs: 'haplotypes',
        tracks: [0],
        realign: true,
        fills: [{ kind: 'nope' } as never],
      }),
    ).toThrow(
      expect.objectContaining({
        code: 'GVL_INVALID_ARGUMENT',
        message: expect.stringContaining('request.fills[0].kind'),
      }),
    );
    expect(() => src.getSync({ ...both, rcNeg: false, seqs: 'variants' as never })).toThrow(
      expect.objectContaining({
        code: 'GVL_INVALID_ARGUMENT',
        message: expect.stringContaining('request.seqs'),
      }),
    );
    await expect(
      src.get({ ...both, rcNeg: false, seqs: 'reference', length: 0 }),
    ).rejects.toMatchObject({
      code: 'GVL_INVALID_ARGUMENT',
    });
  });

  it('bad source arrays are refused at creation', () => {
    expect(() =>
      make({ variants: { starts: variants.starts, ilens: variants.ilens } as never }),
    ).toThrow(
      expect.objectContaining({
        code: 'GVL_INVALID_ARGUMENT',
        message: expect.stringContaining('variants.alts'),
      }),
    );
    const bad = { ...annotation, intervals: { ...annotation.intervals, offsets: big([0, 3, 2]) } };
    expect(() => make({ tracks: [bad] })).toThrow(
      expect.objectContaining({ message: expect.stringContaining('tracks[0].intervals.offsets') }),
    );
  });

  it('sequence bytes and 4 bytes per track value count against the output cap', () => {
    const src = make();
    const req = { ...both, rcNeg: false, seqs: 'reference' as const, tracks: [0] };
    // 12 sequence bytes + 12 float32 = 60 bytes.
    gvl.configureLimits({ maxOutputBytes: 60 });
    expect(src.getSync(req).tracks?.data.length).toBe(12);
    // A long track list is refused on its int64 row offsets before anything is allocated.
    gvl.configureLimits({ maxOutputBytes: 100 });
    expect(() => src.getSync({ ...both, rcNeg: false, tracks: Array(20).fill(0) })).toThrow(
      expect.objectContaining({
        code: 'GVL_OUTPUT_TOO_LARGE',
        message: expect.stringContaining('int64'),
      }),
    );
    gvl.configureLimits({ maxOutputBytes: 59 });
    expect(() => src.getSync(req)).toThrow(
      expect.objectContaining({ code: 'GVL_OUTPUT_TOO_LARGE' }),
    );
  });

  it('annotated haplotypes count 9 bytes per base (the byte and two int32) against the cap, in both sources', () => {
    const src = make();
    const req = { ...both, rcNeg: false };
    // Haplotype rows: item 0 (6 + 4 bases), item 1 (8 + 8): 26 bases, 234 bytes annotated.
    gvl.configureLimits({ maxOutputBytes: 234 });
    expect(src.getSync({ ...req, seqs: 'annotated' }).annotations?.varIdxs.length).toBe(26);
    gvl.configureLimits({ maxOutputBytes: 233 });
    expect(src.getSync({ ...req, seqs: 'haplotypes' }).seqs?.data.length).toBe(26);
    expect(() => src.getSync({ ...req, seqs: 'annotated' })).toThrow(
      expect.objectContaining({ code: 'GVL_OUTPUT_TOO_LARGE' }),
    );
    const haps = gvl.HaplotypeSource.create({
      regions,
      rIdxMap,
      nSamples: 1,
      ploidy: 2,
      reference,
      genotypes,
      variants,
    });
    expect(() => haps.getSync({ ...req, annotate: true })).toThrow(
      expect.objectContaining({ code: 'GVL_OUTPUT_TOO_LARGE' }),
    );
    gvl.configureLimits({ maxOutputBytes: 234 });
    expect(haps.getSync({ ...req, annotate: true }).refCoords?.length).toBe(26);
  });
});

describe('DatasetSource: token and one-hot encodings', () => {
  it('reference rows as tokens after the reverse complement; uint8 in seqs, int32 in seqTokens', () => {
    // Rows as above: CGTT and rc = CAAACGTT; alphabet ACGT, so C=1 G=2 T=3 A=0.
    const req = { ...both, rcNeg: true, seqs: 'reference' as const };
    const u8 = make().getSync({
      ...req,
      tracks: [0],
      encoding: { kind: 'tokens', alphabet: 'ACGT', unknownToken: 9 },
    });
    expect([...(u8.seqs?.data ?? [])]).toStrictEqual([1, 2, 3, 3, 1, 0, 0, 0, 1, 2, 3, 3]);
    // The tracks of the same call are those of the ASCII request.
    expect(u8.tracks).toStrictEqual(make().getSync({ ...req, tracks: [0] }).tracks);
    expect(u8.seqs?.data).toBeInstanceOf(Uint8Array);
    expect(u8.seqTokens).toBeUndefined();
    // 'G' is not in the alphabet: the unknown token, and 256 makes the tokens int32.
    const i32 = make().getSync({
      ...req,
      encoding: { kind: 'tokens', alphabet: 'ACT', unknownToken: 256 },
    });
    expect(i32.seqs).toBeUndefined();
    expect(i32.seqTokens?.data).toStrictEqual(
      Int32Array.from([1, 256, 2, 2, 1, 0, 0, 0, 1, 256, 2, 2]),
    );
    expect(i32.seqTokens?.offsets).toStrictEqual(big([0, 4, 12]));
  });

  it('one-hot haplotype rows: 4 values per base, all zero for N and the pad; offsets in bases', () => {
    // Haplotype rows of (input region 0 = disk row 1 [2, 6), sample 0), fixed length 6
    // from jitter -3: N A A C G A | N A A C G T (hap 0 carries G -> GAC at 3).
    const out = make().getSync({
      regionIdx: Int32Array.of(0),
      sampleIdx: Int32Array.of(0),
      jitter: Int32Array.of(-3),
      length: 6,
      rcNeg: true,
      seqs: 'haplotypes',
      tracks: [0],
      realign: true,
      encoding: { kind: 'oneHot', alphabet: new TextEncoder().encode('ACGT') },
    });
    const plain = make().getSync({
      regionIdx: Int32Array.of(0),
      sampleIdx: Int32Array.of(0),
      jitter: Int32Array.of(-3),
      length: 6,
      rcNeg: true,
      seqs: 'haplotypes',
      tracks: [0],
      realign: true,
    });
    // Realigned tracks of the same call are those of the ASCII request.
    expect(out.tracks).toStrictEqual(plain.tracks);
    expect(out.tracks?.data.length).toBe(12);
    const bases = text(plain.seqs?.data);
    expect(bases).toBe('NAACGANAACGT');
    const want = [...bases].flatMap((b) => [0, 1, 2, 3].map((c) => ('ACGT'[c] === b ? 1 : 0)));
    expect([...(out.seqOneHot?.data ?? [])]).toStrictEqual(want);
    expect(out.seqOneHot?.offsets).toStrictEqual(big([0, 6, 12]));
    expect(out.seqs).toBeUndefined();
  });

  it('parallel and async equal sync for every encoding', async () => {
    for (const encoding of [
      { kind: 'tokens', alphabet: 'ACGT', unknownToken: 4 },
      { kind: 'tokens', alphabet: 'ACGT', unknownToken: 400 },
      { kind: 'oneHot', alphabet: 'ACGTN' },
    ] as const) {
      const req = { ...both, rcNeg: true, seqs: 'haplotypes' as const, encoding };
      const s = make().getSync(req, { parallel: false });
      const p = await make().get(req, { parallel: true });
      const pick = (r: gvl.DatasetBatch) => r.seqs ?? r.seqTokens ?? r.seqOneHot;
      expect(pick(p)?.data, encoding.kind).toStrictEqual(pick(s)?.data);
      expect(pick(p)?.offsets).toStrictEqual(pick(s)?.offsets);
    }
  });

  it('bad encodings are typed errors naming the value, before any work', () => {
    const req = { ...both, rcNeg: true, seqs: 'reference' as const };
    const fails = (encoding: unknown, param: string, index?: number) => {
      let err: unknown;
      try {
        make().getSync({ ...req, encoding: encoding as gvl.SeqEncoding });
      } catch (e) {
        err = e;
      }
      expect(err, param).toBeInstanceOf(gvl.InvalidArgumentError);
      expect((err as gvl.InvalidArgumentError).param, param).toBe(param);
      if (index !== undefined) expect((err as { index?: number }).index).toBe(index);
    };
    fails({ kind: 'tokens', alphabet: 'ACGC', unknownToken: 4 }, 'request.encoding.alphabet', 3);
    fails({ kind: 'tokens', alphabet: '', unknownToken: 4 }, 'request.encoding.alphabet.length');
    fails({ kind: 'tokens', alphabet: 'ACGT' }, 'request.encoding.unknownToken');
    fails({ kind: 'tokens', alphabet: 'ACGT', unknownToken: -1 }, 'request.encoding.unknownToken');
    fails(
      { kind: 'tokens', alphabet: 'ACGT', unknownToken: 2 ** 31 },
      'request.encoding.unknownToken',
    );
    fails({ kind: 'tokens', alphabet: 'ACGTé', unknownToken: 4 }, 'request.encoding.alphabet', 4);
    fails({ kind: 'ohe', alphabet: 'ACGT' }, 'request.encoding.kind');
    let annotated: unknown;
    try {
      make().getSync({
        ...both,
        rcNeg: true,
        seqs: 'annotated',
        encoding: { kind: 'oneHot', alphabet: 'ACGT' },
      });
    } catch (e) {
      annotated = e;
    }
    expect((annotated as gvl.InvalidArgumentError).param).toBe('request.encoding.kind');
    expect(
      gvl.checkSeqEncoding({ kind: 'tokens', alphabet: 'ACGT', unknownToken: 255 }),
    ).toStrictEqual({
      dtype: 'uint8',
      width: 1,
    });
    expect(gvl.checkSeqEncoding({ kind: 'oneHot', alphabet: 'ACGTN' })).toStrictEqual({
      dtype: 'float32',
      width: 5,
    });
  });
});
