/**
 * The sequential VCF reader: every data line exactly once, in file order, in blocks of one
 * contig whose size is bounded, whatever the chunking of the inflated stream; and the
 * write refuses records its index does not account for.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateRawSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BGZF_EOF } from '../src/bgzf-check.js';
import { isGvlError, write } from '../src/index.js';
import {
  BLOCK_MAX_LINES,
  BLOCK_MAX_SPAN,
  BLOCK_TARGET_CHARS,
  readVcfBlocks,
  type VcfBlock,
} from '../src/vcf.js';
import { hasTabix, oracleReason, suiteName } from './helpers.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gvl-vcf-blocks-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HEADER = [
  '##fileformat=VCFv4.2',
  '##contig=<ID=1,length=5000000>',
  '##contig=<ID=2,length=5000000>',
  '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
];

function header(samples: string[]): string {
  return `${[...HEADER, `#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t${samples.join('\t')}`].join('\n')}\n`;
}

/** A block with its lines whole again (head, tab, sample columns), copied out of the reused buffer. */
interface Block {
  contig: string;
  lines: string[];
}

function whole(b: VcfBlock): Block {
  // Every line of these VCFs has sample columns: the head is exactly the 9 fixed columns.
  const lines = b.lines.map((head, i) => {
    expect(head.split('\t')).toHaveLength(9);
    const gts = b.genotypes.subarray(b.genotypeStart[i], b.genotypeEnd[i]);
    return `${head}\t${Buffer.from(gts).toString('latin1')}`;
  });
  return { contig: b.contig, lines };
}

/**
 * BGZF (what `bgzip` writes): `text` cut into pieces of `blockBytes`, each a gzip member
 * with the `BC` extra subfield giving its size, then the empty EOF block.
 */
function bgzf(text: string, blockBytes = 65280): Buffer {
  const raw = Buffer.from(text, 'latin1');
  const parts: Buffer[] = [];
  for (let o = 0; o < raw.length; o += blockBytes) {
    const data = raw.subarray(o, Math.min(o + blockBytes, raw.length));
    const cdata = deflateRawSync(data);
    const head = Buffer.from([31, 139, 8, 4, 0, 0, 0, 0, 0, 255, 6, 0, 66, 67, 2, 0, 0, 0]);
    head.writeUInt16LE(18 + cdata.length + 8 - 1, 16);
    const foot = Buffer.alloc(8);
    foot.writeUInt32LE(crc32(data) >>> 0, 0);
    foot.writeUInt32LE(data.length, 4);
    parts.push(head, cdata, foot);
  }
  parts.push(Buffer.from(BGZF_EOF));
  return Buffer.concat(parts);
}

async function collect(path: string, signal?: AbortSignal): Promise<Block[]> {
  const out: Block[] = [];
  for await (const b of readVcfBlocks(path, signal)) out.push(whole(b));
  return out;
}

describe('readVcfBlocks', () => {
  it('yields every data line once, in order, with lines longer than a chunk intact', async () => {
    // 3,000 samples: 12 KB lines; many cross the 10 kB BGZF blocks.
    const samples = Array.from({ length: 3000 }, (_, i) => `S${i}`);
    const lines: string[] = [];
    for (let i = 0; i < 300; i++) {
      const contig = i < 180 ? '1' : '2';
      const gts = samples.map((_, s) => ((i * 7 + s) % 5 === 0 ? '0|1' : '0|0'));
      lines.push(`${contig}\t${1 + i * 10}\t.\tA\tC\t.\tPASS\t.\tGT\t${gts.join('\t')}`);
    }
    // CRLF line ends and a last line without a terminator are read as lines.
    const text = `${header(samples)}${lines.slice(0, 250).join('\r\n')}\r\n${lines.slice(250).join('\n')}`;
    const path = join(dir, 'long.vcf.gz');
    writeFileSync(path, bgzf(text, 10_000));
    const blocks = await collect(path);
    expect(blocks.flatMap((b) => b.lines)).toEqual(lines);
    expect(blocks.map((b) => b.contig)).toEqual([
      ...blocks.filter((b) => b.contig === '1').map(() => '1'),
      ...blocks.filter((b) => b.contig === '2').map(() => '2'),
    ]);
    for (const b of blocks) {
      expect(b.lines.every((l) => l.startsWith(`${b.contig}\t`))).toBe(true);
      // At most the target plus one line.
      const chars = b.lines.reduce((n, l) => n + l.length, 0);
      expect(chars - (b.lines.at(-1) as string).length).toBeLessThan(BLOCK_TARGET_CHARS);
    }
    expect(blocks.length).toBeGreaterThan(2);
  });

  it('cuts blocks at the record count and position span bounds', async () => {
    const n = BLOCK_MAX_LINES + 10;
    const lines = Array.from({ length: n }, (_, i) => `1\t${1 + i}\t.\tA\tC\t.\tPASS\t.\tGT\t0|1`);
    // Two records further apart than the span bound end up in separate blocks.
    lines.push(`1\t${n + BLOCK_MAX_SPAN + 5}\t.\tA\tC\t.\tPASS\t.\tGT\t0|1`);
    const path = join(dir, 'many.vcf.gz');
    writeFileSync(path, bgzf(`${header(['A'])}${lines.join('\n')}\n`));
    const blocks = await collect(path);
    expect(blocks.map((b) => b.lines.length)).toEqual([BLOCK_MAX_LINES, 10, 1]);
    expect(blocks.flatMap((b) => b.lines)).toEqual(lines);
  });

  it('stops early, without error, once the signal aborts', async () => {
    const lines = Array.from({ length: 10 }, (_, i) => `1\t${1 + i}\t.\tA\tC\t.\tPASS\t.\tGT\t0|1`);
    const path = join(dir, 'abort.vcf.gz');
    writeFileSync(path, bgzf(`${header(['A'])}${lines.join('\n')}\n`));
    const ac = new AbortController();
    ac.abort();
    expect((await collect(path)).flatMap((b) => b.lines)).toEqual(lines);
    expect(await collect(path, ac.signal)).toEqual([]);
  });

  it('refuses a block that does not inflate, plain gzip, and a line without a CHROM column', async () => {
    const text = `${header(['A'])}1\t1\t.\tA\tC\t.\tPASS\t.\tGT\t0|1\n`;
    const bad = join(dir, 'bad.vcf.gz');
    const gz = bgzf(text);
    gz[20] = (gz[20] as number) ^ 0xff; // deflate data of the first block
    writeFileSync(bad, gz);
    await expect(collect(bad)).rejects.toMatchObject({
      code: 'GVL_CORRUPT_VCF',
      value: { path: bad, offset: 0 },
    });
    const plain = join(dir, 'plain.vcf.gz');
    writeFileSync(plain, gzipSync(text));
    await expect(collect(plain)).rejects.toMatchObject({
      code: 'GVL_CORRUPT_VCF',
      value: { path: plain, offset: 0 },
    });
    const noTab = join(dir, 'notab.vcf.gz');
    writeFileSync(noTab, bgzf(`${header(['A'])}garbage\n`));
    await expect(collect(noTab)).rejects.toMatchObject({
      code: 'GVL_BAD_VCF',
      value: { path: noTab, line: 1 },
    });
  });
});

