// peerRegionOrder: a permutation sorted by (contig rank, start, end); on inputs without
// ties it is the one sorted order, and it does not depend on the kernels' pool.

import { isGvlError } from '@gvl/errors';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { peerRegionOrder } from '../src-ts/index.js';

const rows = fc.array(
  fc.record({
    rank: fc.integer({ min: 0, max: 3 }),
    start: fc.integer({ min: 0, max: 50 }),
    len: fc.integer({ min: 1, max: 3 }),
  }),
  { maxLength: 300 },
);

function columns(rs: { rank: number; start: number; len: number }[]) {
  return {
    rank: Uint32Array.from(rs, (r) => r.rank),
    starts: Float64Array.from(rs, (r) => r.start),
    ends: Float64Array.from(rs, (r) => r.start + r.len),
  };
}

describe('peerRegionOrder', () => {
  it('returns a permutation sorted by contig rank, start, end (ties included)', () => {
    fc.assert(
      fc.property(rows, (rs) => {
        const { rank, starts, ends } = columns(rs);
        const order = peerRegionOrder(rank, starts, ends);
        expect([...order].sort((a, b) => a - b)).toEqual(rs.map((_, i) => i));
        for (let d = 1; d < order.length; d++) {
          const a = rs[order[d - 1] as number] as (typeof rs)[number];
          const b = rs[order[d] as number] as (typeof rs)[number];
          const cmp = a.rank - b.rank || a.start - b.start || a.len - b.len;
          expect(cmp).toBeLessThanOrEqual(0);
        }
        // The same keys always give the same order.
        expect([...peerRegionOrder(rank, starts, ends)]).toEqual([...order]);
      }),
      { numRuns: 200 },
    );
  });

  it('equals the stable sort when no two rows tie', () => {
    const n = 500;
    const rank = Uint32Array.from({ length: n }, (_, i) => (i * 7) % 3);
    const starts = Float64Array.from({ length: n }, (_, i) => (i * 7919) % 100_003);
    const ends = Float64Array.from(starts, (s) => s + 10);
    const want = Array.from({ length: n }, (_, i) => i).sort(
      (a, b) =>
        (rank[a] as number) - (rank[b] as number) || (starts[a] as number) - (starts[b] as number),
    );
    expect([...peerRegionOrder(rank, starts, ends)]).toEqual(want);
  });

  it('rejects mismatched lengths, wrong dtypes and fractional coordinates with typed errors', () => {
    const bad = [
      () => peerRegionOrder(new Uint32Array(2), new Float64Array(1), new Float64Array(2)),
      () =>
        peerRegionOrder(
          new Int32Array(1) as unknown as Uint32Array,
          new Float64Array(1),
          new Float64Array(1),
        ),
      () => peerRegionOrder(new Uint32Array(1), new Float64Array([0.5]), new Float64Array([2])),
      () =>
        peerRegionOrder(new Uint32Array(1), new Float64Array([Number.NaN]), new Float64Array([2])),
    ];
    for (const f of bad) {
      let err: unknown;
      try {
        f();
      } catch (e) {
        err = e;
      }
      expect(isGvlError(err, 'GVL_INVALID_ARGUMENT'), String(err)).toBe(true);
    }
  });
});
