/**
 * The Python genvarloader (pinned 0.43.1, a test oracle only; see
 * scripts/setup-oracle.sh) against this package:
 * - it opens datasets written here and reconstructs haplotypes equal to
 *   `bcftools consensus` over `samtools faidx` regions;
 * - datasets it writes from the same inputs are byte-identical to ours.
 */
import { execFileSync } from 'node:child_process';
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
import { datasetInfo, verifyDataset, write } from '../src/index.js';
import { makeChr16Fixture } from './chr16-fixture.js';
import { edgeBed, readBedFile, readTruth, type Truth, vEnd } from './chr20-truth.js';
import {
  chr16Dir,
  chr20,
  hasBcftools,
  hasChr16,
  hasChr20,
  hasOracle,
  hasSamtools,
  hasTabix,
  oraclePython,
  oracleReason,
  pkgDir,
  readNpyInt32,
  run,
  suiteName,
} from './helpers.js';

const missing = [
  ...(hasChr20 ? [] : [`real data not found in ${chr20.vcf} (set GVL_DATA_DIR)`]),
  ...(hasOracle ? [] : [oracleReason('peer')]),
  ...(hasBcftools && hasSamtools ? [] : [oracleReason('bcftools'), oracleReason('samtools')]),
];

/** Deterministic picks (a tiny LCG) so failures reproduce. */
function lcg(seed: number) {
  let x = seed >>> 0;
  return (n: number) => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x % n;
  };
}

function parseFasta(text: string): string[] {
  return text
    .split('>')
    .slice(1)
    .map((rec) => rec.split('\n').slice(1).join('').trim());
}

function samePaths(a: string, b: string, files: string[]) {
  for (const f of files) {
    const x = readFileSync(join(a, f));
    const y = readFileSync(join(b, f));
    if (!x.equals(y))
      throw new Error(`${f} differs from the peer's (${x.length} vs ${y.length} bytes)`);
  }
}

