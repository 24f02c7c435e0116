/**
 * BED3–BED6 reading (plain or gzipped) into columns, as the peer's `seqpro.bed.read`
 * types them.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { BedError, describeError, FileError } from './errors.js';

/** Names of the BED columns this package accepts, in file order (BED3 to BED6). */
export const BED_COLUMNS = ['chrom', 'chromStart', 'chromEnd', 'name', 'score', 'strand'] as const;

/**
 * A BED file as columns, rows in file order. Coordinates are 0-based, half-open.
 * Optional columns are present when the file has them; `.` is read as `null`.
 */
export interface BedTable {
  /** Number of regions. */
  readonly length: number;
  /** Number of columns in the file, 3 to 6. */
  readonly nColumns: number;
  /** Contig of each region. */
  readonly chrom: readonly string[];
  /** 0-based start of each region. */
  readonly chromStart: Float64Array;
  /** 0-based exclusive end of each region (`> chromStart`). */
  readonly chromEnd: Float64Array;
  /** Column 4 (`null` for `.`), when present. */
  readonly name?: readonly (string | null)[];
  /** Column 5 as a number (`null` for `.`), when present. */
  readonly score?: readonly (number | null)[];
  /** Column 6, `+`, `-` or `null` (for `.`), when present. */
  readonly strand?: readonly ('+' | '-' | null)[];
  /**
   * More columns by name (a `BedTable` built in code, e.g. a transcript id and exon
   * number for `withSettings({ spliceInfo })`): each a text (`string | null`) or number
   * (`number | null`) column of `length` values, stored in `input_regions.arrow` as
   * Utf8 / Float64 after the BED columns. Not read from BED files.
   */
  readonly columns?: Readonly<Record<string, readonly (string | number | null)[]>>;
}

/**
 * Checks the extra {@link BedTable.columns}: names not taken by a BED column or
 * `r_idx_map`, one value per region, all text or all numbers (nulls allowed).
 *
 * @throws {@link BedError} `GVL_BAD_BED` naming the column (and the row at fault).
 */
export function checkBedColumns(bed: BedTable, source = 'BED'): void {
  for (const [name, values] of Object.entries(bed.columns ?? {})) {
    if ((BED_COLUMNS as readonly string[]).includes(name) || name === 'r_idx_map' || name === '')
      throw new BedError(
        `${source}: extra column ${JSON.stringify(name)} is reserved: expected a name other than ${[...BED_COLUMNS, 'r_idx_map'].join(', ')}`,
        { value: name },
      );
    if (!Array.isArray(values) || values.length !== bed.length)
      throw new BedError(
        `${source}: extra column ${JSON.stringify(name)} has ${Array.isArray(values) ? values.length : 'no'} values: expected one per region (${bed.length})`,
        { value: name },
      );
    let kind: 'string' | 'number' | null = null;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v === null) continue;
      const k =
        typeof v === 'string'
          ? 'string'
          : typeof v === 'number' && Number.isFinite(v)
            ? 'number'
            : null;
      if (k === null || (kind !== null && k !== kind))
        throw new BedError(
          `${source}: extra column ${JSON.stringify(name)} row ${i} is ${JSON.stringify(v) ?? String(v)}: expected ${kind === 'number' ? 'a finite number' : kind === 'string' ? 'text' : 'text or a finite number'} (or null) like the column's other values`,
          { value: name },
        );
      kind = k;
    }
  }
}

const INT = /^-?\d+$/;

/**
 * Largest coordinate a dataset stores: `regions.npy` is int32 in genvarloader's format
 * (and the peer casts BED coordinates to int32 when it opens a dataset).
 */
export const MAX_COORDINATE = 0x7fffffff;

function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Parses BED text. Lines starting with `#`, `track` or `browser`, and blank lines, are
 * skipped. Every data line must have the same number of tab-separated columns, 3 to 6.
 *
 * @param text - the file content.
 * @param source - a name for messages (the path).
 * @throws {@link BedError} `GVL_BAD_BED` naming `source:line` when a line has the wrong
 *   number of columns, a non-integer or negative coordinate, `chromEnd <= chromStart`, a
 *   `chromEnd` past 2^31 − 1 (datasets store int32 regions), a
 *   non-numeric score, a strand other than `+`, `-`, `.`, or a name (column 4, other
 *   than `.`) already used by an earlier line; or when there is no region.
 * @see seqpro's `bed.read` (what genvarloader's `write` reads a BED path with)
 * @example
 * ```ts
 * parseBed('20\t1000\t3048\tw0\t0\t-\n').strand; // ['-']
 * ```
 */
