/**
 * Spliced (transcript) reads: input BED rows grouped into transcripts by a column, and
 * the per-exon outputs of a batch regrouped into one row per transcript.
 *
 * @module
 */
import { GvlError } from './errors.js';
import type { DatasetFiles } from './open.js';
import type {
  AnnotatedHaps,
  GetOutput,
  RaggedAnnotatedHaps,
  SeqsOutput,
  TracksOutput,
} from './output.js';
import { Ragged, type TypedArray } from './ragged.js';

/**
 * How input BED rows form transcripts (the peer's `splice_info`): the name of the column
 * holding each row's transcript id, or `[idColumn, orderColumn]` to order each
 * transcript's exons by a second column (ascending; ties keep BED order). With a single
 * column, exons keep their BED order. Transcripts are numbered in order of first
 * appearance in the BED.
 */
export type SpliceInfo = string | readonly [id: string, order: string];

/**
 * Transcripts of a dataset. Exon `e` of transcript `t` (for `offsets[t] <= e <
 * offsets[t + 1]`) is input BED region `regions[e]`, in transcript order.
 */
export interface SpliceMap {
  /** The setting this map was built from. */
  readonly info: SpliceInfo;
  /** Transcript id of each transcript (the id column's value, as text). */
  readonly ids: readonly string[];
  /** Transcript id → transcript index. */
  readonly index: ReadonlyMap<string, number>;
  /** int32, length `nTranscripts + 1`, starts at 0, strictly increasing. */
  readonly offsets: Int32Array;
  /** int32 input BED region index of each exon, transcripts back to back. */
  readonly regions: Int32Array;
}

/** One transcript as {@link Dataset.getSpliceBed} reports it. */
export interface SpliceBedRow {
  /** Transcript id. */
  id: string;
  /** Input BED region index of each exon, in transcript order. */
  regions: number[];
  /** Contig of each exon. */
  chrom: string[];
  /** 0-based start of each exon. */
  chromStart: number[];
  /** 0-based exclusive end of each exon. */
  chromEnd: number[];
  /** The transcript's strand: +1 or −1 (`-` in the BED). */
  strand: 1 | -1;
}

function badSplice(message: string, value: unknown): GvlError {
  return new GvlError('GVL_BAD_SPLICE_INFO', message, { value });
}

/**
 * Checks the shape of a `spliceInfo` setting (a column name, or a pair of them), not yet
 * against a BED.
 *
 * @throws {@link GvlError} `GVL_INVALID_ARGUMENT` naming the value.
 */
export function checkSpliceInfo(value: unknown): SpliceInfo | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' && value.length > 0) return value;
  if (
    Array.isArray(value) &&
    value.length === 2 &&
    value.every((c) => typeof c === 'string' && c.length > 0)
  )
    return [value[0], value[1]] as const;
  throw new GvlError(
    'GVL_INVALID_ARGUMENT',
    `spliceInfo ${JSON.stringify(value) ?? String(value)} is invalid: expected a BED column name, a pair [idColumn, orderColumn] of column names, or null`,
    { value },
  );
}

function sameInfo(a: SpliceInfo | null, b: SpliceInfo | null): boolean {
  if (a === null || b === null) return a === b;
  return typeof a === 'string' || typeof b === 'string' ? a === b : a[0] === b[0] && a[1] === b[1];
}

export { sameInfo as sameSpliceInfo };

/**
 * Groups the input BED rows of `files` into transcripts by `info` (the peer's
 * `SpliceMap.from_bed`: `group_by(id, maintain_order=True)`, exons sorted by the order
 * column when one is given).
 *
 * @throws {@link GvlError} `GVL_BAD_SPLICE_INFO` when a column is not in
 *   `input_regions.arrow` (listing those that are), when an id or order value is null,
 *   when order values mix numbers and text, or when a transcript has exons on both
 *   strands (naming the transcript and the rows).
 */
