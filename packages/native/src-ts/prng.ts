import { native } from './binding.js';
import { runSync } from './scheduler.js';
import { expectBigInt } from './validate.js';

/**
 * One round of xorshift64 on a uint64 (`x ^= x << 13; x ^= x >> 7; x ^= x << 17`,
 * wrapping), computed natively. Exported to test the `flankSample` fill's PRNG.
 *
 * @param x - a bigint in `[0, 2^64)`.
 * @returns a bigint in `[0, 2^64)`.
 * @throws {@link InvalidArgumentError} `GVL_INVALID_ARGUMENT` when `x` is not a uint64 bigint.
 * @example
 * ```ts
 * import { xorshift64 } from '@gvl/native';
 * xorshift64(1n); // 1082269761n
 * ```
 * @see genvarloader `_dataset/_tracks.py` `_xorshift64`.
 */
export function xorshift64(x: bigint): bigint {
  expectBigInt('x', x);
  return runSync(() => native.xorshift64(x));
}

/**
 * `hash4(a, b, c, d)`: `h = a; h = xs(h ^ b); h = xs(h ^ c); h = xs(h ^ d)` on
 * uint64s, computed natively: the `flankSample` fill's per-position seed.
 *
 * @returns a bigint in `[0, 2^64)`.
 * @throws {@link InvalidArgumentError} `GVL_INVALID_ARGUMENT` when an argument is not a uint64 bigint.
 * @example
 * ```ts
 * import { hash4 } from '@gvl/native';
 * hash4(1n, 2n, 3n, 4n); // 11323120931611735037n
 * ```
 * @see genvarloader `_dataset/_tracks.py` `_hash4`.
 */
export function hash4(a: bigint, b: bigint, c: bigint, d: bigint): bigint {
  const args = [
    expectBigInt('a', a),
    expectBigInt('b', b),
    expectBigInt('c', c),
    expectBigInt('d', d),
  ] as const;
  return runSync(() => native.hash4(...args));
}
