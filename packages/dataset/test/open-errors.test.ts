/**
 * Dataset.open and the read builders on bad input: each a typed error with its code and
 * the offending value, before any native work.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Dataset,
  FastaError,
  InvalidArgumentError,
  loadReference,
  UnknownSampleError,
  write,
} from '../src/index.js';
import { chr20, hasChr20, suiteName } from './helpers.js';

const missing = hasChr20 ? [] : [`real data not found at ${chr20.vcf} (set GVL_DATA_DIR)`];

describe.skipIf(missing.length > 0)(
  suiteName('opening bad datasets and references', missing),
  () => {
    let dir = '';
    let good = '';
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'gvl-open-bad-'));
      good = join(dir, 'good.gvl');
      await write(good, {
        bed: chr20.bed2kb,
        variants: chr20.vcf,
        progress: false,
        onWarning: () => undefined,
      });
    }, 60_000);
    afterAll(() => {
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    function variant(name: string, edit: (path: string) => void): string {
      const p = join(dir, name);
      cpSync(good, p, { recursive: true });
      edit(p);
      return p;
    }

    it.each([
      ['a directory without metadata.json', (p: string) => rmSync(join(p, 'metadata.json'))],
      [
        'format_version 1.0.0',
        (p: string) => {
          const m = JSON.parse(readFileSync(join(p, 'metadata.json'), 'utf8'));
          writeFileSync(
            join(p, 'metadata.json'),
            JSON.stringify({ ...m, format_version: '1.0.0' }),
          );
        },
      ],
      [
        'a truncated offsets.npy',
        (p: string) => writeFileSync(join(p, 'genotypes', 'offsets.npy'), new Uint8Array(16)),
      ],
      [
        'offsets.npy with a partial element',
        (p: string) => writeFileSync(join(p, 'genotypes', 'offsets.npy'), new Uint8Array(13)),
      ],
      [
        'a corrupt input_regions.arrow',
        (p: string) => writeFileSync(join(p, 'input_regions.arrow'), 'not arrow'),
      ],
    ])('%s → GVL_BAD_DATASET naming the dataset', async (name, edit) => {
      const p = variant(name.replaceAll(' ', '-'), edit);
      await expect(Dataset.open(p)).rejects.toMatchObject({ code: 'GVL_BAD_DATASET' });
    });

    it('a reference without the dataset contig → GVL_UNKNOWN_CONTIG naming it', async () => {
      const fa = join(dir, 'other.fa');
      writeFileSync(fa, '>chr7\nACGT\n');
      writeFileSync(`${fa}.fai`, 'chr7\t4\t6\t4\t5\n');
      await expect(Dataset.open(good, { reference: fa })).rejects.toMatchObject({
        code: 'GVL_UNKNOWN_CONTIG',
        value: '20',
      });
    });

    it('a .fai with a non-numeric length → FastaError GVL_BAD_FASTA', async () => {
      const fa = join(dir, 'badfai.fa');
      writeFileSync(fa, '>20\nACGT\n');
      writeFileSync(`${fa}.fai`, '20\tabc\t4\t4\t5\n');
      await expect(loadReference(fa, ['20'])).rejects.toBeInstanceOf(FastaError);
    });

    it('missing reference, unknown samples and bad settings are typed errors', async () => {
      const ds = await Dataset.open(good);
      expect(ds.seqsKind).toBe('variants');
      expect(() => ds.withSeqs('haplotypes')).toThrow(
        expect.objectContaining({ code: 'GVL_NO_REFERENCE' }),
      );
      await expect(ds.get(0, 'NA99999')).rejects.toBeInstanceOf(UnknownSampleError);
      expect(() => ds.withSettings({ jitter: 1 })).toThrow(InvalidArgumentError);
      await expect(Dataset.open(good, { jitter: 3 })).rejects.toMatchObject({
        code: 'GVL_INVALID_ARGUMENT',
        value: 3,
      });
    });
  },
);
