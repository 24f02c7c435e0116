import { open as openFile, readdir, readFile, stat } from 'node:fs/promises';
import { endianness } from 'node:os';
import { join } from 'node:path';
import { type Table, tableFromIPC } from 'apache-arrow';
import { ContigNormalizer } from './contigs.js';
import { DatasetError } from './errors.js';
import { exists, interruptedOverwriteHint } from './files.js';
import { registerZstd } from './info.js';
import type { DatasetMetadata } from './metadata.js';

/** The variant table as flat columns (loaded whole, like the peer). */
export interface VariantTable {
  /** 0-based start (`POS - 1`), int32, one per variant. */
  start: Int32Array;
  /** `len(ALT) - len(REF)` (or the stored `ILEN`), int32. */
  ilen: Int32Array;
  /** ALT alleles, ASCII bytes back to back. */
  alt: Uint8Array;
  /** int64, length `n + 1`: ALT of variant `i` is `alt[altOffsets[i]..altOffsets[i+1]]`. */
  altOffsets: BigInt64Array;
}

/** One track's intervals (`intervals/<name>/`). */
export interface TrackIntervals {
  /** Absolute 0-based starts, int32. */
  starts: Int32Array;
  /** Absolute 0-based exclusive ends, int32. */
  ends: Int32Array;
  /** Values, float32. */
  values: Float32Array;
  /** int64, length `R·S + 1` (sample tracks) or `R + 1` (annotation tracks). */
  offsets: BigInt64Array;
  /** True for an annotation track (`annot_intervals/`): one group per region. */
  annotation: boolean;
}

/** Everything read from a dataset directory; big arrays live in `SharedArrayBuffer`s. */
export interface DatasetFiles {
  path: string;
  metadata: DatasetMetadata;
  /** Input BED as an Arrow table (user columns, `r_idx_map` dropped). */
  bed: Table;
  /** `r_idx_map[i]`: on-disk position of input region `i`. */
  rIdxMap: Int32Array;
  /**
   * Unpadded regions in on-disk order, int32 `(R, 4)`: contig index, start, end (0-based,
   * half-open), strand (+1/−1).
   */
  regions: Int32Array;
  /** Region names from the BED `name` column, input order, or `null`. */
  regionNames: string[] | null;
  /** Shortest unpadded region (bp): bounds fixed output lengths. */
  minRegionLength: number;
  /** Genotypes CSR: group `((r·S + s)·P + p)` spans `variantIdxs[offsets[g]..offsets[g+1]]`. */
  genotypes: { offsets: BigInt64Array; variantIdxs: Int32Array } | null;
  variants: VariantTable | null;
  /** Tracks by name: sample tracks sorted by name, then annotation tracks. */
  tracks: Map<string, TrackIntervals>;
}

function bad(path: string, message: string, cause?: unknown): DatasetError {
  return new DatasetError('GVL_BAD_DATASET', `${path}: ${message}`, { value: path, cause });
}

type Ctor<T> = {
  new (buffer: ArrayBufferLike, byteOffset?: number, length?: number): T;
  BYTES_PER_ELEMENT: number;
};

/**
 * Reads a headerless little-endian array file into a typed array backed by a
 * `SharedArrayBuffer` (so loader worker threads can share it without a copy).
 */
async function readRaw<T>(file: string, ctor: Ctor<T>, optional = false): Promise<T | null> {
  if (!(await exists(file))) {
    if (optional) return null;
    throw bad(file, 'file is missing');
  }
  const { size } = await stat(file);
  if (size % ctor.BYTES_PER_ELEMENT !== 0) {
    throw bad(file, `size ${size} is not a multiple of ${ctor.BYTES_PER_ELEMENT} bytes`);
  }
  const sab = new SharedArrayBuffer(size);
  const bytes = new Uint8Array(sab);
  const fh = await openFile(file, 'r');
  try {
    let off = 0;
    while (off < size) {
      const { bytesRead } = await fh.read(bytes, off, size - off, off);
      if (bytesRead === 0) throw bad(file, `short read at byte ${off} of ${size}`);
      off += bytesRead;
    }
  } finally {
    await fh.close();
  }
  return new ctor(sab, 0, size / ctor.BYTES_PER_ELEMENT);
}

async function readArrow(file: string): Promise<Table> {
  registerZstd();
  let buf: Buffer;
  try {
    buf = await readFile(file);
  } catch (cause) {
    throw bad(file, 'cannot read Arrow IPC file', cause);
  }
  try {
    return tableFromIPC(buf);
  } catch (cause) {
    throw bad(file, `not a readable Arrow IPC file (${(cause as Error).message})`, cause);
  }
}

