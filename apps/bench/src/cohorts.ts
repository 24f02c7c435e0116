/**
 * Cost as the cohort grows: msprime cohorts of N samples (1 Mb, 61 windows of 16 kb),
 * each written by both libraries (time, peak RSS) and read by both from the same
 * peer-written files (per-batch time, p99, open memory, V8 garbage collections).
 *
 * @module
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildReport, Lib } from './jobs.js';
import type { BenchOptions, Shape } from './options.js';
import { missingPython, missingTool, simPython, simulateScript } from './paths.js';
import { batchPlanPath, datasetSize } from './prepare.js';
import { runChild } from './run-child.js';
import { interleave, type Log, runWrites, type WriteResult } from './suite.js';
import { type ReadSummary, sameOutput, summarizeReads } from './summary.js';

/** What `simulate_cohort.py` made (its `cohort.json`). */
export interface CohortInfo {
  samples: number;
  variants: number;
  length: number;
  windows: number;
  windowBp: number;
  simulateSeconds: number;
  totalSeconds: number;
  msprime: string;
}

export interface CohortResult {
  samples: number;
  variants: number;
  regions: number;
  /** Seconds to simulate and write the VCF (once; cached). */
  generateSeconds: number;
  /** Size of the dataset's genotype offsets table (R·S·2 int64), bytes. */
  offsetsBytes: number;
  write: WriteResult;
  gvl: ReadSummary;
  peer: ReadSummary | null;
  outputsEqual: boolean;
}

/**
 * The read shape of the cohort section: 32 random pairs of 16 kb windows, ragged, after
 * 50 warm-up batches as in the chr20 read section (code caches, the heap and the
 * recycled output memory reach their steady state; with 10 the first timed batches
 * still paid for that).
 */
export function cohortShape(quick: boolean): Shape {
  return {
    name: '32x16kb',
    windows: '16kb',
    batchSize: 32,
    length: 'ragged',
    warmup: quick ? 1 : 50,
    timed: quick ? 5 : 300,
  };
}

/** Why cohorts cannot be simulated here, or null. */
export function missingSimulator(): string | null {
  return (
    missingPython(simPython(), 'msprime') ?? missingTool('bgzip') ?? missingTool('tabix') ?? null
  );
}

/** Simulates (once, cached) the cohort of `n` samples; returns its folder and info. */
export function ensureCohort(
  o: BenchOptions,
  n: number,
  log: Log,
): { dir: string; info: CohortInfo } {
  const dir = join(o.cacheDir, `cohort-${n}-s${o.seed}`);
  const infoPath = join(dir, 'cohort.json');
  if (!existsSync(infoPath)) {
    log(`cohort ${n}: simulating (msprime) into ${dir}`);
    rmSync(dir, { recursive: true, force: true });
    const r = spawnSync(simPython(), [simulateScript, dir, String(n), '--seed', String(o.seed)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 16 << 20,
    });
    if (r.status !== 0)
      throw new Error(
        `simulating cohort ${n} failed: ${(r.stderr ?? '').trim().split('\n').slice(-5).join('\n')}`,
      );
  }
  return { dir, info: JSON.parse(readFileSync(infoPath, 'utf8')) as CohortInfo };
}

/** Runs the cohort section for every size in `o.cohorts`. */
export function runCohorts(
  o: BenchOptions,
  peer: boolean,
  python: string,
  log: Log,
): CohortResult[] {
  const out: CohortResult[] = [];
  const writer: Lib = peer ? 'peer' : 'gvl';
  for (const n of o.cohorts) {
    const { dir, info } = ensureCohort(o, n, log);
    const vcf = join(dir, 'cohort.vcf.gz');
    const bed = join(dir, 'windows.bed');
    const reference = join(dir, 'ref.fa');
    const dataset = join(dir, `${writer}.gvl`);
    if (!existsSync(join(dataset, 'metadata.json'))) {
      log(`cohort ${n}: writing the shared dataset with ${writer}`);
      runChild(
        writer,
        { kind: 'write', out: dataset, bed, vcf, samples: null },
        { threads: null, forced: false },
        python,
      );
    }
    const write = runWrites(
      o,
      { bed, vcf, samples: null, nSamples: n, label: `cohort ${n}` },
      dir,
      peer,
      python,
      log,
      Math.min(o.repeats, 3),
    );
    const shape = cohortShape(o.quick);
    const { nRegions, nSamples } = datasetSize(dataset);
    const batches = batchPlanPath(o.cacheDir, shape, nRegions, nSamples, o.seed);
    const reports: Record<Lib, ChildReport[]> = { gvl: [], peer: [] };
    for (let i = 0; i < o.repeats; i++) {
      for (const lib of interleave(i, peer)) {
        reports[lib].push(
          runChild(
            lib,
            { kind: 'read', dataset, reference, length: 'ragged', batches },
            { threads: null, forced: false },
            python,
          ),
        );
      }
    }
    const gvl = summarizeReads(reports.gvl);
    const pe = peer ? summarizeReads(reports.peer) : null;
    const res: CohortResult = {
      samples: n,
      variants: info.variants,
      regions: nRegions,
      generateSeconds: info.totalSeconds,
      offsetsBytes: nRegions * nSamples * 2 * 8,
      write,
      gvl,
      peer: pe,
      outputsEqual: sameOutput(gvl, pe),
    };
    log(
      `cohort ${n}: gvl ${(gvl.meanMs * 1000).toFixed(0)} µs/batch` +
        (pe ? `, peer ${(pe.meanMs * 1000).toFixed(0)} µs/batch` : '') +
        (res.outputsEqual ? '' : '  OUTPUTS DIFFER'),
    );
    out.push(res);
  }
  return out;
}
