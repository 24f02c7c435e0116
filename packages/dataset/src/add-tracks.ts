/**
 * Tracks added to an existing dataset: new bigWig or interval-table tracks and
 * annotation tracks ({@link addTracks}, the peer's `update`), and a track computed from
 * an existing one ({@link writeTransformedTrack}). Genotype files are never rewritten:
 * the new dataset is staged beside the old one from hard links of its files, and
 * replaces it with the atomic commit of `write`.
 *
 * @module
 */
import { constants } from 'node:fs';
import { copyFile, link, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkTrackNames } from './bigwig.js';
import {
  AbortedError,
  BadDatasetError,
  describeError,
  FileError,
  InvalidArgumentError,
  TrackUpdateError,
  UnknownSampleError,
} from './errors.js';
import { AtomicDir, diskFullError, realPathOf, recoverInterruptedWrite } from './files.js';
import { CHECKSUMS_FILE, readChecksums, sha256File } from './format/checksums.js';
import {
  ANNOTATION_TRACKS_DIR,
  annotIntervalsDir,
  METADATA_FILE,
  npyFileName,
  REGIONS_FILE,
  SAMPLE_TRACKS_DIR,
  type TrackFolder,
  trackIntervalsDir,
} from './format/layout.js';
import { checkMetadata } from './format/metadata.js';
import { parseNpyHeader, RawArrayWriter } from './format/npy.js';
import { readDatasetFiles } from './open.js';
import { createProgress } from './progress.js';
import { Ragged } from './ragged.js';
import {
  ANNOT_SAMPLE,
  type AnnotTrackSpec,
  openAnnotSources,
  openTrackSources,
  type TrackSource,
  type TrackSpec,
  type TrackWindows,
  writeTrackFolder,
} from './track-writer.js';

/** Options of {@link addTracks}. */
export interface AddTracksOptions {
  /** Per-sample tracks (bigWigs or interval tables), written to `intervals/<name>/`. */
  tracks?: readonly TrackSpec[];
  /** Annotation tracks by name, written to `annot_intervals/<name>/`. */
  annotTracks?: Readonly<Record<string, AnnotTrackSpec>>;
  /** Replace a track of the same name in the same folder (default `false`). */
  overwrite?: boolean;
  /** Show a progress bar on stderr (default: when stderr is a TTY). */
  progress?: boolean;
  /** Cancels the update; the dataset is left as it was. */
  signal?: AbortSignal;
}

/** What {@link addTracks} or {@link writeTransformedTrack} wrote. */
export interface AddTracksSummary {
  /** Absolute path of the dataset. */
  readonly path: string;
  /** Sample track names written. */
  readonly tracks: readonly string[];
  /** Annotation track names written. */
  readonly annotTracks: readonly string[];
}

/** A dataset's metadata and write windows, read from `metadata.json` and `regions.npy`. */
interface DatasetLayout {
  readonly samples: readonly string[];
  readonly windows: TrackWindows;
  /** Names of the folders of `intervals/` and `annot_intervals/`. */
  readonly sampleTracks: ReadonlySet<string>;
  readonly annotTracks: ReadonlySet<string>;
}

async function listDirs(path: string): Promise<Set<string>> {
  try {
    const entries = await readdir(path, { withFileTypes: true });
    return new Set(entries.filter((e) => e.isDirectory()).map((e) => e.name));
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return new Set();
    throw new FileError('GVL_UNREADABLE', `cannot list ${path}: ${describeError(cause)}`, {
      value: path,
      cause,
    });
  }
}

/**
 * Reads what a track writer needs: samples, contigs and the stored windows (`regions.npy`:
 * int32 `(R, 4)` contig index, padded start, stored end, strand).
 *
 * @throws {@link BadDatasetError} `GVL_BAD_DATASET` naming the file at fault.
 */
