import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  GenotypeSweep,
  keepCount,
  type RegionGenotypes,
  type RegionSink,
  type SweepRecord,
  type SweepRegion,
  variantEnd,
} from '../src/genotype-sweep.js';

describe('keepCount (genoray _length_walk_n_keep)', () => {
  it('keeps everything inside the window', () => {
    // q = [100, 110): SNPs at 100, 105, 109 are all in the window.
    expect(keepCount([100, 105, 109], [0, 0, 0], 3, 100, 110)).toBe(3);
  });

  it('stops past the end once the haplotype is long enough', () => {
    // No deletion: the first record past the end already has written >= q_len.
    expect(keepCount([105, 110, 111], [0, 0, 0], 3, 100, 110)).toBe(1);
  });

  it('extends past a deletion until the length is reached', () => {
    // DEL at 102 removes 5 bases: written after it = 2 + 1 = 3, last_end = 108.
    // SNP at 112: written += 4 -> 7 < 10, += 1 -> 8; SNP at 113: 8 + 0 + 1 = 9;
    // SNP at 120: written += 6 -> 15 >= 10, excluded.
    expect(keepCount([102, 112, 113, 120], [-5, 0, 0, 0], 4, 100, 110)).toBe(3);
  });

  it('counts an insertion past the end in full', () => {
    // DEL at 101 (-3): written 1 + 1 = 2, last_end 105. INS at 110 (+4): written += 5 -> 7,
    // += 5 -> 12 >= 10: included, then stop.
    expect(keepCount([101, 110, 111], [-3, 4, 0], 3, 100, 110)).toBe(2);
  });

  it('takes the end of an upstream deletion without the +1, as the peer does', () => {
    // DEL at 95 (-5) spans [95, 101). Peer: last_end = 100, so the SNP at 110 gives
    // written = 10 >= q_len and is excluded; with the +1 it would be kept.
    expect(keepCount([95, 110], [-5, 0], 2, 100, 110)).toBe(1);
  });

  it('handles negative window starts (padding before the contig)', () => {
    expect(keepCount([0, 3, 12], [0, -4, 0], 3, -5, 10)).toBe(3);
  });
});

/** The documented algorithm over whole arrays, without streaming. */
function reference(
  records: SweepRecord[],
  regions: SweepRegion[],
  nHaps: number,
  extend: boolean,
): RegionGenotypes[] {
  return regions.map((q, region) => {
    const lo = Math.max(q.qStart, 0);
    const inWin = records.filter((r) => r.start < q.qEnd && variantEnd(r.start, r.ilen) > lo);
    let window = inWin;
    if (extend && inWin.length > 0) {
      const target = q.qEnd - (lo + 1);
      const lens = new Array<number>(nHaps).fill(target);
      for (const r of inWin) for (const h of r.carriers) lens[h] = (lens[h] as number) + r.ilen;
      const lastIn = inWin[inWin.length - 1] as SweepRecord;
      let lastEnd = lastIn.start + lastIn.refLen;
      // htslib iterator from qEnd: records spanning qEnd come first.
      const iter = records.filter((r) => r.start + r.refLen > q.qEnd);
      const ext: SweepRecord[] = [];
      for (let i = 0; i < iter.length; i++) {
        const r = iter[i] as SweepRecord;
        if (r.start < q.qEnd) continue;
        ext.push(r);
        if (r.ilen !== 0) {
          const dist = r.start - lastEnd;
          for (let h = 0; h < nHaps; h++) lens[h] = (lens[h] as number) + dist;
          for (const h of r.carriers) lens[h] = (lens[h] as number) + r.ilen;
          lastEnd = r.start + r.refLen;
        }
        if (i % 20 === 0 && lens.every((l) => l >= target)) break;
      }
      window = [...inWin, ...ext];
    }
    const lengths = new Uint32Array(nHaps);
    const idxs: number[] = [];
    let maxIdx = -1;
    for (let h = 0; h < nHaps; h++) {
      const carried = window.filter((r) => r.carriers.includes(h));
      const keep = extend
        ? keepCount(
            carried.map((r) => r.start),
            carried.map((r) => r.ilen),
            carried.length,
            q.qStart,
            q.qEnd,
          )
        : carried.length;
      lengths[h] = keep;
      for (const r of carried.slice(0, keep)) {
        idxs.push(r.idx);
        maxIdx = Math.max(maxIdx, r.idx);
      }
    }
    const last = records.find((r) => r.idx === maxIdx);
    const end = last ? Math.max(q.qEnd, variantEnd(last.start, last.ilen)) : q.qEnd;
    return { region, lengths, idxs: Int32Array.from(idxs), end };
  });
}

const NHAPS = 4;

