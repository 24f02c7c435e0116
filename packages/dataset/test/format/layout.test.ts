/**
 * `format/layout.ts` against datasets on disk: every file the Python genvarloader 0.43.1
 * writes (and every file `write` writes) is named by the layout, with the dtype and shape
 * its doc states; and the metadata checks of `format/metadata.ts`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadDatasetError } from '../../src/errors.js';
import { listDatasetFiles } from '../../src/format/checksums.js';
import {
  CHECKSUMS_FILE,
  DATASET_ENTRIES,
  GENOTYPE_OFFSETS_FILE,
  INPUT_REGIONS_FILE,
  METADATA_FILE,
  REGIONS_FILE,
  VARIANT_IDXS_FILE,
  VARIANTS_FILE,
} from '../../src/format/layout.js';
import { checkMetadata, looksLikeMetadata, parseMetadata } from '../../src/format/metadata.js';
import { parseNpyHeader } from '../../src/format/npy.js';
import { write } from '../../src/index.js';
import {
  hasOracle,
  hasTabix,
  oraclePython,
  oracleReason,
  pkgDir,
  run,
  suiteName,
} from '../helpers.js';

const missing = [
  ...(hasTabix ? [] : [oracleReason('tabix')]),
  ...(hasOracle ? [] : [oracleReason('peer')]),
];

/** The files of a genotypes-only dataset of `R` regions, as the layout names them. */
const GENOTYPE_DATASET_FILES = [
  METADATA_FILE,
  INPUT_REGIONS_FILE,
  REGIONS_FILE,
  VARIANTS_FILE,
  GENOTYPE_OFFSETS_FILE,
  VARIANT_IDXS_FILE,
].sort();

/** Checks the dtypes and shapes the layout's doc comments state, on `dir`. */
function checkShapes(dir: string, R: number, S: number, P: number): void {
  const meta = JSON.parse(readFileSync(join(dir, METADATA_FILE), 'utf8'));
  expect(parseMetadata(meta).ok).toBe(true);
  expect(meta.n_regions).toBe(R);
  const regions = parseNpyHeader(readFileSync(join(dir, REGIONS_FILE)));
  if (typeof regions === 'string') throw new Error(regions);
  expect(regions.descr).toBe('<i4');
  expect(regions.shape).toEqual([R, 4]);
  // Raw int64 of length R·S·P + 1, raw int32 of length offsets[last].
  const offsets = readFileSync(join(dir, GENOTYPE_OFFSETS_FILE));
  expect(offsets.length).toBe((R * S * P + 1) * 8);
  const last = offsets.readBigInt64LE(offsets.length - 8);
  expect(statSync(join(dir, VARIANT_IDXS_FILE)).size).toBe(Number(last) * 4);
}

describe.skipIf(missing.length > 0)(
  suiteName('format/layout.ts names every file the peer writes', missing),
  () => {
    let dir: string;
    let bed: string;
    let vcf: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'gvl-layout-'));
      const plain = join(dir, 'v.vcf');
      writeFileSync(
        plain,
        [
          '##fileformat=VCFv4.2',
          '##contig=<ID=1,length=2000>',
          '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
          '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tA\tB\tC',
          '1\t100\t.\tA\tG\t.\tPASS\t.\tGT\t0|1\t1|1\t0|0',
          '1\t120\t.\tAC\tA\t.\tPASS\t.\tGT\t1|0\t0|0\t0|1',
          '1\t150\t.\tA\tTT\t.\tPASS\t.\tGT\t0|0\t1|0\t1|1',
          '',
        ].join('\n'),
      );
      execFileSync('bgzip', ['-f', plain]);
      execFileSync('tabix', ['-f', '-p', 'vcf', `${plain}.gz`]);
      vcf = `${plain}.gz`;
      bed = join(dir, 'r.bed');
      writeFileSync(bed, '1\t90\t210\tr0\t0\t+\n1\t110\t130\tr1\t0\t-\n1\t140\t160\tr2\t0\t+\n');
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('the peer writes exactly the genotype files of the layout, in the stated dtypes and shapes', async () => {
      const peer = join(dir, 'peer.gvl');
      run(oraclePython, [
        join(pkgDir, 'test', 'oracle', 'write_datasets.py'),
        JSON.stringify([{ out: peer, bed, vcf, max_jitter: 0, extend: true }]),
      ]);
      for (const e of readdirSync(peer)) expect(DATASET_ENTRIES.has(e), e).toBe(true);
      expect(await listDatasetFiles(peer)).toEqual(GENOTYPE_DATASET_FILES);
      checkShapes(peer, 3, 3, 2);
    });

    it('write writes the same files plus checksums.json, in the same dtypes and shapes', async () => {
      const ours = join(dir, 'ours.gvl');
      await write(ours, { bed, variants: vcf, progress: false, onWarning: () => undefined });
      expect(readdirSync(ours).sort()).toEqual(
        [...DATASET_ENTRIES].filter((e) => !e.includes('intervals')).sort(),
      );
      expect(readdirSync(ours)).toContain(CHECKSUMS_FILE);
      expect(await listDatasetFiles(ours)).toEqual(GENOTYPE_DATASET_FILES);
      checkShapes(ours, 3, 3, 2);
    });
  },
);

describe('format/metadata.ts', () => {
  const good = {
    samples: ['A', 'B'],
    contigs: ['1'],
    n_regions: 2,
    ploidy: 2,
    max_jitter: 0,
    version: '0.43.1',
    format_version: '2.0.0',
  };

  it('checkMetadata returns the metadata with defaults, or throws GVL_BAD_DATASET naming key, index and value', () => {
    const { ploidy: _p, max_jitter: _j, ...bare } = good;
    const m = checkMetadata('/d', bare);
    expect(m.ploidy).toBeNull();
    expect(m.max_jitter).toBe(0);
    let err: unknown;
    try {
      checkMetadata('/d', { ...good, samples: ['B', 'A'] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BadDatasetError);
    const bad = err as BadDatasetError;
    expect(bad.code).toBe('GVL_BAD_DATASET');
    expect(bad.file).toBe('metadata.json');
    expect(bad.index).toBe(1);
    expect(bad.value).toBe('A');
    expect(bad.message).toBe(
      '/d: metadata.json: samples[1] is "A": expected sorted names (it sorts before "B")',
    );
  });

  it('looksLikeMetadata recognizes a dataset that parseMetadata rejects, and only by the peer fields', () => {
    const wrongVersion = { ...good, format_version: '1.0.0' };
    expect(parseMetadata(wrongVersion).ok).toBe(false);
    expect(looksLikeMetadata(wrongVersion)).toBe(true);
    expect(looksLikeMetadata(good)).toBe(true);
    for (const key of ['samples', 'contigs', 'n_regions'] as const) {
      const { [key]: _, ...without } = good;
      expect(looksLikeMetadata(without), key).toBe(false);
    }
    expect(looksLikeMetadata({ ...good, n_regions: '2' })).toBe(false);
    expect(looksLikeMetadata(null)).toBe(false);
    expect(looksLikeMetadata([good])).toBe(false);
  });
});
