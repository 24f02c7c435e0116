/**
 * Truncated and corrupted `.vcf.gz` files are refused before anything is written: the
 * BGZF container is verified block by block (header, CRC32, ISIZE, EOF block), and the
 * records read per contig are checked against the index's counts. Cases built from the
 * real 1000 Genomes chr20 VCF, compared with what `bcftools view` does on the same files.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants, crc32, deflateRawSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BGZF_EOF, checkBgzf, RawInflater, readBgzfBlocks } from '../src/bgzf-check.js';
import { type GvlErrorCode, isGvlError, write } from '../src/index.js';
import { chr20, hasBcftools, hasChr20, hasTabix, oracleReason, suiteName } from './helpers.js';

/** Compressed offsets of every BGZF block, read from each header's BSIZE. */
function blockStarts(bytes: Uint8Array): number[] {
  const starts: number[] = [];
  let o = 0;
  while (o + 18 <= bytes.length) {
    starts.push(o);
    o += ((bytes[o + 16] as number) | ((bytes[o + 17] as number) << 8)) + 1;
  }
  return starts;
}

let dir: string;

function scratch(name: string, bytes: Uint8Array, index = true): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  if (index) copyFileSync(`${chr20.vcf}.tbi`, `${path}.tbi`);
  return path;
}

async function expectRefused(vcf: string, code: GvlErrorCode, offset: number): Promise<void> {
  const parent = mkdtempSync(join(dir, 'out-'));
  const out = join(parent, 'out.gvl');
  let err: unknown;
  try {
    await write(out, { bed: chr20.bed2kb, variants: vcf, progress: false, onWarning: () => {} });
  } catch (e) {
    err = e;
  }
  expect(isGvlError(err), String(err)).toBe(true);
  expect(isGvlError(err) && err.code).toBe(code);
  const message = (err as Error).message;
  expect(message).toContain(vcf);
  expect(message).toContain(`offset ${offset}`);
  expect((err as { value: unknown }).value).toEqual({ path: vcf, offset });
  // Nothing written: no dataset, no temp directory beside it.
  expect(existsSync(out)).toBe(false);
  expect(readdirSync(parent)).toEqual([]);
}

/** `bcftools view` on the file: its exit status and messages. */
function bcftoolsView(vcf: string): { status: number | null; stderr: string } {
  const r = spawnSync('bcftools', ['view', '-Ov', '-o', '/dev/null', vcf], { stdio: 'pipe' });
  return { status: r.status, stderr: String(r.stderr) };
}

const missing = hasChr20 ? [] : [`real data not found in ${chr20.vcf} (set GVL_DATA_DIR)`];

