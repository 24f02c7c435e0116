/**
 * Per-sample bigWig tracks (`@gmod/bbi`) written as interval lists.
 *
 * @module
 */
import { BigWig } from '@gmod/bbi';
import { ContigNormalizer } from './contigs.js';
import { describeError, TrackError } from './errors.js';
import { checkReadable } from './files.js';

/**
 * A signal track given as one bigWig per sample, like the peer's
 * `BigWigs(name, {sample: path})`.
 */
export interface BigWigTrack {
  /** Track name: the folder `intervals/<name>/`; letters, digits, `_`, `-`, `.`. */
  readonly name: string;
  /** bigWig path per sample name. */
  readonly paths: Readonly<Record<string, string>>;
}

/** Intervals of one (region, sample) query, clipped to the query window. */
export interface Intervals {
  /** 0-based starts (absolute contig coordinates). */
  readonly starts: Int32Array;
  /** 0-based exclusive ends. */
  readonly ends: Int32Array;
  readonly values: Float32Array;
}

/** An opened bigWig. */
export interface BigWigSource {
  readonly path: string;
  /** Contig names of the file. */
  readonly contigs: ContigNormalizer;
  /**
   * Intervals overlapping `[start, end)` of `contig` (already in the file's spelling),
   * clipped to `[max(start, 0), end)` and sorted by start, as the peer stores them.
   */
  intervals(contig: string, start: number, end: number): Promise<Intervals>;
}

const TRACK_NAME = /^[A-Za-z0-9_.-]+$/;

/**
 * Checks track names: non-empty, safe as a folder name, unique.
 *
 * @throws {@link TrackError} `GVL_BAD_TRACK` naming the bad or duplicated name.
 */
export function checkTrackNames(tracks: readonly BigWigTrack[]): void {
  const seen = new Set<string>();
  for (const t of tracks) {
    if (!TRACK_NAME.test(t.name) || t.name === '.' || t.name === '..') {
      throw new TrackError(
        `track name ${JSON.stringify(t.name)} is invalid: expected letters, digits, '_', '-' or '.'`,
        { value: t.name },
      );
    }
    if (seen.has(t.name)) {
      throw new TrackError(
        `track name ${JSON.stringify(t.name)} is used twice: names must be unique`,
        {
          value: t.name,
        },
      );
    }
    seen.add(t.name);
    if (Object.keys(t.paths).length === 0) {
      throw new TrackError(`track ${JSON.stringify(t.name)} has no sample`, { value: t.name });
    }
  }
}

/**
 * Opens a bigWig and reads its header.
 *
 * @throws {@link FileError} `GVL_UNREADABLE` when the file cannot be read.
 * @throws {@link TrackError} `GVL_BAD_TRACK` when it is not a bigWig.
 */
export async function openBigWig(path: string): Promise<BigWigSource> {
  await checkReadable(path, 'bigWig');
  const bw = new BigWig({ path });
  let names: string[];
  try {
    const header = await bw.getHeader();
    if (header.fileType !== 'bigwig') throw new Error(`file type is ${header.fileType}`);
    names = Object.keys(header.refsByName);
  } catch (cause) {
    throw new TrackError(`${path} is not a readable bigWig: ${describeError(cause)}`, {
      value: path,
      cause,
    });
  }
  return {
    path,
    contigs: new ContigNormalizer(names),
    async intervals(contig: string, start: number, end: number): Promise<Intervals> {
      const lo = Math.max(start, 0);
      if (end <= lo)
        return { starts: new Int32Array(0), ends: new Int32Array(0), values: new Float32Array(0) };
      let f: Awaited<ReturnType<BigWig['getFeaturesAsArrays']>>;
      try {
        f = await bw.getFeaturesAsArrays(contig, lo, end);
      } catch (cause) {
        throw new TrackError(
          `cannot read ${contig}:${lo}-${end} from ${path}: ${describeError(cause)}`,
          {
            value: path,
            cause,
          },
        );
      }
      const n = f.starts.length;
      const order = Array.from({ length: n }, (_, i) => i);
      order.sort((a, b) => (f.starts[a] as number) - (f.starts[b] as number) || a - b);
      const starts = new Int32Array(n);
      const ends = new Int32Array(n);
      const values = new Float32Array(n);
      let k = 0;
      for (const i of order) {
        const s = Math.max(f.starts[i] as number, lo);
        const e = Math.min(f.ends[i] as number, end);
        if (e <= s) continue; // touching, not overlapping
        starts[k] = s;
        ends[k] = e;
        values[k] = f.scores[i] as number;
        k++;
      }
      return {
        starts: starts.subarray(0, k),
        ends: ends.subarray(0, k),
        values: values.subarray(0, k),
      };
    },
  };
}
