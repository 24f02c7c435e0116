/**
 * Indexed FASTA access (plain + `.fai`, or bgzip + `.fai` + `.gzi`) through
 * `@gmod/indexedfasta`.
 *
 * @module
 */
import { open } from 'node:fs/promises';
import { BgzipIndexedFasta, IndexedFasta } from '@gmod/indexedfasta';
import { describeError, FastaError, FileError } from './errors.js';
import { checkReadable, exists } from './files.js';

/** An opened, indexed FASTA. Coordinates are 0-based, half-open. */
export interface FastaSource {
  /** Path of the FASTA. */
  readonly path: string;
  /** Sequence names in `.fai` order. */
  readonly names: readonly string[];
  /** Length of each sequence, by name. */
  readonly lengths: ReadonlyMap<string, number>;
  /**
   * Upper-cased bases of `[start, end)` on `name`, clipped to the sequence (so the result
   * is shorter than `end - start` past the contig end).
   */
  fetch(name: string, start: number, end: number): Promise<string>;
}

async function isGzipFile(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const buf = new Uint8Array(2);
    const { bytesRead } = await fh.read(buf, 0, 2, 0);
    return bytesRead === 2 && buf[0] === 0x1f && buf[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

/**
 * Opens an indexed FASTA. A gzipped FASTA must be bgzipped with both `.fai` and `.gzi`
 * (as `samtools faidx` writes them).
 *
 * @throws {@link FileError} `GVL_UNREADABLE` when the FASTA cannot be read;
 *   `GVL_MISSING_INDEX` when `.fai` (or `.gzi` for a gzipped FASTA) is missing.
 * @throws {@link FastaError} `GVL_BAD_FASTA` when the index cannot be parsed.
 */
export async function openFasta(path: string): Promise<FastaSource> {
  await checkReadable(path, 'reference FASTA');
  const gz = await isGzipFile(path);
  const faiPath = `${path}.fai`;
  const gziPath = `${path}.gzi`;
  if (!(await exists(faiPath))) {
    throw new FileError(
      'GVL_MISSING_INDEX',
      `reference ${path} has no index ${faiPath}: create it with \`samtools faidx ${path}\``,
      { value: faiPath },
    );
  }
  if (gz && !(await exists(gziPath))) {
    throw new FileError(
      'GVL_MISSING_INDEX',
      `gzipped reference ${path} has no ${gziPath}: it must be bgzip-compressed and indexed with \`samtools faidx ${path}\``,
      { value: gziPath },
    );
  }
  const fa = gz
    ? new BgzipIndexedFasta({ path, faiPath, gziPath })
    : new IndexedFasta({ path, faiPath });
  let sizes: Record<string, number>;
  try {
    sizes = await fa.getSequenceSizes();
  } catch (cause) {
    throw new FastaError(`cannot parse FASTA index ${faiPath}: ${describeError(cause)}`, {
      value: faiPath,
      cause,
    });
  }
  const names = Object.keys(sizes);
  if (names.length === 0) {
    throw new FastaError(`FASTA index ${faiPath} lists no sequences`, { value: faiPath });
  }
  const lengths = new Map(Object.entries(sizes));
  return {
    path,
    names,
    lengths,
    async fetch(name: string, start: number, end: number): Promise<string> {
      const len = lengths.get(name) ?? 0;
      const s = Math.max(0, start);
      const e = Math.min(end, len);
      if (e <= s) return '';
      let seq: string | undefined;
      try {
        seq = await fa.getSequence(name, s, e);
      } catch (cause) {
        throw new FastaError(
          `cannot read ${name}:${s}-${e} from ${path}: ${describeError(cause)}`,
          {
            value: path,
            cause,
          },
        );
      }
      return (seq ?? '').toUpperCase();
    },
  };
}