function shared<T extends Int32Array | BigInt64Array | Uint8Array>(
  ctor: { new (b: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number },
  n: number,
): T {
  return new ctor(new SharedArrayBuffer(n * ctor.BYTES_PER_ELEMENT));
}

function readVariants(table: Table, file: string): VariantTable {
  const pos = table.getChild('POS');
  const alt = table.getChild('ALT');
  const ref = table.getChild('REF');
  const ilenCol = table.getChild('ILEN');
  if (!pos || !alt) throw bad(file, 'variants table lacks a POS or ALT column');
  const n = table.numRows;
  const start = shared(Int32Array, n);
  const ilen = shared(Int32Array, n);
  const altOffsets = shared(BigInt64Array, n + 1);
  const alts: Uint8Array[] = new Array(n);
  const enc = new TextEncoder();
  let total = 0;
  for (let i = 0; i < n; i++) {
    start[i] = Number(pos.get(i)) - 1;
    let a = alt.get(i) as unknown;
    if (a !== null && typeof a === 'object' && 'get' in (a as object))
      a = (a as { get(i: number): unknown }).get(0);
    if (typeof a !== 'string') throw bad(file, `variant ${i} has no ALT allele`);
    const bytes = enc.encode(a);
    alts[i] = bytes;
    total += bytes.length;
    altOffsets[i + 1] = BigInt(total);
    let il: unknown = ilenCol?.get(i);
    if (il !== null && typeof il === 'object' && 'get' in (il as object))
      il = (il as { get(i: number): unknown }).get(0);
    if (il === undefined || il === null) {
      const r = ref?.get(i);
      if (typeof r !== 'string') throw bad(file, `variant ${i} has neither ILEN nor REF`);
      il = bytes.length - r.length;
    }
    ilen[i] = Number(il);
  }
  const altBytes = shared(Uint8Array, total);
  let o = 0;
  for (const b of alts) {
    altBytes.set(b, o);
    o += b.length;
  }
  return { start, ilen, alt: altBytes, altOffsets };
}

async function readTracks(
  dir: string,
  annotation: boolean,
  into: Map<string, TrackIntervals>,
): Promise<void> {
  if (!(await exists(dir))) return;
  const names = (await readdir(dir, { withFileTypes: true }))
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  for (const name of names) {
    const t = join(dir, name);
    const [starts, ends, values, offsets] = await Promise.all([
      readRaw(join(t, 'starts.npy'), Int32Array),
      readRaw(join(t, 'ends.npy'), Int32Array),
      readRaw(join(t, 'values.npy'), Float32Array),
      readRaw(join(t, 'offsets.npy'), BigInt64Array),
    ]);
    into.set(name, {
      starts: starts as Int32Array,
      ends: ends as Int32Array,
      values: values as Float32Array,
      offsets: offsets as BigInt64Array,
      annotation,
    });
  }
}

/**
 * Reads every file of a genvarloader dataset (format 2.x): `metadata.json`,
 * `input_regions.arrow` (Arrow IPC, zstd allowed), `genotypes/{variants.arrow,
 * offsets.npy, variant_idxs.npy}` (the `.npy` files here are raw little-endian arrays
 * without an npy header) and `intervals/<track>/` / `annot_intervals/<name>/`.
 *
 * Regions for reading are the unpadded BED regions of `input_regions.arrow`, placed at
 * their on-disk positions `r_idx_map` (never `regions.npy`, which holds the padded and
 * extended write windows).
 *
 * @throws {@link DatasetError} `GVL_BAD_DATASET` naming the file and what is wrong.
 * @see genvarloader `Dataset.open`.
 */
export async function readDatasetFiles(path: string): Promise<DatasetFiles> {
  if (endianness() !== 'LE') throw bad(path, 'reading datasets needs a little-endian machine');
  const metaFile = join(path, 'metadata.json');
  let metadata: DatasetMetadata;
  try {
    metadata = JSON.parse(await readFile(metaFile, 'utf8')) as DatasetMetadata;
  } catch (cause) {
    throw bad(
      path,
      `no readable metadata.json (${(cause as Error).message}): not a genvarloader dataset${await interruptedOverwriteHint(path)}`,
      cause,
    );
  }
  const fv = metadata.format_version;
  if (typeof fv !== 'string' || fv.split('.')[0] !== '2') {
    throw bad(
      path,
      `format_version ${JSON.stringify(fv ?? null)} is not supported: expected 2.x.x`,
    );
  }
  if (!Array.isArray(metadata.samples) || !Array.isArray(metadata.contigs)) {
    throw bad(path, 'metadata.json lacks samples or contigs');
  }
  const bed = await readArrow(join(path, 'input_regions.arrow'));
  const R = bed.numRows;
  if (metadata.n_regions !== undefined && metadata.n_regions !== R) {
    throw bad(
      path,
      `metadata.json says ${metadata.n_regions} regions but input_regions.arrow has ${R}`,
    );
  }
  const col = (name: string) => bed.getChild(name);
  const chrom = col('chrom');
  const chromStart = col('chromStart');
  const chromEnd = col('chromEnd');
  const rIdxCol = col('r_idx_map');
  if (!chrom || !chromStart || !chromEnd || !rIdxCol) {
    throw bad(path, 'input_regions.arrow lacks chrom, chromStart, chromEnd or r_idx_map');
  }
  const strand = col('strand');
  const nameCol = col('name');
  const norm = new ContigNormalizer(metadata.contigs);
  const contigIndex = new Map(metadata.contigs.map((c, i) => [c, i]));
  const rIdxMap = shared(Int32Array, R);
  const regions = shared(Int32Array, R * 4);
  const seen = new Uint8Array(R);
  const regionNames: string[] | null = nameCol ? [] : null;
  for (let i = 0; i < R; i++) {
    const d = Number(rIdxCol.get(i));
    if (!Number.isInteger(d) || d < 0 || d >= R || seen[d]) {
      throw bad(path, `r_idx_map[${i}] = ${d} is not a permutation of 0..${R - 1}`);
    }
    seen[d] = 1;
    rIdxMap[i] = d;
    const c = String(chrom.get(i));
    const ci = contigIndex.get(norm.normalize(c) ?? c);
    if (ci === undefined)
      throw bad(path, `region ${i} is on contig ${c}, absent from metadata.contigs`);
    const s = strand?.get(i);
    regions[d * 4] = ci;
    regions[d * 4 + 1] = Number(chromStart.get(i));
    regions[d * 4 + 2] = Number(chromEnd.get(i));
    regions[d * 4 + 3] = s === '-' || s === -1 ? -1 : 1;
    if (regionNames) regionNames.push(String(nameCol?.get(i) ?? ''));
  }
  let minRegionLength = Number.POSITIVE_INFINITY;
  for (let d = 0; d < R; d++) {
    minRegionLength = Math.min(
      minRegionLength,
      (regions[d * 4 + 2] as number) - (regions[d * 4 + 1] as number),
    );
  }
  const bedNoMap = bed.select(
    bed.schema.fields.map((f) => f.name).filter((n) => n !== 'r_idx_map'),
  );

  const genoDir = join(path, 'genotypes');
  let genotypes: DatasetFiles['genotypes'] = null;
  let variants: VariantTable | null = null;
  if (await exists(genoDir)) {
    if (!metadata.ploidy) throw bad(path, 'genotypes/ exists but metadata.json has no ploidy');
    const offsets = (await readRaw(join(genoDir, 'offsets.npy'), BigInt64Array)) as BigInt64Array;
    const expected = R * metadata.samples.length * metadata.ploidy + 1;
    if (offsets.length !== expected) {
      throw bad(
        path,
        `genotypes/offsets.npy has ${offsets.length} entries: expected R·S·P + 1 = ${expected}`,
      );
    }
    // With zero variants the peer may not write variant_idxs.npy: treat it as empty.
    const variantIdxs =
      (await readRaw(join(genoDir, 'variant_idxs.npy'), Int32Array, true)) ?? shared(Int32Array, 0);
    const last = Number(offsets[offsets.length - 1]);
    if (last !== variantIdxs.length) {
      throw bad(
        path,
        `genotypes/offsets.npy ends at ${last} but variant_idxs.npy has ${variantIdxs.length} entries`,
      );
    }
    genotypes = { offsets, variantIdxs };
    const vfile = join(genoDir, 'variants.arrow');
    variants = readVariants(await readArrow(vfile), vfile);
  }
  const tracks = new Map<string, TrackIntervals>();
  await readTracks(join(path, 'intervals'), false, tracks);
  await readTracks(join(path, 'annot_intervals'), true, tracks);
  return {
    path,
    metadata,
    bed: bedNoMap,
    rIdxMap,
    regions,
    regionNames,
    minRegionLength,
    genotypes,
    variants,
    tracks,
  };
}
