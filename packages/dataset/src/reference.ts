import { ContigNormalizer } from './contigs.js';
import { FastaError, UnknownContigError } from './errors.js';
import { openFasta } from './fasta.js';

/**
 * A reference genome held in memory for the read path: the dataset's contigs
 * concatenated in `metadata.contigs` order, upper-cased ASCII bytes.
 *
 * Contig `i` is `data.subarray(Number(offsets[i]), Number(offsets[i + 1]))`; coordinates
 * within it are 0-based. Kernels pad with {@link Reference.padChar} (`N`) outside a contig.
 *
 * @see genvarloader `Reference.from_path`.
 */
export interface Reference {
  /** Path of the FASTA it was read from. */
  readonly path: string;
  /** Contig names in dataset order (the dataset's spelling). */
  readonly contigs: readonly string[];
  /** All contigs' bytes, concatenated; `Uint8Array` of ASCII, upper case. */
  readonly data: Uint8Array;
  /** Start of each contig in `data`, int64, length `contigs.length + 1`. */
  readonly offsets: BigInt64Array;
  /** Padding byte, `N` (78). */
  readonly padChar: number;
}

const CHUNK = 8 << 20;

/**
 * Reads the dataset's contigs from an indexed FASTA (plain + `.fai`, or bgzip + `.fai` +
 * `.gzi`) into memory, in the order of `contigs`, matching names with `chr`-prefix
 * normalization both ways (`1` ↔ `chr1`, `MT` ↔ `chrM`).
 *
 * @param path - the FASTA.
 * @param contigs - the dataset's `metadata.contigs`.
 * @throws {@link UnknownContigError} `GVL_UNKNOWN_CONTIG` naming a contig the FASTA lacks.
 * @throws `GVL_UNREADABLE`, `GVL_MISSING_INDEX`, `GVL_BAD_FASTA` from opening the FASTA.
 * @example
 * ```ts
 * const ref = await loadReference('chr20_1-2Mb.fa.gz', ['20']);
 * ref.offsets; // BigInt64Array [0n, 2000000n]: contig c is ref.data.subarray(offsets[c], offsets[c + 1])
 * ```
 */
export async function loadReference(path: string, contigs: readonly string[]): Promise<Reference> {
  const fa = await openFasta(path);
  const norm = new ContigNormalizer(fa.names);
  const names = contigs.map((c) => {
    const n = norm.normalize(c);
    if (n === undefined) {
      throw new UnknownContigError(
        `dataset contig ${JSON.stringify(c)} is not in reference ${path} (which has ${fa.names.slice(0, 5).join(', ')}${fa.names.length > 5 ? ', …' : ''})`,
        { value: c },
      );
    }
    return n;
  });
  // Shared memory, so worker threads of the caller can read the same bytes without a copy.
  const offsets = new BigInt64Array(new SharedArrayBuffer((contigs.length + 1) * 8));
  let total = 0;
  names.forEach((n, i) => {
    const len = fa.lengths.get(n);
    if (len === undefined || !Number.isSafeInteger(len) || len < 0) {
      throw new FastaError(
        `FASTA index of ${path} gives contig ${n} the length ${String(len)}: expected an integer >= 0`,
        {
          value: `${path}.fai`,
        },
      );
    }
    total += len;
    offsets[i + 1] = BigInt(total);
  });
  const data = new Uint8Array(new SharedArrayBuffer(total));
  for (let i = 0; i < names.length; i++) {
    const name = names[i] as string;
    const len = fa.lengths.get(name) ?? 0;
    const base = Number(offsets[i]);
    for (let s = 0; s < len; s += CHUNK) {
      const seq = await fa.fetch(name, s, Math.min(len, s + CHUNK));
      data.set(Buffer.from(seq, 'latin1'), base + s);
    }
  }
  return { path, contigs: [...contigs], data, offsets, padChar: 78 };
}
