/**
 * The side-by-side sections on the chr20 data: read throughput per shape × threads ×
 * gate, the event-loop delay of the loader, and write time / peak RSS. Every
 * configuration runs gvl-ts and the peer in alternating fresh processes.
 *
 * @module
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { LOADER_MODES, type LoaderMode } from '@gvl/dataset';
import type { ChildReport, Lib } from './jobs.js';
import { type BenchOptions, type Shape, selected, shapes } from './options.js';
import { batchPlanPath, type Chr20Prepared, datasetSize } from './prepare.js';
import { runChild, type ThreadEnv } from './run-child.js';
import { median, mibPerSecond, sum } from './stats.js';
import { type ReadSummary, sameOutput, summarizeReads } from './summary.js';

/** Logs progress on stderr (the table goes to stdout). */
export type Log = (line: string) => void;

export interface ReadResult {
  shape: string;
  batchSize: number;
  length: 'ragged' | number;
  threads: number;
  forced: boolean;
  gvl: ReadSummary;
  peer: ReadSummary | null;
  /** Byte totals and SHA-256 equal across every run of both libraries. */
  outputsEqual: boolean;
}

export interface LoopResult {
  shape: string;
  mode: LoaderMode;
  /** `loader({ reuse: true })`: output buffers recycled by the loader. */
  reuse: boolean;
  /** Median over repeats of the loader's time per batch ÷ a memcpy of the same bytes. */
  floorRatio: number;
  /** Median over repeats of the event-loop delay p99, ms. */
  p99Ms: number;
  /** Worst p99 over repeats, ms. */
  worstP99Ms: number;
  maxMs: number;
  mibPerS: number;
  gcPerRun: number;
}

export interface WriteSummary {
  runs: number;
  /** Median, ms. */
  writeMs: number;
  /** Median, bytes. */
  peakRssBytes: number | null;
}

export interface WriteResult {
  bed: string;
  samples: number;
  gvl: WriteSummary;
  peer: WriteSummary | null;
}

/** The order of the two libraries in repeat `i`: alternate who goes first. */
export function interleave(i: number, peer: boolean): Lib[] {
  if (!peer) return ['gvl'];
  return i % 2 === 0 ? ['gvl', 'peer'] : ['peer', 'gvl'];
}

function shapeDataset(p: Chr20Prepared, s: Shape): string {
  return p.dataset[s.windows];
}

/**
 * Whether the read section runs this configuration. A full run measures every shape ×
 * thread count × gate; `--quick` keeps every shape once (fewest threads, default gate)
 * and 32 × 16 kb forced parallel at each thread count (the scaling metric), so each
 * metric still appears.
 */
export function runsConfig(
  o: BenchOptions,
  shape: Shape,
  threads: number,
  forced: boolean,
): boolean {
  if (!o.quick) return true;
  if (shape.name === '32x16kb' && forced) return true;
  return !forced && threads === Math.min(...o.threads);
}

/** Read throughput, latency, memcpy floor and checksums for each configuration. */
export function runReads(
  o: BenchOptions,
  p: Chr20Prepared,
  peer: boolean,
  python: string,
  log: Log,
): ReadResult[] {
  const out: ReadResult[] = [];
  for (const shape of shapes(o.quick)) {
    if (!selected(o, 'read', shape.name)) continue;
    const dataset = shapeDataset(p, shape);
    const { nRegions, nSamples } = datasetSize(dataset);
    const batches = batchPlanPath(o.cacheDir, shape, nRegions, nSamples, o.seed);
    for (const threads of o.threads) {
      for (const forced of [false, true]) {
        if (!runsConfig(o, shape, threads, forced)) continue;
        const t: ThreadEnv = { threads, forced };
        const reports: Record<Lib, ChildReport[]> = { gvl: [], peer: [] };
        for (let i = 0; i < o.repeats; i++) {
          for (const lib of interleave(i, peer)) {
            reports[lib].push(
              runChild(
                lib,
                { kind: 'read', dataset, reference: p.reference, length: shape.length, batches },
                t,
                python,
              ),
            );
          }
        }
        const gvl = summarizeReads(reports.gvl);
        const pe = peer ? summarizeReads(reports.peer) : null;
        const r: ReadResult = {
          shape: shape.name,
          batchSize: shape.batchSize,
          length: shape.length,
          threads,
          forced,
          gvl,
          peer: pe,
          outputsEqual: sameOutput(gvl, pe),
        };
        log(
          `read ${shape.name} threads=${threads} ${forced ? 'forced' : 'gate'}: gvl ${gvl.mibPerS.toFixed(0)} MiB/s` +
            (pe ? `, peer ${pe.mibPerS.toFixed(0)} MiB/s` : '') +
            (r.outputsEqual ? '' : '  OUTPUTS DIFFER'),
        );
        out.push(r);
      }
    }
  }
  return out;
}

