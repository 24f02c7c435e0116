import { open as openFile, readdir, stat } from 'node:fs/promises';
import { endianness } from 'node:os';
import { join } from 'node:path';
import { DataType, type Field, type Table, tableFromIPC, type Vector } from 'apache-arrow';
import { ContigNormalizer } from './contigs.js';
import { BadDatasetError, describeError } from './errors.js';
import { interruptedOverwriteHint } from './files.js';
import { ChecksumLedger, readChecksums } from './format/checksums.js';
import {
  ANNOTATION_TRACKS_DIR,
  DOSAGES_FILE,
  GENOTYPE_OFFSETS_FILE,
  GENOTYPES_DIR,
  INPUT_REGIONS_FILE,
  METADATA_FILE,
  REGIONS_FILE,
  SAMPLE_TRACKS_DIR,
  type TrackFolder,
  trackDir,
  trackFile,
  VARIANT_IDXS_FILE,
  VARIANTS_FILE,
} from './format/layout.js';
import { checkMetadata, type DatasetMetadata } from './format/metadata.js';
import { parseNpyHeader } from './format/npy.js';
import { registerZstd } from './format/zstd.js';
import { mapArrayFile } from './mapped-arrays.js';
import type { Reference } from './reference.js';
import { readInfoColumns, type VariantFieldArray } from './var-fields.js';

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
  /** REF alleles, ASCII bytes back to back, or null when the table has no `REF` column. */
  ref: Uint8Array | null;
  /** int64, length `n + 1`: REF of variant `i` is `ref[refOffsets[i]..refOffsets[i+1]]`; null with `ref`. */
  refOffsets: BigInt64Array | null;
  /** The INFO columns (every numeric column but `POS`/`ILEN`), in file order, one value per variant. */
  info: ReadonlyMap<string, VariantFieldArray>;
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

/**
 * Everything read from a dataset directory. The raw arrays of `genotypes/` and the track
 * folders are memory-mapped (read-only files, private mappings: OS page cache, no JS heap)
 * when the platform allows, else read into `SharedArrayBuffer`s; the other arrays live in
 * `SharedArrayBuffer`s (so that worker threads of the caller's can share them without a copy).
 */
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
  /**
   * Genotypes CSR: group `((r·S + s)·P + p)` spans `variantIdxs[offsets[g]..offsets[g+1]]`;
   * `dosages` (float32, parallel to `variantIdxs`) when `genotypes/dosages.npy` exists.
   */
  genotypes: { offsets: BigInt64Array; variantIdxs: Int32Array; dosages?: Float32Array } | null;
  variants: VariantTable | null;
  /** Tracks by name: sample tracks sorted by name, then annotation tracks. */
  tracks: Map<string, TrackIntervals>;
}

type Ctor<T> = {
  new (buffer: ArrayBufferLike, byteOffset?: number, length?: number): T;
  BYTES_PER_ELEMENT: number;
};

const INT32_MAX = 2 ** 31 - 1;

/**
 * One open of one dataset: the directory, the checksum ledger and the error factory.
 * Every check throws a {@link BadDatasetError} naming the file (relative to the dataset),
 * the element at fault and the value found.
 */
class Reader {
  constructor(
    readonly dir: string,
    readonly ledger: ChecksumLedger,
    readonly map: boolean,
  ) {}

  /** `GVL_BAD_DATASET` about `file` (relative), element `index`, value `value`. */
  bad(file: string, message: string, value: unknown, index: number | null = null, cause?: unknown) {
    return new BadDatasetError(
      `${this.dir}: ${file}: ${message}`,
      { file, index },
      cause === undefined ? { value } : { value, cause },
    );
  }

  /** Kind of `rel`: `'file'`, `'dir'`, `'other'` or `null` when absent. */
  async kind(rel: string): Promise<'file' | 'dir' | 'other' | null> {
    try {
      const st = await stat(join(this.dir, rel));
      return st.isFile() ? 'file' : st.isDirectory() ? 'dir' : 'other';
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw this.bad(rel, `cannot be inspected (${describeError(cause)})`, rel, null, cause);
    }
  }

