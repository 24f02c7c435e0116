/**
 * Prepares, once, what every measurement reads: the datasets (written by the peer when
 * it is available, so that both libraries read the very same files) and the seeded
 * batch index lists shared by both.
 *
 * @module
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { vcfSamples } from '@gvl/dataset';
import type { BatchPlanFile, Lib } from './jobs.js';
import type { Shape } from './options.js';
import { chr20 } from './paths.js';
import { runChild } from './run-child.js';

/** A small seeded PRNG (mulberry32): the same lists for the same seed on every machine. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Seeded random (region, sample) pairs: `warmup + timed` batches of `batchSize` pairs,
 * regions uniform in `[0, nRegions)`, samples uniform in `[0, nSamples)`.
 */
export function makeBatchPlan(
  nRegions: number,
  nSamples: number,
  batchSize: number,
  warmup: number,
  timed: number,
  seed: number,
): BatchPlanFile {
  const rand = mulberry32(seed);
  const batch = (): [number[], number[]] => {
    const r: number[] = [];
    const s: number[] = [];
    for (let i = 0; i < batchSize; i++) {
      r.push(Math.floor(rand() * nRegions));
      s.push(Math.floor(rand() * nSamples));
    }
    return [r, s];
  };
  return {
    warmup: Array.from({ length: warmup }, batch),
    timed: Array.from({ length: timed }, batch),
  };
}

/** Writes (once) the batch plan of `shape` for a dataset of the given size; returns its path. */
export function batchPlanPath(
  cacheDir: string,
  shape: Shape,
  nRegions: number,
  nSamples: number,
  seed: number,
): string {
  const dir = join(cacheDir, 'plans');
  mkdirSync(dir, { recursive: true });
  const p = join(
    dir,
    `${shape.batchSize}-${nRegions}x${nSamples}-w${shape.warmup}-t${shape.timed}-s${seed}.json`,
  );
  if (!existsSync(p)) {
    const plan = makeBatchPlan(
      nRegions,
      nSamples,
      shape.batchSize,
      shape.warmup,
      shape.timed,
      seed,
    );
    writeFileSync(p, JSON.stringify(plan));
  }
  return p;
}

/** Region and sample counts of a written dataset (its `metadata.json`). */
export function datasetSize(path: string): { nRegions: number; nSamples: number } {
  const m = JSON.parse(readFileSync(join(path, 'metadata.json'), 'utf8')) as {
    n_regions: number;
    samples: string[];
  };
  return { nRegions: m.n_regions, nSamples: m.samples.length };
}

/** The prepared chr20 inputs and datasets. */
export interface Chr20Prepared {
  dir: string;
  /** Scratch link to the VCF (the peer writes its variant index beside the VCF). */
  vcf: string;
  /** Scratch copy of the FASTA (the peer builds its FASTA cache beside it). */
  reference: string;
  bed: { '16kb': string; '2kb': string };
  dataset: { '16kb': string; '2kb': string };
  /** Samples kept, or null for all. */
  samples: string[] | null;
  /** Which library wrote the datasets. */
  writer: Lib;
}

/**
 * Links the chr20 inputs into the cache and writes the two window datasets with
 * `writer` (skipped when a previous run left them, written by the same library).
 */
export async function prepareChr20(
  cacheDir: string,
  nSamples: number | null,
  writer: Lib,
  python: string,
): Promise<Chr20Prepared> {
  const src = chr20();
  const dir = join(cacheDir, `chr20-${nSamples ?? 'all'}-${writer}`);
  mkdirSync(dir, { recursive: true });
  const vcf = join(dir, 'v.vcf.gz');
  if (!existsSync(vcf)) symlinkSync(src.vcf, vcf);
  if (!existsSync(`${vcf}.tbi`)) symlinkSync(`${src.vcf}.tbi`, `${vcf}.tbi`);
  const reference = join(dir, 'ref.fa.gz');
  for (const ext of ['', '.fai', '.gzi']) {
    if (!existsSync(`${reference}${ext}`) && existsSync(`${src.fasta}${ext}`))
      copyFileSync(`${src.fasta}${ext}`, `${reference}${ext}`);
  }
  const samples = nSamples === null ? null : (await vcfSamples(vcf)).sort().slice(0, nSamples);
  const marker = join(dir, 'prepared.json');
  const previous = existsSync(marker)
    ? (JSON.parse(readFileSync(marker, 'utf8')) as { writer?: string })
    : null;
  const dataset = { '16kb': join(dir, 'w16kb.gvl'), '2kb': join(dir, 'w2kb.gvl') };
  const bed = { '16kb': src.bed16kb, '2kb': src.bed2kb };
  const fresh =
    previous?.writer === writer &&
    existsSync(join(dataset['16kb'], 'metadata.json')) &&
    existsSync(join(dataset['2kb'], 'metadata.json'));
  if (!fresh) {
    rmSync(marker, { force: true });
    for (const w of ['16kb', '2kb'] as const) {
      rmSync(dataset[w], { recursive: true, force: true });
      runChild(
        writer,
        { kind: 'write', out: dataset[w], bed: bed[w], vcf, samples },
        { threads: null, forced: false },
        python,
      );
    }
    writeFileSync(marker, JSON.stringify({ writer, samples: nSamples }));
  }
  return { dir, vcf, reference, bed, dataset, samples, writer };
}
