import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { chr20 } from '@gvl/example-data';
import { afterAll, describe, expect, it } from 'vitest';
import { isGvlError, vcfSamples } from '../src/index.js';

const scratch = mkdtempSync(join(tmpdir(), 'gvl-vcf-samples-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('vcfSamples', () => {
  it('gives the #CHROM sample columns in file order', async () => {
    const header = gunzipSync(readFileSync(chr20.vcf))
      .toString('latin1')
      .split('\n')
      .find((l) => l.startsWith('#CHROM')) as string;
    const expected = header.split('\t').slice(9);
    expect(expected).toHaveLength(chr20.samples);
    expect(await vcfSamples(chr20.vcf)).toEqual(expected);
  });

  it('refuses a VCF without an index, and a BCF, with the codes of openVcf', async () => {
    const bare = join(scratch, 'bare.vcf.gz');
    copyFileSync(chr20.vcf, bare);
    const noIndex = await vcfSamples(bare).catch((e: unknown) => e);
    expect(isGvlError(noIndex, 'GVL_MISSING_INDEX')).toBe(true);
    const bcf = await vcfSamples(join(scratch, 'x.bcf')).catch((e: unknown) => e);
    expect(isGvlError(bcf, 'GVL_BCF_UNSUPPORTED')).toBe(true);
  });
});