  /** Requires `rel` to be a directory; `false` when absent and `optional`. */
  async dirExists(rel: string, optional: boolean): Promise<boolean> {
    const k = await this.kind(rel);
    if (k === 'dir') return true;
    if (k === null && optional) return false;
    throw this.bad(
      rel,
      k === null ? 'is missing: expected a directory' : `is a ${k}: expected a directory`,
      rel,
    );
  }

  /**
   * Reads a whole regular file (into a `SharedArrayBuffer` when `shared`, so worker
   * threads can use it without a copy) and checks it against `checksums.json`.
   */
  async bytes(rel: string, shared: boolean, optional = false): Promise<Uint8Array | null> {
    const file = join(this.dir, rel);
    if (!(await this.regularFile(rel, optional))) return null;
    let fh: Awaited<ReturnType<typeof openFile>>;
    try {
      fh = await openFile(file, 'r');
    } catch (cause) {
      throw this.bad(rel, `cannot be read (${describeError(cause)})`, rel, null, cause);
    }
    try {
      const { size } = await fh.stat();
      const bytes = new Uint8Array(shared ? new SharedArrayBuffer(size) : new ArrayBuffer(size));
      let off = 0;
      while (off < size) {
        const { bytesRead } = await fh.read(bytes, off, size - off, off);
        if (bytesRead === 0) throw this.bad(rel, `short read at byte ${off} of ${size}`, off, off);
        off += bytesRead;
      }
      this.ledger.check(rel, bytes);
      return bytes;
    } catch (cause) {
      if (cause instanceof BadDatasetError) throw cause;
      throw this.bad(rel, `cannot be read (${describeError(cause)})`, rel, null, cause);
    } finally {
      await fh.close();
    }
  }

  /** `true` when `rel` is a regular file; `false` when absent and `optional`. */
  async regularFile(rel: string, optional: boolean): Promise<boolean> {
    const k = await this.kind(rel);
    if (k === null) {
      if (this.ledger.lists(rel))
        throw this.bad(rel, 'is missing but listed in checksums.json', rel);
      if (optional) return false;
      throw this.bad(rel, 'is missing', rel);
    }
    if (k !== 'file')
      throw this.bad(rel, `is a ${k === 'dir' ? 'directory' : k}: expected a file`, rel);
    return true;
  }

  /**
   * A whole regular file, memory-mapped when this reader maps and the platform can (see
   * {@link mapArrayFile}), else read into a `SharedArrayBuffer`; checked against
   * `checksums.json` either way (hashing the mapping reads the page cache, not the heap).
   */
  async mappedBytes(rel: string, optional: boolean): Promise<Uint8Array | null> {
    if (this.map) {
      if (!(await this.regularFile(rel, optional))) return null;
      const bytes = mapArrayFile(join(this.dir, rel), rel);
      if (bytes !== null) {
        this.ledger.check(rel, bytes);
        return bytes;
      }
    }
    return this.bytes(rel, true, optional);
  }

  /**
   * A headerless little-endian array file as a typed array: a view of the file's mapping
   * (no copy) or of a `SharedArrayBuffer` holding its bytes.
   */
  async raw<T>(rel: string, ctor: Ctor<T>, optional = false): Promise<T | null> {
    let bytes = await this.mappedBytes(rel, optional);
    if (bytes === null) return null;
    // A mapping starts on a page boundary and the arrays have no header, so every view is
    // aligned; should that ever fail, copy rather than make a misaligned view.
    if (bytes.byteOffset % ctor.BYTES_PER_ELEMENT !== 0) {
      const copy = new Uint8Array(new SharedArrayBuffer(bytes.length));
      copy.set(bytes);
      bytes = copy;
    }
    if (bytes.length % ctor.BYTES_PER_ELEMENT !== 0) {
      throw this.bad(
        rel,
        `size ${bytes.length} bytes is not a multiple of ${ctor.BYTES_PER_ELEMENT} (a raw little-endian array of ${ctor.BYTES_PER_ELEMENT}-byte elements, no header)`,
        bytes.length,
      );
    }
    return new ctor(bytes.buffer, bytes.byteOffset, bytes.length / ctor.BYTES_PER_ELEMENT);
  }

  async arrow(rel: string): Promise<Table> {
    registerZstd();
    const bytes = (await this.bytes(rel, false)) as Uint8Array;
    try {
      return tableFromIPC(bytes);
    } catch (cause) {
      throw this.bad(
        rel,
        `is not a readable Arrow IPC file (${describeError(cause)})`,
        rel,
        null,
        cause,
      );
    }
  }

