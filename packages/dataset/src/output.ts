import type { Dense, Ragged } from './ragged.js';
import type { VariantFieldArray } from './var-fields.js';

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
  /**
   * REF allele of each variant, ASCII bytes, reverse-complemented like `alt` (`'N'` for a
   * dummy variant); only when `varFields` includes `'ref'`.
   */
  readonly ref?: Ragged<Uint8Array>;
  /**
   * The INFO columns `varFields` selects, by name, one value per variant (aligned with
   * `start`), dtype as stored: `Float32Array` (VCF `Float`), `Int32Array` (`Integer`),
   * `Uint8Array` 0/1 (`Flag`); a dummy variant has NaN (floats) or 0 (integers). Absent
   * when `varFields` names no INFO field.
   */
  readonly info?: Readonly<Record<string, VariantFieldArray>>;
  /**
   * Allele dosage of each variant, float32, one value per variant (aligned with
   * `start`): the value of the dosage FORMAT field (e.g. `DS`) for the row's sample in
   * that record, as stored with `write({ dosageField })` (NaN where the VCF had `.`); a
   * dummy variant has 0. Only when `varFields` includes `'dosage'`.
   */
  readonly dosage?: Float32Array;
}

/**
 * Annotated haplotypes, ragged (`withLen('ragged')`): three arrays of the same shape
 * `[...leading, ploidy, null]` and the same row offsets.
 *
 * - `haps`: uint8 ASCII haplotype bytes, exactly those of `withSeqs('haplotypes')`.
 * - `varIdxs`: int32, per base, the row of the dataset's variant table
 *   (`genotypes/variants.arrow`, the order of the written VCF records) the base came
 *   from — every base of an allele, the anchor and the inserted bases alike — or −1 for
 *   a reference or pad base.
 * - `refCoords`: int32, per base, its 0-based reference coordinate on the region's
 *   contig: consecutive on reference stretches, the variant's start for every base of an
 *   allele (an insertion repeats it; a deletion's deleted positions are skipped), −1 for
 *   pad before the contig start and 2147483647 (`2^31 − 1`) for pad past its end.
 *
 * Rows of `-` strand regions (with `rcNeg`) are reverse-complemented in `haps` and
 * reversed in `varIdxs` and `refCoords`, so base `j` of each array still describes the
 * same haplotype base. Where `varIdxs` is −1 and `refCoords` is a contig position,
 * `haps[j]` equals the reference base at `refCoords[j]` (complemented on a reversed row).
 *
 * @see genvarloader `RaggedAnnotatedHaps`.
 */
export interface RaggedAnnotatedHaps {
  /** uint8 ASCII haplotype bases, shape `[...leading, ploidy, ~length]`. */
  readonly haps: Ragged<Uint8Array>;
  /** int32 variant-table row of each base of `haps` (−1: reference or pad); same offsets. */
  readonly varIdxs: Ragged<Int32Array>;
  /** int32 0-based reference coordinate of each base of `haps` (pad: −1 / 2147483647); same offsets. */
  readonly refCoords: Ragged<Int32Array>;
}

/**
 * Annotated haplotypes, dense (`withLen('variable')` or a fixed length): the fields of
 * {@link RaggedAnnotatedHaps} as {@link Dense} arrays of shape `[...leading, ploidy,
 * length]`. With `'variable'`, rows shorter than the batch's longest are right-padded with
 * `N` (78), −1 and 2147483647 respectively; a fixed length continues on the reference
 * past the region's end.
 *
 * @see genvarloader `AnnotatedHaps`.
 */
export interface AnnotatedHaps {
  /** uint8 ASCII haplotype bases, shape `[...leading, ploidy, length]`. */
  readonly haps: Dense<Uint8Array>;
  /** int32 variant-table row of each base of `haps` (−1: reference or pad), same shape. */
  readonly varIdxs: Dense<Int32Array>;
  /** int32 0-based reference coordinate of each base of `haps` (pad: −1 / 2147483647), same shape. */
  readonly refCoords: Dense<Int32Array>;
}

/**
 * One-hot sequences, ragged (`withSettings({ tokenAlphabet, oneHot: true })` with
 * `withLen('ragged')`): float32, `A = tokenAlphabet.length` values per base. `offsets`
 * count **bases** (as the ASCII rows' offsets): row `i` is
 * `data.subarray(A · offsets[i], A · offsets[i + 1])`, base `j` of it the `A` values
 * from `A · (offsets[i] + j)`: 1.0 in column `c` when the base is `tokenAlphabet[c]`, all
 * zero for a base outside the alphabet (`N` and the pad included). Shape
 * `[...leading, (ploidy,) null, A]`.
 */
export interface RaggedOneHot {
  /** float32, `A` values per base of every row, concatenated (length `A · offsets[rows]`). */
  readonly data: Float32Array;
  /** int64, length rows + 1, in bases. */
  readonly offsets: BigInt64Array;
  /** Leading dimensions, `null` for the ragged base axis, then the alphabet size. */
  readonly shape: readonly [...number[], null, number];
}

/** Sequences as `get()` returns them. */
export type SeqsOutput =
  | Ragged<Uint8Array>
  | Dense<Uint8Array>
  | Ragged<Int32Array>
  | Dense<Int32Array>
  | RaggedOneHot
  | Dense<Float32Array>
  | RaggedVariants
  | RaggedAnnotatedHaps
  | AnnotatedHaps;
/** Tracks as `get()` returns them. */
export type TracksOutput = Ragged<Float32Array> | Dense<Float32Array>;
/** What `get()` returns: sequences, tracks, or `[sequences, tracks]` when both are active. */
export type GetOutput = SeqsOutput | TracksOutput | [SeqsOutput, TracksOutput];