async function readLayout(dir: string): Promise<DatasetLayout> {
  const read = async (rel: string) => {
    try {
      return await readFile(join(dir, rel));
    } catch (cause) {
      throw new BadDatasetError(
        `${dir}: ${rel} cannot be read (${describeError(cause)}): expected a genvarloader dataset`,
        { file: rel },
        { value: rel, cause },
      );
    }
  };
  let raw: unknown;
  try {
    raw = JSON.parse((await read(METADATA_FILE)).toString('utf8'));
  } catch (cause) {
    if (cause instanceof BadDatasetError) throw cause;
    throw new BadDatasetError(
      `${dir}: ${METADATA_FILE} is not JSON`,
      { file: METADATA_FILE },
      { cause },
    );
  }
  const meta = checkMetadata(dir, raw);
  const bytes = await read(REGIONS_FILE);
  const header = parseNpyHeader(bytes);
  const R = meta.n_regions;
  if (
    typeof header === 'string' ||
    header.descr !== '<i4' ||
    header.shape.length !== 2 ||
    header.shape[0] !== R ||
    header.shape[1] !== 4 ||
    bytes.length !== header.dataOffset + R * 16
  )
    throw new BadDatasetError(
      `${dir}: regions.npy ${typeof header === 'string' ? header : `has dtype ${header.descr}, shape (${header.shape.join(', ')}), ${bytes.length - header.dataOffset} data bytes`}: expected int32 (${R}, 4)`,
      { file: REGIONS_FILE },
      { value: typeof header === 'string' ? header : header.shape },
    );
  const m = new Int32Array(R * 4);
  new Uint8Array(m.buffer).set(bytes.subarray(header.dataOffset, header.dataOffset + R * 16));
  const contigIdx = new Int32Array(R);
  const start = new Int32Array(R);
  const end = new Int32Array(R);
  // Element (d, j): `d·4 + j` in C order, `j·R + d` in Fortran order (the peer's).
  const at = header.fortranOrder
    ? (d: number, j: number) => j * R + d
    : (d: number, j: number) => d * 4 + j;
  for (let d = 0; d < R; d++) {
    contigIdx[d] = m[at(d, 0)] as number;
    start[d] = m[at(d, 1)] as number;
    end[d] = m[at(d, 2)] as number;
    const c = contigIdx[d] as number;
    if (c < 0 || c >= meta.contigs.length || (end[d] as number) <= (start[d] as number))
      throw new BadDatasetError(
        `${dir}: regions.npy row ${d} is [contig ${c}, ${start[d]}, ${end[d]}): expected a contig index below ${meta.contigs.length} and end > start`,
        { file: REGIONS_FILE, index: d },
        { value: [c, start[d], end[d]] },
      );
  }
  return {
    samples: meta.samples,
    windows: { contigs: meta.contigs, contigIdx, start, end },
    sampleTracks: await listDirs(join(dir, SAMPLE_TRACKS_DIR)),
    annotTracks: await listDirs(join(dir, ANNOTATION_TRACKS_DIR)),
  };
}

/** Hard-links (or, where links are refused, copies) `src` to `dst`, recursively. */
async function linkTree(src: string, dst: string, skip: (rel: string) => boolean, rel = '') {
  for (const e of await readdir(src, { withFileTypes: true })) {
    const r = rel === '' ? e.name : `${rel}/${e.name}`;
    if (skip(r)) continue;
    const from = join(src, e.name);
    const to = join(dst, e.name);
    if (e.isDirectory()) {
      await mkdir(to);
      await linkTree(from, to, skip, r);
    } else if (e.isFile()) {
      try {
        await link(from, to);
      } catch {
        await copyFile(from, to, constants.COPYFILE_FICLONE);
      }
    }
  }
}

/** Every regular file under `dir`, `/`-separated, relative to `root`. */
async function filesUnder(root: string, rel: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(join(root, rel), { withFileTypes: true })) {
    const r = `${rel}/${e.name}`;
    if (e.isDirectory()) out.push(...(await filesUnder(root, r)));
    else if (e.isFile()) out.push(r);
  }
  return out;
}

