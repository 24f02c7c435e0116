/**
 * Track sources (bigWigs, interval tables) and the writer of one track folder
 * (`intervals/<name>/` or `annot_intervals/<name>/`), shared by `write` and `addTracks`.
 *
 * @module
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type BigWigSource,
  type BigWigTrack,
  checkTrackNames,
  type Intervals,
  openBigWig,
} from './bigwig.js';
import type { ContigNormalizer } from './contigs.js';
import { AbortedError, TrackError, UnknownContigError } from './errors.js';
import { npyFileName } from './format/layout.js';
import { RawArrayWriter } from './format/npy.js';
import type { Progress } from './progress.js';
import { isTableTrack, openTableTrack, type TableTrack, tableTrackInputs } from './table-track.js';

/** A per-sample track given to `write` or `addTracks`: bigWigs or interval tables. */
export type TrackSpec = BigWigTrack | TableTrack;

/**
 * A sample-independent annotation track (`annot_intervals/<name>/`), as the peer's
 * `annot_tracks` values: a path ending in `.bw`/`.bigwig` (case-insensitive) is a bigWig;
 * any other path is a BED file whose column 5 (`score`, 0-based column 4) is the value;
 * `{ table, valueColumn }` reads any interval table (e.g. a bedGraph with
 * `valueColumn: 3`). Table intervals may overlap (genes do) but must be sorted by start
 * per contig.
 */
export type AnnotTrackSpec = string | AnnotTableSpec;

/** An annotation track read from an interval table; see {@link AnnotTrackSpec}. */
export interface AnnotTableSpec {
  /** Path of the table (BED-like, plain or gzipped). */
  readonly table: string;
  /** 0-based column holding the value (default 3: a bedGraph's value column). */
  readonly valueColumn?: number;
}

/** The write windows of a dataset, in on-disk region order. */
export interface TrackWindows {
  /** Dataset contigs (`metadata.contigs`). */
  readonly contigs: readonly string[];
  /** Contig index of each region. */
  readonly contigIdx: ArrayLike<number>;
  /** 0-based start of each stored window (padded; may be negative). */
  readonly start: ArrayLike<number>;
  /** 0-based exclusive end of each stored window (padded and extended). */
  readonly end: ArrayLike<number>;
}

/** An opened track: its samples and the intervals of a (sample, window). */
export interface TrackSource {
  readonly name: string;
  /** Sample names the source has. */
  readonly samples: readonly string[];
  /**
   * Checks that every contig of `contigs` can be read for each of `samples`.
   *
   * @throws {@link UnknownContigError} `GVL_UNKNOWN_CONTIG`.
   */
  checkContigs(contigs: readonly string[], samples: readonly string[]): void;
  /**
   * Intervals of `sample` overlapping `[start, end)` of `contig` (dataset spelling),
   * sorted by start, in the form the peer stores for this kind of source (bigWig:
   * clipped to the window; table: whole).
   */
  intervals(sample: string, contig: string, start: number, end: number): Promise<Intervals>;
}

/** Name of the single pseudo-sample of an annotation source. */
export const ANNOT_SAMPLE = '__annot__';

function contigError(contig: string, where: string, names: readonly string[]): UnknownContigError {
  const shown = names.slice(0, 10).join(', ') + (names.length > 10 ? ', …' : '');
  return new UnknownContigError(
    `contig ${JSON.stringify(contig)} of the dataset's regions is not in ${where} (also tried with/without the "chr" prefix); it has: ${shown || 'no contig'}`,
    { value: contig },
  );
}

function bigWigSource(
  name: string,
  paths: Readonly<Record<string, string>>,
  opened: ReadonlyMap<string, BigWigSource>,
): TrackSource {
  const src = (s: string) => opened.get(paths[s] as string) as BigWigSource;
  return {
    name,
    samples: Object.keys(paths),
    checkContigs(contigs, samples) {
      for (const s of samples) {
        const b = src(s);
        for (const c of contigs)
          if (!b.contigs.has(c))
            throw contigError(
              c,
              `bigWig ${b.path} (track ${name}, sample ${s})`,
              b.contigs.contigs,
            );
      }
    },
    intervals(sample, contig, start, end) {
      const b = src(sample);
      return b.intervals(b.contigs.normalize(contig) as string, start, end);
    },
  };
}

