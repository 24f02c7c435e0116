import type { Dense, Ragged } from './ragged.js';

/**
 * Variants of each haplotype, ragged over variants: shape `[...leading, ploidy, null]`.
 * Row `i` (flattened `(…, p)`) holds variants `offsets[i]..offsets[i+1]` of the flat
 * columns. Each haplotype's stored variants are returned unclipped, including the
 * padding and extension variants kept at write time.
 *
 * @see genvarloader `RaggedVariants`.
 */
export interface RaggedVariants {
  /** Leading dimensions, ploidy, and `null` for the ragged variant axis. */
  readonly shape: readonly [...number[], null];
  /** int64, length rows + 1. */
  readonly offsets: BigInt64Array;
  /** 0-based start of each variant (VCF `POS − 1`), int32. */
  readonly start: Int32Array;
  /** `len(ALT) − len(REF)` of each variant, int32 (> 0 insertion, < 0 deletion). */
  readonly ilen: Int32Array;
  /** ALT allele of each variant, ASCII bytes (reverse-complemented on `-` strands with `rcNeg`). */
  readonly alt: Ragged<Uint8Array>;
}

/** Sequences as `get()` returns them. */
export type SeqsOutput = Ragged<Uint8Array> | Dense<Uint8Array> | RaggedVariants;
/** Tracks as `get()` returns them. */
export type TracksOutput = Ragged<Float32Array> | Dense<Float32Array>;
/** What `get()` returns: sequences, tracks, or `[sequences, tracks]` when both are active. */
export type GetOutput = SeqsOutput | TracksOutput | [SeqsOutput, TracksOutput];