/**
 * Replaces the dataset at `target` by a copy where the folders `replace` (relative paths,
 * e.g. `intervals/gc`) are written by `fill` into the staging directory, every other file
 * being a hard link of the current one; `checksums.json`, when the dataset has one, keeps
 * the entries of the untouched files and gains the new files' hashes. The commit is
 * `write`'s (see `AtomicDir`): a failure or a kill at any instant leaves the complete
 * old or the complete new dataset at `target`.
 */
async function updateDataset(
  target: string,
  replace: readonly string[],
  fill: (staging: string) => Promise<void>,
): Promise<void> {
  const manifest = await readChecksums(target);
  const under = (rel: string) => replace.some((f) => rel === f || rel.startsWith(`${f}/`));
  const staged = await AtomicDir.create(target, true).catch((e: unknown) => {
    throw diskFullError(e, target) ?? e;
  });
  try {
    await linkTree(target, staged.path, (rel) => under(rel) || rel === CHECKSUMS_FILE);
    await fill(staged.path);
    if (manifest !== null) {
      const files: Record<string, string> = {};
      for (const [rel, h] of Object.entries(manifest.files)) if (!under(rel)) files[rel] = h;
      for (const f of replace)
        for (const rel of await filesUnder(staged.path, f))
          files[rel] = await sha256File(join(staged.path, rel));
      const sorted: Record<string, string> = {};
      for (const k of Object.keys(files).sort()) sorted[k] = files[k] as string;
      await writeFile(
        join(staged.path, CHECKSUMS_FILE),
        `${JSON.stringify({ algorithm: 'sha256', files: sorted }, null, 1)}\n`,
      );
    }
    await staged.commit();
  } catch (e) {
    await staged.discard();
    throw diskFullError(e, target) ?? e;
  }
}

function checkName(
  name: string,
  folder: TrackFolder,
  layout: DatasetLayout,
  overwrite: boolean,
): void {
  const same = folder === SAMPLE_TRACKS_DIR ? layout.sampleTracks : layout.annotTracks;
  const other = folder === SAMPLE_TRACKS_DIR ? layout.annotTracks : layout.sampleTracks;
  if (other.has(name))
    throw new TrackUpdateError(
      'GVL_TRACK_EXISTS',
      `track ${JSON.stringify(name)} is already ${folder === SAMPLE_TRACKS_DIR ? 'an annotation' : 'a sample'} track of the dataset: expected a name unused by both intervals/ and annot_intervals/`,
      { value: name },
    );
  if (same.has(name) && !overwrite)
    throw new TrackUpdateError(
      'GVL_TRACK_EXISTS',
      `track ${JSON.stringify(name)} already exists in ${folder}/: pass overwrite (--overwrite) to replace it`,
      { value: name },
    );
}

