/**
 * What parity checks: the two datasets and every output mode, with the samples each
 * golden covers. The single source of truth for the checker, the child processes and
 * the golden generator (which hands this spec to `scripts/make_goldens.py` as JSON).
 */
import type { OutputLength, SeqsKind } from '@gvl/dataset';
import type { DummyVariant } from '@gvl/native';

/**
 * The datasets: `chr20` (1000 Genomes slice), `chr16` (hg38 chunk, bigWig tracks,
 * generated VCF), `chr20-af` (the chr20 inputs written with `infoFields: ['AF']`: a
 * separate dataset, so the `variants.arrow` the other chr20 modes read stays as it is),
 * `chr20-splice` (the chr20 inputs with `windows_2kb.bed` grouped into transcripts, see
 * `src/fixtures.ts`), `chr20-concat-regions` and `chr20-concat-samples` (`concat()` of
 * two chr20 datasets written from the BED's two halves, or from the samples' two halves),
 * `chr16-added` (chr16 written without tracks, then its two tracks added with
 * `addTracks` from bedGraph tables dumped from the same bigWigs).
 */
export type DatasetId =
  | 'chr20'
  | 'chr16'
  | 'chr20-af'
  | 'chr20-splice'
  | 'chr20-concat-regions'
  | 'chr20-concat-samples'
  | 'chr16-added';

/** How the bcftools-side golden of a mode is made, or why there is none. */
export type BcftoolsOracle =
  | { kind: 'consensus' } // bcftools consensus -H p -s S over region slices (haplotypes)
  | { kind: 'faidx' } // samtools faidx slices (reference sequences)
  | { kind: 'query' } // bcftools query carrier genotypes + the §2.6 write rules (variants)
  | { kind: 'none'; why: string };

/**
 * Whether the Python genvarloader golden is compared. Batches on which the peer raises
 * (it panics on some inputs) are recorded in its golden and shown as n/a, not hidden.
 */
export type PeerOracle = { kind: 'compare' } | { kind: 'none'; why: string };

/**
 * Which method of the dataset a mode reads: `get()` (sequences and/or tracks),
 * `haplotypeLengths()` or `nVariants()` (int32 `(…, ploidy)` per (region, sample)).
 */
export type ReadCall = 'get' | 'haplotypeLengths' | 'nVariants';

/** Read settings a mode sets on top of the peer's defaults (`withSettings`). */
export interface ModeSettings {
  /** Fold the haplotypes of each (region, sample) onto one row (the peer's `unphased_union`). */
  unphasedUnion?: boolean;
  /** Placeholder variant of empty variants rows (the peer's `dummy_variant`); `{}` = its defaults. */
  dummyVariant?: DummyVariant;
  /**
   * Token output: byte `tokenAlphabet[i]` of a haplotype becomes token `i`, any other
   * byte `unknownToken` (the peer's `build_token_lut`); with `oneHot` float32 one-hot
   * rows instead (one column per alphabet byte, all zero for other bytes).
   */
  tokenAlphabet?: string;
  /** Token of bytes outside `tokenAlphabet` (token output only). */
  unknownToken?: number;
  /** One-hot rows of `tokenAlphabet` instead of tokens. */
  oneHot?: boolean;
  /**
   * Variant fields of a `'variants'` mode (the peer's `var_fields`): `'ref'` and INFO
   * names are serialized after each variant's start, ilen and ALT (see `src/rows.ts`).
   */
  varFields?: string[];
  /** Keep variants with `AF >= minAf` (the peer's `min_af`). */
  minAf?: number;
  /** Keep variants with `AF <= maxAf` (the peer's `max_af`). */
  maxAf?: number;
  /**
   * Splice columns (the peer's `splice_info`): `[transcript id column, exon order
   * column]`; a batch is then one transcript (its exons joined, 5'→3').
   */
  spliceInfo?: [string, string];
}

