import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CHR20_FILES, chr20, exampleDataDir, locateExampleData } from '../src/index.js';

/** A bgzip file is a series of gzip members: gunzip reads them all. */
const text = (path: string) => gunzipSync(readFileSync(path)).toString('latin1');

describe('the chr20 example data', () => {
  it('every path exists inside the package, under exampleDataDir', () => {
    const { vcf, vcfIndex, reference, referenceIndex, referenceGzi, bed2kb, bed16kb } = chr20;
    const files = [vcf, vcfIndex, reference, referenceIndex, referenceGzi, bed2kb, bed16kb];
    for (const path of files) {
      expect(path.startsWith(join(exampleDataDir, '1kg-chr20'))).toBe(true);
      expect(statSync(path).size).toBeGreaterThan(0);
    }
  });

  it('the VCF has the documented samples, records, contig and span', () => {
    const lines = text(chr20.vcf).split('\n').filter(Boolean);
    const header = lines.find((l) => l.startsWith('#CHROM')) ?? '';
    expect(header.split('\t').slice(9)).toHaveLength(chr20.samples);
    const records = lines.filter((l) => !l.startsWith('#')).map((l) => l.split('\t'));
    expect(records).toHaveLength(7568);
    expect(new Set(records.map((r) => r[0]))).toEqual(new Set([chr20.contig]));
    const pos = records.map((r) => Number(r[1]));
    expect(Math.min(...pos)).toBe(1_000_226);
    expect(Math.max(...pos)).toBe(1_999_855);
    // phased diploid GT only
    expect(records.every((r) => r[8] === 'GT' && /^[01]\|[01]$/.test(r[9] ?? ''))).toBe(true);
  });

  it('the reference is one contig of 2 Mb, N before 1,000,000 and ACGT after', () => {
    const fai = readFileSync(chr20.referenceIndex, 'utf8').trim().split('\t');
    expect(fai[0]).toBe(chr20.contig);
    expect(Number(fai[1])).toBe(2_000_000);
    const seq = text(chr20.reference).split('\n').slice(1).join('');
    expect(seq.length).toBe(2_000_000);
    expect(/^N+$/.test(seq.slice(0, 1_000_000))).toBe(true);
    expect(/^[ACGT]+$/.test(seq.slice(1_000_000))).toBe(true);
  });

  it('the BED files have 488 and 61 windows of the documented width', () => {
    const rows = (p: string) =>
      readFileSync(p, 'utf8')
        .trim()
        .split('\n')
        .map((l) => l.split('\t'));
    const w2 = rows(chr20.bed2kb);
    const w16 = rows(chr20.bed16kb);
    expect(w2).toHaveLength(488);
    expect(w16).toHaveLength(61);
    expect(w2.every((r) => Number(r[2]) - Number(r[1]) === 2048)).toBe(true);
    expect(w16.every((r) => Number(r[2]) - Number(r[1]) === 16_384 && r[5] === '+')).toBe(true);
  });

  it('is byte for byte the shared 1kg-chr20 slice it was copied from (when that is present)', (ctx) => {
    const shared = resolve(process.env.GVL_DATA_DIR ?? '../../../shared/data', '1kg-chr20');
    if (!existsSync(shared)) {
      ctx.skip();
      return;
    }
    for (const f of [chr20.vcf, chr20.vcfIndex, chr20.reference, chr20.bed2kb, chr20.bed16kb]) {
      const name = f.split('/').pop() as string;
      expect(readFileSync(f).equals(readFileSync(join(shared, name))), name).toBe(true);
    }
  });
});

describe('locateExampleData', () => {
  const tmp = () => mkdtempSync(join(tmpdir(), 'gvl-example-data-'));

  it('without a folder or GVL_DATA_DIR it is the shipped copy, complete', () => {
    const found = locateExampleData(undefined, {});
    expect(found).toEqual({ dir: exampleDataDir, from: 'shipped', missing: [] });
  });

  it('GVL_DATA_DIR wins over the shipped copy, and an argument over GVL_DATA_DIR', () => {
    const empty = tmp();
    const viaEnv = locateExampleData(undefined, { GVL_DATA_DIR: empty });
    expect(viaEnv.from).toBe('GVL_DATA_DIR');
    expect(viaEnv.dir).toBe(resolve(empty));
    const viaArg = locateExampleData(exampleDataDir, { GVL_DATA_DIR: empty });
    expect(viaArg).toEqual({ dir: resolve(exampleDataDir), from: 'argument', missing: [] });
  });

  it('a named folder lacking files lists each missing file instead of falling back', () => {
    const partial = tmp();
    mkdirSync(join(partial, '1kg-chr20'));
    copyFileSync(chr20.bed2kb, join(partial, '1kg-chr20', 'windows_2kb.bed'));
    const found = locateExampleData(partial, {});
    expect(found.dir).toBe(resolve(partial));
    expect(found.missing).toEqual(
      CHR20_FILES.filter((f) => !f.endsWith('windows_2kb.bed')).map((f) =>
        join(resolve(partial), f),
      ),
    );
  });
});