export function buildSpliceMap(files: DatasetFiles, info: SpliceInfo): SpliceMap {
  // Group, sort, flatten: three short passes over the same transcript arrays.
  const cols = typeof info === 'string' ? [info] : [info[0], info[1]];
  const available = files.bed.schema.fields.map((f) => f.name).filter((n) => n !== 'r_idx_map');
  const vectors = cols.map((c) => {
    const v = c === 'r_idx_map' ? null : files.bed.getChild(c);
    if (!v)
      throw badSplice(
        `spliceInfo column ${JSON.stringify(c)} is not in ${files.path}/input_regions.arrow: expected one of ${available.join(', ')}`,
        c,
      );
    return v;
  });
  const idCol = vectors[0] as NonNullable<(typeof vectors)[0]>;
  const orderCol = vectors[1] ?? null;
  const R = files.bed.numRows;
  const index = new Map<string, number>();
  const ids: string[] = [];
  const members: number[][] = [];
  for (let i = 0; i < R; i++) {
    const raw = idCol.get(i);
    if (raw === null || raw === undefined)
      throw badSplice(
        `spliceInfo column ${JSON.stringify(cols[0])} is null at BED row ${i}: expected a transcript id on every row`,
        i,
      );
    const id = String(raw);
    let t = index.get(id);
    if (t === undefined) {
      t = ids.length;
      index.set(id, t);
      ids.push(id);
      members.push([]);
    }
    (members[t] as number[]).push(i);
  }
  if (orderCol) {
    const keys: (number | string)[] = new Array(R);
    let kind: 'number' | 'string' | null = null;
    for (let i = 0; i < R; i++) {
      const raw = orderCol.get(i);
      if (raw === null || raw === undefined)
        throw badSplice(
          `spliceInfo order column ${JSON.stringify(cols[1])} is null at BED row ${i}: expected an exon order value on every row`,
          i,
        );
      const key = typeof raw === 'bigint' || typeof raw === 'number' ? Number(raw) : String(raw);
      const k = typeof key === 'number' ? 'number' : 'string';
      if (kind !== null && k !== kind)
        throw badSplice(
          `spliceInfo order column ${JSON.stringify(cols[1])} mixes numbers and text (BED row ${i}: ${JSON.stringify(raw)})`,
          i,
        );
      kind = k;
      keys[i] = key;
    }
    // Array.prototype.sort is stable: ties keep BED order, as polars' sort_by.
    for (const m of members)
      m.sort((a, b) => {
        const x = keys[a] as number | string;
        const y = keys[b] as number | string;
        return x < y ? -1 : x > y ? 1 : 0;
      });
  }
  const offsets = new Int32Array(ids.length + 1);
  const regions = new Int32Array(R);
  let e = 0;
  for (let t = 0; t < ids.length; t++) {
    const m = members[t] as number[];
    const strand = strandOf(files, m[0] as number);
    for (const r of m) {
      if (strandOf(files, r) !== strand)
        throw badSplice(
          `transcript ${JSON.stringify(ids[t])} has exons on both strands (BED rows ${m.join(', ')}): expected one strand per transcript`,
          ids[t],
        );
      regions[e++] = r;
    }
    offsets[t + 1] = e;
  }
  return { info, ids, index, offsets, regions };
}

/** Strand (+1/−1) of input BED region `r`. */
function strandOf(files: DatasetFiles, r: number): number {
  return files.regions[(files.rIdxMap[r] as number) * 4 + 3] as number;
}

/**
 * The BED view of transcripts `transcripts` (indices into `map`).
 */
export function spliceBed(
  files: DatasetFiles,
  map: SpliceMap,
  transcripts: Int32Array,
): SpliceBedRow[] {
  const out: SpliceBedRow[] = [];
  for (const t of transcripts) {
    const regions = Array.from(map.regions.subarray(map.offsets[t], map.offsets[t + 1]));
    const at = (r: number, k: number) => files.regions[(files.rIdxMap[r] as number) * 4 + k];
    out.push({
      id: map.ids[t] as string,
      regions,
      chrom: regions.map((r) => files.metadata.contigs[at(r, 0) as number] as string),
      chromStart: regions.map((r) => at(r, 1) as number),
      chromEnd: regions.map((r) => at(r, 2) as number),
      strand: strandOf(files, regions[0] as number) === -1 ? -1 : 1,
    });
  }
  return out;
}

/**
 * The exon items of a spliced batch: for each item `i` (transcript `transcripts[i]`,
 * sample `samples[i]`), one item per exon in transcript order, and `groups` (length
 * `n + 1`): item `i`'s exons are exon items `groups[i] … groups[i + 1] − 1`.
 */