async function openBigWigs(
  paths: Iterable<string>,
  opened: Map<string, BigWigSource>,
): Promise<void> {
  for (const p of paths) if (!opened.has(p)) opened.set(p, await openBigWig(p));
}

function tableSource(
  name: string,
  table: Awaited<ReturnType<typeof openTableTrack>>,
  where: string,
): TrackSource {
  return {
    name,
    samples: table.samples,
    checkContigs(contigs) {
      // As the peer, a contig without intervals reads as no signal; but when none of the
      // dataset's contigs is in the table, the names do not match (e.g. `chr1` vs `1`).
      if (contigs.length > 0 && !contigs.some((c) => table.contigs.has(c)))
        throw contigError(contigs[0] as string, where, (table.contigs as ContigNormalizer).contigs);
    },
    async intervals(sample, contig, start, end) {
      return table.intervals(sample, contig, start, end);
    },
  };
}

/**
 * Opens per-sample track specifications (bigWig headers; tables read and checked whole).
 * Names are checked first (unique, safe as folder names).
 *
 * @throws {@link TrackError} `GVL_BAD_TRACK`; {@link TableError} `GVL_BAD_TABLE`,
 *   `GVL_UNSORTED_TABLE`, `GVL_TABLE_OVERLAP`; {@link FileError} `GVL_UNREADABLE`.
 */
export async function openTrackSources(specs: readonly TrackSpec[]): Promise<TrackSource[]> {
  for (const t of specs) {
    if (t === null || typeof t !== 'object')
      throw new TrackError(`track ${JSON.stringify(t)} is not a track specification`, {
        value: t,
      });
  }
  checkTrackNames(
    specs.map((t) =>
      isTableTrack(t)
        ? {
            name: t.name,
            paths:
              typeof t.table === 'string' || t.table === null || typeof t.table !== 'object'
                ? { '': String(t.table) }
                : t.table,
          }
        : t,
    ),
  );
  const opened = new Map<string, BigWigSource>();
  const out: TrackSource[] = [];
  for (const t of specs) {
    if (isTableTrack(t)) {
      const where = `the interval table(s) of track ${t.name}`;
      out.push(tableSource(t.name, await openTableTrack(t), where));
    } else {
      await openBigWigs(Object.values(t.paths), opened);
      out.push(bigWigSource(t.name, t.paths, opened));
    }
  }
  return out;
}

/**
 * Checks annotation track names and specifications, without reading files.
 *
 * @throws {@link TrackError} `GVL_BAD_TRACK` naming the bad name or specification.
 */
export function checkAnnotTracks(annot: Readonly<Record<string, AnnotTrackSpec>>): void {
  if (annot === null || typeof annot !== 'object' || Array.isArray(annot))
    throw new TrackError('annotTracks must be an object {name: source}', { value: annot });
  checkTrackNames(
    Object.entries(annot).map(([name, spec]) => ({
      name,
      paths: { [ANNOT_SAMPLE]: typeof spec === 'string' ? spec : String(spec?.table) },
    })),
  );
  for (const [name, spec] of Object.entries(annot)) {
    const ok =
      (typeof spec === 'string' && spec !== '') ||
      (spec !== null &&
        typeof spec === 'object' &&
        typeof spec.table === 'string' &&
        spec.table !== '');
    if (!ok)
      throw new TrackError(
        `annotation track ${JSON.stringify(name)}: source is ${JSON.stringify(spec)}: expected a bigWig or BED path, or {table, valueColumn}`,
        { value: spec },
      );
  }
}

/** Whether an annotation path is a bigWig, by the peer's rule (its extension). */
export function isBigWigPath(path: string): boolean {
  const p = path.toLowerCase();
  return p.endsWith('.bw') || p.endsWith('.bigwig');
}

/**
 * Opens annotation sources: each one a {@link TrackSource} with the single sample
 * {@link ANNOT_SAMPLE}.
 */