describe.skipIf(missing.length > 0)(suiteName('BGZF integrity of the VCF', missing), () => {
  let original: Buffer;
  let starts: number[];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gvl-bgzf-'));
    original = readFileSync(chr20.vcf);
    starts = blockStarts(original);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts the intact file: every block checked, sizes equal a whole-file gunzip', async () => {
    const s = await checkBgzf(chr20.vcf);
    expect(s.blocks).toBe(starts.length);
    expect(s.compressedBytes).toBe(original.length);
    expect(s.uncompressedBytes).toBe(gunzipSync(original).length);
    // The file really ends with the EOF block the check requires.
    expect(original.subarray(original.length - 28).equals(Buffer.from(BGZF_EOF))).toBe(true);
  });

  it('refuses the file cut to its first 200,000 bytes (old .tbi kept), naming the cut block', async () => {
    const vcf = scratch('cut.vcf.gz', original.subarray(0, 200_000));
    const cutBlock = starts.filter((o) => o < 200_000).pop() as number;
    // The block starting before the cut runs past it.
    expect(starts.includes(200_000)).toBe(false);
    await expectRefused(vcf, 'GVL_TRUNCATED_VCF', cutBlock);
    if (hasBcftools) {
      const r = bcftoolsView(vcf);
      expect(r.status).not.toBe(0);
      // htslib names the same block.
      expect(r.stderr).toContain(`Failed to read BGZF block data at offset ${cutBlock}`);
    }
  });

  it('refuses 64 flipped bytes inside the compressed data of a middle block (CRC32/inflate)', async () => {
    const mid = starts[Math.floor(starts.length / 2)] as number;
    const next = starts[Math.floor(starts.length / 2) + 1] as number;
    expect(next - mid).toBeGreaterThan(18 + 200 + 64 + 8);
    const bytes = Buffer.from(original);
    for (let i = 0; i < 64; i++) bytes[mid + 200 + i] = (bytes[mid + 200 + i] as number) ^ 0xff;
    const vcf = scratch('flipped.vcf.gz', bytes);
    await expectRefused(vcf, 'GVL_CORRUPT_VCF', mid);
    // htslib reports the bad block (bcftools 1.16 still exits 0 after it, with fewer records).
    if (hasBcftools)
      expect(bcftoolsView(vcf).stderr).toMatch(
        /\[E::bgzf_uncompress\] (CRC32 checksum mismatch|Inflate operation failed)/,
      );
  });

  it('refuses a file without its 28-byte EOF block, at the end of the file', async () => {
    const bytes = original.subarray(0, original.length - 28);
    const vcf = scratch('noeof.vcf.gz', bytes);
    await expectRefused(vcf, 'GVL_TRUNCATED_VCF', bytes.length);
    if (hasBcftools) {
      const r = bcftoolsView(vcf);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain('no BGZF EOF marker');
    }
  });

  it('refuses a wrong CRC32 or ISIZE in a footer, and a broken block header', async () => {
    const third = starts[2] as number;
    const fourth = starts[3] as number;
    const crc = Buffer.from(original);
    crc[fourth - 8] = (crc[fourth - 8] as number) ^ 1;
    await expect(checkBgzf(scratch('crc.vcf.gz', crc, false))).rejects.toMatchObject({
      code: 'GVL_CORRUPT_VCF',
      value: { offset: third },
      message: expect.stringContaining('CRC32'),
    });
    const isize = Buffer.from(original);
    isize[fourth - 4] = (isize[fourth - 4] as number) ^ 1;
    await expect(checkBgzf(scratch('isize.vcf.gz', isize, false))).rejects.toMatchObject({
      code: 'GVL_CORRUPT_VCF',
      value: { offset: third },
      message: expect.stringContaining('ISIZE'),
    });
    const magic = Buffer.from(original);
    magic[third + 1] = 0;
    await expect(checkBgzf(scratch('magic.vcf.gz', magic, false))).rejects.toMatchObject({
      code: 'GVL_CORRUPT_VCF',
      value: { offset: third },
      message: expect.stringContaining('magic'),
    });
  });

  it('the result does not depend on the read buffer size (blocks straddle reads)', async () => {
    const small = await checkBgzf(chr20.vcf, { readBytes: 70_000 });
    expect(small).toEqual(await checkBgzf(chr20.vcf));
    const cut = scratch('cut2.vcf.gz', original.subarray(0, 200_000), false);
    await expect(checkBgzf(cut, { readBytes: 1 })).rejects.toMatchObject({
      code: 'GVL_TRUNCATED_VCF',
    });
  });

  it.skipIf(!hasTabix || !hasBcftools)(
    suiteName(
      'refuses an intact file whose index counts other records than it holds (stale index)',
      [
        ...(hasTabix ? [] : [oracleReason('tabix')]),
        ...(hasBcftools ? [] : [oracleReason('bcftools')]),
      ],
    ),
    async () => {
      // 40 records bgzipped (one data block + EOF), beside the index of the same header
      // with 60 records (same single data block at offset 0): the index counts 60.
      const body = execFileSync('bcftools', ['view', '-H', chr20.vcf], {
        encoding: 'utf8',
        maxBuffer: 1 << 30,
      }).split('\n');
      const header = execFileSync('bcftools', ['view', '-h', chr20.vcf], { encoding: 'utf8' });
      const sub = join(dir, 'sub.vcf.gz');
      writeFileSync(join(dir, 'sub.vcf'), `${header}${body.slice(0, 40).join('\n')}\n`);
      execFileSync('bgzip', ['-f', join(dir, 'sub.vcf')]);
      writeFileSync(join(dir, 'more.vcf'), `${header}${body.slice(0, 60).join('\n')}\n`);
      execFileSync('bgzip', ['-f', join(dir, 'more.vcf')]);
      execFileSync('tabix', ['-f', '-p', 'vcf', join(dir, 'more.vcf.gz')]);
      copyFileSync(join(dir, 'more.vcf.gz.tbi'), `${sub}.tbi`);
      await checkBgzf(sub); // the container itself is fine
      const parent = join(dir, 'stale');
      mkdirSync(parent);
      const out = join(parent, 'out.gvl');
      let err: unknown;
      try {
        await write(out, {
          bed: chr20.bed2kb,
          variants: sub,
          progress: false,
          onWarning: () => {},
        });
      } catch (e) {
        err = e;
      }
      expect(isGvlError(err, 'GVL_CORRUPT_VCF'), String(err)).toBe(true);
      expect((err as Error).message).toContain(
        `${sub}.tbi counts 60 record(s) on contig 20 but 40 were read`,
      );
      expect(readdirSync(parent)).toEqual([]);
    },
  );
});