/**
 * Adds tracks to an existing dataset without rewriting its genotypes, as the peer's
 * `update`: per-sample tracks (bigWigs or interval tables) to `intervals/<name>/` and
 * sample-independent annotation tracks to `annot_intervals/<name>/`, each over the
 * dataset's stored windows (`regions.npy`, 0-based half-open, padded by `max_jitter`
 * and extended as at write), in on-disk region order, samples in `metadata.samples`
 * order; the files are those `write` produces from the same sources. A per-sample
 * track must have every sample of the dataset (its other samples are ignored).
 *
 * Atomic: a staging copy of the dataset (hard links of every file, so genotypes are
 * neither copied nor rewritten) gets the new folders and an updated `checksums.json`
 * (when the dataset has one), then replaces the dataset by the commit `write` uses (one
 * `renameat2` exchange where supported). On failure or abort the dataset is unchanged;
 * readers holding it open keep reading the old files. A symbolic link is followed: the
 * directory it points to is replaced and the link kept. The directory must hold only
 * dataset entries.
 *
 * @param path - the dataset directory, or a symlink to it (the directory it points to is
 *   updated; the link is kept).
 * @returns the names written.
 * @throws {@link InvalidArgumentError} `GVL_INVALID_ARGUMENT` when neither `tracks` nor
 *   `annotTracks` is given.
 * @throws {@link TrackUpdateError} `GVL_TRACK_EXISTS` when a name is taken (in the same
 *   folder without `overwrite`, or in the other folder).
 * @throws {@link UnknownSampleError} `GVL_UNKNOWN_SAMPLE` naming the dataset samples a
 *   track lacks; {@link UnknownContigError} `GVL_UNKNOWN_CONTIG`.
 * @throws {@link TrackError} `GVL_BAD_TRACK`; {@link TableError} `GVL_BAD_TABLE`,
 *   `GVL_UNSORTED_TABLE`, `GVL_TABLE_OVERLAP`; {@link BadDatasetError} `GVL_BAD_DATASET`;
 *   {@link DatasetError} `GVL_NOT_A_DATASET`; {@link FileError} `GVL_UNREADABLE`,
 *   `GVL_UNWRITABLE`, `GVL_DISK_FULL`; {@link AbortedError} `GVL_ABORTED`.
 * @see genvarloader `update(dataset, tracks, annot_tracks, overwrite)`
 * @example
 * ```ts no-run reason: needs a dataset and a bigWig per sample
 * import { addTracks } from '@gvl/dataset';
 * await addTracks('chr16.gvl', {
 *   tracks: [{ name: 'gc', paths: { s_al: 'gc.bw', s_gc: 'gc.bw' } }],
 *   annotTracks: { mappability: 'alignability.bw' },
 * });
 * ```
 */
export async function addTracks(
  path: string,
  options: AddTracksOptions,
): Promise<AddTracksSummary> {
  if (typeof path !== 'string' || path === '')
    throw new InvalidArgumentError(`path must be a non-empty string, got ${JSON.stringify(path)}`, {
      value: path,
    });
  const tracks = options?.tracks ?? [];
  const annot = options?.annotTracks ?? {};
  if (tracks.length === 0 && Object.keys(annot).length === 0)
    throw new InvalidArgumentError('at least one of `tracks` or `annotTracks` must be given', {
      value: options,
    });
  const overwrite = options.overwrite ?? false;
  // A symlink to a dataset updates the dataset it points to (the link keeps pointing at it).
  const target = await realPathOf(path);
  await recoverInterruptedWrite(target);
  const layout = await readLayout(target);
  const sources = await openTrackSources(tracks);
  const annots = await openAnnotSources(annot);
  for (const t of sources) checkName(t.name, SAMPLE_TRACKS_DIR, layout, overwrite);
  for (const a of annots) checkName(a.name, ANNOTATION_TRACKS_DIR, layout, overwrite);
  for (const t of sources) {
    const have = new Set(t.samples);
    const missing = layout.samples.filter((s) => !have.has(s));
    if (missing.length > 0)
      throw new UnknownSampleError(
        `track ${JSON.stringify(t.name)} lacks dataset sample(s) ${missing
          .slice(0, 10)
          .map((s) => JSON.stringify(s))
          .join(', ')}${missing.length > 10 ? ', …' : ''}: expected every sample of the dataset`,
        { value: missing },
      );
    t.checkContigs(layout.windows.contigs, layout.samples);
  }
  for (const a of annots) a.checkContigs(layout.windows.contigs, [ANNOT_SAMPLE]);
  const jobs: [folder: string, samples: readonly string[], src: TrackSource][] = [
    ...sources.map((t): [string, readonly string[], TrackSource] => [
      trackIntervalsDir(t.name),
      layout.samples,
      t,
    ]),
    ...annots.map((a): [string, readonly string[], TrackSource] => [
      annotIntervalsDir(a.name),
      [ANNOT_SAMPLE],
      a,
    ]),
  ];
  const progress = createProgress(options.progress);
  try {
    await updateDataset(
      target,
      jobs.map((j) => j[0]),
      async (staging) => {
        for (const [folder, samples, src] of jobs) {
          progress.start(folder, layout.windows.start.length);
          await writeTrackFolder(
            join(staging, folder),
            layout.windows,
            samples,
            src,
            progress,
            options.signal,
          );
          progress.stop();
        }
        if (options.signal?.aborted) throw new AbortedError('track update aborted');
      },
    );
  } finally {
    progress.stop();
  }
  return {
    path: target,
    tracks: sources.map((t) => t.name),
    annotTracks: annots.map((a) => a.name),
  };
}