describe.skipIf(missing.length > 0)(
  suiteName('Python genvarloader 0.43.1 as an oracle', missing),
  () => {
    let dir: string;
    let truth: Truth;
    let reference: string;
    let vcf: string;

    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'gvl-oracle-'));
      truth = readTruth();
      // genvarloader writes a cache beside the FASTA and an index beside the VCF: give it
      // scratch copies/links, never the shared data folder.
      reference = join(dir, 'chr20.fa.gz');
      for (const ext of ['', '.fai', '.gzi'])
        copyFileSync(`${chr20.fasta}${ext}`, `${reference}${ext}`);
      vcf = join(dir, 'v.vcf.gz');
      symlinkSync(chr20.vcf, vcf);
      symlinkSync(`${chr20.vcf}.tbi`, `${vcf}.tbi`);
    });
    afterAll(() => {
      if (dir && !process.env.GVL_KEEP_TMP) rmSync(dir, { recursive: true, force: true });
    });

    it('opens a dataset written here; its haplotypes equal bcftools consensus', async () => {
      const ds = join(dir, 'ours.gvl');
      await write(ds, {
        bed: chr20.bed2kb,
        variants: chr20.vcf,
        maxJitter: 100,
        progress: false,
        onWarning: () => undefined,
      });
      const bed = readBedFile(chr20.bed2kb);
      const pick = lcg(20);
      // 12 samples × 3 regions; regions chosen where the sample carries an indel, with no
      // carried deletion across the region's edges (the edges are covered by the
      // variant_idxs checks; bcftools consensus on a region slice cannot represent them).
      const queries: [number, string][] = [];
      const usedSamples = new Set<number>();
      while (usedSamples.size < 12) {
        const s = pick(truth.samples.length);
        if (usedSamples.has(s)) continue;
        const haps = [2 * s, 2 * s + 1];
        const ok: number[] = [];
        const withIndel: number[] = [];
        for (let r = 0; r < bed.length; r++) {
          const b = bed[r] as (typeof bed)[number];
          let crosses = false;
          let indel = false;
          for (const h of haps) {
            for (const k of truth.byHap[h] as number[]) {
              const v = truth.records[k] as (typeof truth.records)[number];
              if (vEnd(v) <= b.start - 50 || v.pos0 >= b.end) continue;
              if ((v.pos0 < b.start && vEnd(v) > b.start) || (v.pos0 < b.end && vEnd(v) > b.end))
                crosses = true;
              if (v.ilen !== 0 && v.pos0 >= b.start && v.pos0 < b.end) indel = true;
            }
          }
          if (crosses) continue;
          ok.push(r);
          if (indel) withIndel.push(r);
        }
        if (withIndel.length < 2) continue;
        usedSamples.add(s);
        const regions = new Set<number>([
          withIndel[pick(withIndel.length)] as number,
          withIndel[pick(withIndel.length)] as number,
        ]);
        while (regions.size < 3) regions.add(ok[pick(ok.length)] as number);
        for (const r of [...regions].sort((a, b) => a - b))
          queries.push([r, truth.samples[s] as string]);
      }
      const outText = run(oraclePython, [
        join(pkgDir, 'test', 'oracle', 'haplotypes.py'),
        ds,
        reference,
        JSON.stringify(queries),
      ]);
      const got = JSON.parse(outText) as { version: string; haplotypes: string[][] };
      expect(got.version).toBe('0.43.1');
      expect(got.haplotypes).toHaveLength(36);
      let indelBases = 0;
      for (let i = 0; i < queries.length; i += 3) {
        const sample = (queries[i] as [number, string])[1];
        const rs = queries.slice(i, i + 3).map(([r]) => bed[r] as (typeof bed)[number]);
        const slice = join(dir, `ref-${sample}.fa`);
        writeFileSync(
          slice,
          run('samtools', ['faidx', reference, ...rs.map((b) => `20:${b.start + 1}-${b.end}`)]),
        );
        for (const hap of [1, 2]) {
          const consensus = parseFasta(
            execFileSync(
              'bcftools',
              ['consensus', '-H', String(hap), '-s', sample, '-f', slice, chr20.vcf],
              {
                encoding: 'utf8',
                stdio: ['ignore', 'pipe', 'ignore'],
              },
            ),
          );
          for (let k = 0; k < 3; k++) {
            const want = consensus[k] as string;
            const have = (got.haplotypes[i + k] as string[])[hap - 1] as string;
            if (have !== want) {
              throw new Error(
                `${sample} hap ${hap} region ${(queries[i + k] as [number, string])[0]}: genvarloader and bcftools consensus differ`,
              );
            }
            indelBases += Math.abs(have.length - 2048);
          }
        }
      }
      // The compared haplotypes really contain indels.
      expect(indelBases).toBeGreaterThan(20);
    });

    it('datasets it writes from the same inputs (windows across deletion edges, ±extension) are byte-identical to ours', async () => {
      const edges = join(dir, 'edges.bed');
      writeFileSync(edges, edgeBed(truth, 5, 9));
      const jobs = [
        { name: 'edges-j5', bed: edges, max_jitter: 5, extend: true },
        { name: 'edges-j5-noext', bed: edges, max_jitter: 5, extend: false },
      ];
      for (const j of jobs) {
        await write(join(dir, `${j.name}.ours.gvl`), {
          bed: j.bed,
          variants: chr20.vcf,
          maxJitter: j.max_jitter,
          extendToLength: j.extend,
          progress: false,
          onWarning: () => undefined,
        });
      }
      run(oraclePython, [
        join(pkgDir, 'test', 'oracle', 'write_datasets.py'),
        JSON.stringify(jobs.map((j) => ({ ...j, out: join(dir, `${j.name}.peer.gvl`), vcf }))),
      ]);
      for (const j of jobs) {
        samePaths(join(dir, `${j.name}.ours.gvl`), join(dir, `${j.name}.peer.gvl`), [
          'metadata.json',
          'regions.npy',
          'genotypes/offsets.npy',
          'genotypes/variant_idxs.npy',
        ]);
        // Every integrity check holds on the peer's own datasets (no checksums.json there).
        const report = await verifyDataset(join(dir, `${j.name}.peer.gvl`));
        expect(report.problems, j.name).toEqual([]);
        expect(report.checks.find((c) => c.name === 'checksums')?.status).toBe('skipped');
        expect((await verifyDataset(join(dir, `${j.name}.ours.gvl`))).ok).toBe(true);
      }
      // datasetInfo reads the peer's zstd-compressed variants.arrow.
      const ours = await datasetInfo(join(dir, 'edges-j5.ours.gvl'));
      expect(await datasetInfo(join(dir, 'edges-j5.peer.gvl'))).toMatchObject({
        nRegions: ours.nRegions,
        nVariants: 7568,
        nVariantCalls: ours.nVariantCalls,
        ploidy: 2,
        maxJitter: 5,
        writerVersion: '0.43.1',
      });
    });

    it.skipIf(!hasChr16 || !hasTabix)(
      suiteName('writes bigWig tracks over extended windows exactly as the peer does', [
        ...(hasChr16 ? [] : [`real data not found in ${chr16Dir} (set GVL_DATA_DIR)`]),
        ...(hasTabix ? [] : [oracleReason('tabix')]),
      ]),
      async () => {
        const { sortedVcf, reversedVcf, bed, tracks } = makeChr16Fixture(join(dir, 'chr16'));
        const ours = join(dir, 'tracks.ours.gvl');
        const summary = await write(ours, {
          bed,
          variants: sortedVcf,
          reference: join(chr16Dir, 'chunk.fa'),
          tracks,
          maxJitter: 10,
          progress: false,
          onWarning: () => undefined,
        });
        expect(summary).toMatchObject({
          nRegions: 3,
          samples: ['s_al', 's_gc'],
          nVariants: 9,
          tracks: ['signal', 'gc'],
        });
        run(oraclePython, [
          join(pkgDir, 'test', 'oracle', 'write_datasets.py'),
          JSON.stringify([
            {
              out: join(dir, 'tracks.peer.gvl'),
              bed,
              vcf: sortedVcf,
              max_jitter: 10,
              extend: true,
              tracks,
            },
          ]),
        ]);
        const files = [
          'metadata.json',
          'regions.npy',
          'genotypes/offsets.npy',
          'genotypes/variant_idxs.npy',
        ];
        for (const t of ['signal', 'gc'])
          for (const f of ['offsets', 'starts', 'ends', 'values'])
            files.push(`intervals/${t}/${f}.npy`);
        samePaths(ours, join(dir, 'tracks.peer.gvl'), files);
        expect((await verifyDataset(join(dir, 'tracks.peer.gvl'))).problems).toEqual([]);
        expect((await verifyDataset(ours)).problems).toEqual([]);
        // On-disk order a, b, c (padded by 10). Region a = [90, 5010): s_gc's first haplotype
        // lost 40 bp to the deletions at 3990 and 4985, so it keeps 5012, 5030 and the
        // deletion at 5040, which ends at 5042; b keeps 9010; c has no variant.
        const regions = readNpyInt32(join(ours, 'regions.npy'));
        expect([...regions.data]).toEqual([
          0, 90, 5042, 1, 0, 3990, 9010, -1, 0, 149990, 150510, 1,
        ]);
        // The VCF's column order does not matter here.
        const reversed = join(dir, 'tracks.reversed.gvl');
        await write(reversed, {
          bed,
          variants: reversedVcf,
          tracks,
          maxJitter: 10,
          progress: false,
          onWarning: () => undefined,
        });
        samePaths(ours, reversed, files);
      },
    );
  },
);
