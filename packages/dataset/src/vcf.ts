/**
 * Reading a bgzipped, tabix-indexed VCF: header and samples with `@gmod/vcf`, records
 * streamed per contig in bounded position blocks with `@gmod/tabix`, genotypes read
 * straight from the GT text.
 *
 * @module
 */
import { open } from 'node:fs/promises';
import { constants, gunzipSync } from 'node:zlib';
import { TabixIndexedFile } from '@gmod/tabix';
import VCFParser from '@gmod/vcf';
import { checkBgzf } from './bgzf-check.js';
import { describeError, FileError, VcfError } from './errors.js';
import { checkReadable, exists } from './files.js';

/** An opened VCF. */
export interface VcfSource {
  /** Path of the `.vcf.gz`. */
  readonly path: string;
  /** Path of the index used (`.tbi` or `.csi`). */
  readonly indexPath: string;
  /** Sample names in column order. */
  readonly samples: readonly string[];
  /** Contigs that have records, in file order (from the index). */
  readonly contigs: readonly string[];
  /** Contigs declared by `##contig` header lines. */
  readonly headerContigs: readonly string[];
  /** Number of records per contig, from the index (`-1` when the index does not say). */
  readonly recordCounts: ReadonlyMap<string, number>;
  /** Most alleles in a genotype of the first record (`null` when the VCF has no record). */
  readonly ploidy: number | null;
  /** The `@gmod/vcf` parser built from the header. */
  readonly parser: VCFParser;
  /**
   * Streams the records of `contig` in file order, in blocks of whole lines whose
   * 0-based start lies in consecutive position windows (each record exactly once).
   */
  blocks(contig: string, signal?: AbortSignal): AsyncGenerator<VcfBlock>;
}

/** Records of one position window. */
export interface VcfBlock {
  /** Raw VCF lines (no trailing newline). */
  readonly lines: string[];
  /** 0-based start of each line's record. */
  readonly starts: number[];
  /** 0-based window `[start, end)` the records start in. */
  readonly start: number;
  readonly end: number;
}

const BLOCK_TARGET_CHARS = 1 << 20;
const INITIAL_SPAN = 1 << 16;
const MAX_SPAN = 1 << 26;
/** Compressed bytes per window, at most (as far as the index's resolution allows). */
const WINDOW_BYTES = 64 << 10;