const recordsOf = (maxLength: number, maxGap: number) =>
  fc
    .array(
      fc.record({
        gap: fc.nat({ max: maxGap }),
        ilen: fc.oneof(
          fc.constant(0),
          fc.constant(0),
          fc.integer({ min: -6, max: -1 }),
          fc.integer({ min: 1, max: 4 }),
        ),
        carriers: fc.uniqueArray(fc.nat({ max: NHAPS - 1 }), { maxLength: NHAPS }),
      }),
      { maxLength },
    )
    .map((xs) => {
      let pos = 0;
      return xs.map((x, idx): SweepRecord => {
        pos += x.gap;
        return {
          idx,
          start: pos,
          ilen: x.ilen,
          refLen: x.ilen < 0 ? 1 - x.ilen : 1,
          carriers: Uint32Array.from(x.carriers).sort(),
        };
      });
    });

const recordsArb = recordsOf(60, 6);
/** Enough records for the sweep to drop records from its buffer while regions are open. */
const manyRecordsArb = recordsOf(400, 3);

const regionsOf = (maxStart: number) =>
  fc
    .array(
      fc.record({
        start: fc.integer({ min: -8, max: maxStart }),
        len: fc.integer({ min: 1, max: 40 }),
      }),
      {
        minLength: 1,
        maxLength: 12,
      },
    )
    .map((xs) =>
      xs
        .map((x) => ({ qStart: x.start, qEnd: x.start + x.len }))
        .sort((a, b) => a.qStart - b.qStart || a.qEnd - b.qEnd),
    );
const regionsArb = regionsOf(200);
const manyRegionsArb = regionsOf(600);

function runSweep(records: SweepRecord[], regions: SweepRegion[], extend: boolean, skip: boolean) {
  const out: RegionGenotypes[] = [];
  const sweep = new GenotypeSweep(regions, NHAPS, extend, (r) => out.push(r));
  const empty = new Uint32Array(0);
  for (const r of records) {
    // As write() does: records nobody needs come without their genotypes.
    sweep.push(skip && !sweep.needs(r.start, r.ilen) ? { ...r, carriers: empty } : r);
  }
  sweep.finish();
  return out;
}

/**
 * A sink that puts each region's blocks back together (copying them: the sweep reuses
 * the arrays) and checks that blocks come in region order, each region's once.
 */
function collectingSink(got: RegionGenotypes[]): RegionSink {
  let lengths: number[] = [];
  let idxs: number[] = [];
  return {
    part: (region, l, i) => {
      expect(region).toBe(got.length);
      lengths.push(...l);
      idxs.push(...i);
    },
    end: (region, end) => {
      expect(region).toBe(got.length);
      expect(lengths).toHaveLength(NHAPS);
      got.push({ region, lengths: Uint32Array.from(lengths), idxs: Int32Array.from(idxs), end });
      lengths = [];
      idxs = [];
    },
  };
}

