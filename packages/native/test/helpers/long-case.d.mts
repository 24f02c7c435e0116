import type { GatherVariantsInput, RealignInput } from '../../src-ts/index.js';

/** A CPU-heavy realignment batch (see long-case.mjs). */
export declare function longRealignInput(opts: { rows: number; insertion: number }): RealignInput;

/** A memory-heavy gather batch, every row reverse-complemented (see long-case.mjs). */
export declare function longGatherInput(opts: {
  rows: number;
  variants: number;
  altLength: number;
}): GatherVariantsInput;
