/**
 * Interval-table tracks: bedGraph or BED-with-a-value-column files (plain or gzipped),
 * either one table holding a sample column or one table per sample, like the peer's
 * `Table` track source.
 *
 * @module
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { MAX_COORDINATE } from './bed.js';
import type { Intervals } from './bigwig.js';
import { ContigNormalizer } from './contigs.js';
import { describeError, FileError, TableError } from './errors.js';
import { checkReadable } from './files.js';

/**
 * A per-sample signal track read from interval tables, like the peer's
 * `Table(name, data)`. Each line is one interval: `chrom  start  end  …` (0-based,
 * half-open, tab- or space-separated) with a numeric value in column `valueColumn`.
 * Empty lines and lines starting with `#`, `track` or `browser` are skipped. Files may be
 * gzipped (detected from their first bytes, BGZF included).
 *
 * Within one sample and contig, intervals must be sorted by start and must not overlap
 * (the intervals of a bigWig never do); they may cover the genome sparsely.
 */
export interface TableTrack {
  /** Track name: the folder `intervals/<name>/`; letters, digits, `_`, `-`, `.`. */
  readonly name: string;
  /**
   * One table path holding every sample (its `sampleColumn` names the sample of each
   * line), or one table path per sample name.
   */
  readonly table: string | Readonly<Record<string, string>>;
  /** 0-based column of the value (default 3: bedGraph `chrom start end value`; BED5 score: 4). */
  readonly valueColumn?: number;
  /** 0-based column of the sample name; required when `table` is one path, else not allowed. */
  readonly sampleColumn?: number;
}

/** Intervals of one sample on one contig, sorted by start. */
interface ContigIntervals {
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  readonly values: Float32Array;
  /** `maxEnd[i] = max(ends[0..i])`: non-decreasing, for overlap queries. */
  readonly maxEnd: Int32Array;
}

/** A parsed table track: intervals by sample, then by contig (the file's spelling). */
export interface TableSource {
  readonly name: string;
  /** Sample names, sorted (plain string order). */
  readonly samples: readonly string[];
  /** Every contig named by any line of any sample. */
  readonly contigs: ContigNormalizer;
  /**
   * The intervals of `sample` overlapping `[start, end)` of `contig` (any spelling the
   * normalizer accepts), sorted by start and **not clipped** to the window, as the peer's
   * `Table` stores them. A contig without intervals gives none.
   */
  intervals(sample: string, contig: string, start: number, end: number): Intervals;
}

const EMPTY: Intervals = {
  starts: new Int32Array(0),
  ends: new Int32Array(0),
  values: new Float32Array(0),
};

/** Growable columns of one (sample, contig) while parsing. */
class Builder {
  starts: number[] = [];
  ends: number[] = [];
  values: number[] = [];
  lastLine = 0;
  freeze(): ContigIntervals {
    const ends = Int32Array.from(this.ends);
    const maxEnd = new Int32Array(ends.length);
    let m = 0;
    for (let i = 0; i < ends.length; i++) {
      m = Math.max(m, ends[i] as number);
      maxEnd[i] = m;
    }
    return {
      starts: Int32Array.from(this.starts),
      ends,
      values: Float32Array.from(this.values),
      maxEnd,
    };
  }
}

function isGzipMagic(b: Uint8Array): boolean {
  return b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
}

async function startsWithGzipMagic(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const b = new Uint8Array(2);
    const { bytesRead } = await fh.read(b, 0, 2, 0);
    return isGzipMagic(b.subarray(0, bytesRead));
  } finally {
    await fh.close();
  }
}

const INTEGER = /^[+-]?\d+$/;
const NAN_TEXT = /^[+-]?nan$/i;

/**
 * Parses the lines of one table into `into` (sample → contig → builder).
 *
 * @param fixedSample - the sample of every line (per-sample files), or `undefined` to
 *   read it from `sampleColumn`.
 */
