/**
 * Integrity check of a BGZF file (the bgzip container of `.vcf.gz`), block by block, as
 * htslib verifies it while reading: every block's gzip header with its `BC` extra
 * subfield and `BSIZE`, the inflated payload's CRC32 and ISIZE against the block footer,
 * and the 28-byte empty EOF block at the end of the file.
 *
 * @module
 */
import { open, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import * as zlib from 'node:zlib';
import { AbortedError, VcfError } from './errors.js';

/** The empty BGZF block every complete BGZF file ends with (SAM/BAM spec §4.1.2). */
export const BGZF_EOF = Uint8Array.from([
  0x1f, 0x8b, 0x08, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0x06, 0x00, 0x42, 0x43, 0x02, 0x00,
  0x1b, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
]);

/** What {@link checkBgzf} read. */
export interface BgzfSummary {
  /** Number of blocks, the EOF block included. */
  readonly blocks: number;
  /** Size of the file in bytes (compressed). */
  readonly compressedBytes: number;
  /** Sum of the blocks' ISIZE: the decompressed size in bytes. */
  readonly uncompressedBytes: number;
}

/** Options of {@link checkBgzf}. */
export interface BgzfCheckOptions {
  /** Cancels the check (rejects with `GVL_ABORTED`). */
  signal?: AbortSignal;
  /**
   * Longest synchronous stretch, in milliseconds, before yielding to the event loop
   * (default 8).
   */
  sliceMs?: number;
  /** Bytes read from the file at a time (default 1 MiB; at least one block, 64 KiB). */
  readBytes?: number;
}

const MAX_BLOCK = 1 << 16;

let crcTable: Uint32Array | undefined;
/** CRC-32 (IEEE, as gzip), table-driven: only for Node.js < 20.15, which lacks `zlib.crc32`. */
function tableCrc32(data: Uint8Array): number {
  if (crcTable === undefined) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++)
    c = (crcTable[(c ^ (data[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const crc32: (data: Uint8Array) => number =
  typeof zlib.crc32 === 'function' ? (d) => zlib.crc32(d) >>> 0 : tableCrc32;

const yieldToLoop = () => new Promise<void>((r) => setImmediate(r));

/** The part of pako's zlib port (`pako/lib/zlib/*`) that {@link RawInflater} drives. */
interface PakoZStream {
  input: Uint8Array | null;
  next_in: number;
  avail_in: number;
  output: Uint8Array | null;
  next_out: number;
  avail_out: number;
  msg: string;
  total_in: number;
  total_out: number;
  state: PakoInflateState | null;
}
/** The fields of pako's inflate state that zlib's `inflateReset` sets (pako 2.x). */
interface PakoInflateState {
  mode: number;
  last: number;
  havedict: number;
  flags: number;
  dmax: number;
  head: unknown;
  hold: number;
  bits: number;
  total: number;
  lencode: unknown;
  distcode: unknown;
  readonly lendyn: Int32Array | null;
  readonly distdyn: Int32Array | null;
  sane: number;
  back: number;
  wsize: number;
  whave: number;
  wnext: number;
}
interface PakoInflate {
  inflateInit2(strm: PakoZStream, windowBits: number): number;
  inflateReset(strm: PakoZStream): number;
  inflate(strm: PakoZStream, flush: number): number;
  inflateEnd(strm: PakoZStream): number;
}
const requireCjs = createRequire(import.meta.url);
const pakoInflate = requireCjs('pako/lib/zlib/inflate.js') as PakoInflate;
const PakoZStreamCtor = requireCjs('pako/lib/zlib/zstream.js') as new () => PakoZStream;
/** zlib's `Z_FINISH`, `Z_STREAM_END` (pako uses zlib's values). */
const Z_FINISH = 4;
const Z_STREAM_END = 1;

/**
 * Inflates raw deflate streams into a caller's buffer through one zlib state (pako's
 * port of zlib, reset between streams): no output buffer is allocated per stream, unlike
 * `zlib.inflateRawSync`, whose 64 KiB result per BGZF block is garbage that V8 frees
 * only at its external-memory threshold (tens of MiB over a large VCF).
 */
export class RawInflater {
  private readonly strm = new PakoZStreamCtor();
  /** The state, when it has the shape {@link reset} relies on. */
  private readonly state: PakoInflateState | undefined;
  /** pako's `HEAD` mode, read from the state right after a reset. */
  private readonly headMode: number;
  constructor() {
    pakoInflate.inflateInit2(this.strm, -15);
    const st = this.strm.state;
    this.headMode = st?.mode ?? 0;
    this.state =
      st !== null &&
      typeof st.mode === 'number' &&
      st.lendyn instanceof Int32Array &&
      st.distdyn instanceof Int32Array &&
      typeof st.wsize === 'number' &&
      typeof st.back === 'number'
        ? st
        : undefined;
  }

  /** Whether resets reuse the state's decoding tables (the shape of pako's state is known). */
  get reusesTables(): boolean {
    return this.state !== undefined;
  }

  /**
   * zlib's `inflateReset`, keeping the state's two dynamic Huffman tables: pako's own
   * reset allocates them anew (6 KiB per BGZF block, garbage that V8 frees late). The
   * tables are rebuilt by every dynamic deflate block before use, so reusing them is what
   * zlib itself does. Falls back to pako's reset when the state is not as expected.
   */
  private reset(): void {
    const st = this.state;
    if (st === undefined) {
      pakoInflate.inflateReset(this.strm);
      return;
    }
    this.strm.total_in = 0;
    this.strm.total_out = 0;
    this.strm.msg = '';
    st.total = 0;
    st.mode = this.headMode;
    st.last = 0;
    st.havedict = 0;
    st.flags = -1;
    st.dmax = 32768;
    st.head = null;
    st.hold = 0;
    st.bits = 0;
    st.lencode = st.lendyn;
    st.distcode = st.distdyn;
    st.sane = 1;
    st.back = -1;
    st.wsize = 0;
    st.whave = 0;
    st.wnext = 0;
  }
  /**
   * Inflates all of `src` into `out`; returns the number of bytes written, or a message
   * when the data is not a complete deflate stream that fits in `out`.
   */
  inflate(src: Uint8Array, out: Uint8Array): number | string {
    const s = this.strm;
    this.reset();
    s.input = src;
    s.next_in = 0;
    s.avail_in = src.length;
    s.output = out;
    s.next_out = 0;
    s.avail_out = out.length;
    const status = pakoInflate.inflate(s, Z_FINISH);
    const n = s.next_out;
    s.input = null;
    s.output = null;
    if (status === Z_STREAM_END) return n;
    if (status >= 0 || status === -5 /* Z_BUF_ERROR */) {
      return s.avail_out === 0
        ? `inflates to more than ${out.length} bytes`
        : 'ends before its deflate stream does';
    }
    return s.msg || `zlib status ${status}`;
  }
}

/** One inflated BGZF block. */
export interface BgzfBlock {
  /** Compressed byte offset of the block in the file. */
  readonly offset: number;
  /**
   * The block's inflated bytes (`ISIZE` of them, at most 64 KiB): a view of a buffer that
   * is reused for the next block, valid until the generator is resumed.
   */
  readonly data: Buffer;
}

/** Options of {@link readBgzfBlocks}. */
export interface BgzfReadOptions {
  /** Bytes read from the file at a time (default 1 MiB; at least one block, 64 KiB). */
  readBytes?: number;
}

/**
 * Streams the blocks of a BGZF file once, in file order, each verified and inflated into
 * one reused 64 KiB buffer: memory is one read buffer of `readBytes` + 64 KiB, one
 * 64 KiB output buffer and one zlib state (32 KiB window), whatever the file's size; no
 * buffer is allocated per block.
 *
 * Checks, per block at compressed byte offset `o`: gzip magic `1f 8b`, deflate (`CM = 8`),
 * `FEXTRA` set, an extra subfield `BC` of length 2 giving `BSIZE` (block size − 1), the
 * block lying wholly inside the file, the raw deflate stream inflating to exactly `ISIZE`
 * bytes with CRC32 equal to the footer's; after the last block, that the file ends with
 * the 28-byte empty EOF block.
 *
 * @param path - a bgzip-compressed file.
 * @throws {@link VcfError} `GVL_TRUNCATED_VCF` when the last block runs past the end of
 *   the file or the EOF block is missing (`value` is `{ path, offset }`, the compressed
 *   byte offset of the incomplete block, or the file size when only the EOF block is
 *   missing); `GVL_CORRUPT_VCF` when a block's header, deflate data, CRC32 or ISIZE is
 *   wrong (`value` is `{ path, offset }` of that block). Errors of the file system (e.g.
 *   `ENOENT`, `EIO`) are thrown as they come.
 */
export async function* readBgzfBlocks(
  path: string,
  options: BgzfReadOptions = {},
): AsyncGenerator<BgzfBlock> {
  // One loop over the file's blocks sharing the reused read buffer, output buffer and zlib state; splitting would thread all of them through.
  const readBytes = Math.max(options.readBytes ?? 1 << 20, MAX_BLOCK);
  const fh = await open(path, 'r');
  try {
    const size = (await fh.stat()).size;
    const buf = new Uint8Array(readBytes + MAX_BLOCK);
    const out = Buffer.allocUnsafeSlow(MAX_BLOCK);
    const inflater = new RawInflater();
    /** File offset of buf[0]. */
    let bufStart = 0;
    /** Valid bytes in buf. */
    let bufLen = 0;
    let offset = 0;
    let lastBlockEmpty = false;
    const corrupt = (at: number, what: string) =>
      new VcfError(
        'GVL_CORRUPT_VCF',
        `${path} is corrupted: the BGZF block at compressed byte offset ${at} ${what}; \`bcftools view\` rejects it too — restore the file from its source`,
        { value: { path, offset: at } },
      );
    const truncated = (at: number, what: string) =>
      new VcfError(
        'GVL_TRUNCATED_VCF',
        `${path} is truncated: ${what} (compressed byte offset ${at} of ${size}); the copy is incomplete — restore the file from its source`,
        { value: { path, offset: at } },
      );
    /** Makes buf hold file bytes [offset, offset + n) when the file has them. */
    const ensure = async (n: number): Promise<number> => {
      const have = bufStart + bufLen - offset;
      if (have >= n) return have;
      // Move the unread tail to the front, then fill.
      buf.copyWithin(0, offset - bufStart, bufLen);
      bufLen = have;
      bufStart = offset;
      while (bufLen < n) {
        const want = Math.min(buf.length - bufLen, size - (bufStart + bufLen));
        if (want <= 0) break;
        const { bytesRead } = await fh.read(buf, bufLen, want, bufStart + bufLen);
        if (bytesRead === 0) break;
        bufLen += bytesRead;
      }
      return bufLen;
    };
    while (offset < size) {
      const have = await ensure(18);
      if (have < 18) {
        throw truncated(offset, `a BGZF block header is cut after ${have} byte(s)`);
      }
      const p = offset - bufStart;
      if (buf[p] !== 0x1f || buf[p + 1] !== 0x8b)
        throw corrupt(offset, 'does not start with the gzip magic bytes 1f 8b');
      if (buf[p + 2] !== 8)
        throw corrupt(offset, `has compression method ${buf[p + 2]}, expected 8 (deflate)`);
      if (((buf[p + 3] as number) & 4) === 0)
        throw corrupt(offset, 'has no gzip extra field (FEXTRA), so no BGZF block size');
      const xlen = (buf[p + 10] as number) | ((buf[p + 11] as number) << 8);
      if ((await ensure(12 + xlen)) < 12 + xlen)
        throw truncated(offset, 'a BGZF block header is cut inside its extra field');
      const q = offset - bufStart;
      let bsize = -1;
      for (let x = q + 12; x + 4 <= q + 12 + xlen; ) {
        const slen = (buf[x + 2] as number) | ((buf[x + 3] as number) << 8);
        if (buf[x] === 66 && buf[x + 1] === 67 && slen === 2 && x + 6 <= q + 12 + xlen) {
          bsize = ((buf[x + 4] as number) | ((buf[x + 5] as number) << 8)) + 1;
          break;
        }
        x += 4 + slen;
      }
      if (bsize < 0) throw corrupt(offset, "has no 'BC' extra subfield (not a BGZF block)");
      if (bsize < 12 + xlen + 8)
        throw corrupt(
          offset,
          `declares a block size of ${bsize} bytes, smaller than its header and footer`,
        );
      if (offset + bsize > size) {
        throw truncated(
          offset,
          `the BGZF block there declares ${bsize} bytes but the file ends after ${size - offset}`,
        );
      }
      await ensure(bsize);
      const b = offset - bufStart;
      const block = buf.subarray(b, b + bsize);
      const footer = bsize - 8;
      const wantCrc =
        ((block[footer] as number) |
          ((block[footer + 1] as number) << 8) |
          ((block[footer + 2] as number) << 16) |
          ((block[footer + 3] as number) << 24)) >>>
        0;
      const isize =
        ((block[footer + 4] as number) |
          ((block[footer + 5] as number) << 8) |
          ((block[footer + 6] as number) << 16) |
          ((block[footer + 7] as number) << 24)) >>>
        0;
      if (isize > MAX_BLOCK)
        throw corrupt(offset, `declares ISIZE ${isize}, more than the BGZF maximum of 65536`);
      const got = inflater.inflate(block.subarray(12 + xlen, footer), out);
      if (typeof got === 'string') throw corrupt(offset, `does not inflate (${got})`);
      if (got !== isize)
        throw corrupt(offset, `inflates to ${got} bytes but its footer says ISIZE ${isize}`);
      const data = out.subarray(0, got);
      const crc = crc32(data);
      if (crc !== wantCrc) {
        throw corrupt(
          offset,
          `fails its CRC32 check (computed ${crc.toString(16).padStart(8, '0')}, footer ${wantCrc.toString(16).padStart(8, '0')})`,
        );
      }
      lastBlockEmpty = isize === 0 && bsize === BGZF_EOF.length;
      const at = offset;
      offset += bsize;
      yield { offset: at, data };
    }
    if (!lastBlockEmpty) {
      throw truncated(size, 'the 28-byte BGZF end-of-file block is missing');
    }
  } finally {
    await fh.close();
  }
}

/**
 * Verifies every BGZF block of `path`, streaming the file once through
 * {@link readBgzfBlocks} (memory: one read buffer of `readBytes`, one inflated block).
 *
 * Checks, per block at compressed byte offset `o`: gzip magic `1f 8b`, deflate (`CM = 8`),
 * `FEXTRA` set, an extra subfield `BC` of length 2 giving `BSIZE` (block size − 1), the
 * block lying wholly inside the file, the raw deflate stream inflating to exactly `ISIZE`
 * bytes with CRC32 equal to the footer's; and that the file ends with the 28-byte empty
 * EOF block.
 *
 * @param path - a bgzip-compressed file.
 * @returns block count and sizes.
 * @throws {@link VcfError} `GVL_TRUNCATED_VCF` when the last block runs past the end of
 *   the file or the EOF block is missing (`value` is `{ path, offset }`, the compressed
 *   byte offset of the incomplete block, or the file size when only the EOF block is
 *   missing); `GVL_CORRUPT_VCF` when a block's header, deflate data, CRC32 or ISIZE is
 *   wrong (`value` is `{ path, offset }` of that block).
 * @throws {@link AbortedError} `GVL_ABORTED` when `signal` aborts.
 * @example
 * ```ts
 * await checkBgzf('1kg_chr20_300samples.vcf.gz'); // { blocks: 28, compressedBytes: 387324, … }
 * ```
 */
export async function checkBgzf(
  path: string,
  options: BgzfCheckOptions = {},
): Promise<BgzfSummary> {
  const sliceMs = options.sliceMs ?? 8;
  const size = (await stat(path)).size;
  let blocks = 0;
  let uncompressed = 0;
  let sliceStart = performance.now();
  if (options.signal?.aborted) throw new AbortedError(`check of ${path} aborted`);
  const readOptions = options.readBytes !== undefined ? { readBytes: options.readBytes } : {};
  for await (const block of readBgzfBlocks(path, readOptions)) {
    blocks++;
    uncompressed += block.data.length;
    if (options.signal?.aborted) throw new AbortedError(`check of ${path} aborted`);
    if (performance.now() - sliceStart > sliceMs) {
      await yieldToLoop();
      sliceStart = performance.now();
    }
  }
  return { blocks, compressedBytes: size, uncompressedBytes: uncompressed };
}