export interface ModeSpec {
  /** Stable id: golden file names and CLI filters. */
  id: string;
  /** Human label for the table. */
  label: string;
  dataset: DatasetId;
  seqs: SeqsKind | null;
  length: OutputLength;
  /** Active tracks (dataset order); empty for none. With haplotypes they are realigned. */
  tracks: string[];
  /** Samples (sorted names) the goldens cover, every region each. */
  goldenSamples: string[];
  bcftools: BcftoolsOracle;
  peer: PeerOracle;
  /** The method read; absent = `'get'`. */
  call?: ReadCall;
  /** Settings on top of the defaults; absent = none. */
  settings?: ModeSettings;
  /**
   * Serial == parallel covers every `passStride`-th region (0, k, 2k, …) × every sample
   * instead of every region, to bound the run time of the heaviest outputs; the goldens
   * still cover every region. Absent = 1.
   */
  passStride?: number;
  /**
   * Compared with the goldens of that mode (same output, settings, golden samples and
   * regions in the same order, on a dataset that must read the same: a `concat` of
   * chr20's parts); absent = its own goldens.
   */
  goldensOf?: string;
}

/** Ploidy of both datasets. */
export const PLOIDY = 2;

/**
 * `maxJitter` each dataset is written with (reads use jitter 0). chr16 is padded so a
 * fixed length may exceed its shortest regions (2,000 bp): `L ≤ 2,000 + 2·16`.
 */
export const MAX_JITTER: Record<DatasetId, number> = {
  chr20: 0,
  chr16: 16,
  'chr20-af': 0,
  'chr20-splice': 0,
  'chr20-concat-regions': 0,
  'chr20-concat-samples': 0,
  'chr16-added': 16,
};

/**
 * Golden samples of the chr20 modes: 8 of the 300, evenly spread over the sorted list
 * (sorted positions round(i·299/7)). Serial vs parallel covers all 300.
 */
export const CHR20_GOLDEN_SAMPLES = [
  'HG00096',
  'HG00145',
  'HG00245',
  'HG00313',
  'HG00368',
  'HG01607',
  'HG01709',
  'NA06986',
];

/** Samples of the generated chr16 VCF (all of them are golden samples). */
export const CHR16_SAMPLES = ['sA', 'sB', 'sC', 'sD'];
/** Tracks of the chr16 dataset, in dataset order (sorted by name). */
export const CHR16_TRACKS = ['gc', 'signal'];

const consensus: BcftoolsOracle = { kind: 'consensus' };
const compare: PeerOracle = { kind: 'compare' };
/**
 * Serial == parallel of the annotated modes reads every 31st region (16 of the 488, all
 * 300 samples: 9,600 rows per pass; annotated rows are 9 bytes per base, the heaviest),
 * and of the other modes added with them every 7th (70 of the 488), to keep the check's
 * run time bounded. Odd strides, so both strands are read (the windows' strands
 * alternate). Their goldens cover every region.
 */
const ANNOTATED_PASS_STRIDE = 31;
const PASS_STRIDE = 7;
/** Token settings of the token modes: A, C, G, T → 0–3, any other byte (N) → 4. */
const TOKENS: ModeSettings = { tokenAlphabet: 'ACGT', unknownToken: 4 };
const noAnnotation: BcftoolsOracle = {
  kind: 'none',
  why: 'bcftools consensus writes sequences only: no per-base variant index or reference coordinate',
};

/** What a mode states itself; the rest comes from {@link mode}'s defaults. */
type ModeFields = Omit<ModeSpec, 'dataset' | 'tracks' | 'goldenSamples' | 'peer'> &
  Partial<Pick<ModeSpec, 'dataset' | 'tracks' | 'goldenSamples'>>;

/** The dataset fields of the chr16 modes: its tracks and its four (golden) samples. */
const CHR16 = { dataset: 'chr16', tracks: CHR16_TRACKS, goldenSamples: CHR16_SAMPLES } as const;

/** The fields of the track modes: chr16's tracks alone, no bcftools golden. */
const TRACKS_ONLY = {
  ...CHR16,
  seqs: null,
  bcftools: { kind: 'none', why: 'no bcftools equivalent for tracks' },
} as const satisfies Partial<ModeFields>;

/** The fields of the variants modes: ragged variant rows, against `bcftools query`. */
const VARIANT_ROWS = {
  seqs: 'variants',
  length: 'ragged',
  bcftools: { kind: 'query' },
} as const satisfies Partial<ModeFields>;