export async function openAnnotSources(
  annot: Readonly<Record<string, AnnotTrackSpec>>,
): Promise<TrackSource[]> {
  checkAnnotTracks(annot);
  const out: TrackSource[] = [];
  const opened = new Map<string, BigWigSource>();
  for (const [name, spec] of Object.entries(annot)) {
    if (typeof spec === 'string' && isBigWigPath(spec)) {
      await openBigWigs([spec], opened);
      out.push(bigWigSource(name, { [ANNOT_SAMPLE]: spec }, opened));
      continue;
    }
    const table = typeof spec === 'string' ? spec : spec.table;
    const valueColumn = typeof spec === 'string' ? 4 : (spec.valueColumn ?? 3);
    const src = await openTableTrack(
      { name, table: { [ANNOT_SAMPLE]: table }, valueColumn },
      { allowOverlaps: true },
    );
    out.push(tableSource(name, src, `annotation table ${table} (track ${name})`));
  }
  return out;
}

/** The input files of track and annotation specifications, for output-path checks. */
export function trackInputs(
  tracks: readonly TrackSpec[],
  annot: Readonly<Record<string, AnnotTrackSpec>> | undefined,
): [string, string][] {
  const inputs: [string, string][] = [];
  for (const t of tracks) {
    if (t === null || typeof t !== 'object') continue;
    if (isTableTrack(t)) inputs.push(...tableTrackInputs(t));
    else if (t.paths !== null && typeof t.paths === 'object')
      for (const [s, p] of Object.entries(t.paths))
        if (typeof p === 'string') inputs.push([`bigWig (${String(t.name)}, ${s})`, p]);
  }
  if (annot !== null && typeof annot === 'object')
    for (const [name, spec] of Object.entries(annot)) {
      const p = typeof spec === 'string' ? spec : spec?.table;
      if (typeof p === 'string') inputs.push([`annotation track (${name})`, p]);
    }
  return inputs;
}

/** Concurrent reads per window (bigWig reads are I/O bound). */
const CONCURRENCY = 16;

/**
 * Writes one track folder `tdir` (`starts.npy` int32, `ends.npy` int32, `values.npy`
 * float32, `offsets.npy` int64 of length `R·S + 1`, all raw little-endian): for each
 * window in on-disk order, then each of `samples` in order, the source's intervals.
 * An annotation track is written with `samples = [ANNOT_SAMPLE]` (offsets `R + 1`).
 *
 * @throws {@link AbortedError} `GVL_ABORTED` when `signal` aborts (polled per window).
 */
export async function writeTrackFolder(
  tdir: string,
  windows: TrackWindows,
  samples: readonly string[],
  source: TrackSource,
  progress: Progress,
  signal: AbortSignal | undefined,
): Promise<void> {
  await mkdir(tdir, { recursive: true });
  const starts = new RawArrayWriter(join(tdir, npyFileName('starts')));
  const stops = new RawArrayWriter(join(tdir, npyFileName('ends')));
  const values = new RawArrayWriter(join(tdir, npyFileName('values')));
  const offsets = new RawArrayWriter(join(tdir, npyFileName('offsets')));
  const all = [starts, stops, values, offsets];
  try {
    let acc = 0n;
    offsets.write(new BigInt64Array([0n]));
    const n = windows.start.length;
    for (let d = 0; d < n; d++) {
      if (signal?.aborted) throw new AbortedError('track write aborted');
      const contig = windows.contigs[windows.contigIdx[d] as number] as string;
      const qs = windows.start[d] as number;
      const qe = windows.end[d] as number;
      for (let s0 = 0; s0 < samples.length; s0 += CONCURRENCY) {
        const batch = samples.slice(s0, s0 + CONCURRENCY);
        const got = await Promise.all(batch.map((s) => source.intervals(s, contig, qs, qe)));
        const offs = new BigInt64Array(got.length);
        for (let k = 0; k < got.length; k++) {
          const iv = got[k] as Intervals;
          starts.write(iv.starts);
          stops.write(iv.ends);
          values.write(iv.values);
          acc += BigInt(iv.starts.length);
          offs[k] = acc;
        }
        offsets.write(offs);
      }
      progress.increment(1);
    }
    for (const w of all) w.close();
  } catch (e) {
    for (const w of all) w.abort();
    throw e;
  }
}
