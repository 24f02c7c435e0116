import type { RealignInput } from '../../src-ts/index.js';

/** A CPU-heavy realignment batch (see long-case.mjs). */
export declare function longRealignInput(opts: { rows: number; insertion: number }): RealignInput;