describe('GenotypeSweep', () => {
  it('streams to the same result as the whole-array algorithm', () => {
    fc.assert(
      fc.property(
        recordsArb,
        regionsArb,
        fc.boolean(),
        fc.boolean(),
        (records, regions, extend, skip) => {
          const got = runSweep(records, regions, extend, skip);
          const want = reference(records, regions, NHAPS, extend);
          expect(got.map((g) => g.region)).toEqual(regions.map((_, i) => i));
          for (let i = 0; i < regions.length; i++) {
            expect([...(got[i] as RegionGenotypes).lengths]).toEqual([
              ...(want[i] as RegionGenotypes).lengths,
            ]);
            expect([...(got[i] as RegionGenotypes).idxs]).toEqual([
              ...(want[i] as RegionGenotypes).idxs,
            ]);
            expect((got[i] as RegionGenotypes).end).toBe((want[i] as RegionGenotypes).end);
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('results in blocks of haplotypes, with records released, equal the whole-array algorithm; each record is released once, after its last use', () => {
    fc.assert(
      fc.property(
        manyRecordsArb,
        manyRegionsArb,
        fc.boolean(),
        fc.integer({ min: 1, max: NHAPS + 1 }),
        (records, regions, extend, block) => {
          // The sweep gets its own copies: a released record's carriers are poisoned (every
          // carrier becomes haplotype 0), so a read after the release changes the result.
          const mine = records.map((r) => ({ ...r, carriers: r.carriers.slice() }));
          const released = new Map<SweepRecord, number>();
          const got: RegionGenotypes[] = [];
          const sweep = new GenotypeSweep(regions, NHAPS, extend, collectingSink(got), {
            haplotypeBlock: block,
            onRelease: (rec) => {
              released.set(rec, (released.get(rec) ?? 0) + 1);
              rec.carriers.fill(0);
            },
          });
          for (const r of mine) sweep.push(r);
          sweep.finish();
          expect(mine.map((r) => released.get(r) ?? 0)).toEqual(mine.map(() => 1));
          const want = reference(records, regions, NHAPS, extend);
          expect(got.map((g) => g.region)).toEqual(regions.map((_, i) => i));
          for (let i = 0; i < regions.length; i++) {
            const g = got[i] as RegionGenotypes;
            const w = want[i] as RegionGenotypes;
            expect([...g.lengths]).toEqual([...w.lengths]);
            expect([...g.idxs]).toEqual([...w.idxs]);
            expect(g.end).toBe(w.end);
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('does not release a record that only an extending window still holds', () => {
    // Every haplotype carries a 50 bp deletion in [0, 10): the region extends through the
    // 100 SNPs after it (SNPs never complete an extension), long after the sweep's buffer
    // has dropped the deletion (nothing else can overlap it). A released record's
    // carriers are poisoned: reading them after the release changes the result.
    const records: SweepRecord[] = [
      { idx: 0, start: 5, ilen: -50, refLen: 51, carriers: Uint32Array.of(0, 1, 2, 3) },
      ...Array.from({ length: 100 }, (_, i) => ({
        idx: i + 1,
        start: 60 + i,
        ilen: 0,
        refLen: 1,
        carriers: Uint32Array.of(1 + (i % (NHAPS - 1))),
      })),
    ];
    const regions = [{ qStart: 0, qEnd: 10 }];
    const released: number[] = [];
    const got: RegionGenotypes[] = [];
    const sweep = new GenotypeSweep(regions, NHAPS, true, collectingSink(got), {
      haplotypeBlock: 3,
      onRelease: (rec) => {
        released.push(rec.idx);
        rec.carriers.fill(0);
      },
    });
    for (const r of records) sweep.push({ ...r, carriers: r.carriers.slice() });
    // The buffer dropped every record (none can overlap a later region), but the
    // extending window holds them all.
    expect(released).toEqual([]);
    sweep.finish();
    expect([...released].sort((x, y) => x - y)).toEqual(records.map((r) => r.idx));
    const [w] = reference(records, regions, NHAPS, true) as [RegionGenotypes];
    expect((got[0] as RegionGenotypes).lengths[0]).toBe(1);
    expect([...(got[0] as RegionGenotypes).lengths]).toEqual([...w.lengths]);
    expect([...(got[0] as RegionGenotypes).idxs]).toEqual([...w.idxs]);
  });

  it('keeps variant indices ascending per haplotype', () => {
    fc.assert(
      fc.property(recordsArb, regionsArb, (records, regions) => {
        for (const g of runSweep(records, regions, true, true)) {
          let o = 0;
          for (const l of g.lengths) {
            for (let k = o + 1; k < o + l; k++)
              expect(g.idxs[k] as number).toBeGreaterThan(g.idxs[k - 1] as number);
            o += l;
          }
        }
      }),
    );
  });

  it('includes an upstream deletion spanning the window start and extends the end', () => {
    const records: SweepRecord[] = [
      { idx: 0, start: 95, ilen: -10, refLen: 11, carriers: Uint32Array.of(0) },
      { idx: 1, start: 103, ilen: 0, refLen: 1, carriers: Uint32Array.of(1) },
      { idx: 2, start: 108, ilen: -4, refLen: 5, carriers: Uint32Array.of(1) },
      { idx: 3, start: 111, ilen: 0, refLen: 1, carriers: Uint32Array.of(0, 1) },
      { idx: 4, start: 140, ilen: 0, refLen: 1, carriers: Uint32Array.of(0, 1) },
    ];
    const [g] = runSweep(records, [{ qStart: 100, qEnd: 110 }], true, false) as [RegionGenotypes];
    // hap 0: DEL 95 is upstream (last_end = 105); SNP 111 is past the end with written =
    // 6 + 1 = 7 < 10, kept; SNP 140 brings written to 35: excluded.
    // hap 1: SNP 103 (written 4), DEL 108 (written 9, last_end 113), SNP 111 inside the
    // deletion (written 7 + 1 = 8 < 10, kept), SNP 140 excluded.
    expect([...g.lengths]).toEqual([2, 3, 0, 0]);
    expect([...g.idxs]).toEqual([0, 3, 1, 2, 3]);
    // Highest kept index 3 ends at 112 > 110.
    expect(g.end).toBe(112);
    const [n] = runSweep(records, [{ qStart: 100, qEnd: 110 }], false, false) as [RegionGenotypes];
    expect([...n.lengths]).toEqual([1, 2, 0, 0]);
    expect([...n.idxs]).toEqual([0, 1, 2]);
    expect(n.end).toBe(113);
  });
});