/**
 * The output length modes as types: `'ragged'` ({@link Ragged} rows) or `'dense'`
 * (`'variable'` or a fixed length: {@link Dense}, padded or exact).
 */
export type LengthKind = 'ragged' | 'dense';

/** The {@link LengthKind} of an output length: `'ragged'` → `'ragged'`, else `'dense'`. */
export type LengthKindOf<N> = N extends 'ragged' ? 'ragged' : 'dense';

/**
 * How `'haplotypes'` and `'reference'` rows are returned, as a type: `'ascii'` (bytes),
 * `'tokens'` (`withSettings({ tokenAlphabet, unknownToken })`: uint8, or int32 when a
 * token passes 255) or `'oneHot'` (`withSettings({ tokenAlphabet, oneHot: true })`:
 * float32, one value per alphabet byte per base).
 */
export type EncodingKind = 'ascii' | 'tokens' | 'oneHot';

/**
 * The {@link EncodingKind} after `withSettings(patch)` with patch type `P` on a dataset
 * of kind `E`: `oneHot: true` → `'oneHot'`; `tokenAlphabet: null` → `'ascii'`; a
 * `tokenAlphabet` → `'tokens'` (or `'oneHot'` when it stays on); `oneHot: false` turns
 * one-hot back into tokens; otherwise `E`.
 */
export type EncodingAfter<P, E extends EncodingKind> =
  P extends Record<'oneHot', true>
    ? 'oneHot'
    : P extends Record<'tokenAlphabet', null>
      ? 'ascii'
      : P extends Record<'oneHot', false>
        ? E extends 'ascii'
          ? P extends Record<'tokenAlphabet', string | Uint8Array>
            ? 'tokens'
            : 'ascii'
          : 'tokens'
        : P extends Record<'tokenAlphabet', string | Uint8Array>
          ? E extends 'oneHot'
            ? 'oneHot'
            : 'tokens'
          : E;

/** Sequence rows of encoding `E` and length kind `L`. */
export type EncodedSeqsOf<E, L> = E extends 'tokens'
  ? L extends 'ragged'
    ? Ragged<Uint8Array> | Ragged<Int32Array>
    : Dense<Uint8Array> | Dense<Int32Array>
  : E extends 'oneHot'
    ? L extends 'ragged'
      ? RaggedOneHot
      : Dense<Float32Array>
    : L extends 'ragged'
      ? Ragged<Uint8Array>
      : Dense<Uint8Array>;

/**
 * The sequences `get()` returns for sequence kind `S` and length kind `L`: uint8 ASCII
 * bytes (`Ragged` or `Dense`) for `'haplotypes'` and `'reference'`,
 * {@link RaggedAnnotatedHaps} or {@link AnnotatedHaps} for `'annotated'`,
 * {@link RaggedVariants} for `'variants'` (always ragged), `never` for `null`; with an
 * encoding `E` other than `'ascii'`, haplotypes and reference as {@link EncodedSeqsOf}
 * (variants keep ASCII alleles). Distributes over unions.
 */
export type SeqsOutputOf<S, L, E = 'ascii'> = S extends 'variants'
  ? RaggedVariants
  : S extends 'annotated'
    ? L extends 'ragged'
      ? RaggedAnnotatedHaps
      : AnnotatedHaps
    : S extends 'haplotypes' | 'reference'
      ? EncodedSeqsOf<E, L>
      : never;

/** The tracks `get()` returns for length kind `L`: float32 `Ragged` or `Dense`. */
export type TracksOutputOf<L> = L extends 'ragged' ? Ragged<Float32Array> : Dense<Float32Array>;

/**
 * What `get()` (and each batch's `data`) returns for a {@link Dataset}`<S, T, L>`:
 * sequences alone when no track is active (`T = false`), tracks alone when `S = null`,
 * `[sequences, tracks]` when both are. Each parameter distributes over a union, so a state
 * the types cannot know (tracks after `open`, whose active set depends on the files, is
 * `boolean`) gives the union of the outputs it allows.
 *
 * @typeParam S - the sequence kind (`withSeqs`), or `null` for none.
 * @typeParam T - whether tracks are active (`true`), not (`false`), or unknown (`boolean`).
 * @typeParam L - the {@link LengthKind} (`withLen`).
 * @typeParam E - the {@link EncodingKind} (`withSettings`), default `'ascii'`.
 * @example
 * ```ts
 * type A = DatasetOutput<'haplotypes', false, 'dense'>; // Dense<Uint8Array>
 * type B = DatasetOutput<'haplotypes', true, 'ragged'>; // [Ragged<Uint8Array>, Ragged<Float32Array>]
 * type C = DatasetOutput<'variants', false, 'ragged'>; // RaggedVariants
 * type E = DatasetOutput<'annotated', false, 'dense'>; // AnnotatedHaps
 * type D = DatasetOutput<null, true, 'dense'>; // Dense<Float32Array>
 * type F = DatasetOutput<'haplotypes', false, 'dense', 'oneHot'>; // Dense<Float32Array>, [..., length, A]
 * ```
 */
export type DatasetOutput<S, T, L, E = 'ascii'> = L extends LengthKind
  ? S extends 'haplotypes' | 'annotated' | 'reference' | 'variants'
    ? T extends true
      ? [SeqsOutputOf<S, L, E>, TracksOutputOf<L>]
      : SeqsOutputOf<S, L, E>
    : T extends true
      ? TracksOutputOf<L>
      : never
  : never;
