/**
 * `datasetInfo()`: a summary of a dataset on disk (ours or the Python peer's).
 *
 * @module
 */
import { open, readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { AsyncRecordBatchFileReader } from 'apache-arrow';
import { BadDatasetError, DatasetError, describeError } from './errors.js';
import { directorySize, exists, findStaleSiblings, interruptedOverwriteHint } from './files.js';
import {
  ANNOTATION_TRACKS_DIR,
  METADATA_FILE,
  SAMPLE_TRACKS_DIR,
  VARIANT_IDXS_FILE,
  VARIANTS_FILE,
} from './format/layout.js';
import { checkMetadata } from './format/metadata.js';
import { registerZstd } from './format/zstd.js';

/** A summary of a dataset on disk, as `gvl info` prints it. */
export interface DatasetInfo {
  /** Absolute path. */
  readonly path: string;
  /** `metadata.format_version`, e.g. `"2.0.0"`. */
  readonly formatVersion: string;
  /** `metadata.version`: the genvarloader version the dataset claims. */
  readonly writerVersion: string | null;
  /** Number of regions (`metadata.n_regions`: rows of the BED it was written from). */
  readonly nRegions: number;
  /** Sample names (sorted). */
  readonly samples: readonly string[];
  /** Alleles per sample, `null` without genotypes. */
  readonly ploidy: number | null;
  /** Natsorted contigs. */
  readonly contigs: readonly string[];
  /** Padding of the stored regions, in bp. */
  readonly maxJitter: number;
  /** Rows of `genotypes/variants.arrow`, `null` without genotypes. */
  readonly nVariants: number | null;
  /** Entries of `genotypes/variant_idxs.npy` (ALT calls over all haplotypes), `null` without genotypes. */
  readonly nVariantCalls: number | null;
  /** Per-sample track names (`intervals/`), sorted. */
  readonly tracks: readonly string[];
  /** Annotation track names (`annot_intervals/`), sorted. */
  readonly annotationTracks: readonly string[];
  /** Total size of the files, in bytes. */
  readonly bytes: number;
  /**
   * Hidden siblings `.<name>.tmp-<pid>-<hex>` / `.<name>.old-<pid>-<hex>` left beside the
   * dataset by killed writes (their process is dead), absolute paths; the next write to
   * this path removes them. Empty normally.
   */
  readonly staleSiblings: readonly string[];
}

async function countArrowRows(path: string): Promise<number> {
  registerZstd();
  const fh = await open(path, 'r');
  try {
    const reader = await AsyncRecordBatchFileReader.from(fh);
    let n = 0;
    for await (const batch of reader) n += batch.numRows;
    await reader.cancel();
    return n;
  } finally {
    await fh.close();
  }
}

async function listDirs(path: string): Promise<string[]> {
  if (!(await exists(path))) return [];
  const entries = await readdir(path, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

/**
 * Reads the summary of a dataset directory.
 *
 * @param path - a dataset written by {@link write} or by genvarloader (format 2.x).
 * Reads `metadata.json` (checked with the same schema as `Dataset.open`) and counts rows;
 * it does not check the other files — `verifyDataset` does.
 *
 * @throws {@link BadDatasetError} `GVL_BAD_DATASET` when `metadata.json` is missing, not
 *   JSON, or breaks the schema (e.g. `format_version` major not 2, `n_regions` missing).
 *   (When `path` is missing because an overwrite was killed mid-commit, the message
 *   names where the previous dataset is.)
 * @see genvarloader `Dataset.open` (which applies the same version check)
 * @example
 * ```ts
 * const info = await datasetInfo('chr20.gvl');
 * info.nRegions; // 488
 * info.samples.length; // 300
 * info.bytes; // 4156935 (size on disk)
 * ```
 */
export async function datasetInfo(path: string): Promise<DatasetInfo> {
  const dir = resolve(path);
  const metaPath = join(dir, METADATA_FILE);
  let raw: unknown;
  const stale = await findStaleSiblings(dir);
  try {
    raw = JSON.parse(await readFile(metaPath, 'utf8'));
  } catch (cause) {
    throw new BadDatasetError(
      `${dir} is not a genvarloader dataset: cannot read ${metaPath} (${describeError(cause)})${await interruptedOverwriteHint(dir)}`,
      { file: METADATA_FILE },
      { value: dir, cause },
    );
  }
  const meta = checkMetadata(dir, raw);
  const fv = meta.format_version as string;
  let nVariants: number | null = null;
  let nVariantCalls: number | null = null;
  if (await exists(join(dir, VARIANTS_FILE))) {
    try {
      nVariants = await countArrowRows(join(dir, VARIANTS_FILE));
    } catch (cause) {
      throw new DatasetError(
        'GVL_BAD_DATASET',
        `cannot read ${join(dir, VARIANTS_FILE)}: ${describeError(cause)}`,
        {
          value: dir,
          cause,
        },
      );
    }
    const vi = join(dir, VARIANT_IDXS_FILE);
    nVariantCalls = (await exists(vi)) ? (await stat(vi)).size / 4 : 0;
  }
  return {
    path: dir,
    formatVersion: fv,
    writerVersion: meta.version,
    nRegions: meta.n_regions,
    samples: meta.samples,
    ploidy: meta.ploidy,
    contigs: meta.contigs,
    maxJitter: meta.max_jitter,
    nVariants,
    nVariantCalls,
    tracks: await listDirs(join(dir, SAMPLE_TRACKS_DIR)),
    annotationTracks: await listDirs(join(dir, ANNOTATION_TRACKS_DIR)),
    bytes: await directorySize(dir),
    staleSiblings: stale.map((s) => s.path),
  };
}