describe('readBgzfBlocks', () => {
  it('inflates stored, fixed-Huffman and dynamic-Huffman blocks in turn into one reused buffer', async () => {
    // The inflater resets its state between blocks keeping its decoding tables: blocks of
    // every deflate kind, in turn, must still come out exactly as they went in.
    expect(new RawInflater().reusesTables).toBe(true);
    let x = 12345;
    const noise = (n: number) =>
      Buffer.from(
        Array.from({ length: n }, () => {
          x = (x * 1103515245 + 12345) >>> 0;
          return x >>> 24;
        }),
      );
    const text = (n: number, k: number) =>
      Buffer.from(
        Array.from({ length: n }, (_, i) => `chr1\t${i * k}\t.\tA\tC\t.\tPASS\t.\tGT\t0|1`)
          .join('\n')
          .slice(0, n),
        'latin1',
      );
    const pieces: Buffer[] = [];
    const parts: Buffer[] = [];
    for (let b = 0; b < 30; b++) {
      const kind = b % 3;
      const data = kind === 0 ? noise(20_000 + b) : text(30_000 + 97 * b, b + 1);
      const cdata =
        kind === 0
          ? deflateRawSync(data, { level: 0 }) // stored
          : deflateRawSync(data, kind === 1 ? { strategy: constants.Z_FIXED } : {});
      const head = Buffer.from([31, 139, 8, 4, 0, 0, 0, 0, 0, 255, 6, 0, 66, 67, 2, 0, 0, 0]);
      head.writeUInt16LE(18 + cdata.length + 8 - 1, 16);
      const foot = Buffer.alloc(8);
      foot.writeUInt32LE(crc32(data) >>> 0, 0);
      foot.writeUInt32LE(data.length, 4);
      parts.push(head, cdata, foot);
      pieces.push(data);
    }
    parts.push(Buffer.from(BGZF_EOF));
    const tmp = mkdtempSync(join(tmpdir(), 'gvl-bgzf-kinds-'));
    try {
      const path = join(tmp, 'kinds.gz');
      writeFileSync(path, Buffer.concat(parts));
      const got: Buffer[] = [];
      const buffers = new Set<ArrayBufferLike>();
      for await (const block of readBgzfBlocks(path, { readBytes: 70_000 })) {
        got.push(Buffer.from(block.data));
        buffers.add(block.data.buffer);
      }
      expect(got.length).toBe(pieces.length + 1);
      expect(Buffer.concat(got).equals(Buffer.concat(pieces))).toBe(true);
      expect(buffers.size).toBe(1);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