  /**
   * CSR offsets: `offsets[0] == 0`, non-decreasing, last == `total`, length `groups + 1`.
   * `what` names the groups for the message (e.g. `'R·S·P + 1 = 1201'`).
   */
  csr(
    rel: string,
    offsets: BigInt64Array,
    expectedLength: number,
    what: string,
    total: number,
    totalWhat: string,
  ): void {
    if (offsets.length !== expectedLength)
      throw this.bad(
        rel,
        `has ${offsets.length} entries: expected ${what} = ${expectedLength}`,
        offsets.length,
      );
    if (offsets[0] !== 0n)
      throw this.bad(rel, `offsets[0] = ${offsets[0]}: expected 0`, offsets[0], 0);
    const w = words(offsets);
    let prev = 0;
    for (let i = 1; i < offsets.length; i++) {
      const x = int64At(w, i);
      const ok = x >= prev;
      prev = x;
      if (!ok)
        throw this.bad(
          rel,
          `offsets[${i}] = ${offsets[i]} is less than offsets[${i - 1}] = ${offsets[i - 1]}: expected non-decreasing offsets`,
          offsets[i],
          i,
        );
    }
    const last = offsets[offsets.length - 1] as bigint;
    if (last !== BigInt(total))
      throw this.bad(
        rel,
        `last offset offsets[${offsets.length - 1}] = ${last}: expected ${total} (${totalWhat})`,
        last,
        offsets.length - 1,
      );
  }
}

/**
 * Element `i` of an int64 array as a number, read through its 32-bit words (exact up to
 * 2^53; far cheaper than `Number(bigint)` in the per-group loops below).
 */
function int64At(words: Int32Array, i: number): number {
  return (words[2 * i + 1] as number) * 4294967296 + ((words[2 * i] as number) >>> 0);
}

function words(a: BigInt64Array): Int32Array {
  return new Int32Array(a.buffer, a.byteOffset, a.length * 2);
}