/**
 * A mode: `fields` over the defaults (the chr20 dataset, no tracks, the chr20 golden
 * samples); every mode compares the Python peer's golden.
 */
function mode(fields: ModeFields): ModeSpec {
  return {
    dataset: 'chr20',
    tracks: [],
    goldenSamples: CHR20_GOLDEN_SAMPLES,
    peer: compare,
    ...fields,
  };
}

/**
 * One mode per output length, alike but for it: id `<prefix>-<length>` (`haplotypes-2048`),
 * label `<what>, <length>` (`haplotypes, L=2048`).
 */
function perLength(
  prefix: string,
  what: string,
  lengths: readonly OutputLength[],
  fields: Omit<ModeFields, 'id' | 'label' | 'length'>,
): ModeSpec[] {
  return lengths.map((length) =>
    mode({
      id: `${prefix}-${length}`,
      label: `${what}, ${typeof length === 'number' ? `L=${length}` : length}`,
      length,
      ...fields,
    }),
  );
}

export const MODES: readonly ModeSpec[] = [
  mode({
    id: 'reference',
    label: 'reference',
    seqs: 'reference',
    length: 'ragged',
    // The reference is the same for every sample: one sample keeps the golden small.
    goldenSamples: ['HG00096'],
    bcftools: { kind: 'faidx' },
  }),
  ...perLength('haplotypes', 'haplotypes', ['ragged', 'variable', 2048, 1000], {
    seqs: 'haplotypes',
    bcftools: consensus,
  }),
  mode({
    id: 'variants',
    label: 'variants',
    ...VARIANT_ROWS,
  }),
  mode({ id: 'tracks', label: 'tracks, ragged', length: 'ragged', ...TRACKS_ONLY }),
  ...perLength('tracks', 'tracks', [2020], TRACKS_ONLY),
  // At L=2020, longer than the 2,000 bp regions, genvarloader 0.43.1 panics on some
  // batches (ndarray index out of bounds in its track realignment); its golden records
  // which, and the table shows them as n/a.
  ...perLength('realigned', 'haplotypes + realigned tracks', ['ragged', 1000, 2020], {
    ...CHR16,
    seqs: 'haplotypes',
    bcftools: consensus,
  }),
  ...perLength('annotated', 'annotated haplotypes', ['ragged', 2048, 1000], {
    seqs: 'annotated',
    bcftools: noAnnotation,
    passStride: ANNOTATED_PASS_STRIDE,
  }),
  mode({
    id: 'lengths',
    label: 'haplotypeLengths',
    seqs: 'haplotypes',
    length: 'ragged',
    bcftools: consensus,
    passStride: PASS_STRIDE,
    call: 'haplotypeLengths',
  }),
  mode({
    // The generated VCF's deletions across window edges: lengths clip them.
    id: 'lengths-chr16',
    label: 'haplotypeLengths, chr16 edge cases',
    ...CHR16,
    tracks: [],
    seqs: 'haplotypes',
    length: 'ragged',
    bcftools: consensus,
    call: 'haplotypeLengths',
  }),
  mode({
    id: 'counts',
    label: 'nVariants',
    seqs: 'haplotypes',
    length: 'ragged',
    bcftools: { kind: 'query' },
    passStride: PASS_STRIDE,
    call: 'nVariants',
  }),
  mode({
    id: 'unphased-union',
    label: 'variants, unphasedUnion',
    ...VARIANT_ROWS,
    passStride: PASS_STRIDE,
    settings: { unphasedUnion: true },
  }),
  mode({
    id: 'counts-unphased-union',
    label: 'nVariants, unphasedUnion',
    ...VARIANT_ROWS,
    passStride: PASS_STRIDE,
    call: 'nVariants',
    settings: { unphasedUnion: true },
  }),
  mode({
    id: 'dummy-variant',
    label: 'variants, dummyVariant',
    ...VARIANT_ROWS,
    passStride: PASS_STRIDE,
    settings: { dummyVariant: {} },
  }),
  ...perLength('tokens', 'haplotypes as tokens', ['ragged', 2048], {
    seqs: 'haplotypes',
    bcftools: consensus,
    passStride: PASS_STRIDE,
    settings: TOKENS,
  }),
  mode({
    id: 'onehot-2048',
    label: 'haplotypes one-hot, L=2048',
    seqs: 'haplotypes',
    length: 2048,
    bcftools: consensus,
    passStride: ANNOTATED_PASS_STRIDE,
    settings: { tokenAlphabet: 'ACGT', oneHot: true },
  }),
  mode({
    id: 'variants-af',
    label: 'variants + REF, AF; 0.05 ≤ AF ≤ 0.5',
    dataset: 'chr20-af',
    ...VARIANT_ROWS,
    passStride: PASS_STRIDE,
    settings: { varFields: ['ref', 'AF'], minAf: 0.05, maxAf: 0.5 },
  }),
  mode({
    id: 'spliced-haplotypes',
    label: 'spliced haplotypes, ragged',
    dataset: 'chr20-splice',
    seqs: 'haplotypes',
    length: 'ragged',
    bcftools: consensus,
    passStride: PASS_STRIDE,
    settings: { spliceInfo: ['score', 'name'] },
  }),
  mode({
    id: 'spliced-reference',
    label: 'spliced reference, ragged',
    dataset: 'chr20-splice',
    seqs: 'reference',
    length: 'ragged',
    goldenSamples: ['HG00096'],
    bcftools: { kind: 'faidx' },
    passStride: PASS_STRIDE,
    settings: { spliceInfo: ['score', 'name'] },
  }),
  // concat() of chr20's parts must read as chr20: compared with its goldens.
  ...(['regions', 'samples'] as const).map((half) =>
    mode({
      id: `concat-${half}`,
      label: `haplotypes, ragged, concat of the ${half === 'regions' ? 'BED' : 'sample'} halves`,
      dataset: `chr20-concat-${half}`,
      seqs: 'haplotypes',
      length: 'ragged',
      bcftools: consensus,
      passStride: PASS_STRIDE,
      goldensOf: 'haplotypes-ragged',
    }),
  ),
  mode({
    id: 'tracks-added',
    label: 'tracks, ragged, added later from bedGraph tables',
    ...TRACKS_ONLY,
    dataset: 'chr16-added',
    length: 'ragged',
    goldensOf: 'tracks',
  }),
];