/**
 * A track transform, as the peer's `write_transformed_track` takes: it gets a chunk of
 * (region, sample) rows and returns their new values.
 *
 * @param regionIdx - int32, one per row: the dataset region (input BED row, the index
 *   `Dataset.get` takes).
 * @param sampleIdx - int32, one per row: index into the dataset's sorted samples.
 * @param tracks - float32 values at base-pair resolution, shape `[regions, samples, null]`
 *   (rows region-major): row `i` covers the stored window of its region, `[start, end)`
 *   0-based in reference coordinates (padded by `max_jitter`), 0 where the track has no
 *   interval.
 * @returns the new values: a `Ragged<Float32Array>` with the same number of rows and the
 *   same row lengths (a promise of one is awaited).
 */
export type TrackTransform = (
  regionIdx: Int32Array,
  sampleIdx: Int32Array,
  tracks: Ragged<Float32Array>,
) => Ragged<Float32Array> | Promise<Ragged<Float32Array>>;

/** Options of {@link writeTransformedTrack}. */
export interface TransformTrackOptions {
  /** Replace a sample track already named `newTrack` (default `false`). */
  overwrite?: boolean;
  /** Upper bound in bytes of the values given to one `transform` call (default 1 GiB); at least one region. */
  maxMem?: number;
  /** Cancels the write (polled between chunks); the dataset is left as it was. */
  signal?: AbortSignal;
}

/**
 * Writes a new sample track `newTrack` computed from the existing sample track
 * `existingTrack` by `transform`, as the peer's `Dataset.write_transformed_track`: the
 * existing intervals of each (region, sample) are painted over the stored window at
 * base-pair resolution (0 outside intervals), given to `transform` in chunks of whole
 * regions (all samples) of at most `maxMem` bytes, and the returned values are stored
 * run-length encoded: one interval per run of equal values (`===`: `-0` equals `0`, each
 * `NaN` is a run of its own), zero runs included, as the peer's `tracks_to_intervals`. The dataset is read through the checks of
 * `Dataset.open` (and its `checksums.json`) first.
 *
 * Atomic like {@link addTracks}: on failure (a throwing `transform`, a bad result, an
 * abort, a full disk) the dataset is unchanged.
 *
 * @param path - the dataset directory, or a symlink to it (the directory it points to is
 *   updated; the link is kept).
 * @param newTrack - name of the new track (`intervals/<newTrack>/`).
 * @param existingTrack - name of an existing sample track.
 * @param transform - see {@link TrackTransform}.
 * @throws {@link TrackUpdateError} `GVL_UNKNOWN_TRACK` when `existingTrack` is not a
 *   sample track; `GVL_TRACK_EXISTS` when `newTrack` exists and not `overwrite` (or names
 *   an annotation track, or `existingTrack` itself); `GVL_BAD_TRANSFORM` naming the row
 *   whose length differs, or the wrong result type or row count.
 * @throws {@link InvalidArgumentError} `GVL_INVALID_ARGUMENT` for a bad `maxMem`;
 *   {@link TrackError} `GVL_BAD_TRACK` for a bad name; {@link BadDatasetError}
 *   `GVL_BAD_DATASET`; {@link FileError} `GVL_UNWRITABLE`, `GVL_DISK_FULL`;
 *   {@link AbortedError} `GVL_ABORTED`; whatever `transform` throws.
 * @see genvarloader `Dataset.write_transformed_track(new_track, existing_track, transform, max_mem, overwrite)`
 * @example
 * ```ts no-run reason: needs a dataset with a track
 * import { Ragged, writeTransformedTrack } from '@gvl/dataset';
 * // log1p of a coverage track
 * await writeTransformedTrack('chr16.gvl', 'log_gc', 'gc', (_r, _s, t) =>
 *   Ragged.fromOffsets(t.data.map(Math.log1p), t.offsets, t.shape.slice(0, -1) as number[]),
 * );
 * ```
 */
