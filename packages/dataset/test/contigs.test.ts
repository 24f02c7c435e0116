import { describe, expect, it } from 'vitest';
import { ContigNormalizer, compareContigs, natsortContigs } from '../src/index.js';

describe('natsortContigs', () => {
  it('orders contigs exactly as Python natsort 8.4 (the peer) does', () => {
    const input = [
      'chr1',
      'chr10',
      'chr2',
      'chrX',
      'chrY',
      'chrM',
      'chr1_KI270706v1_random',
      'chrUn_GL000195v1',
      '1',
      '10',
      '2',
      'X',
      'MT',
      'GL000192.1',
      'GL000193.1',
      'HLA-A*01:01:01:01',
      'chr22_KI270731v1_random',
      'NC_000001.11',
      'NC_000010.11',
      '2L',
      '2R',
      '3L',
      'chr10a',
      'chr1a',
      'a1b',
      'a1.5',
      'a1.10',
      'Chr1',
    ];
    // Output of natsort.natsorted(input) in the oracle venv (natsort 8.4.0).
    const expected = [
      '1',
      '2',
      '2L',
      '2R',
      '3L',
      '10',
      'Chr1',
      'GL000192.1',
      'GL000193.1',
      'HLA-A*01:01:01:01',
      'MT',
      'NC_000001.11',
      'NC_000010.11',
      'X',
      'a1.5',
      'a1.10',
      'a1b',
      'chr1',
      'chr1_KI270706v1_random',
      'chr1a',
      'chr2',
      'chr10',
      'chr10a',
      'chr22_KI270731v1_random',
      'chrM',
      'chrUn_GL000195v1',
      'chrX',
      'chrY',
    ];
    expect(natsortContigs(input)).toEqual(expected);
  });

  it('deduplicates and breaks numeric ties deterministically', () => {
    expect(natsortContigs(['chr01', 'chr1', 'chr1', 'chr2'])).toEqual(['chr01', 'chr1', 'chr2']);
    expect(compareContigs('chr2', 'chr10')).toBeLessThan(0);
    expect(compareContigs('chr10', 'chr10')).toBe(0);
  });
});

describe('ContigNormalizer', () => {
  it('maps chr-prefixed and bare names both ways', () => {
    const ucsc = new ContigNormalizer(['chr1', 'chr20', 'chrM']);
    expect(ucsc.normalize('20')).toBe('chr20');
    expect(ucsc.normalize('chr20')).toBe('chr20');
    expect(ucsc.normalize('MT')).toBe('chrM');
    expect(ucsc.normalize('M')).toBe('chrM');
    expect(ucsc.normalize('3')).toBeUndefined();
    const ens = new ContigNormalizer(['1', '20', 'MT']);
    expect(ens.normalize('chr20')).toBe('20');
    expect(ens.normalize('chrM')).toBe('MT');
    expect(ens.has('chr1')).toBe(true);
    expect(ens.has('chr2')).toBe(false);
  });
});