async function parseTableFile(
  path: string,
  valueColumn: number,
  sampleColumn: number | undefined,
  fixedSample: string | undefined,
  allowOverlaps: boolean,
  into: Map<string, Map<string, Builder>>,
): Promise<void> {
  // One streaming pass over the table's lines: every check needs the line number and the previous interval of the same (contig, sample).
  await checkReadable(path, 'interval table');
  const gz = await startsWithGzipMagic(path);
  const raw = createReadStream(path);
  const stream = gz ? raw.pipe(createGunzip()) : raw;
  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  const bad = (lineNo: number, what: string, value: unknown) =>
    new TableError('GVL_BAD_TABLE', `${path}:${lineNo}: ${what}`, {
      value: { file: path, line: lineNo, value },
    });
  const need = Math.max(3, valueColumn + 1, (sampleColumn ?? 0) + 1);
  let lineNo = 0;
  try {
    for await (const line of lines) {
      lineNo++;
      const text = line.endsWith('\r') ? line.slice(0, -1) : line;
      if (
        text.trim() === '' ||
        text.startsWith('#') ||
        text.startsWith('track') ||
        text.startsWith('browser')
      )
        continue;
      const cols = text.includes('\t') ? text.split('\t') : text.trim().split(/\s+/);
      if (cols.length < need)
        throw bad(
          lineNo,
          `has ${cols.length} column(s): expected at least ${need} (chrom, start, end${valueColumn >= 3 ? `, value in column ${valueColumn}` : ''}${sampleColumn !== undefined ? `, sample in column ${sampleColumn}` : ''})`,
          text.slice(0, 80),
        );
      const chrom = cols[0] as string;
      const startText = cols[1] as string;
      const endText = cols[2] as string;
      if (chrom === '') throw bad(lineNo, 'has an empty contig name', chrom);
      if (!INTEGER.test(startText) || !INTEGER.test(endText))
        throw bad(
          lineNo,
          `start ${JSON.stringify(startText)} / end ${JSON.stringify(endText)}: expected integers`,
          [startText, endText],
        );
      const start = Number(startText);
      const end = Number(endText);
      if (start < 0 || end <= start || end > MAX_COORDINATE)
        throw bad(
          lineNo,
          `interval [${start}, ${end}): expected 0 <= start < end <= ${MAX_COORDINATE} (0-based, half-open)`,
          [start, end],
        );
      const valueText = (cols[valueColumn] as string).trim();
      const value = Number(valueText);
      if (valueText === '' || (Number.isNaN(value) && !NAN_TEXT.test(valueText)))
        throw bad(
          lineNo,
          `value ${JSON.stringify(valueText)} in column ${valueColumn}: expected a number`,
          valueText,
        );
      const sample = fixedSample ?? (cols[sampleColumn as number] as string);
      if (sample === '') throw bad(lineNo, `empty sample name in column ${sampleColumn}`, sample);
      let bySample = into.get(sample);
      if (bySample === undefined) {
        bySample = new Map();
        into.set(sample, bySample);
      }
      let b = bySample.get(chrom);
      if (b === undefined) {
        b = new Builder();
        bySample.set(chrom, b);
      }
      const n = b.starts.length;
      if (n > 0) {
        const prevStart = b.starts[n - 1] as number;
        const prevEnd = b.ends[n - 1] as number;
        const who = fixedSample === undefined ? ` of sample ${JSON.stringify(sample)}` : '';
        if (start < prevStart)
          throw new TableError(
            'GVL_UNSORTED_TABLE',
            `${path}:${lineNo}: ${chrom}:${start}-${end}${who} starts before ${chrom}:${prevStart}-${prevEnd} on line ${b.lastLine}: expected the intervals of each contig sorted by start`,
            { value: { file: path, line: lineNo, value: start } },
          );
        if (start < prevEnd && !allowOverlaps)
          throw new TableError(
            'GVL_TABLE_OVERLAP',
            `${path}:${lineNo}: ${chrom}:${start}-${end}${who} overlaps ${chrom}:${prevStart}-${prevEnd} on line ${b.lastLine}: expected non-overlapping intervals`,
            { value: { file: path, line: lineNo, value: start } },
          );
      }
      b.starts.push(start);
      b.ends.push(end);
      b.values.push(value);
      b.lastLine = lineNo;
    }
  } catch (cause) {
    if (cause instanceof TableError) throw cause;
    throw new FileError(
      'GVL_UNREADABLE',
      `cannot read interval table ${path}${gz ? ' (gzip)' : ''} at line ${lineNo + 1}: ${describeError(cause)}`,
      { value: path, cause },
    );
  } finally {
    lines.close();
    raw.destroy();
  }
}

function checkColumn(track: TableTrack, key: 'valueColumn' | 'sampleColumn', min: number): void {
  const v = track[key];
  if (v === undefined) return;
  if (!Number.isSafeInteger(v) || v < min) {
    throw new TableError(
      'GVL_BAD_TABLE',
      `track ${JSON.stringify(track.name)}: ${key} is ${JSON.stringify(v)}: expected an integer >= ${min} (0-based column)`,
      { value: v },
    );
  }
}

/**
 * Checks the shape of a table track specification (paths, columns), without reading files.
 *
 * @throws {@link TableError} `GVL_BAD_TABLE` naming the field.
 */