/** The regions the serial == parallel passes of `mode` read (see `passStride`). */
export function passRegions(mode: ModeSpec, nRegions: number): number[] {
  const k = mode.passStride ?? 1;
  return Array.from({ length: Math.ceil(nRegions / k) }, (_, i) => i * k);
}

/**
 * Haplotypes per (region, sample) in a mode's output: 1 for the reference and under
 * `unphasedUnion`, else {@link PLOIDY}.
 */
export function ploidyOf(mode: ModeSpec): number {
  return mode.seqs === 'reference' || mode.settings?.unphasedUnion ? 1 : PLOIDY;
}

/**
 * The parts of a mode's output: sequences, tracks, or both (`[seqs, tracks]`). The
 * int32 outputs of `haplotypeLengths`/`nVariants` are one part, `seqs`.
 */
export function partsOf(mode: ModeSpec): ('seqs' | 'tracks')[] {
  if ((mode.call ?? 'get') !== 'get') return ['seqs'];
  const parts: ('seqs' | 'tracks')[] = [];
  if (mode.seqs !== null) parts.push('seqs');
  if (mode.tracks.length > 0) parts.push('tracks');
  return parts;
}

/**
 * Values per base of a one-hot mode's rows (its `tokenAlphabet`'s length), `null` for
 * other modes.
 */
export function oneHotWidth(mode: ModeSpec): number | null {
  const s = mode.settings;
  return s?.oneHot === true && s.tokenAlphabet !== undefined ? s.tokenAlphabet.length : null;
}

/** The variant fields a mode serializes after start, ilen and ALT (`ref`, INFO names). */
export function extraVarFields(mode: ModeSpec): string[] {
  return (mode.settings?.varFields ?? []).filter((f) => !['start', 'ilen', 'alt'].includes(f));
}