export function exonItems(
  map: SpliceMap,
  transcripts: Int32Array,
  samples: Int32Array,
): { regionIdx: Int32Array; sampleIdx: Int32Array; groups: Int32Array } {
  const n = transcripts.length;
  const groups = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    const t = transcripts[i] as number;
    groups[i + 1] =
      (groups[i] as number) + (map.offsets[t + 1] as number) - (map.offsets[t] as number);
  }
  const m = groups[n] as number;
  const regionIdx = new Int32Array(m);
  const sampleIdx = new Int32Array(m);
  for (let i = 0; i < n; i++) {
    const t = transcripts[i] as number;
    const base = groups[i] as number;
    const ex = map.regions.subarray(map.offsets[t], map.offsets[t + 1]);
    regionIdx.set(ex, base);
    sampleIdx.fill(samples[i] as number, base, base + ex.length);
  }
  return { regionIdx, sampleIdx, groups };
}

/**
 * Regroups a per-exon ragged output (shape `[m, ...inner, null]`, rows in (exon item,
 * ...inner) order) into one row per (item, ...inner): row `(i, k)` is the concatenation
 * of rows `(e, k)` for `e` in `groups[i] … groups[i + 1] − 1`. Shape `[...lead, ...inner,
 * null]`. Without inner dimensions the rows are already contiguous: no copy.
 */
export function regroupRagged<T extends TypedArray>(
  r: Ragged<T>,
  groups: Int32Array,
  lead: readonly number[],
): Ragged<T> {
  const inner = r.dims.slice(1);
  let K = 1;
  for (const d of inner) K *= d;
  const n = groups.length - 1;
  const offs = r.offsets;
  const dims = [...lead, ...inner];
  if (K === 1) {
    const out = new BigInt64Array(n + 1);
    for (let i = 0; i <= n; i++) out[i] = offs[groups[i] as number] as bigint;
    return Ragged.fromOffsets(r.data, out, dims);
  }
  const out = new BigInt64Array(n * K + 1);
  let total = 0;
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < K; k++) {
      for (let e = groups[i] as number; e < (groups[i + 1] as number); e++) {
        const row = e * K + k;
        total += Number((offs[row + 1] as bigint) - (offs[row] as bigint));
      }
      out[i * K + k + 1] = BigInt(total);
    }
  }
  const data = new (r.data.constructor as new (n: number) => T)(total);
  let pos = 0;
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < K; k++) {
      for (let e = groups[i] as number; e < (groups[i + 1] as number); e++) {
        const row = e * K + k;
        const a = Number(offs[row] as bigint);
        const b = Number(offs[row + 1] as bigint);
        // biome-ignore lint/suspicious/noExplicitAny: same element type on both sides
        (data as any).set(r.data.subarray(a, b), pos);
        pos += b - a;
      }
    }
  }
  return Ragged.fromOffsets(data, out, dims);
}

const N = 78;
const PAST_CONTIG = 2 ** 31 - 1;

function isAnnotated(x: unknown): x is RaggedAnnotatedHaps {
  return typeof x === 'object' && x !== null && 'haps' in x && 'varIdxs' in x;
}

/**
 * Regroups the ragged per-exon output of a spliced batch (sequences, annotated
 * haplotypes, tracks, or `[sequences, tracks]`) into one row per transcript item, and
 * pads each to its longest row when `dense` (`N` for bytes, −1 / 2147483647 for
 * `varIdxs` / `refCoords`, 0 for tracks).
 */
export function regroupOutput(
  out: GetOutput,
  groups: Int32Array,
  lead: readonly number[],
  dense: boolean,
): GetOutput {
  const one = (x: unknown, track: boolean): SeqsOutput | TracksOutput => {
    if (isAnnotated(x)) {
      const haps = regroupRagged(x.haps, groups, lead);
      const varIdxs = regroupRagged(x.varIdxs, groups, lead);
      const refCoords = regroupRagged(x.refCoords, groups, lead);
      if (!dense) return { haps, varIdxs, refCoords };
      return {
        haps: haps.toPadded(N),
        varIdxs: varIdxs.toPadded(-1),
        refCoords: refCoords.toPadded(PAST_CONTIG),
      } satisfies AnnotatedHaps;
    }
    if (!(x instanceof Ragged))
      throw new GvlError(
        'GVL_MODE_UNAVAILABLE',
        'spliced reads return sequences, annotated haplotypes or tracks; variants are not spliced',
        { value: null },
      );
    if (track) {
      const r = regroupRagged(x as Ragged<Float32Array>, groups, lead);
      return dense ? r.toPadded(0) : r;
    }
    const r = regroupRagged(x as Ragged<Uint8Array>, groups, lead);
    return dense ? r.toPadded(N) : r;
  };
  if (Array.isArray(out)) return [one(out[0], false), one(out[1], true)] as GetOutput;
  return one(out, out instanceof Ragged && out.data instanceof Float32Array) as GetOutput;
}