function shared<T extends Int32Array | BigInt64Array | Uint8Array>(
  ctor: { new (b: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number },
  n: number,
): T {
  return new ctor(new SharedArrayBuffer(n * ctor.BYTES_PER_ELEMENT));
}

/** Arrow column `name` of `table`, required to satisfy `isType` and to have no nulls. */
function column(
  r: Reader,
  rel: string,
  table: Table,
  name: string,
  expected: string,
  isType: (t: DataType) => boolean,
  optional = false,
): Vector | null {
  const col = table.getChild(name);
  if (!col) {
    if (optional) return null;
    throw r.bad(rel, `lacks the column ${name} (${expected})`, name);
  }
  if (!isType(col.type))
    throw r.bad(rel, `column ${name} has type ${col.type}: expected ${expected}`, String(col.type));
  if (col.nullCount > 0) {
    let i = 0;
    while (i < col.length && col.isValid(i)) i++;
    throw r.bad(rel, `${name}[${i}] is null: expected ${expected}`, null, i);
  }
  return col;
}

const isInt = (t: DataType) => DataType.isInt(t);
const isText = (t: DataType): boolean =>
  DataType.isUtf8(t) ||
  DataType.isLargeUtf8(t) ||
  DataType.isUtf8View(t) ||
  (DataType.isDictionary(t) && isText(t.dictionary));
/** A list-like type (List, FixedSizeList, …) whose items satisfy `item`. */
const isListOf = (t: DataType, item: (t: DataType) => boolean) =>
  !DataType.isStruct(t) && t.children?.length === 1 && item((t.children[0] as Field).type);
const isTextOrList = (t: DataType) => isText(t) || isListOf(t, isText);
const isIntOrList = (t: DataType) => isInt(t) || isListOf(t, isInt);

/** First element of a list cell, or the cell itself. */
function first(v: unknown): unknown {
  if (v !== null && typeof v === 'object' && 'get' in (v as object)) {
    const l = v as { length: number; get(i: number): unknown };
    return l.length > 0 ? l.get(0) : undefined;
  }
  return v;
}

const VARIANTS = VARIANTS_FILE;

function readVariants(r: Reader, table: Table): VariantTable {
  // One pass over the variant rows checks and copies every column at once (POS, ALT, REF, ILEN), so the table is read once.
  const pos = column(r, VARIANTS, table, 'POS', 'integer 1-based positions', isInt) as Vector;
  const alt = column(
    r,
    VARIANTS,
    table,
    'ALT',
    'Utf8 (or a list of Utf8) ALT alleles',
    isTextOrList,
  ) as Vector;
  const ref = column(r, VARIANTS, table, 'REF', 'Utf8 REF alleles', isText, true);
  const ilenCol = column(
    r,
    VARIANTS,
    table,
    'ILEN',
    'integer ILEN = len(ALT) - len(REF)',
    isIntOrList,
    true,
  );
  if (!ref && !ilenCol) throw r.bad(VARIANTS, 'has neither an ILEN nor a REF column', null);
  const n = table.numRows;
  const start = shared(Int32Array, n);
  const ilen = shared(Int32Array, n);
  const altOffsets = shared(BigInt64Array, n + 1);
  const alts: Uint8Array[] = new Array(n);
  const refs: Uint8Array[] | null = ref ? new Array(n) : null;
  const enc = new TextEncoder();
  let total = 0;
  let refTotal = 0;
  for (let i = 0; i < n; i++) {
    const p = Number(pos.get(i));
    if (!Number.isSafeInteger(p) || p < 1 || p > INT32_MAX)
      throw r.bad(VARIANTS, `POS[${i}] = ${p}: expected a 1-based position in [1, 2^31 - 1]`, p, i);
    start[i] = p - 1;
    const a = first(alt.get(i));
    if (typeof a !== 'string' || a.length === 0)
      throw r.bad(
        VARIANTS,
        `ALT[${i}] is ${JSON.stringify(a ?? null)}: expected a non-empty allele`,
        a ?? null,
        i,
      );
    const bytes = enc.encode(a);
    alts[i] = bytes;
    total += bytes.length;
    altOffsets[i + 1] = BigInt(total);
    const rv = ref?.get(i);
    if (ref && (typeof rv !== 'string' || rv.length === 0))
      throw r.bad(
        VARIANTS,
        `REF[${i}] is ${JSON.stringify(rv ?? null)}: expected a non-empty allele`,
        rv ?? null,
        i,
      );
    if (refs && typeof rv === 'string') {
      const rb = enc.encode(rv);
      refs[i] = rb;
      refTotal += rb.length;
    }
    const derived = typeof rv === 'string' ? bytes.length - rv.length : undefined;
    let il: number;
    if (ilenCol) {
      const v = first(ilenCol.get(i));
      il = Number(v);
      if (v === undefined || v === null || !Number.isSafeInteger(il) || Math.abs(il) > INT32_MAX)
        throw r.bad(VARIANTS, `ILEN[${i}] = ${String(v)}: expected an int32`, v ?? null, i);
      if (derived !== undefined && il !== derived)
        throw r.bad(
          VARIANTS,
          `ILEN[${i}] = ${il} but len(ALT) - len(REF) = ${derived} (REF ${JSON.stringify(rv)}, ALT ${JSON.stringify(a)})`,
          il,
          i,
        );
    } else {
      il = derived as number;
    }
    ilen[i] = il;
  }
  const altBytes = shared(Uint8Array, total);
  let o = 0;
  for (const b of alts) {
    altBytes.set(b, o);
    o += b.length;
  }
  let refBytes: Uint8Array | null = null;
  let refOffsets: BigInt64Array | null = null;
  if (refs) {
    refBytes = shared(Uint8Array, refTotal);
    refOffsets = shared(BigInt64Array, n + 1);
    let at = 0;
    for (let i = 0; i < n; i++) {
      const b = refs[i] as Uint8Array;
      refBytes.set(b, at);
      at += b.length;
      refOffsets[i + 1] = BigInt(at);
    }
  }
  const info = readInfoColumns(table, (message, value, index) =>
    r.bad(VARIANTS, message, value, index),
  );
  return { start, ilen, alt: altBytes, altOffsets, ref: refBytes, refOffsets, info };
}

/**
 * Per-haplotype variant indices: each in `[0, nVariants)` and strictly ascending within
 * its haplotype (one pass over `variant_idxs`, the same pass as the range check).
 */
function checkVariantIdxs(
  r: Reader,
  offsets: BigInt64Array,
  idxs: Int32Array,
  nVariants: number,
): void {
  const rel = VARIANT_IDXS_FILE;
  const G = offsets.length - 1;
  const w = words(offsets);
  let b = 0;
  for (let g = 0; g < G; g++) {
    const a = b;
    b = int64At(w, g + 1);
    let prev = -1;
    for (let i = a; i < b; i++) {
      const v = idxs[i] as number;
      if (v < 0 || v >= nVariants)
        throw r.bad(
          rel,
          `variant_idxs[${i}] = ${v}: expected a row of genotypes/variants.arrow in [0, ${nVariants})`,
          v,
          i,
        );
      if (v <= prev)
        throw r.bad(
          rel,
          `variant_idxs[${i}] = ${v} follows ${prev} within haplotype group ${g}: expected strictly ascending indices per haplotype`,
          v,
          i,
        );
      prev = v;
    }
  }
}

async function readTracks(
  r: Reader,
  folder: TrackFolder,
  groups: number,
  groupsWhat: string,
  into: Map<string, TrackIntervals>,
): Promise<void> {
  if (!(await r.dirExists(folder, true))) return;
  const entries = await readdir(join(r.dir, folder), { withFileTypes: true });
  const names = entries.map((d) => d.name).sort();
  for (const name of names) {
    const t = trackDir(folder, name);
    await r.dirExists(t, false);
    if (into.has(name))
      throw r.bad(
        t,
        `track name ${JSON.stringify(name)} is also a sample track: expected unique track names`,
        name,
      );
    const [starts, ends, values, offsets] = (await Promise.all([
      r.raw(trackFile(folder, name, 'starts'), Int32Array),
      r.raw(trackFile(folder, name, 'ends'), Int32Array),
      r.raw(trackFile(folder, name, 'values'), Float32Array),
      r.raw(trackFile(folder, name, 'offsets'), BigInt64Array),
    ])) as [Int32Array, Int32Array, Float32Array, BigInt64Array];
    const N = starts.length;
    if (ends.length !== N)
      throw r.bad(
        trackFile(folder, name, 'ends'),
        `has ${ends.length} entries but starts.npy has ${N}: expected one end per interval`,
        ends.length,
      );
    if (values.length !== N)
      throw r.bad(
        trackFile(folder, name, 'values'),
        `has ${values.length} entries but starts.npy has ${N}: expected one value per interval`,
        values.length,
      );
    r.csr(
      trackFile(folder, name, 'offsets'),
      offsets,
      groups + 1,
      groupsWhat,
      N,
      `the number of intervals in starts.npy`,
    );
    // Intervals: start < end, sorted by start within each group (the track kernel stops
    // at the first interval past the window, so disorder would silently drop signal).
    const w = words(offsets);
    let b = 0;
    for (let g = 0; g < groups; g++) {
      const a = b;
      b = int64At(w, g + 1);
      for (let i = a; i < b; i++) {
        const s = starts[i] as number;
        const e = ends[i] as number;
        if (e <= s)
          throw r.bad(
            trackFile(folder, name, 'ends'),
            `interval ${i} is [${s}, ${e}): expected end > start`,
            e,
            i,
          );
        if (i > a && s < (starts[i - 1] as number))
          throw r.bad(
            trackFile(folder, name, 'starts'),
            `starts[${i}] = ${s} is before starts[${i - 1}] = ${starts[i - 1]} in group ${g}: expected intervals sorted by start`,
            s,
            i,
          );
      }
    }
    into.set(name, { starts, ends, values, offsets, annotation: folder === ANNOTATION_TRACKS_DIR });
  }
}

/** Reads and checks `regions.npy` (a real npy: int32 `(R, 4)`; values are not used to read). */
async function checkRegionsNpy(r: Reader, R: number): Promise<void> {
  const rel = REGIONS_FILE;
  const bytes = (await r.bytes(rel, false)) as Uint8Array;
  const h = parseNpyHeader(bytes);
  if (typeof h === 'string') throw r.bad(rel, h, null);
  if (h.descr !== '<i4') throw r.bad(rel, `has dtype ${h.descr}: expected <i4 (int32)`, h.descr);
  if (h.shape.length !== 2 || h.shape[0] !== R || h.shape[1] !== 4)
    throw r.bad(
      rel,
      `has shape (${h.shape.join(', ')}): expected (n_regions, 4) = (${R}, 4)`,
      h.shape,
    );
  const want = h.dataOffset + R * 16;
  if (bytes.length !== want)
    throw r.bad(
      rel,
      `is ${bytes.length} bytes: expected ${want} (header ${h.dataOffset} + ${R}·4 int32)`,
      bytes.length,
    );
}

/** Options of {@link readDatasetFiles}. */
export interface ReadDatasetOptions {
  /**
   * Memory-map the raw arrays of `genotypes/` and the track folders (default `true`);
   * `false` reads them into `SharedArrayBuffer`s.
   */
  map?: boolean;
}

/**
 * Reads every file of a genvarloader dataset (format 2.x) and checks every cheap
 * invariant once: `metadata.json` (one schema, {@link parseMetadata}), `input_regions.arrow`
 * (columns and types, no nulls, `r_idx_map` a permutation, regions with
 * `0 ≤ start < end < 2^31` on a contig of `metadata.contigs`, each contig one sorted block
 * in on-disk order), `regions.npy` (npy header, int32 `(R, 4)`, exact size),
 * `genotypes/` (present exactly when `ploidy` is set; `offsets.npy` of length `R·S·P + 1`
 * starting at 0, non-decreasing, ending at the length of `variant_idxs.npy`; every
 * variant index in `[0, n_variants)` and strictly ascending per haplotype;
 * `variants.arrow` with integer `POS ≥ 1`, non-empty `REF`/`ALT`, `ILEN = len(ALT) −
 * len(REF)`), and each track folder (a directory; `starts`/`ends`/`values` of equal
 * length; `offsets` of length `R·S + 1`, or `R + 1` for annotation tracks, CSR-consistent;
 * intervals non-empty and sorted by start per group). When the dataset has
 * `checksums.json`, every file read must match its SHA-256 and every listed file must
 * exist. The cost is linear in the size of the files.
 *
 * Memory: the raw arrays of `genotypes/` (`offsets.npy`, int64 `R·S·P + 1`;
 * `variant_idxs.npy`, int32) and of each track folder are memory-mapped (see `mapFile` of
 * `@gvl/native`: file opened read-only, private copy-on-write mapping), so opening costs
 * JS heap for the regions, samples, variant table and metadata only, not for the
 * `R·S`-sized arrays. The checks above (and the SHA-256 of `checksums.json`) read those
 * arrays once, through the page cache: file-backed pages the kernel can drop and shares
 * with every other process and thread mapping the same files. When a file cannot be
 * mapped (a file system without `mmap`, `ENOMEM`, …) it is read into a
 * `SharedArrayBuffer` instead, silently: the results are the same. A mapped file
 * truncated by another process while the dataset is open makes a later access raise
 * `SIGBUS` (as numpy's `memmap` in the peer); gvl-ts itself never rewrites a dataset in
 * place (an overwrite replaces the directory atomically, and open mappings keep the old
 * files alive).
 *
 * The `.npy` files under `genotypes/` and `intervals/` are raw little-endian arrays
 * without an npy header (only `regions.npy` is a real npy). Regions for reading are the
 * unpadded BED regions of `input_regions.arrow`, placed at their on-disk positions
 * `r_idx_map` (never `regions.npy`, which holds the padded and extended write windows).
 *
 * @throws {@link BadDatasetError} `GVL_BAD_DATASET` naming the file (relative to the
 *   dataset), the element at fault (`index`) and the value found (`value`).
 * @see genvarloader `Dataset.open`.
 */
export async function readDatasetFiles(
  path: string,
  options: ReadDatasetOptions = {},
): Promise<DatasetFiles> {
  const map = options.map ?? true;
  if (endianness() !== 'LE')
    throw new BadDatasetError(
      `${path}: reading datasets needs a little-endian machine`,
      { file: '.' },
      { value: path },
    );
  const r = new Reader(path, new ChecksumLedger(path, null), map);
  const top = await r.kind('.');
  if (top !== 'dir')
    throw new BadDatasetError(
      `${path} ${top === null ? 'does not exist' : 'is not a directory'}: expected a genvarloader dataset directory${top === null ? await interruptedOverwriteHint(path) : ''}`,
      { file: '.' },
      { value: path },
    );
  const manifest = await readChecksums(path);
  const reader = new Reader(path, new ChecksumLedger(path, manifest), map);
  return readChecked(reader);
}

async function readChecked(r: Reader): Promise<DatasetFiles> {
  // The dataset's invariants checked file by file in the order each depends on the last (metadata, regions, genotypes, tracks), all through one checksum ledger.
  const path = r.dir;
  const metaBytes = await r.bytes(METADATA_FILE, false, true);
  if (metaBytes === null)
    throw r.bad(
      METADATA_FILE,
      `is missing: not a genvarloader dataset${await interruptedOverwriteHint(path)}`,
      METADATA_FILE,
    );
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(metaBytes));
  } catch (cause) {
    throw r.bad(
      METADATA_FILE,
      `is not valid UTF-8 JSON (${describeError(cause)})`,
      null,
      null,
      cause,
    );
  }
  const metadata = checkMetadata(path, raw);
  const S = metadata.samples.length;

  const IR = INPUT_REGIONS_FILE;
  const bed = await r.arrow(IR);
  const R = bed.numRows;
  if (metadata.n_regions !== R)
    throw r.bad(IR, `has ${R} rows but metadata.json n_regions is ${metadata.n_regions}`, R);
  const chrom = column(r, IR, bed, 'chrom', 'Utf8 contig names', isText) as Vector;
  const chromStart = column(r, IR, bed, 'chromStart', 'integer 0-based starts', isInt) as Vector;
  const chromEnd = column(
    r,
    IR,
    bed,
    'chromEnd',
    'integer 0-based exclusive ends',
    isInt,
  ) as Vector;
  const rIdxCol = column(r, IR, bed, 'r_idx_map', 'integer on-disk positions', isInt) as Vector;
  const strand = bed.getChild('strand');
  const nameCol = bed.getChild('name');
  const norm = new ContigNormalizer(metadata.contigs);
  const contigIndex = new Map(metadata.contigs.map((c, i) => [c, i]));
  const rIdxMap = shared(Int32Array, R);
  const regions = shared(Int32Array, R * 4);
  const seen = new Uint8Array(R);
  const regionNames: string[] | null = nameCol ? [] : null;
  for (let i = 0; i < R; i++) {
    const d = Number(rIdxCol.get(i));
    if (!Number.isInteger(d) || d < 0 || d >= R || seen[d])
      throw r.bad(IR, `r_idx_map[${i}] = ${d}: expected a permutation of 0..${R - 1}`, d, i);
    seen[d] = 1;
    rIdxMap[i] = d;
    const c = String(chrom.get(i));
    const ci = contigIndex.get(norm.normalize(c) ?? c);
    if (ci === undefined)
      throw r.bad(IR, `chrom[${i}] = ${JSON.stringify(c)} is not in metadata.json contigs`, c, i);
    const s = Number(chromStart.get(i));
    const e = Number(chromEnd.get(i));
    if (!Number.isSafeInteger(s) || s < 0 || s > INT32_MAX)
      throw r.bad(IR, `chromStart[${i}] = ${s}: expected an integer in [0, 2^31 - 1]`, s, i);
    if (!Number.isSafeInteger(e) || e <= s || e > INT32_MAX)
      throw r.bad(
        IR,
        `chromEnd[${i}] = ${e}: expected an integer in (chromStart = ${s}, 2^31 - 1]`,
        e,
        i,
      );
    const st = strand?.get(i);
    regions[d * 4] = ci;
    regions[d * 4 + 1] = s;
    regions[d * 4 + 2] = e;
    regions[d * 4 + 3] = st === '-' || st === -1 ? -1 : 1;
    if (regionNames) regionNames.push(String(nameCol?.get(i) ?? ''));
  }
  // On-disk order: each contig one block, starts non-decreasing within it (the peer's
  // sorted regions). A permuted r_idx_map would otherwise pair regions with the wrong data.
  const doneContigs = new Set<number>();
  let minRegionLength = Number.POSITIVE_INFINITY;
  for (let d = 0; d < R; d++) {
    const c = regions[d * 4] as number;
    const s = regions[d * 4 + 1] as number;
    minRegionLength = Math.min(minRegionLength, (regions[d * 4 + 2] as number) - s);
    if (d === 0 || c !== regions[(d - 1) * 4]) {
      if (doneContigs.has(c)) {
        const i = rIdxMap.indexOf(d);
        throw r.bad(
          IR,
          `r_idx_map[${i}] = ${d} puts contig ${metadata.contigs[c]} in two separate blocks: expected regions sorted by contig on disk`,
          d,
          i,
        );
      }
      doneContigs.add(c);
    } else if (s < (regions[(d - 1) * 4 + 1] as number)) {
      const i = rIdxMap.indexOf(d);
      throw r.bad(
        IR,
        `r_idx_map[${i}] = ${d} places start ${s} after start ${regions[(d - 1) * 4 + 1]}: expected regions sorted by start on disk`,
        d,
        i,
      );
    }
  }
  const bedNoMap = bed.select(
    bed.schema.fields.map((f) => f.name).filter((n) => n !== 'r_idx_map'),
  );
  await checkRegionsNpy(r, R);

  let genotypes: DatasetFiles['genotypes'] = null;
  let variants: VariantTable | null = null;
  const hasGeno = await r.dirExists(GENOTYPES_DIR, true);
  if (hasGeno && metadata.ploidy === null)
    throw r.bad(
      METADATA_FILE,
      'ploidy is null but genotypes/ exists: expected an integer ploidy >= 1',
      null,
    );
  if (!hasGeno && metadata.ploidy !== null)
    throw r.bad(
      GENOTYPES_DIR,
      `is missing but metadata.json ploidy is ${metadata.ploidy}: expected the genotypes/ directory`,
      GENOTYPES_DIR,
    );
  if (hasGeno && metadata.ploidy !== null) {
    const P = metadata.ploidy;
    const offsets = (await r.raw(GENOTYPE_OFFSETS_FILE, BigInt64Array)) as BigInt64Array;
    // With zero variants the peer may not write variant_idxs.npy: treat it as empty.
    const variantIdxs = (await r.raw(VARIANT_IDXS_FILE, Int32Array, true)) ?? shared(Int32Array, 0);
    r.csr(
      GENOTYPE_OFFSETS_FILE,
      offsets,
      R * S * P + 1,
      `n_regions·n_samples·ploidy + 1 = ${R}·${S}·${P} + 1`,
      variantIdxs.length,
      'the number of entries of genotypes/variant_idxs.npy',
    );
    variants = readVariants(r, await r.arrow(VARIANTS));
    checkVariantIdxs(r, offsets, variantIdxs, variants.start.length);
    const dosages = await r.raw(DOSAGES_FILE, Float32Array, true);
    if (dosages !== null && dosages.length !== variantIdxs.length)
      throw r.bad(
        DOSAGES_FILE,
        `has ${dosages.length} values: expected one per entry of ${VARIANT_IDXS_FILE} (${variantIdxs.length})`,
        dosages.length,
      );
    genotypes = dosages === null ? { offsets, variantIdxs } : { offsets, variantIdxs, dosages };
  }
  const tracks = new Map<string, TrackIntervals>();
  await readTracks(r, SAMPLE_TRACKS_DIR, R * S, `n_regions·n_samples + 1 = ${R}·${S} + 1`, tracks);
  await readTracks(r, ANNOTATION_TRACKS_DIR, R, `n_regions + 1 = ${R} + 1`, tracks);
  r.ledger.finish();
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

/**
 * Checks the regions against a reference loaded for this dataset: every region ends at or
 * before the end of its contig.
 *
 * @throws {@link BadDatasetError} `GVL_BAD_DATASET` naming the input row of
 *   `input_regions.arrow`, its end and the contig length.
 */
export function checkRegionsInReference(files: DatasetFiles, reference: Reference): void {
  const R = files.rIdxMap.length;
  for (let i = 0; i < R; i++) {
    const d = files.rIdxMap[i] as number;
    const c = files.regions[d * 4] as number;
    const end = files.regions[d * 4 + 2] as number;
    const len = Number((reference.offsets[c + 1] as bigint) - (reference.offsets[c] as bigint));
    if (end > len)
      throw new BadDatasetError(
        `${files.path}: input_regions.arrow: chromEnd[${i}] = ${end} is past the end of contig ${files.metadata.contigs[c]} (${len} bp in ${reference.path})`,
        { file: INPUT_REGIONS_FILE, index: i },
        { value: end },
      );
  }
}