/** Reads the first `n` bytes of a file. */
async function readPrefix(path: string, n: number): Promise<Uint8Array> {
  const fh = await open(path, 'r');
  try {
    const buf = new Uint8Array(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

function isBgzf(b: Uint8Array): boolean {
  // gzip magic, deflate, FEXTRA set, extra subfield 'BC' (SAM/BAM spec, BGZF).
  return (
    b.length >= 18 &&
    b[0] === 0x1f &&
    b[1] === 0x8b &&
    b[2] === 8 &&
    ((b[3] ?? 0) & 4) !== 0 &&
    b[12] === 66 &&
    b[13] === 67
  );
}

const BCF_HINT = (path: string) =>
  `convert it to a bgzipped VCF with \`bcftools view -Oz -o out.vcf.gz ${path} && tabix -p vcf out.vcf.gz\``;

/**
 * Decompresses the beginning of the file until the first data line is complete (or the
 * file ends), to check the format and read the ploidy of the first genotype.
 */
async function sniff(path: string): Promise<{ text: string; complete: boolean }> {
  let n = 1 << 16;
  for (;;) {
    const raw = await readPrefix(path, n);
    if (raw.length >= 3 && raw[0] === 66 && raw[1] === 67 && raw[2] === 70) {
      throw new VcfError(
        'GVL_BCF_UNSUPPORTED',
        `${path} is an uncompressed BCF, which is not supported: ${BCF_HINT(path)}`,
        { value: path },
      );
    }
    if (!(raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b)) {
      throw new VcfError(
        'GVL_BAD_VCF',
        `${path} is not bgzip-compressed: compress and index it with \`bgzip ${path} && tabix -p vcf ${path}.gz\``,
        { value: path },
      );
    }
    let text: string;
    try {
      const out = gunzipSync(raw, { finishFlush: constants.Z_SYNC_FLUSH });
      if (out.length >= 3 && out[0] === 66 && out[1] === 67 && out[2] === 70) {
        throw new VcfError(
          'GVL_BCF_UNSUPPORTED',
          `${path} is a BCF, which is not supported: ${BCF_HINT(path)}`,
          { value: path },
        );
      }
      if (!isBgzf(raw)) {
        throw new VcfError(
          'GVL_BAD_VCF',
          `${path} is gzip- but not bgzip-compressed, so it cannot be indexed: recompress it with \`zcat ${path} | bgzip > out.vcf.gz && tabix -p vcf out.vcf.gz\``,
          { value: path },
        );
      }
      text = out.toString('latin1');
    } catch (cause) {
      if (cause instanceof VcfError) throw cause;
      throw new VcfError('GVL_BAD_VCF', `cannot decompress ${path}: ${describeError(cause)}`, {
        value: path,
        cause,
      });
    }
    const exhausted = raw.length < n;
    // Find the first data line and whether it is complete.
    let pos = 0;
    for (;;) {
      const nl = text.indexOf('\n', pos);
      if (text.charCodeAt(pos) !== 35 /* # */) {
        if (nl >= 0 || exhausted)
          return { text: text.slice(pos, nl >= 0 ? nl : undefined), complete: true };
        break;
      }
      if (nl < 0) {
        if (exhausted) return { text: '', complete: true };
        break;
      }
      pos = nl + 1;
    }
    if (exhausted) return { text: '', complete: true };
    n *= 4;
  }
}

/** The largest number of alleles of any genotype in `line` (`null` without a record). */
function ploidyOf(line: string, parser: VCFParser): number | null {
  if (line.trim() === '') return null;
  let ploidy: number | null = null;
  try {
    const v = parser.parseLine(line);
    v.processGenotypes((str, start, end) => {
      let n = 1;
      for (let i = start; i < end; i++) {
        const c = str.charCodeAt(i);
        if (c === 124 || c === 47) n++;
      }
      if (ploidy === null || n > ploidy) ploidy = n;
    });
  } catch {
    return null;
  }
  return ploidy;
}

/** Options of {@link openVcf}. */
export interface OpenVcfOptions {
  /** Cancels the integrity check (rejects with `GVL_ABORTED`). */
  signal?: AbortSignal;
}

/**
 * Opens a bgzipped VCF with its `.tbi` or `.csi` index (`.tbi` preferred), after
 * verifying the whole BGZF container once ({@link checkBgzf}: block headers, CRC32,
 * ISIZE, EOF block; one streaming pass, memory bounded by one read buffer).
 *
 * @throws {@link FileError} `GVL_UNREADABLE` when the file cannot be read;
 *   `GVL_MISSING_INDEX` when neither `PATH.tbi` nor `PATH.csi` exists.
 * @throws {@link VcfError} `GVL_BCF_UNSUPPORTED` for a BCF; `GVL_BAD_VCF` when the file
 *   is not bgzipped or its header cannot be parsed, it has no sample, or it names a
 *   sample twice; `GVL_TRUNCATED_VCF` / `GVL_CORRUPT_VCF` (value `{ path, offset }`)
 *   when the BGZF check fails.
 * @throws {@link AbortedError} `GVL_ABORTED` when `signal` aborts the check.
 */
export async function openVcf(path: string, options: OpenVcfOptions = {}): Promise<VcfSource> {
  if (/\.bcf$/i.test(path)) {
    throw new VcfError(
      'GVL_BCF_UNSUPPORTED',
      `${path} is a BCF, which is not supported: ${BCF_HINT(path)}`,
      { value: path },
    );
  }
  await checkReadable(path, 'VCF');
  const first = await sniff(path);
  const tbi = `${path}.tbi`;
  const csi = `${path}.csi`;
  let indexPath: string;
  let tabix: TabixIndexedFile;
  // A 64 KiB chunk cache holds a single block: memory stays bounded by the query window.
  if (await exists(tbi)) {
    indexPath = tbi;
    tabix = new TabixIndexedFile({ path, tbiPath: tbi, chunkCacheSize: 1 << 16 });
  } else if (await exists(csi)) {
    indexPath = csi;
    tabix = new TabixIndexedFile({ path, csiPath: csi, chunkCacheSize: 1 << 16 });
  } else {
    throw new FileError(
      'GVL_MISSING_INDEX',
      `VCF ${path} has no index (${tbi} or ${csi}): create one with \`tabix -p vcf ${path}\` or \`bcftools index -t ${path}\``,
      { value: path },
    );
  }
  await checkBgzf(path, options.signal ? { signal: options.signal } : {});
  let header: string;
  let metadata: Awaited<ReturnType<TabixIndexedFile['getMetadata']>>;
  try {
    metadata = await tabix.getMetadata();
    header = await tabix.getHeader();
  } catch (cause) {
    throw new VcfError(
      'GVL_BAD_VCF',
      `cannot read the index ${indexPath} or header of ${path}: ${describeError(cause)}`,
      {
        value: path,
        cause,
      },
    );
  }
  let parser: VCFParser;
  try {
    parser = new VCFParser({ header, strict: false });
  } catch (cause) {
    throw new VcfError(
      'GVL_BAD_VCF',
      `cannot parse the header of ${path}: ${describeError(cause)}`,
      { value: path, cause },
    );
  }
  if (parser.samples.length === 0) {
    throw new VcfError('GVL_BAD_VCF', `${path} has no sample columns: genotypes are required`, {
      value: path,
    });
  }
  const column = new Map<string, number>();
  for (let i = 0; i < parser.samples.length; i++) {
    const s = parser.samples[i] as string;
    const first = column.get(s);
    if (first !== undefined) {
      throw new VcfError(
        'GVL_BAD_VCF',
        `${path} names sample ${JSON.stringify(s)} twice (sample columns ${first + 1} and ${i + 1}): expected unique sample names; rename one with \`bcftools reheader -s\``,
        { value: s },
      );
    }
    column.set(s, i);
  }
  const contigMeta = parser.getMetadata('contig');
  const headerContigs = contigMeta && typeof contigMeta === 'object' ? Object.keys(contigMeta) : [];
  const contigs = metadata.refIdToName.filter((c): c is string => typeof c === 'string');
  const recordCounts = new Map<string, number>();
  for (const c of contigs) recordCounts.set(c, await tabix.lineCount(c));
  const maxRef = metadata.maxRefLength;

  async function* blocks(contig: string, signal?: AbortSignal): AsyncGenerator<VcfBlock> {
    if (!contigs.includes(contig)) return;
    let a = 0;
    let span = INITIAL_SPAN;
    while (a < maxRef) {
      if (signal?.aborted) return;
      let b = Math.min(a + span, maxRef);
      // Bound each window's compressed bytes (from the index, no I/O on the VCF): the
      // tabix read of one window inflates and splits it synchronously.
      while (span > 1024) {
        const bytes = await tabix.bytesForRegions([{ refName: contig, start: a, end: b }]);
        if (bytes <= WINDOW_BYTES) break;
        span = Math.floor(span / 2);
        b = Math.min(a + span, maxRef);
      }
      const lines: string[] = [];
      const starts: number[] = [];
      let chars = 0;
      const lo = a;
      try {
        await tabix.getLines(contig, a, b, {
          lineCallback: (line: string, _fileOffset: number, start: number) => {
            if (start < lo) return;
            lines.push(line);
            starts.push(start);
            chars += line.length;
          },
          ...(signal ? { signal } : {}),
        });
      } catch (cause) {
        if (signal?.aborted) return;
        throw new VcfError(
          'GVL_BAD_VCF',
          `cannot read ${contig}:${a + 1}-${b} of ${path}: ${describeError(cause)}`,
          {
            value: path,
            cause,
          },
        );
      }
      yield { lines, starts, start: a, end: b };
      a = b;
      if (chars > BLOCK_TARGET_CHARS && span > 1024) span = Math.floor(span / 2);
      else if (chars < BLOCK_TARGET_CHARS / 4 && span < MAX_SPAN) span *= 2;
      // Read on past the index's record count (a stale index is caught by the caller's
      // count check), stopping once the index has no more bytes for the contig.
      if (lines.length === 0) {
        const left = await tabix.bytesForRegions([{ refName: contig, start: a, end: maxRef }]);
        if (left === 0) return;
      }
    }
  }

  return {
    path,
    indexPath,
    samples: parser.samples,
    contigs,
    headerContigs,
    recordCounts,
    ploidy: ploidyOf(first.text, parser),
    parser,
    blocks,
  };
}