export function parseBed(text: string, source = 'BED'): BedTable {
  // One pass over the lines: every column check needs the line's fields and its line number for the error.
  const chrom: string[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  const names: (string | null)[] = [];
  const scores: (number | null)[] = [];
  const strands: ('+' | '-' | null)[] = [];
  let nColumns = -1;
  const nameLine = new Map<string, number>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i] as string;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (
      line.trim() === '' ||
      line.startsWith('#') ||
      line.startsWith('track') ||
      line.startsWith('browser')
    ) {
      continue;
    }
    const where = `${source}:${i + 1}`;
    const fields = line.split('\t');
    if (fields.length < 3 || fields.length > 6) {
      throw new BedError(
        `${where}: found ${fields.length} tab-separated column(s), expected BED3 to BED6 (3 to 6 columns): ${JSON.stringify(line)}`,
        { value: where },
      );
    }
    if (nColumns === -1) nColumns = fields.length;
    else if (fields.length !== nColumns) {
      throw new BedError(
        `${where}: found ${fields.length} columns but earlier lines have ${nColumns}`,
        { value: where },
      );
    }
    const [c, s, e, name, score, strand] = fields as [string, string, string, ...string[]];
    if (c === '') throw new BedError(`${where}: empty chrom`, { value: where });
    if (!INT.test(s) || !INT.test(e)) {
      throw new BedError(
        `${where}: chromStart ${JSON.stringify(s)} and chromEnd ${JSON.stringify(e)} must be integers`,
        { value: where },
      );
    }
    const start = Number(s);
    const end = Number(e);
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0) {
      throw new BedError(`${where}: chromStart ${s} must be an integer >= 0`, { value: where });
    }
    if (end > MAX_COORDINATE) {
      throw new BedError(
        `${where}: chromEnd ${e} is past ${MAX_COORDINATE} (2^31 - 1), the largest coordinate a genvarloader dataset stores (int32 regions)`,
        { value: where },
      );
    }
    if (end <= start) {
      throw new BedError(
        `${where}: ${c}:${s}-${e} has chromEnd <= chromStart; expected chromEnd > chromStart (0-based, half-open)`,
        { value: where },
      );
    }
    chrom.push(c);
    starts.push(start);
    ends.push(end);
    if (nColumns >= 4) {
      const n = name === '.' ? null : (name as string);
      if (n !== null) {
        const earlier = nameLine.get(n);
        if (earlier !== undefined) {
          throw new BedError(
            `${where}: region name ${JSON.stringify(n)} was already used at line ${earlier}: expected unique names (region lookups by name would be ambiguous); rename one or use '.'`,
            { value: where },
          );
        }
        nameLine.set(n, i + 1);
      }
      names.push(n);
    }
    if (nColumns >= 5) {
      if (score === '.') scores.push(null);
      else {
        const v = Number(score);
        if (score === '' || Number.isNaN(v)) {
          throw new BedError(`${where}: score ${JSON.stringify(score)} is not a number or '.'`, {
            value: where,
          });
        }
        scores.push(v);
      }
    }
    if (nColumns >= 6) {
      if (strand !== '+' && strand !== '-' && strand !== '.') {
        throw new BedError(`${where}: strand ${JSON.stringify(strand)} must be '+', '-' or '.'`, {
          value: where,
        });
      }
      strands.push(strand === '.' ? null : strand);
    }
  }
  if (chrom.length === 0) {
    throw new BedError(`${source} has no regions: expected at least one BED line`, {
      value: source,
    });
  }
  return {
    length: chrom.length,
    nColumns,
    chrom,
    chromStart: Float64Array.from(starts),
    chromEnd: Float64Array.from(ends),
    ...(nColumns >= 4 ? { name: names } : {}),
    ...(nColumns >= 5 ? { score: scores } : {}),
    ...(nColumns >= 6 ? { strand: strands } : {}),
  };
}

/**
 * Reads a BED3–BED6 file, plain or gzipped (detected from the content).
 *
 * @throws {@link FileError} `GVL_UNREADABLE` when the file cannot be read or gunzipped.
 * @throws {@link BedError} `GVL_BAD_BED` as {@link parseBed}.
 * @see seqpro's `bed.read`
 * @example
 * ```ts
 * const bed = await readBed('windows_2kb.bed');
 * bed.length; // 488
 * bed.chromStart[0]; // 1000000 (0-based)
 * ```
 */
export async function readBed(path: string): Promise<BedTable> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (cause) {
    throw new FileError('GVL_UNREADABLE', `cannot read BED ${path}: ${describeError(cause)}`, {
      value: path,
      cause,
    });
  }
  if (isGzip(bytes)) {
    try {
      bytes = gunzipSync(bytes);
    } catch (cause) {
      throw new FileError('GVL_UNREADABLE', `cannot gunzip BED ${path}: ${describeError(cause)}`, {
        value: path,
        cause,
      });
    }
  }
  return parseBed(new TextDecoder().decode(bytes), path);
}
