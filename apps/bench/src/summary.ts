/**
 * Reduces the reports of repeated child runs to one summary per library.
 *
 * @module
 */
import type { ChildReport } from './jobs.js';
import { mean, median, mibPerSecond, percentile, sum } from './stats.js';

/** One library's numbers for one read configuration, over its repeats. */
export interface ReadSummary {
  runs: number;
  /** Median over runs of (bytes ÷ summed batch time), MiB/s. */
  mibPerS: number;
  /** Over every timed batch of every run, ms. */
  meanMs: number;
  p50Ms: number;
  p99Ms: number;
  /** Median over runs of (summed batch time ÷ summed copy time of the same bytes). */
  floorRatio: number;
  /** Median over runs; null for the peer (no V8 heap). */
  gcPerRun: number | null;
  gcMajorPerRun: number | null;
  /** Bytes per run (every run produces the same bytes). */
  bytes: number;
  /** The runs' checksums (one value when every run produced the same bytes). */
  sha256: string[];
  /** Median over runs, bytes. */
  peakRssBytes: number | null;
  openMs: number;
  openRssBytes: number | null;
  openFileRssBytes: number | null;
}

function medianOrNull(xs: readonly (number | null | undefined)[]): number | null {
  const v = xs.filter((x): x is number => typeof x === 'number');
  return v.length === 0 ? null : median(v);
}

/** Summarizes the `read` reports of one library for one configuration. */
export function summarizeReads(reports: readonly ChildReport[]): ReadSummary {
  const all: number[] = [];
  for (const r of reports) all.push(...(r.batchMs ?? []));
  const bytes = new Set(reports.map((r) => r.bytes ?? 0));
  return {
    runs: reports.length,
    mibPerS: median(reports.map((r) => mibPerSecond(r.bytes ?? 0, sum(r.batchMs ?? [])))),
    meanMs: mean(all),
    p50Ms: percentile(all, 50),
    p99Ms: percentile(all, 99),
    floorRatio: median(reports.map((r) => sum(r.batchMs ?? []) / sum(r.floorMs ?? []))),
    gcPerRun: medianOrNull(reports.map((r) => r.gcCount)),
    gcMajorPerRun: medianOrNull(reports.map((r) => r.gcMajor)),
    bytes: bytes.size === 1 ? ([...bytes][0] as number) : Number.NaN,
    sha256: [...new Set(reports.map((r) => r.sha256 ?? ''))],
    peakRssBytes: medianOrNull(reports.map((r) => r.peakRssBytes)),
    openMs: median(reports.map((r) => r.openMs ?? Number.NaN)),
    openRssBytes: medianOrNull(reports.map((r) => r.openRssBytes)),
    openFileRssBytes: medianOrNull(reports.map((r) => r.openFileRssBytes)),
  };
}

/**
 * Whether two libraries produced the same bytes: every run of each one the same
 * checksum and byte total, and equal across them. With one library: consistent runs.
 */
export function sameOutput(a: ReadSummary, b: ReadSummary | null): boolean {
  if (a.sha256.length !== 1 || Number.isNaN(a.bytes)) return false;
  if (b === null) return true;
  return b.sha256.length === 1 && b.sha256[0] === a.sha256[0] && b.bytes === a.bytes;
}
