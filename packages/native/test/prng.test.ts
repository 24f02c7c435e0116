// The xorshift64 / hash4 PRNG of the FlankSample fill: the vectors of
// docs/read-semantics.md §3.6, and agreement with a naive bigint implementation.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hash4, xorshift64 } from '../src-ts/index.js';
import { naiveHash4, naiveXorshift64 } from './naive.js';

describe('PRNG test vectors', () => {
  it.each([
    [1n, 1082269761n],
    [42n, 45454805674n],
    [0xdeadbeefn, 4018790486776397394n],
    [(1n << 64n) - 1n, 1065361344n],
    [0n, 0n],
  ])('xorshift64(%s) = %s', (x, want) => {
    expect(xorshift64(x)).toBe(want);
  });

  it('hash4 vectors', () => {
    expect(hash4(1n, 2n, 3n, 4n)).toBe(11323120931611735037n);
    expect(hash4(0n, 0n, 0n, 0n)).toBe(0n);
  });

  it('matches a bigint implementation on random uint64s', () => {
    const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
    fc.assert(
      fc.property(u64, u64, u64, u64, (a, b, c, d) => {
        expect(xorshift64(a)).toBe(naiveXorshift64(a));
        expect(hash4(a, b, c, d)).toBe(naiveHash4(a, b, c, d));
      }),
      { numRuns: 500 },
    );
  });
});
