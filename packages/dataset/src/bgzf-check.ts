/**
 * Integrity check of a BGZF file (the bgzip container of `.vcf.gz`), block by block, as
 * htslib verifies it while reading: every block's gzip header with its `BC` extra
 * subfield and `BSIZE`, the inflated payload's CRC32 and ISIZE against the block footer,
 * and the 28-byte empty EOF block at the end of the file.
 *
 * @module
 */
import { open } from 'node:fs/promises';
import * as zlib from 'node:zlib';
import { AbortedError, describeError, VcfError } from './errors.js';

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

/**
 * Verifies every BGZF block of `path`, streaming the file once (memory: one read buffer
 * of `readBytes`, plus one inflated block).
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
  const readBytes = Math.max(options.readBytes ?? 1 << 20, MAX_BLOCK);
  const fh = await open(path, 'r');
  try {
    const size = (await fh.stat()).size;
    const buf = new Uint8Array(readBytes + MAX_BLOCK);
    /** File offset of buf[0]. */
    let bufStart = 0;
    /** Valid bytes in buf. */
    let bufLen = 0;
    let offset = 0;
    let blocks = 0;
    let uncompressed = 0;
    let lastBlockEmpty = false;
    let sliceStart = performance.now();
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
      if (options.signal?.aborted) throw new AbortedError(`check of ${path} aborted`);
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
      let data: Buffer;
      try {
        data = zlib.inflateRawSync(block.subarray(12 + xlen, footer), {
          maxOutputLength: MAX_BLOCK,
        });
      } catch (cause) {
        throw corrupt(offset, `does not inflate (${describeError(cause)})`);
      }
      if (data.length !== isize)
        throw corrupt(
          offset,
          `inflates to ${data.length} bytes but its footer says ISIZE ${isize}`,
        );
      const crc = crc32(data);
      if (crc !== wantCrc) {
        throw corrupt(
          offset,
          `fails its CRC32 check (computed ${crc.toString(16).padStart(8, '0')}, footer ${wantCrc.toString(16).padStart(8, '0')})`,
        );
      }
      blocks++;
      uncompressed += isize;
      lastBlockEmpty = isize === 0 && bsize === BGZF_EOF.length;
      offset += bsize;
      if (performance.now() - sliceStart > sliceMs) {
        await yieldToLoop();
        sliceStart = performance.now();
      }
    }
    if (!lastBlockEmpty) {
      throw truncated(size, 'the 28-byte BGZF end-of-file block is missing');
    }
    return { blocks, compressedBytes: size, uncompressedBytes: uncompressed };
  } finally {
    await fh.close();
  }
}
