import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Dataset, dummyDataset, type Ragged } from '../src/index.js';
import { oraclePython, peerMissing, pkgDir, suiteName } from './helpers.js';

type Outputs = {
  n_regions: number;
  haplotypes: string[];
  reference: string[];
  'read-depth': number[][];
  annot: number[][];
};

async function outputs(ds: Dataset<'haplotypes' | 'reference', boolean, 'ragged'>) {
  const text = (r: Ragged<Uint8Array>) =>
    Array.from({ length: r.length }, (_, i) => Buffer.from(r.row(i)).toString());
  const nums = (r: Ragged<Float32Array>) =>
    Array.from({ length: r.length }, (_, i) => Array.from(r.row(i)));
  const seqs = ds.withTracks(false);
  return {
    n_regions: ds.nRegions,
    haplotypes: text((await seqs.get()) as Ragged<Uint8Array>),
    reference: text((await seqs.withSeqs('reference').get()) as Ragged<Uint8Array>),
    'read-depth': nums(
      (await ds.withSeqs(null).withTracks('read-depth').get()) as Ragged<Float32Array>,
    ),
    annot: nums((await ds.withSeqs(null).withTracks('annot').get()) as Ragged<Float32Array>),
  } satisfies Outputs;
}

describe('dummyDataset', () => {
  const made: Dataset<'haplotypes' | 'reference', boolean, 'ragged'>[] = [];
  let plain: Dataset<'haplotypes' | 'reference', boolean, 'ragged'>;
  let spliced: Dataset<'haplotypes' | 'reference', boolean, 'ragged'>;
  beforeAll(async () => {
    plain = await dummyDataset();
    spliced = await dummyDataset({ splice: true });
    made.push(plain, spliced);
  });
  afterAll(() => {
    for (const ds of made) rmSync(dirname(ds.path), { recursive: true, force: true });
  });

  it('matches its documented contents: 4 regions x 4 samples, ploidy 1, one variant per haplotype at the region start, tracks read-depth and annot', async () => {
    expect(plain.shape).toEqual([4, 4]);
    expect(plain.samples).toEqual(['Aang', 'Katara', 'Sokka', 'Toph']);
    expect(plain.ploidy).toBe(1);
    expect(plain.maxJitter).toBe(2);
    expect(plain.contigs).toHaveLength(25);
    expect(plain.availableTracks).toEqual(['read-depth', 'annot']);
    const [haps, tracks] = (await plain.get()) as [Ragged<Uint8Array>, Ragged<Float32Array>];
    expect(haps.shape).toEqual([4, 4, 1, null]);
    expect(tracks.shape).toEqual([4, 4, 2, 1, null]);
    const o = await outputs(plain);
    // Each haplotype read forward is one of the four alleles followed by reference N.
    for (let i = 0; i < 16; i++) {
      const r = Math.floor(i / 4);
      const row = o.haplotypes[i] as string;
      const fwd =
        plain.region(r).strand === -1
          ? [...row]
              .reverse()
              .map((c) => ({ A: 'T', C: 'G', G: 'C', T: 'A', N: 'N' })[c])
              .join('')
          : row;
      expect(['A', 'CN', 'GNN', 'TTNN']).toContain(fwd);
    }
    // Every sample of a region carries a different variant.
    for (let r = 0; r < 4; r++) expect(new Set(o.haplotypes.slice(r * 4, r * 4 + 4)).size).toBe(4);
    expect(o.reference.every((s) => s === 'NNN')).toBe(true);
  });

  it('spliced: transcripts tp53 (regions 2, 3, 0) and shh (region 1)', () => {
    expect(spliced.isSpliced).toBe(true);
    expect(spliced.getSpliceBed().map((t) => [t.id, t.regions])).toEqual([
      ['tp53', [2, 3, 0]],
      ['shh', [1]],
    ]);
  });

  describe.skipIf(peerMissing.length > 0)(
    suiteName('equals the peer get_dummy_dataset', peerMissing),
    () => {
      it('haplotypes, reference and both tracks, unspliced and spliced, equal genvarloader 0.43.1 row for row', async () => {
        const peer = JSON.parse(
          execFileSync(oraclePython, [join(pkgDir, 'test', 'oracle', 'dummy_outputs.py')], {
            encoding: 'utf8',
            stdio: ['ignore', 'pipe', 'ignore'],
          }),
        ) as { version: string; samples: string[]; unspliced: Outputs; spliced: Outputs };
        expect(peer.version).toBe('0.43.1');
        expect(plain.samples).toEqual(peer.samples);
        expect(await outputs(plain)).toEqual(peer.unspliced);
        expect(await outputs(spliced)).toEqual(peer.spliced);
      }, 120_000);
    },
  );
});
