/**
 * Reading a bgzipped, tabix-indexed VCF: header, contigs and record counts with
 * `@gmod/tabix` and `@gmod/vcf`; records streamed once, in file order, in blocks of
 * bounded size ({@link readVcfBlocks}); genotypes scanned straight from the GT bytes.
 *
 * @module
 */
import { open } from 'node:fs/promises';
import { constants, gunzipSync } from 'node:zlib';
import { TabixIndexedFile } from '@gmod/tabix';
import VCFParser from '@gmod/vcf';
import { checkBgzf, readBgzfBlocks } from './bgzf-check.js';
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
  /** The header lines as written (`##…` and the `#CHROM` line). */
  readonly header: string;
  /**
   * Streams every record of the file once, in file order, in blocks of whole lines of
   * one contig each; see {@link readVcfBlocks} for the memory bound.
   */
  blocks(signal?: AbortSignal): AsyncGenerator<VcfBlock>;
}

/** Consecutive records of one contig, in file order. */
export interface VcfBlock {
  /** `CHROM` of every line of the block. */
  readonly contig: string;
  /**
   * The first nine columns of each line (`CHROM` to `FORMAT`, without the tab that
   * follows), as one-byte (latin1) strings; the whole line when it has no sample column.
   */
  readonly lines: string[];
  /**
   * The sample columns of every line, as bytes: line `i`'s tab-separated sample columns
   * are `genotypes[genotypeStart[i], genotypeEnd[i])`. The buffer is reused: it is valid
   * until the generator is resumed.
   */
  readonly genotypes: Uint8Array;
  readonly genotypeStart: number[];
  readonly genotypeEnd: number[];
}

/**
 * A block is cut once its lines hold this many characters (or {@link BLOCK_MAX_LINES}
 * lines): a block holds at most this plus one line.
 */
export const BLOCK_TARGET_CHARS = 1 << 20;
/** Most lines in a block (bounds the per-record objects of short-line VCFs). */
export const BLOCK_MAX_LINES = 4096;
/**
 * Most bp between the `POS` of a block's first and last line (bounds the reference
 * sequence fetched per block to check REF alleles).
 */
export const BLOCK_MAX_SPAN = 1 << 20;
/** Initial size of the buffers of the partial line and of the block's sample columns. */
const STREAM_CHUNK_BYTES = 1 << 16;

/**
 * Streams the data lines of a bgzipped VCF in file order (header lines, starting with
 * `#`, and empty lines skipped), in blocks of consecutive lines of one contig.
 *
 * One sequential pass over the BGZF blocks ({@link readBgzfBlocks}: each block verified
 * and inflated into one reused 64 KiB buffer): the time is linear in the file's size and
 * the memory is bounded independently of the file's size and of the span of a contig:
 * one 1 MiB compressed read buffer, one 64 KiB inflated block, the partial line carried
 * across blocks, and the block of lines being filled — at most
 * {@link BLOCK_TARGET_CHARS} characters plus one line. Only the nine fixed columns of a
 * line become a string; the sample columns are copied, as bytes, into one buffer reused
 * from block to block, so no buffer is allocated per BGZF block or per line. A VCF line
 * holds every sample's genotype, so the bound grows with the sample count only through
 * the length of one line (about 4 bytes per diploid `GT`-only sample).
 *
 * The abort signal is polled between BGZF blocks (no listener is registered on it): when
 * it aborts, the generator returns early and the caller checks `signal.aborted`.
 *
 * @param path - a BGZF-compressed (bgzip) VCF; plain gzip is refused.
 * @throws {@link FileError} `GVL_UNREADABLE` when reading the file fails.
 * @throws {@link VcfError} `GVL_CORRUPT_VCF` / `GVL_TRUNCATED_VCF` (value
 *   `{ path, offset }`, the compressed offset of the bad block) when a BGZF block is not
 *   valid or does not inflate, as {@link readBgzfBlocks}; `GVL_BAD_VCF` (value
 *   `{ path, line }`, the 1-based data line number) for a data line without a tab after
 *   `CHROM`.
 */