/**
 * Batches each loader run streams at least: about 1.5 GiB of haplotypes (2 × window
 * bytes per pair); runs also last at least 3 s, so that the event-loop histogram holds
 * thousands of 1 ms samples and its p99 is not just its maximum. A run spans several
 * shuffled epochs. `--quick`: the shape's timed count, no minimum duration.
 */
export function loopBatches(o: Pick<BenchOptions, 'quick'>, shape: Shape): number {
  if (o.quick) return shape.timed;
  const window = shape.windows === '16kb' ? 16_384 : 2_048;
  const perBatch = shape.batchSize * 2 * (shape.length === 'ragged' ? window : shape.length);
  return Math.ceil((1.5 * 2 ** 30) / perBatch);
}

/** `inline` or `inline, reuse`. */
export function loopName(l: Pick<LoopResult, 'mode' | 'reuse'>): string {
  return l.reuse ? `${l.mode}, reuse` : l.mode;
}

/**
 * Event-loop delay, throughput and time ÷ memcpy while streaming through the gvl-ts
 * loader (its one mode, `'inline'`), with new output memory per batch (the default) and
 * with `reuse: true`.
 */
export function runLoops(o: BenchOptions, p: Chr20Prepared, log: Log): LoopResult[] {
  const out: LoopResult[] = [];
  const picked = o.quick ? shapes(true).slice(0, 1) : shapes(false);
  for (const shape of picked) {
    if (!selected(o, 'loop', shape.name)) continue;
    for (const [mode, reuse] of LOADER_MODES.flatMap((m) => [
      [m, false] as const,
      [m, true] as const,
    ])) {
      const reports: ChildReport[] = [];
      for (let i = 0; i < o.repeats; i++) {
        reports.push(
          runChild(
            'gvl',
            {
              kind: 'loop',
              dataset: shapeDataset(p, shape),
              reference: p.reference,
              length: shape.length,
              mode,
              reuse,
              batchSize: shape.batchSize,
              count: loopBatches(o, shape),
              seconds: o.quick ? 0 : 3,
              warmup: shape.warmup,
              seed: o.seed + i,
            },
            { threads: null, forced: false },
            '',
          ),
        );
      }
      const p99 = reports.map((r) => r.loopP99Ms ?? Number.NaN);
      const res: LoopResult = {
        shape: shape.name,
        mode,
        reuse,
        floorRatio: median(
          reports.map((r) => (r.elapsedMs ?? Number.NaN) / sum(r.floorMs ?? [Number.NaN])),
        ),
        p99Ms: median(p99),
        worstP99Ms: Math.max(...p99),
        maxMs: Math.max(...reports.map((r) => r.loopMaxMs ?? Number.NaN)),
        mibPerS: median(reports.map((r) => mibPerSecond(r.bytes ?? 0, r.elapsedMs ?? 0))),
        gcPerRun: median(reports.map((r) => r.gcCount ?? 0)),
      };
      log(
        `loop ${shape.name} ${loopName(res)}: ${res.mibPerS.toFixed(0)} MiB/s, ` +
          `${res.floorRatio.toFixed(2)}x memcpy, event-loop p99 ${res.p99Ms.toFixed(2)} ms`,
      );
      out.push(res);
    }
  }
  return out;
}

function summarizeWrites(reports: readonly ChildReport[]): WriteSummary {
  const rss = reports.map((r) => r.peakRssBytes).filter((x): x is number => x !== null);
  return {
    runs: reports.length,
    writeMs: median(reports.map((r) => r.writeMs ?? Number.NaN)),
    peakRssBytes: rss.length ? median(rss) : null,
  };
}

/**
 * Write time and peak RSS, each write in its own process, into a fresh directory
 * (removed after). The peer's VCF index (`.gvi`) already exists from the preparation,
 * so neither side pays a one-off indexing cost here.
 */
export function runWrites(
  o: BenchOptions,
  input: { bed: string; vcf: string; samples: string[] | null; nSamples: number; label: string },
  scratch: string,
  peer: boolean,
  python: string,
  log: Log,
  repeats = o.repeats,
): WriteResult {
  const reports: Record<Lib, ChildReport[]> = { gvl: [], peer: [] };
  for (let i = 0; i < repeats; i++) {
    for (const lib of interleave(i, peer)) {
      const out = join(scratch, `write-${lib}-${i}.gvl`);
      rmSync(out, { recursive: true, force: true });
      try {
        reports[lib].push(
          runChild(
            lib,
            { kind: 'write', out, bed: input.bed, vcf: input.vcf, samples: input.samples },
            { threads: null, forced: false },
            python,
          ),
        );
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    }
  }
  const res: WriteResult = {
    bed: input.label,
    samples: input.nSamples,
    gvl: summarizeWrites(reports.gvl),
    peer: peer ? summarizeWrites(reports.peer) : null,
  };
  log(
    `write ${input.label}: gvl ${(res.gvl.writeMs / 1000).toFixed(2)} s` +
      (res.peer ? `, peer ${(res.peer.writeMs / 1000).toFixed(2)} s` : ''),
  );
  return res;
}