export function checkTableTrack(track: TableTrack): void {
  checkColumn(track, 'valueColumn', 3);
  checkColumn(track, 'sampleColumn', 3);
  const { table } = track;
  if (typeof table === 'string') {
    if (track.sampleColumn === undefined)
      throw new TableError(
        'GVL_BAD_TABLE',
        `track ${JSON.stringify(track.name)}: one table for every sample needs sampleColumn (the 0-based column naming each line's sample)`,
        { value: track.name },
      );
  } else if (table !== null && typeof table === 'object') {
    if (track.sampleColumn !== undefined)
      throw new TableError(
        'GVL_BAD_TABLE',
        `track ${JSON.stringify(track.name)}: sampleColumn is given with one table per sample: expected one or the other`,
        { value: track.sampleColumn },
      );
    if (Object.keys(table).length === 0)
      throw new TableError('GVL_BAD_TABLE', `track ${JSON.stringify(track.name)} has no sample`, {
        value: track.name,
      });
    for (const [s, p] of Object.entries(table))
      if (typeof p !== 'string' || p === '')
        throw new TableError(
          'GVL_BAD_TABLE',
          `track ${JSON.stringify(track.name)}: the table of sample ${JSON.stringify(s)} is ${JSON.stringify(p)}: expected a path`,
          { value: p },
        );
  } else {
    throw new TableError(
      'GVL_BAD_TABLE',
      `track ${JSON.stringify(track.name)}: table must be a path or a {sample: path} object`,
      { value: table },
    );
  }
}

/** Whether a track specification is a {@link TableTrack} (it has `table`). */
export function isTableTrack(track: object): track is TableTrack {
  return 'table' in track;
}

/** The input files of a table track, with what each is (for output-path checks). */
export function tableTrackInputs(track: TableTrack): [string, string][] {
  const { table } = track;
  if (typeof table === 'string') return [[`interval table (${track.name})`, table]];
  if (table === null || typeof table !== 'object') return [];
  return Object.entries(table)
    .filter((e): e is [string, string] => typeof e[1] === 'string')
    .map(([s, p]) => [`interval table (${track.name}, ${s})`, p]);
}

/** First index `i` in `[0, n)` with `a[i] > x` (`a` non-decreasing). */
function upperBound(a: Int32Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((a[mid] as number) > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** First index `i` with `a[i] >= x` (`a` non-decreasing). */
function lowerBound(a: Int32Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((a[mid] as number) >= x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Reads every line of a table track into memory (int32 starts/ends, float32 values per
 * sample and contig) after checking it: columns, integers, `0 <= start < end`, numeric
 * values, intervals sorted by start per sample and contig and, unless `allowOverlaps`
 * (annotation tracks: genes overlap), not overlapping.
 *
 * @throws {@link TableError} `GVL_BAD_TABLE` (a malformed line or specification),
 *   `GVL_UNSORTED_TABLE`, `GVL_TABLE_OVERLAP`, each naming the file and 1-based line
 *   (`value: {file, line, value}`).
 * @throws {@link FileError} `GVL_UNREADABLE` when a file cannot be read or gunzipped.
 * @see genvarloader `Table.from_path`
 */
export async function openTableTrack(
  track: TableTrack,
  options: { allowOverlaps?: boolean } = {},
): Promise<TableSource> {
  checkTableTrack(track);
  const overlaps = options.allowOverlaps ?? false;
  const valueColumn = track.valueColumn ?? 3;
  const parsed = new Map<string, Map<string, Builder>>();
  if (typeof track.table === 'string') {
    await parseTableFile(track.table, valueColumn, track.sampleColumn, undefined, overlaps, parsed);
  } else {
    for (const [sample, path] of Object.entries(track.table)) {
      parsed.set(sample, new Map());
      await parseTableFile(path, valueColumn, undefined, sample, overlaps, parsed);
    }
  }
  const data = new Map<string, Map<string, ContigIntervals>>();
  const contigs = new Set<string>();
  for (const [sample, byContig] of parsed) {
    const m = new Map<string, ContigIntervals>();
    for (const [c, b] of byContig) {
      m.set(c, b.freeze());
      contigs.add(c);
    }
    data.set(sample, m);
  }
  const norm = new ContigNormalizer(contigs);
  const samples = [...data.keys()].sort();
  return {
    name: track.name,
    samples,
    contigs: norm,
    intervals(sample, contig, start, end) {
      const c = norm.normalize(contig);
      const iv = c === undefined ? undefined : data.get(sample)?.get(c);
      if (iv === undefined || end <= start) return EMPTY;
      // Sorted by start: candidates are [lo, hi), lo the first whose running maximum end
      // passes `start`; without overlaps every candidate overlaps (ends sorted too).
      const lo = upperBound(iv.maxEnd, start);
      const hi = lowerBound(iv.starts, end);
      if (hi <= lo) return EMPTY;
      let keep = hi - lo;
      for (let i = lo; i < hi; i++) if ((iv.ends[i] as number) <= start) keep--;
      if (keep === hi - lo)
        return {
          starts: iv.starts.subarray(lo, hi),
          ends: iv.ends.subarray(lo, hi),
          values: iv.values.subarray(lo, hi),
        };
      const out = {
        starts: new Int32Array(keep),
        ends: new Int32Array(keep),
        values: new Float32Array(keep),
      };
      let k = 0;
      for (let i = lo; i < hi; i++) {
        if ((iv.ends[i] as number) <= start) continue;
        out.starts[k] = iv.starts[i] as number;
        out.ends[k] = iv.ends[i] as number;
        out.values[k] = iv.values[i] as number;
        k++;
      }
      return out;
    },
  };
}