export async function* readVcfBlocks(path: string, signal?: AbortSignal): AsyncGenerator<VcfBlock> {
  // One streaming generator over inflated chunks; its reused buffers and the block being built are state shared by its inner helpers.
  /** A line cut by a chunk boundary (the buffer is reused, grown by doubling). */
  let carry = Buffer.allocUnsafeSlow(STREAM_CHUNK_BYTES);
  let carried = 0;
  const keep = (bytes: Uint8Array) => {
    if (carried + bytes.length > carry.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(carry.length * 2, carried + bytes.length));
      carry.copy(grown, 0, 0, carried);
      carry = grown;
    }
    carry.set(bytes, carried);
    carried += bytes.length;
  };
  /** The sample columns of the block's lines (reused, grown by doubling). */
  let gts = Buffer.allocUnsafeSlow(STREAM_CHUNK_BYTES);
  let gtsUsed = 0;
  let lineNo = 0;
  let contig: string | undefined;
  let lines: string[] = [];
  let gtStart: number[] = [];
  let gtEnd: number[] = [];
  let chars = 0;
  /** `POS` of the block's first line. */
  let firstPos = 0;
  /** The line being added: its head and where its sample columns are. */
  let head = '';
  let headContig = '';
  let headPos = 0;
  let rest = 0;
  /**
   * Reads the head of line `buf[from, to)`; returns the finished block when this line
   * starts a new one (the line is then added by {@link add}, after the block is used).
   */
  const begin = (buf: Buffer, from: number, to: number): VcfBlock | undefined => {
    let tab = from;
    let tabs = 0;
    let first = -1;
    while (tabs < 9) {
      const t = buf.indexOf(9, tab);
      if (t < 0 || t >= to) break;
      if (tabs === 0) first = t;
      tabs++;
      tab = t + 1;
    }
    lineNo++;
    if (first <= from) {
      throw new VcfError(
        'GVL_BAD_VCF',
        `${path}: data line ${lineNo} has no tab-separated CHROM column: ${JSON.stringify(buf.toString('latin1', from, Math.min(to, from + 80)))}`,
        { value: { path, line: lineNo } },
      );
    }
    head = buf.toString('latin1', from, tabs === 9 ? tab - 1 : to);
    rest = tabs === 9 ? tab : to;
    headContig = head.slice(0, first - from);
    let pos = 0;
    for (let i = first - from + 1; i < head.length; i++) {
      const d = head.charCodeAt(i) - 48;
      if (d < 0 || d > 9) break;
      pos = pos * 10 + d;
    }
    headPos = pos;
    if (
      contig !== undefined &&
      (headContig !== contig ||
        chars >= BLOCK_TARGET_CHARS ||
        lines.length >= BLOCK_MAX_LINES ||
        pos - firstPos > BLOCK_MAX_SPAN)
    ) {
      const out = { contig, lines, genotypes: gts, genotypeStart: gtStart, genotypeEnd: gtEnd };
      lines = [];
      gtStart = [];
      gtEnd = [];
      gtsUsed = 0;
      chars = 0;
      return out;
    }
    return undefined;
  };
  /** Adds the line read by {@link begin}, whose sample columns end at `to`. */
  const add = (buf: Buffer, to: number) => {
    if (lines.length === 0) firstPos = headPos;
    contig = headContig;
    lines.push(head);
    const n = to - rest;
    if (gtsUsed + n > gts.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(gts.length * 2, gtsUsed + n));
      gts.copy(grown, 0, 0, gtsUsed);
      gts = grown;
    }
    buf.copy(gts, gtsUsed, rest, to);
    gtStart.push(gtsUsed);
    gtsUsed += n;
    gtEnd.push(gtsUsed);
    chars += head.length + n;
  };
  /** Handles line `buf[from, to)` (its terminator excluded). */
  async function* line(buf: Buffer, from: number, to: number): AsyncGenerator<VcfBlock> {
    if (to > from && buf[to - 1] === 13) to--;
    if (to === from || buf[from] === 35 /* # */) return;
    const full = begin(buf, from, to);
    if (full !== undefined) yield full;
    add(buf, to);
  }
  try {
    for await (const { data: chunk } of readBgzfBlocks(path)) {
      if (signal?.aborted) return;
      let from = 0;
      for (;;) {
        const nl = chunk.indexOf(10, from);
        if (nl < 0) break;
        if (carried > 0) {
          keep(chunk.subarray(from, nl));
          const n = carried;
          carried = 0;
          yield* line(carry, 0, n);
        } else {
          yield* line(chunk, from, nl);
        }
        from = nl + 1;
      }
      // Copy the tail: the chunk itself is not retained.
      if (from < chunk.length) keep(chunk.subarray(from));
    }
    if (carried > 0) {
      const n = carried;
      carried = 0;
      yield* line(carry, 0, n);
    }
    if (contig !== undefined && lines.length > 0)
      yield { contig, lines, genotypes: gts, genotypeStart: gtStart, genotypeEnd: gtEnd };
  } catch (cause) {
    if (cause instanceof VcfError) throw cause;
    if (signal?.aborted) return;
    const code = (cause as { code?: unknown } | null)?.code;
    if (typeof code === 'string' && code.startsWith('E')) {
      // A system error of the read (EIO, ENOENT...), not of the data.
      throw new FileError('GVL_UNREADABLE', `cannot read ${path}: ${describeError(cause)}`, {
        value: path,
        cause,
      });
    }
    throw new VcfError('GVL_CORRUPT_VCF', `cannot decompress ${path}: ${describeError(cause)}`, {
      value: { path },
      cause,
    });
  }
}

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