export async function writeTransformedTrack(
  path: string,
  newTrack: string,
  existingTrack: string,
  transform: TrackTransform,
  options: TransformTrackOptions = {},
): Promise<AddTracksSummary> {
  // Over 80 lines: every check of the arguments and the dataset comes first, in order, then one staged update; the update's callback closes over what the checks resolved.
  if (typeof transform !== 'function')
    throw new InvalidArgumentError('transform must be a function', { value: transform });
  const maxMem = options.maxMem ?? 2 ** 30;
  if (!Number.isSafeInteger(maxMem) || maxMem < 1)
    throw new InvalidArgumentError(
      `maxMem is ${String(maxMem)}: expected an integer >= 1 (bytes)`,
      {
        value: maxMem,
      },
    );
  const overwrite = options.overwrite ?? false;
  // A symlink to a dataset updates the dataset it points to (the link keeps pointing at it).
  const target = await realPathOf(path);
  await recoverInterruptedWrite(target);
  // Names: validated like any track name, before reading anything large.
  checkTrackNames([{ name: newTrack, paths: { [ANNOT_SAMPLE]: existingTrack } }]);
  const layout = await readLayout(target);
  if (!layout.sampleTracks.has(existingTrack))
    throw new TrackUpdateError(
      'GVL_UNKNOWN_TRACK',
      `${target} has no sample track ${JSON.stringify(existingTrack)}: it has ${[...layout.sampleTracks].map((t) => JSON.stringify(t)).join(', ') || 'none'}`,
      { value: existingTrack },
    );
  if (newTrack === existingTrack)
    throw new TrackUpdateError(
      'GVL_TRACK_EXISTS',
      `the new track must differ from the track it is computed from (${JSON.stringify(existingTrack)})`,
      { value: newTrack },
    );
  checkName(newTrack, SAMPLE_TRACKS_DIR, layout, overwrite);
  const files = await readDatasetFiles(target, { map: true });
  const src = files.tracks.get(existingTrack);
  if (src === undefined || src.annotation)
    throw new TrackUpdateError(
      'GVL_UNKNOWN_TRACK',
      `${target} has no sample track ${JSON.stringify(existingTrack)}`,
      {
        value: existingTrack,
      },
    );
  const { start, end } = layout.windows;
  const R = start.length;
  const S = layout.samples.length;
  // On-disk position -> input BED row.
  const inputRow = new Int32Array(R);
  for (let i = 0; i < R; i++) inputRow[files.rIdxMap[i] as number] = i;
  const len = (d: number) => (end[d] as number) - (start[d] as number);

  await updateDataset(target, [trackIntervalsDir(newTrack)], async (staging) => {
    // One streaming pass over the regions in memory-bounded chunks (read, transform, check, write); the running offsets span the whole pass.
    const tdir = join(staging, trackIntervalsDir(newTrack));
    await mkdir(tdir, { recursive: true });
    const w = {
      starts: new RawArrayWriter(join(tdir, npyFileName('starts'))),
      ends: new RawArrayWriter(join(tdir, npyFileName('ends'))),
      values: new RawArrayWriter(join(tdir, npyFileName('values'))),
      offsets: new RawArrayWriter(join(tdir, npyFileName('offsets'))),
    };
    const all = Object.values(w);
    try {
      w.offsets.write(new BigInt64Array([0n]));
      let acc = 0n;
      let d0 = 0;
      while (d0 < R) {
        if (options.signal?.aborted) throw new AbortedError('track transform aborted');
        // Whole regions, all samples, at most maxMem bytes of values (at least one region).
        let d1 = d0 + 1;
        let bytes = len(d0) * S * 4;
        while (d1 < R && bytes + len(d1) * S * 4 <= maxMem) bytes += len(d1++) * S * 4;
        const rows = (d1 - d0) * S;
        const offsets = new BigInt64Array(rows + 1);
        const regionIdx = new Int32Array(rows);
        const sampleIdx = new Int32Array(rows);
        let total = 0;
        for (let d = d0, k = 0; d < d1; d++)
          for (let s = 0; s < S; s++, k++) {
            regionIdx[k] = inputRow[d] as number;
            sampleIdx[k] = s;
            total += len(d);
            offsets[k + 1] = BigInt(total);
          }
        const values = new Float32Array(total);
        for (let d = d0, k = 0; d < d1; d++) {
          const ws = start[d] as number;
          const we = end[d] as number;
          for (let s = 0; s < S; s++, k++) {
            const g = d * S + s;
            const base = Number(offsets[k]);
            for (let i = Number(src.offsets[g]); i < Number(src.offsets[g + 1]); i++) {
              const a = Math.max(src.starts[i] as number, ws);
              const b = Math.min(src.ends[i] as number, we);
              if (b > a) values.fill(src.values[i] as number, base + a - ws, base + b - ws);
            }
          }
        }
        const input = Ragged.fromOffsets(values, offsets, [d1 - d0, S]);
        const out = await transform(regionIdx, sampleIdx, input);
        checkTransformResult(out, offsets, regionIdx, sampleIdx);
        const res = out as Ragged<Float32Array>;
        const rowOffs = new BigInt64Array(rows);
        for (let d = d0, k = 0; d < d1; d++) {
          const ws = start[d] as number;
          for (let s = 0; s < S; s++, k++) {
            const row = res.row(k);
            const rs: number[] = [];
            const re: number[] = [];
            const rv: number[] = [];
            let i = 0;
            while (i < row.length) {
              const v = row[i] as number;
              let j = i + 1;
              while (j < row.length && row[j] === v) j++;
              rs.push(ws + i);
              re.push(ws + j);
              rv.push(v);
              i = j;
            }
            w.starts.write(Int32Array.from(rs));
            w.ends.write(Int32Array.from(re));
            w.values.write(Float32Array.from(rv));
            acc += BigInt(rs.length);
            rowOffs[k] = acc;
          }
        }
        w.offsets.write(rowOffs);
        d0 = d1;
      }
      for (const x of all) x.close();
    } catch (e) {
      for (const x of all) x.abort();
      throw e;
    }
  });
  return { path: target, tracks: [newTrack], annotTracks: [] };
}

