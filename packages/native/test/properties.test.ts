// Differential property tests in this process: native serial == native
// parallel == the naive TypeScript oracle, byte for byte, over random
// variant sets (fast-check). Pool sizes 1, 2 and 8 are covered by
// pool-sizes.test.ts (one child process per size).
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import * as gvl from '../src-ts/index.js';
import { buildCase, bytesOf, worldArb } from './arbitraries.js';
import {
  naiveDiffs,
  naiveGatherVariants,
  naiveHaplotypes,
  naiveRealign,
  naiveReference,
  naiveReverseComplement,
  naiveTracks,
} from './naive.js';

const RUNS = 250;

beforeAll(() => {
  gvl.configurePool({ numThreads: 2 });
});

function same(a: ArrayBufferView, b: ArrayBufferView): void {
  expect(bytesOf(a)).toStrictEqual(bytesOf(b));
}

function sameVariants(a: gvl.GatheredVariants, b: gvl.GatheredVariants): void {
  for (const k of ['offsets', 'start', 'ilen', 'alt', 'altOffsets', 'variantIdx'] as const) {
    expect(bytesOf(a[k]), k).toStrictEqual(bytesOf(b[k]));
  }
}

describe('native serial == native parallel == naive oracle', () => {
  it('reconstructHaplotypes (ragged, fixed and arbitrary rows, shifts, pads)', () => {
    fc.assert(
      fc.property(worldArb(), (w) => {
        const c = buildCase(w);
        const want = naiveHaplotypes(c.haplotypes);
        same(gvl.reconstructHaplotypesSync(c.haplotypes, { parallel: false }), want);
        same(gvl.reconstructHaplotypesSync(c.haplotypes, { parallel: true }), want);
      }),
      { numRuns: RUNS },
    );
  });

  it('getDiffs, and ragged rows have exactly (end - start) + diff bytes', () => {
    fc.assert(
      fc.property(worldArb(), (w) => {
        const c = buildCase(w);
        const want = naiveDiffs(c.diffs);
        const serial = gvl.getDiffsSync(c.diffs, { parallel: false });
        same(serial, want);
        same(gvl.getDiffsSync(c.diffs, { parallel: true }), want);
        if (w.mode === 'ragged') {
          const offs = c.haplotypes.outOffsets;
          serial.forEach((d, k) => {
            const q = w.queries[Math.floor(k / w.ploidy)];
            expect(Number((offs[k + 1] as bigint) - (offs[k] as bigint))).toBe(
              Math.max(0, (q?.length ?? 0) + d),
            );
          });
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('realignTracks with every insertion fill', () => {
    fc.assert(
      fc.property(worldArb(), (w) => {
        const c = buildCase(w);
        const want = naiveRealign(c.realign);
        same(gvl.realignTracksSync(c.realign, { parallel: false }), want);
        same(gvl.realignTracksSync(c.realign, { parallel: true }), want);
      }),
      { numRuns: RUNS },
    );
  });

  it('getReference, intervalsToTracks and reverseComplement', () => {
    fc.assert(
      fc.property(worldArb(), (w) => {
        const c = buildCase(w);
        same(gvl.getReferenceSync(c.reference, { parallel: false }), naiveReference(c.reference));
        same(gvl.getReferenceSync(c.reference, { parallel: true }), naiveReference(c.reference));
        same(gvl.intervalsToTracksSync(c.tracks, { parallel: false }), naiveTracks(c.tracks));
        same(gvl.intervalsToTracksSync(c.tracks, { parallel: true }), naiveTracks(c.tracks));
        const hap = gvl.reconstructHaplotypesSync(c.haplotypes);
        const want = naiveReverseComplement(hap, c.haplotypes.outOffsets, c.rcRows);
        const input = { offsets: c.haplotypes.outOffsets, rows: c.rcRows };
        same(gvl.reverseComplementSync({ data: hap.slice(), ...input }, { parallel: false }), want);
        same(gvl.reverseComplementSync({ data: hap.slice(), ...input }, { parallel: true }), want);
      }),
      { numRuns: RUNS },
    );
  });

  it('gatherVariants and countVariants (repeated groups, empty rows, ALT reverse complement, keep mask)', () => {
    fc.assert(
      fc.property(worldArb(), (w) => {
        const c = buildCase(w);
        const want = naiveGatherVariants(c.gather);
        for (const parallel of [false, true]) {
          sameVariants(gvl.gatherVariantsSync(c.gather, { parallel }), want);
          const counts = gvl.countVariantsSync(c.gather, { parallel });
          same(counts.offsets, want.offsets);
          expect(counts.altBytes).toBe(want.alt.length);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('async forms equal the sync forms, with and without a caller-provided out', async () => {
    await fc.assert(
      fc.asyncProperty(worldArb(), async (w) => {
        const c = buildCase(w);
        const hap = naiveHaplotypes(c.haplotypes);
        same(await gvl.reconstructHaplotypes(c.haplotypes, { parallel: true }), hap);
        const out = new Uint8Array(hap.length).fill(0xee);
        const got = await gvl.reconstructHaplotypes(c.haplotypes, { parallel: false, out });
        expect(got).toBe(out);
        same(out, hap);
        same(await gvl.getDiffs(c.diffs), naiveDiffs(c.diffs));
        same(await gvl.realignTracks(c.realign, { parallel: true }), naiveRealign(c.realign));
        const track = new Float32Array(naiveTracks(c.tracks).length).fill(7);
        same(await gvl.intervalsToTracks(c.tracks, { out: track }), naiveTracks(c.tracks));
        same(await gvl.getReference(c.reference), naiveReference(c.reference));
        const gathered = naiveGatherVariants(c.gather);
        sameVariants(await gvl.gatherVariants(c.gather, { parallel: true }), gathered);
        sameVariants(await gvl.gatherVariants(c.gather), gathered);
        const offsets = new BigInt64Array(c.gather.groups.length + 1).fill(-5n);
        const counts = await gvl.countVariants(c.gather, { out: offsets });
        expect(counts.offsets).toBe(offsets);
        same(offsets, gathered.offsets);
      }),
      { numRuns: 60 },
    );
  });
});

describe('reverseRows', () => {
  it('reverses only the selected float32 rows, in place', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.float({ noNaN: true }), { maxLength: 9 }), { maxLength: 8 }),
        fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
        fc.boolean(),
        (rows, mask, parallel) => {
          const data = Float32Array.from(rows.flat());
          const offsets = new BigInt64Array(rows.length + 1);
          rows.forEach((r, i) => {
            offsets[i + 1] = (offsets[i] as bigint) + BigInt(r.length);
          });
          const sel = Uint8Array.from(rows, (_, i) => (mask[i] ? 1 : 0));
          const want = Float32Array.from(rows.flatMap((r, i) => (mask[i] ? [...r].reverse() : r)));
          const got = gvl.reverseRowsSync({ data, offsets, rows: sel }, { parallel });
          expect(got).toBe(data);
          same(got, want);
        },
      ),
      { numRuns: 200 },
    );
  });
});
