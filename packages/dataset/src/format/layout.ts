/**
 * The layout of a genvarloader dataset directory (format 2.0.0): every file and folder
 * name, with the dtype and shape of what it holds. Paths are relative to the dataset
 * directory and `/`-separated (give them to `path.join`). Symbols: `R` stored regions,
 * `S` samples, `P` ploidy. Coordinates are 0-based half-open except `POS` in
 * {@link VARIANTS_FILE}. "raw" means little-endian values with no NumPy header, as the
 * peer writes them; "npy" means a NumPy 1.0 file with its header.
 *
 * The readers and writers of each file live beside this module: `npy.ts` (`.npy`),
 * `arrow-tables.ts` (`.arrow`), `metadata.ts` (`metadata.json`), `checksums.ts`
 * (`checksums.json`), `zstd.ts` (the Arrow codec).
 *
 * @see genvarloader `_dataset._write` (the peer's writer of the same layout).
 * @module
 */

/**
 * `metadata.json`: one compact JSON object (the peer's pydantic `Metadata`): `samples`,
 * `contigs`, `n_regions`, `ploidy`, `max_jitter`, `version`, `format_version`,
 * `svar_link`, `svar2_link`, `variants_fingerprint`. Schema: `parseMetadata` in
 * `metadata.ts`.
 */
export const METADATA_FILE = 'metadata.json';

/**
 * `checksums.json`: `{"algorithm": "sha256", "files": {<relative path>: <hex digest>}}`
 * over every other regular file of the dataset. Written by this package only; the peer
 * ignores it.
 */
export const CHECKSUMS_FILE = 'checksums.json';

/**
 * `input_regions.arrow`: an Arrow IPC file, one row per BED row in the caller's order:
 * `chrom` Utf8, `chromStart` Int64, `chromEnd` Int64, optional `name`, `score`,
 * `strand`, then `r_idx_map` Int64 (the stored row of each input row, in `[0, R)`).
 */
export const INPUT_REGIONS_FILE = 'input_regions.arrow';

/**
 * `regions.npy`: npy, int32, shape `(R, 4)`, row-major; columns contig index (into
 * `metadata.contigs`), start, end (0-based half-open, padded by `max_jitter`, so a start
 * may be negative), strand (`1` / `-1`). Rows sorted by contig, start, end.
 */
export const REGIONS_FILE = 'regions.npy';

/** `genotypes/`: the sparse genotypes; absent when `metadata.ploidy` is `null`. */
export const GENOTYPES_DIR = 'genotypes';

/**
 * `genotypes/variants.arrow`: an Arrow IPC file, one row per VCF record in file order:
 * `CHROM` Utf8, `POS` Int32 (**1-based**), `REF` Utf8, `ALT` Utf8, `ILEN` Int32
 * (`len(ALT) - len(REF)`), then one column per stored INFO field, named by its ID, of
 * dtype Float32, Int32 or Uint8 (`variantsSchema` in `arrow-tables.ts`). The peer
 * compresses it with zstd.
 */
export const VARIANTS_FILE = `${GENOTYPES_DIR}/variants.arrow`;

/**
 * `genotypes/offsets.npy`: raw int64, length `R·S·P + 1`, non-decreasing; group
 * `i = (r·S + s)·P + p` is `variant_idxs[offsets[i] .. offsets[i + 1]]`.
 */
export const GENOTYPE_OFFSETS_FILE = `${GENOTYPES_DIR}/offsets.npy`;

/**
 * `genotypes/variant_idxs.npy`: raw int32, rows of {@link VARIANTS_FILE} in `[0, n_variants)`,
 * ascending within each group of {@link GENOTYPE_OFFSETS_FILE}.
 */
export const VARIANT_IDXS_FILE = `${GENOTYPES_DIR}/variant_idxs.npy`;

/**
 * `genotypes/dosages.npy` (optional): raw float32, one value per entry of
 * {@link VARIANT_IDXS_FILE} (same length, same order): the allele dosage of that stored
 * call's sample in that record (a per-sample FORMAT field such as `DS`; NaN when
 * missing). Written with `write({ dosageField })`; the peer keeps the same array beside
 * its SVAR genotypes.
 */
export const DOSAGES_FILE = `${GENOTYPES_DIR}/dosages.npy`;

/** `intervals/<track>/`: per-sample tracks, one group per (region, sample): `R·S` groups. */
export const SAMPLE_TRACKS_DIR = 'intervals';

/** `annot_intervals/<track>/`: sample-independent annotation tracks, one group per region: `R` groups. */
export const ANNOTATION_TRACKS_DIR = 'annot_intervals';

/** The two folders of tracks: {@link SAMPLE_TRACKS_DIR} or {@link ANNOTATION_TRACKS_DIR}. */
export type TrackFolder = typeof SAMPLE_TRACKS_DIR | typeof ANNOTATION_TRACKS_DIR;

/**
 * The four arrays of a track folder, in their on-disk order, each `<array>.npy`:
 * `starts` raw int32, `ends` raw int32 (`end > start`), `values` raw float32 (one value
 * per interval), `offsets` raw int64 of length `groups + 1`. Intervals are 0-based
 * half-open, sorted by start within a group.
 */
export const TRACK_ARRAYS = ['starts', 'ends', 'values', 'offsets'] as const;

/** One of {@link TRACK_ARRAYS}. */
export type TrackArray = (typeof TRACK_ARRAYS)[number];

/** The file name of a raw or npy array stored under the name `stem`: `<stem>.npy`. */
export function npyFileName(stem: string): string {
  return `${stem}.npy`;
}

/** `intervals/<name>` or `annot_intervals/<name>`: the folder of one track. */
export function trackDir(folder: TrackFolder, name: string): string {
  return `${folder}/${name}`;
}

/** `intervals/<name>`: the folder of the per-sample track `name`. */
export function trackIntervalsDir(name: string): string {
  return trackDir(SAMPLE_TRACKS_DIR, name);
}

/** `annot_intervals/<name>`: the folder of the annotation track `name`. */
export function annotIntervalsDir(name: string): string {
  return trackDir(ANNOTATION_TRACKS_DIR, name);
}

/** `<folder>/<name>/<array>.npy`: one array file of a track. */
export function trackFile(folder: TrackFolder, name: string, array: TrackArray): string {
  return `${trackDir(folder, name)}/${npyFileName(array)}`;
}

/**
 * The top-level entries a dataset may hold, as both writers produce them (the peer's
 * `write()` and this package's); `overwrite` replaces only a directory holding nothing
 * else.
 */
export const DATASET_ENTRIES: ReadonlySet<string> = new Set([
  METADATA_FILE,
  INPUT_REGIONS_FILE,
  REGIONS_FILE,
  GENOTYPES_DIR,
  SAMPLE_TRACKS_DIR,
  ANNOTATION_TRACKS_DIR,
  CHECKSUMS_FILE,
]);