describe.skipIf(!hasTabix)(
  suiteName(
    'write refuses records its index does not account for',
    hasTabix ? [] : [oracleReason('tabix')],
  ),
  () => {
    const rec = (c: string, pos: number) => `${c}\t${pos}\t.\tA\tC\t.\tPASS\t.\tGT\t0|1`;
    /** `name.vcf.gz` with `records`, beside the index of a VCF with `indexed` records. */
    function staleVcf(name: string, records: string[], indexed: string[]): string {
      const idx = join(dir, `${name}-indexed.vcf`);
      writeFileSync(idx, `${header(['A'])}${indexed.join('\n')}\n`);
      execFileSync('bgzip', ['-f', idx]);
      execFileSync('tabix', ['-f', '-p', 'vcf', `${idx}.gz`]);
      const plain = join(dir, `${name}.vcf`);
      writeFileSync(plain, `${header(['A'])}${records.join('\n')}\n`);
      execFileSync('bgzip', ['-f', plain]);
      copyFileSync(`${idx}.gz.tbi`, `${plain}.gz.tbi`);
      return `${plain}.gz`;
    }
    async function refusal(vcf: string): Promise<unknown> {
      const parent = mkdtempSync(join(dir, 'out-'));
      const bed = `${parent}.bed`;
      writeFileSync(bed, '1\t0\t100\n');
      try {
        await write(join(parent, 'out.gvl'), {
          bed,
          variants: vcf,
          progress: false,
          onWarning: () => {},
        });
      } catch (e) {
        expect(readdirSync(parent)).toEqual([]);
        return e;
      }
      throw new Error('the write succeeded');
    }

    it('records on a contig the index does not list: GVL_CORRUPT_VCF naming the contig', async () => {
      const vcf = staleVcf('extra', [rec('1', 5), rec('2', 7)], [rec('1', 5)]);
      const err = await refusal(vcf);
      expect(isGvlError(err, 'GVL_CORRUPT_VCF'), String(err)).toBe(true);
      expect((err as Error).message).toContain('records on contig 2, which its index');
      expect((err as { value: unknown }).value).toMatchObject({ contig: '2' });
    });

    it('records of a contig resuming after another contig: GVL_UNSORTED_VCF', async () => {
      const vcf = staleVcf(
        'resume',
        [rec('1', 5), rec('2', 7), rec('1', 9)],
        [rec('1', 5), rec('2', 7)],
      );
      const err = await refusal(vcf);
      expect(isGvlError(err, 'GVL_UNSORTED_VCF'), String(err)).toBe(true);
      expect((err as Error).message).toContain('records of contig 1 resume after records of 2');
    });

    it('a contig the index counts records on but the file has none: GVL_CORRUPT_VCF', async () => {
      const vcf = staleVcf('missing', [rec('1', 5)], [rec('1', 5), rec('2', 7)]);
      const err = await refusal(vcf);
      expect(isGvlError(err, 'GVL_CORRUPT_VCF'), String(err)).toBe(true);
      expect((err as Error).message).toContain('counts 1 record(s) on contig 2 but 0 were read');
    });
  },
);
