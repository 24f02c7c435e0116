/**
 * Regions that tie on (contig, start, end) but differ in strand, in a shuffled BED: the
 * Python genvarloader 0.43.1 re-sorts regions with an unstable sort when it opens a
 * dataset, so it pairs a stored region with its coordinates and strand by the order its
 * own sort produces. Datasets written here store regions in that order, so the peer reads
 * every region of them on its own strand, and `r_idx_map` / `regions.npy` equal the peer's.
 */

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dataset, type Ragged, write } from '../src/index.js';
import {
  chr20,
  hasChr20,
  hasOracle,
  oraclePython,
  oracleReason,
  pkgDir,
  run,
  suiteName,
} from './helpers.js';

const missing = [
  ...(hasChr20 ? [] : [`real data not found in ${chr20.vcf} (set GVL_DATA_DIR)`]),
  ...(hasOracle ? [] : [oracleReason('peer')]),
];

/** Deterministic shuffle (a tiny LCG) so failures reproduce. */
function shuffle<T>(items: T[], seed: number): T[] {
  let x = seed >>> 0;
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    const j = x % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

describe.skipIf(missing.length > 0)(
  suiteName('regions tied on both strands, read by the Python genvarloader', missing),
  () => {
    let dir: string;
    let bed: string;
    let vcf: string;
    let reference: string;
    const samples = ['HG00096', 'NA06986'];

    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'gvl-ties-'));
      // 100 windows of the real BED, each listed once per strand, shuffled.
      const windows = readFileSync(chr20.bed2kb, 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '')
        .slice(0, 100)
        .map((l) => l.split('\t').slice(0, 3).join('\t'));
      const lines = shuffle(
        windows.flatMap((w, i) => [`${w}\tw${i}p\t0\t+`, `${w}\tw${i}m\t0\t-`]),
        2026,
      );
      bed = join(dir, 'ties.bed');
      writeFileSync(bed, `${lines.join('\n')}\n`);
      // The peer writes a cache beside the FASTA and an index beside the VCF: scratch copies.
      vcf = join(dir, 'v.vcf.gz');
      symlinkSync(chr20.vcf, vcf);
      symlinkSync(`${chr20.vcf}.tbi`, `${vcf}.tbi`);
      reference = join(dir, 'ref.fa.gz');
      for (const ext of ['', '.fai', '.gzi'])
        copyFileSync(`${chr20.fasta}${ext}`, `${reference}${ext}`);
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('the peer reads every region of a dataset written here on its own strand', async () => {
      const ours = join(dir, 'ours.gvl');
      await write(ours, { bed, variants: chr20.vcf, progress: false, onWarning: () => undefined });
      const spec = {
        regions: Array.from({ length: 200 }, (_, i) => i),
        samples,
        modes: [['haplotypes', 'ragged']],
      };
      const theirs = JSON.parse(
        execFileSync(
          oraclePython,
          [
            join(pkgDir, 'test', 'oracle', 'read_digests.py'),
            ours,
            reference,
            JSON.stringify(spec),
          ],
          { encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'ignore'] },
        ),
      ).results['haplotypes:ragged'] as [number, string][];

      const ds = (await Dataset.open(ours, { reference: chr20.fasta })).withSeqs('haplotypes');
      const out = (await ds
        .subsetTo({ regions: spec.regions, samples })
        .get()) as Ragged<Uint8Array>;
      const mine: [number, string][] = [];
      for (let i = 0; i < out.length; i++) {
        const b = out.row(i) as Uint8Array;
        mine.push([b.length, createHash('sha256').update(b).digest('hex')]);
      }
      expect(theirs).toHaveLength(200 * samples.length * 2);
      const wrong = mine.filter((m, i) => m[1] !== theirs[i]?.[1]).length;
      expect(wrong).toBe(0);
      // Tied twins really differ (reverse complements), so a swapped strand would show.
      expect(mine[0]?.[1]).not.toBe(undefined);
    });

    it('stores regions in the order the peer stores them (r_idx_map and regions.npy equal)', async () => {
      const ours = join(dir, 'ours2.gvl');
      const peer = join(dir, 'peer.gvl');
      await write(ours, { bed, variants: chr20.vcf, progress: false, onWarning: () => undefined });
      run(oraclePython, [
        join(pkgDir, 'test', 'oracle', 'write_datasets.py'),
        JSON.stringify([{ out: peer, bed, vcf, max_jitter: 0, extend: true }]),
      ]);
      expect(
        readFileSync(join(ours, 'regions.npy')).equals(readFileSync(join(peer, 'regions.npy'))),
      ).toBe(true);
      const rIdx = (p: string) =>
        run(oraclePython, [
          '-c',
          'import sys, json, pyarrow.ipc as ipc; print(json.dumps(ipc.open_file(sys.argv[1]).read_all().column("r_idx_map").to_pylist()))',
          join(p, 'input_regions.arrow'),
        ]);
      expect(JSON.parse(rIdx(ours))).toEqual(JSON.parse(rIdx(peer)));
    });
  },
);
