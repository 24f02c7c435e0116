/**
 * `metadata.json` of a genvarloader dataset (format 2.0.0).
 *
 * @module
 */

/** The on-disk format version written by {@link write}. */
export const FORMAT_VERSION = '2.0.0';

/**
 * The genvarloader release whose writer this package mirrors, written as
 * `metadata.version`. The peer reads `POS` in `variants.arrow` as 1-based only when this
 * is at least `0.18.0`, so it must name a peer version, not this package's.
 */
export const PEER_VERSION = '0.43.1';

/**
 * The content of `metadata.json`, field names as on disk.
 *
 * @see genvarloader `_dataset._write.Metadata`
 */
export interface DatasetMetadata {
  /** Sample names, sorted (plain string order). */
  samples: string[];
  /** Contigs of the BED, natsorted; `regions.npy` column 0 indexes this list. */
  contigs: string[];
  /** Number of regions (BED rows). */
  n_regions: number;
  /** Alleles per sample, `null` without genotypes. */
  ploidy: number | null;
  /** Padding applied to every region at write time, in bp. */
  max_jitter: number;
  /** genvarloader version the format mirrors ({@link PEER_VERSION}). */
  version: string | null;
  /** On-disk format version, `"2.0.0"`. */
  format_version: string | null;
  /** Always `null` here (datasets linked to a `.svar` are not written by this package). */
  svar_link: unknown;
  /** Always `null` here. */
  svar2_link: unknown;
  /** Always `null` here. */
  variants_fingerprint: unknown;
}

/** Serializes metadata in the peer's field order, compact like pydantic's `model_dump_json`. */
export function encodeMetadata(m: DatasetMetadata): string {
  const ordered: DatasetMetadata = {
    samples: m.samples,
    contigs: m.contigs,
    n_regions: m.n_regions,
    ploidy: m.ploidy,
    max_jitter: m.max_jitter,
    version: m.version,
    format_version: m.format_version,
    svar_link: m.svar_link ?? null,
    svar2_link: m.svar2_link ?? null,
    variants_fingerprint: m.variants_fingerprint ?? null,
  };
  return JSON.stringify(ordered);
}