/** The checks every reader of a VCF runs first, and its tabix handle. */
async function openIndexed(path: string): Promise<{
  indexPath: string;
  tabix: TabixIndexedFile;
  first: Awaited<ReturnType<typeof sniff>>;
}> {
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
  // The index serves the header, the contigs and their record counts; records are
  // streamed sequentially by readVcfBlocks, so the chunk cache holds one block at most.
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
  return { indexPath, tabix, first };
}

/** The header of an indexed VCF, parsed, with its sample columns checked. */
async function parseHeader(
  path: string,
  indexPath: string,
  tabix: TabixIndexedFile,
): Promise<{
  metadata: Awaited<ReturnType<TabixIndexedFile['getMetadata']>>;
  parser: VCFParser;
  header: string;
}> {
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
  return { metadata, parser, header };
}

/**
 * The sample names of a bgzipped, indexed VCF in column order, read from its header
 * alone (through the index; no record is read and the BGZF container is not checked).
 *
 * @throws {@link FileError} `GVL_UNREADABLE` when the file cannot be read;
 *   `GVL_MISSING_INDEX` when neither `PATH.tbi` nor `PATH.csi` exists.
 * @throws {@link VcfError} `GVL_BCF_UNSUPPORTED` for a BCF; `GVL_BAD_VCF` when the file is
 *   not bgzipped, its header cannot be parsed, it has no sample, or names a sample twice.
 */
export async function vcfSamples(path: string): Promise<string[]> {
  const { indexPath, tabix } = await openIndexed(path);
  return [...(await parseHeader(path, indexPath, tabix)).parser.samples];
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
  const { indexPath, tabix, first } = await openIndexed(path);
  await checkBgzf(path, options.signal ? { signal: options.signal } : {});
  const { metadata, parser, header } = await parseHeader(path, indexPath, tabix);
  const contigMeta = parser.getMetadata('contig');
  const headerContigs = contigMeta && typeof contigMeta === 'object' ? Object.keys(contigMeta) : [];
  const contigs = metadata.refIdToName.filter((c): c is string => typeof c === 'string');
  const recordCounts = new Map<string, number>();
  for (const c of contigs) recordCounts.set(c, await tabix.lineCount(c));

  return {
    path,
    indexPath,
    samples: parser.samples,
    contigs,
    headerContigs,
    recordCounts,
    ploidy: ploidyOf(first.text, parser),
    parser,
    header,
    blocks: (signal?: AbortSignal) => readVcfBlocks(path, signal),
  };
}
