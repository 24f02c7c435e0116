import VCFParser from '@gmod/vcf';
import { describe, expect, it } from 'vitest';
import { isGvlError } from '../src/index.js';
import { CarrierReader, checkRecord, recordKey } from '../src/variant-record.js';

const header = [
  '##fileformat=VCFv4.2',
  '##contig=<ID=20>',
  '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
  '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Depth">',
  '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS2\tS1\tS3',
].join('\n');
const parser = new VCFParser({ header, strict: false });
const line = (pos: number, ref: string, alt: string, gts: string[], format = 'GT') =>
  parser.parseLine(['20', String(pos), '.', ref, alt, '.', 'PASS', '.', format, ...gts].join('\t'));

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return isGvlError(e) ? `${e.code} ${String(e.value)}` : 'not a GvlError';
  }
  return undefined;
}

describe('checkRecord', () => {
  it('accepts SNVs and anchored indels and computes ILEN', () => {
    expect(checkRecord(line(100, 'A', 'T', []))).toMatchObject({ start: 99, ilen: 0 });
    expect(checkRecord(line(100, 'ACGT', 'A', []))).toMatchObject({ start: 99, ilen: -3 });
    expect(checkRecord(line(100, 'A', 'AGG', []))).toMatchObject({ ilen: 2 });
  });

  it.each([
    [line(100, 'A', 'T,G', []), 'GVL_MULTIALLELIC 20:100 A>T,G'],
    [line(100, 'A', '<DEL>', []), 'GVL_SYMBOLIC_ALLELE 20:100 A><DEL>'],
    [line(100, 'A', '*', []), 'GVL_SYMBOLIC_ALLELE 20:100 A>*'],
    [line(100, 'A', 'A[20:500[', []), 'GVL_SYMBOLIC_ALLELE 20:100 A>A[20:500['],
    [line(100, 'A', '.A', []), 'GVL_SYMBOLIC_ALLELE 20:100 A>.A'],
    [line(100, 'AT', 'GC', []), 'GVL_UNNORMALIZED_VARIANT 20:100 AT>GC'],
    [line(100, 'ATG', 'AC', []), 'GVL_UNNORMALIZED_VARIANT 20:100 ATG>AC'],
    [line(100, 'A', '.', []), 'GVL_BAD_VCF 20:100 A>.'],
  ])('rejects %#', (v, expected) => {
    expect(codeOf(() => checkRecord(v))).toBe(expected);
  });

  it('names records as contig:pos REF>ALT', () => {
    expect(recordKey(line(7, 'G', 'C', []))).toBe('20:7 G>C');
  });
});

describe('CarrierReader', () => {
  // Dataset samples are sorted: S1, S2, S3 -> hap ids S1: 0,1  S2: 2,3  S3: 4,5.
  const samples = ['S1', 'S2', 'S3'];

  it('maps ALT alleles to sorted-sample haplotype ids; missing is REF', () => {
    const r = new CarrierReader(parser.samples, samples, 2, () => undefined);
    expect([...r.carriers(line(1, 'A', 'T', ['0|1', '1|0', '.|1'])).values()]).toEqual([0, 3, 5]);
    expect([...r.carriers(line(1, 'A', 'T', ['.', '1|1', '0|0'])).values()]).toEqual([0, 1]);
    expect([...r.carriers(line(1, 'A', 'T', ['1:30', '0:2', '1|.:5'], 'GT:DP')).values()]).toEqual([
      2, 4,
    ]);
  });

  it('reads a subset of samples', () => {
    const r = new CarrierReader(parser.samples, ['S3'], 2, () => undefined);
    expect([...r.carriers(line(1, 'A', 'T', ['1|1', '1|1', '0|1'])).values()]).toEqual([1]);
  });

  it('takes unphased alleles as written and warns once', () => {
    const warned: string[] = [];
    const r = new CarrierReader(parser.samples, samples, 2, (k) => warned.push(k));
    expect([...r.carriers(line(5, 'A', 'T', ['0/0', '1/1', '0/1'])).values()]).toEqual([0, 1, 5]);
    expect([...r.carriers(line(6, 'A', 'T', ['1/0', '0/0', '0/0'])).values()]).toEqual([2]);
    expect(warned).toEqual(['20:5 A>T']);
  });

  it('rejects genotypes that do not fit the record', () => {
    const r = new CarrierReader(parser.samples, samples, 2, () => undefined);
    expect(codeOf(() => r.carriers(line(9, 'A', 'T', ['0|2', '0|0', '0|0'])))).toBe(
      'GVL_BAD_VCF 20:9 A>T',
    );
    expect(codeOf(() => r.carriers(line(9, 'A', 'T', ['0|1|1', '0|0', '0|0'])))).toBe(
      'GVL_BAD_VCF 20:9 A>T',
    );
    expect(codeOf(() => r.carriers(line(9, 'A', 'T', ['0|x', '0|0', '0|0'])))).toBe(
      'GVL_BAD_VCF 20:9 A>T',
    );
    expect(codeOf(() => r.carriers(line(9, 'A', 'T', ['3', '0', '0'], 'DP')))).toBe(
      'GVL_BAD_VCF 20:9 A>T',
    );
  });
});
