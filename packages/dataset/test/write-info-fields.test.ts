/**
 * `write({ infoFields })`: which INFO declarations can be stored, each record's value,
 * and the typed errors (before anything is written) for the rest.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Variant } from '@gmod/vcf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dataset, type RaggedVariants, write } from '../src/index.js';
import { declaredFields, infoValue, resolveInfoFields } from '../src/vcf-info.js';
import { copyTinyVcf, hasTabix, oracleReason, suiteName } from './helpers.js';

const HEADER = [
  '##fileformat=VCFv4.2',
  '##contig=<ID=1,length=2000>',
  '##INFO=<ID=AF,Number=A,Type=Float,Description="Allele frequency, a=b">',
  '##INFO=<ID=AC,Number=1,Type=Integer,Description="Allele count">',
  '##INFO=<ID=DB,Number=0,Type=Flag,Description="dbSNP">',
  '##INFO=<ID=AA,Number=1,Type=String,Description="Ancestral allele">',
  '##INFO=<ID=AD,Number=R,Type=Integer,Description="Depths">',
  '##INFO=<ID=ALT,Number=1,Type=Integer,Description="Shadows a column">',
  '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
  '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tB\tA',
].join('\n');

describe('INFO field declarations', () => {
  it('reads ID, Number and Type of every ##INFO line, ignoring the Description', () => {
    const d = declaredFields(HEADER);
    expect([...d.keys()]).toEqual(['AF', 'AC', 'DB', 'AA', 'AD', 'ALT']);
    expect(d.get('AF')).toEqual({ number: 'A', type: 'Float' });
    expect(d.get('DB')).toEqual({ number: '0', type: 'Flag' });
    // FORMAT declarations are kept apart (the dosage field is one of them).
    expect([...declaredFields(HEADER, 'FORMAT')]).toEqual([
      ['GT', { number: '1', type: 'String' }],
    ]);
  });

  it('maps Float/Integer (Number 1 or A) and Flag to float32, int32 and uint8', () => {
    expect(resolveInfoFields('v.vcf.gz', HEADER, ['DB', 'AF', 'AC'])).toEqual([
      { name: 'DB', dtype: 'uint8' },
      { name: 'AF', dtype: 'float32' },
      { name: 'AC', dtype: 'int32' },
    ]);
  });

  it('refuses undeclared, unsupported, built-in and repeated names with GVL_BAD_INFO_FIELD', () => {
    for (const [fields, fragment] of [
      [
        ['DP'],
        'is not declared in the header of v.vcf.gz: expected one of AF, AC, DB, AA, AD, ALT',
      ],
      [['AA'], 'Type=String'],
      [['AD'], 'Number=R'],
      [['ALT'], 'built-in column'],
      [['AF', 'AF'], 'listed twice'],
    ] as const) {
      expect(() => resolveInfoFields('v.vcf.gz', HEADER, fields), fragment).toThrow(
        expect.objectContaining({
          code: 'GVL_BAD_INFO_FIELD',
          value: fields[fields.length - 1],
          message: expect.stringContaining(fragment),
        }),
      );
    }
  });

  it("takes each record's value: Flag presence, NaN for a missing Float, an error for a missing Integer", () => {
    const v = (info: Record<string, unknown>) =>
      ({ CHROM: '1', POS: 5, REF: 'A', ALT: ['C'], INFO: info }) as unknown as Variant;
    const [db, af, ac] = resolveInfoFields('v', HEADER, ['DB', 'AF', 'AC']) as [
      never,
      never,
      never,
    ];
    expect(infoValue(db, v({ DB: true }))).toBe(1);
    expect(infoValue(db, v({}))).toBe(0);
    expect(infoValue(af, v({ AF: [0.25] }))).toBe(0.25);
    expect(infoValue(af, v({ AF: [null] }))).toBeNaN();
    expect(infoValue(af, v({}))).toBeNaN();
    expect(infoValue(ac, v({ AC: [7] }))).toBe(7);
    expect(() => infoValue(ac, v({ AC: [null] }))).toThrow(
      expect.objectContaining({ code: 'GVL_BAD_VCF', value: '1:5 A>C' }),
    );
    expect(() => infoValue(ac, v({ AC: [2 ** 31] }))).toThrow(
      expect.objectContaining({ code: 'GVL_BAD_VCF' }),
    );
  });
});

describe('write({ infoFields })', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gvl-info-fields-'));
    writeFileSync(join(dir, 'r.bed'), '1\t90\t200\n');
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a bad option or an undeclared field fails before anything is written', async () => {
    const vcf = copyTinyVcf(dir);
    const bed = join(dir, 'r.bed');
    await expect(
      write(join(dir, 'a.gvl'), { bed, variants: vcf, infoFields: 'AF' as never }),
    ).rejects.toMatchObject({ code: 'GVL_INVALID_ARGUMENT' });
    await expect(
      write(join(dir, 'a.gvl'), { bed, variants: vcf, infoFields: ['AF'], progress: false }),
    ).rejects.toMatchObject({ code: 'GVL_BAD_INFO_FIELD', value: 'AF' });
    for (const bad of [{ computeAf: 'yes' as never }, { computeAf: true, infoFields: ['AF'] }])
      await expect(
        write(join(dir, 'a.gvl'), { bed, variants: vcf, progress: false, ...bad }),
      ).rejects.toMatchObject({ code: 'GVL_INVALID_ARGUMENT' });
    await expect(
      write(join(dir, 'a.gvl'), {
        bed,
        tracks: [{ name: 't', paths: {} }],
        computeAf: true,
        progress: false,
      }),
    ).rejects.toMatchObject({ code: 'GVL_INVALID_ARGUMENT' });
    expect(existsSync(join(dir, 'a.gvl'))).toBe(false);
    expect(readdirSync(dir).filter((f) => f.startsWith('.a.gvl'))).toEqual([]);
  });

  const tabixMissing = hasTabix ? [] : [oracleReason('tabix')];
  describe.skipIf(tabixMissing.length > 0)(suiteName('with bgzip and tabix', tabixMissing), () => {
    function makeVcf(name: string, records: string[]): string {
      const plain = join(dir, `${name}.vcf`);
      writeFileSync(plain, `${HEADER}\n${records.join('\n')}\n`);
      execFileSync('bgzip', ['-f', plain]);
      execFileSync('tabix', ['-f', '-p', 'vcf', `${plain}.gz`]);
      return `${plain}.gz`;
    }
    const rec = (pos: number, ref: string, alt: string, info: string) =>
      `1\t${pos}\t.\t${ref}\t${alt}\t.\tPASS\t${info}\tGT\t0|1\t1|1`;

    it('stores each record value and reads it back per gathered variant', async () => {
      const vcf = makeVcf('ok', [
        rec(100, 'T', 'G', 'AF=0.125;AC=1;DB'),
        rec(120, 'A', 'C', 'AF=.;AC=3'),
        rec(150, 'C', 'CAA', 'AC=0'),
      ]);
      const out = join(dir, 'ok.gvl');
      await write(out, {
        bed: join(dir, 'r.bed'),
        variants: vcf,
        infoFields: ['AF', 'AC', 'DB'],
        progress: false,
      });
      const ds = (await Dataset.open(out)).withSeqs('variants');
      expect(ds.availableVarFields).toEqual(['alt', 'ilen', 'start', 'AF', 'AC', 'DB', 'ref']);
      const v = (await ds
        .withSettings({ varFields: ['AF', 'AC', 'DB', 'ref'] })
        .get(0, 'A')) as RaggedVariants;
      // Sample A is 1|1: both haplotypes carry all three records.
      expect([...v.start]).toEqual([99, 119, 149, 99, 119, 149]);
      expect([...(v.info?.AF ?? [])]).toEqual([
        0.125,
        Number.NaN,
        Number.NaN,
        0.125,
        Number.NaN,
        Number.NaN,
      ]);
      expect([...(v.info?.AC ?? [])]).toEqual([1, 3, 0, 1, 3, 0]);
      expect(v.info?.DB).toBeInstanceOf(Uint8Array);
      expect([...(v.info?.DB ?? [])]).toEqual([1, 0, 0, 1, 0, 0]);
      expect(new TextDecoder().decode(v.ref?.data)).toBe('TACTAC');
      // A NaN AF fails every bound.
      const kept = (await ds.withSettings({ minAf: 0 }).get(0, 'A')) as RaggedVariants;
      expect([...kept.start]).toEqual([99, 99]);
    });

    it('a missing Integer value is GVL_BAD_VCF naming the record; nothing is written', async () => {
      const vcf = makeVcf('miss', [rec(100, 'T', 'G', 'AC=1'), rec(120, 'A', 'C', 'AC=.')]);
      const out = join(dir, 'miss.gvl');
      await expect(
        write(out, { bed: join(dir, 'r.bed'), variants: vcf, infoFields: ['AC'], progress: false }),
      ).rejects.toMatchObject({ code: 'GVL_BAD_VCF', value: '1:120 A>C' });
      expect(existsSync(out)).toBe(false);
    });
  });
});