function checkTransformResult(
  out: unknown,
  offsets: BigInt64Array,
  regionIdx: Int32Array,
  sampleIdx: Int32Array,
): void {
  const rows = offsets.length - 1;
  if (!(out instanceof Ragged) || !(out.data instanceof Float32Array))
    throw new TrackUpdateError(
      'GVL_BAD_TRANSFORM',
      `the transform returned ${out instanceof Ragged ? `a Ragged of ${out.data.constructor.name}` : typeof out}: expected a Ragged<Float32Array>`,
      { value: out instanceof Ragged ? out.data.constructor.name : typeof out },
    );
  if (out.length !== rows)
    throw new TrackUpdateError(
      'GVL_BAD_TRANSFORM',
      `the transform returned ${out.length} rows: expected ${rows} (one per region and sample)`,
      { value: out.length },
    );
  for (let k = 0; k < rows; k++) {
    const want = Number((offsets[k + 1] as bigint) - (offsets[k] as bigint));
    const got = Number((out.offsets[k + 1] as bigint) - (out.offsets[k] as bigint));
    if (got !== want)
      throw new TrackUpdateError(
        'GVL_BAD_TRANSFORM',
        `the transform returned ${got} values for row ${k} (region ${regionIdx[k]}, sample ${sampleIdx[k]}): expected ${want}, the row's input length`,
        { value: { row: k, region: regionIdx[k], sample: sampleIdx[k], length: got } },
      );
  }
}
