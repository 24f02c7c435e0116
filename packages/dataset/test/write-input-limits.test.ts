/**
 * Inputs the dataset format cannot represent are refused with a typed error instead of
 * being stored wrongly: coordinates past 2^31 − 1 (regions are int32, as the peer's),
 * jitters that push a region out of that range, and duplicate sample or region names
 * (which make name lookups ambiguous). On read, Int64 region columns out of the int32
 * range are refused instead of wrapping.
 */
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/index.js';
import { encodeInputRegions } from '../src/format/arrow-tables.js';
import {
  Dataset,
  type GvlErrorCode,
  isGvlError,
  parseBed,
  readBed,
  type WriteOptions,
  write,
} from '../src/index.js';
import {
  capture,
  chr20,
  hasChr20,
  hasTabix,
  oracleReason,
  readNpyInt32,
  suiteName,
} from './helpers.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gvl-limits-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function codeOf(f: () => unknown): { code: string; message: string } | undefined {
  try {
    f();
  } catch (e) {
    if (isGvlError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  return undefined;
}

async function refused(options: WriteOptions, code: GvlErrorCode, fragment: string): Promise<void> {
  const parent = mkdtempSync(join(dir, 'case-'));
  const out = join(parent, 'out.gvl');
  let err: unknown;
  try {
    await write(out, { progress: false, onWarning: () => undefined, ...options });
  } catch (e) {
    err = e;
  }
  expect(isGvlError(err), String(err)).toBe(true);
  expect(isGvlError(err) && err.code).toBe(code);
  expect((err as Error).message).toContain(fragment);
  expect(existsSync(out)).toBe(false);
  expect(readdirSync(parent)).toEqual([]);
}

describe('BED coordinates and names', () => {
  it('refuses a chromEnd past 2^31 - 1, naming the line; 2^31 - 1 itself is accepted', () => {
    const e = codeOf(() => parseBed('1\t0\t10\n1\t2999999000\t3000000000\n', 'big.bed'));
    expect(e?.code).toBe('GVL_BAD_BED');
    expect(e?.message).toMatch(/^big\.bed:2: chromEnd 3000000000 is past 2147483647/);
    expect([...parseBed('1\t2147483000\t2147483647\n').chromEnd]).toEqual([2147483647]);
  });

  it('refuses a region name used twice, naming both lines; "." may repeat', () => {
    const e = codeOf(() =>
      parseBed('1\t0\t10\ta\n1\t10\t20\t.\n1\t20\t30\t.\n1\t30\t40\ta\n', 'dup.bed'),
    );
    expect(e?.code).toBe('GVL_BAD_BED');
    expect(e?.message).toMatch(/^dup\.bed:4: region name "a" was already used at line 1/);
    expect(parseBed('1\t0\t10\t.\n1\t10\t20\t.\n').name).toEqual([null, null]);
  });
});

describe('maxJitter range', () => {
  it('refuses maxJitter 2^31 before reading any input (library)', async () => {
    // The inputs do not exist: the option is checked first.
    await refused(
      { bed: join(dir, 'none.bed'), variants: join(dir, 'none.vcf.gz'), maxJitter: 2 ** 31 },
      'GVL_INVALID_ARGUMENT',
      'maxJitter 2147483648 is invalid',
    );
  });

  it('refuses --max-jitter 2147483648 (CLI: a usage error naming the flag, exit 64)', async () => {
    const c = capture();
    const code = await main(
      [
        'write',
        join(dir, 'cli.gvl'),
        '--bed',
        'a.bed',
        '--vcf',
        'v.vcf.gz',
        '--max-jitter',
        '2147483648',
      ],
      c.io,
    );
    expect(code).toBe(64);
    expect(c.err.join('')).toBe(
      'GVL_USAGE: --max-jitter "2147483648" is invalid: expected an integer from 0 to 2147483647\n',
    );
    expect(existsSync(join(dir, 'cli.gvl'))).toBe(false);
  });

  it.skipIf(!hasTabix)(
    suiteName(
      'refuses a jitter that pushes a padded region past 2^31 - 1, naming it',
      hasTabix ? [] : [oracleReason('tabix')],
    ),
    async () => {
      const plain = join(dir, 'one.vcf');
      writeFileSync(
        plain,
        [
          '##fileformat=VCFv4.2',
          '##contig=<ID=1,length=2147483647>',
          '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
          '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tA',
          '1\t100\t.\tA\tG\t.\tPASS\t.\tGT\t0|1',
          '',
        ].join('\n'),
      );
      execFileSync('bgzip', ['-f', plain]);
      execFileSync('tabix', ['-f', '-p', 'vcf', `${plain}.gz`]);
      const bed = join(dir, 'high.bed');
      writeFileSync(bed, '1\t50\t150\n1\t2147480000\t2147483000\n');
      await refused(
        { bed, variants: `${plain}.gz`, maxJitter: 1000 },
        'GVL_INVALID_ARGUMENT',
        'BED region 1 (0-based input row) 1:2147480000-2147483000 padded by maxJitter 1000 becomes [2147479000, 2147484000)',
      );
      // Without the jitter the region fits, and regions.npy stores it exactly.
      const out = join(dir, 'high.gvl');
      await write(out, {
        bed,
        variants: `${plain}.gz`,
        progress: false,
        onWarning: () => undefined,
      });
      expect([...readNpyInt32(join(out, 'regions.npy')).data]).toEqual([
        0, 50, 150, 1, 0, 2147480000, 2147483000, 1,
      ]);
    },
  );
});

describe('duplicate names at write', () => {
  it.skipIf(!hasTabix)(
    suiteName(
      'refuses a VCF header naming a sample twice',
      hasTabix ? [] : [oracleReason('tabix')],
    ),
    async () => {
      const plain = join(dir, 'dupsample.vcf');
      writeFileSync(
        plain,
        [
          '##fileformat=VCFv4.2',
          '##contig=<ID=1,length=1000>',
          '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
          '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tA\tB\tA',
          '1\t100\t.\tA\tG\t.\tPASS\t.\tGT\t0|1\t1|1\t0|0',
          '',
        ].join('\n'),
      );
      execFileSync('bgzip', ['-f', plain]);
      execFileSync('tabix', ['-f', '-p', 'vcf', `${plain}.gz`]);
      const bed = join(dir, 'one.bed');
      writeFileSync(bed, '1\t50\t150\n');
      await refused(
        { bed, variants: `${plain}.gz` },
        'GVL_BAD_VCF',
        'names sample "A" twice (sample columns 1 and 3)',
      );
    },
  );

  it.skipIf(!hasChr20)(
    suiteName(
      'refuses a BED with a duplicated name',
      hasChr20 ? [] : ['real data not found (set GVL_DATA_DIR)'],
    ),
    async () => {
      const bed = join(dir, 'dupname.bed');
      writeFileSync(bed, '20\t1000000\t1002048\tw0\t0\t+\n20\t1000000\t1002048\tw0\t0\t-\n');
      await refused(
        { bed, variants: chr20.vcf },
        'GVL_BAD_BED',
        'region name "w0" was already used at line 1',
      );
    },
  );
});

describe.skipIf(!hasChr20)(
  suiteName(
    'reading Int64 region columns',
    hasChr20 ? [] : ['real data not found (set GVL_DATA_DIR)'],
  ),
  () => {
    it('refuses a chromEnd past 2^31 - 1 in input_regions.arrow instead of wrapping it', async () => {
      const good = join(dir, 'good.gvl');
      await write(good, {
        bed: chr20.bed2kb,
        variants: chr20.vcf,
        progress: false,
        onWarning: () => undefined,
      });
      // The same table with one end out of the int32 range (what a large genome would hold).
      const bed = await readBed(chr20.bed2kb);
      const ends = Float64Array.from(bed.chromEnd);
      ends[7] = 3_000_000_000;
      const rIdx = Int32Array.from({ length: bed.length }, (_, i) => i);
      const badDs = join(dir, 'bad-end.gvl');
      mkdirSync(badDs);
      cpSync(good, badDs, { recursive: true });
      // As a peer-written dataset (no checksums.json), so the range check itself is reached.
      rmSync(join(badDs, 'checksums.json'));
      writeFileSync(
        join(badDs, 'input_regions.arrow'),
        encodeInputRegions({ ...bed, chromEnd: ends }, rIdx),
      );
      let err: unknown;
      try {
        await Dataset.open(badDs);
      } catch (e) {
        err = e;
      }
      expect(isGvlError(err, 'GVL_BAD_DATASET'), String(err)).toBe(true);
      const m = (err as Error).message;
      expect(m).toContain(`${badDs}: input_regions.arrow`);
      expect(m).toContain('chromEnd[7] = 3000000000');
      expect(m).toContain('2^31 - 1');
    });
  },
);
