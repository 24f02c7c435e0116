/**
 * The printed report: a header with the machine and its load, one table
 * `metric | gvl-ts | peer | ratio`, the cohort table, and the goals.
 *
 * @module
 */
import type { CohortResult } from './cohorts.js';
import type { Goal } from './goals.js';
import type { MachineInfo } from './machine.js';
import { ratio } from './stats.js';
import { type LoopResult, loopName, type ReadResult, type WriteResult } from './suite.js';

/** One table row. `better` says which way is good (the ratio is always gvl-ts ÷ peer). */
export interface Row {
  metric: string;
  gvl: number | null;
  peer: number | null;
  unit: string;
  better: 'higher' | 'lower';
}

/** The whole result of one run, as written to JSON. */
export interface BenchResult {
  startedAt: string;
  machine: MachineInfo & { python: string | null; peerVersion: string | null; gvlVersion: string };
  load: { before: number[] | null; after: number[] | null };
  options: Record<string, unknown>;
  /** Which library wrote the datasets both read; why the peer was absent, if it was. */
  datasets: { writer: string; samples: number | null };
  peerMissing: string | null;
  cohortsMissing: string | null;
  reads: ReadResult[];
  loops: LoopResult[];
  writes: WriteResult[];
  cohorts: CohortResult[];
  rows: Row[];
  cohortRows: (Row & { samples: number })[];
  goals: Goal[];
  /** Every configuration's outputs had equal byte totals and SHA-256 in both libraries. */
  outputsEqual: boolean;
}

const MiB = 2 ** 20;
const gate = (r: ReadResult) => (r.forced ? 'forced' : 'gate');

/** The rows of the main table. */
export function mainRows(reads: ReadResult[], loops: LoopResult[], writes: WriteResult[]): Row[] {
  // One row per measured case, in table order.
  const rows: Row[] = [];
  for (const r of reads) {
    const c = `${r.shape} ${r.threads}thr ${gate(r)}`;
    rows.push({
      metric: `haplotypes MiB/s · ${c}`,
      gvl: r.gvl.mibPerS,
      peer: r.peer?.mibPerS ?? null,
      unit: 'MiB/s',
      better: 'higher',
    });
    rows.push({
      metric: `batch p50 ms · ${c}`,
      gvl: r.gvl.p50Ms,
      peer: r.peer?.p50Ms ?? null,
      unit: 'ms',
      better: 'lower',
    });
    rows.push({
      metric: `batch p99 ms · ${c}`,
      gvl: r.gvl.p99Ms,
      peer: r.peer?.p99Ms ?? null,
      unit: 'ms',
      better: 'lower',
    });
    rows.push({
      metric: `read ÷ memcpy · ${c}`,
      gvl: r.gvl.floorRatio,
      peer: r.peer?.floorRatio ?? null,
      unit: 'x',
      better: 'lower',
    });
    rows.push({
      metric: `V8 GCs per run · ${c}`,
      gvl: r.gvl.gcPerRun,
      peer: null,
      unit: '',
      better: 'lower',
    });
  }
  for (const t of new Set(reads.map((r) => `${r.shape}|${r.forced}`))) {
    const [shape, forced] = t.split('|');
    const one = reads.find(
      (r) => r.shape === shape && String(r.forced) === forced && r.threads === 1,
    );
    const two = reads.find(
      (r) => r.shape === shape && String(r.forced) === forced && r.threads === 2,
    );
    if (!one || !two) continue;
    rows.push({
      metric: `1 -> 2 threads speed-up · ${shape} ${gate(one)}`,
      gvl: ratio(two.gvl.mibPerS, one.gvl.mibPerS),
      peer: one.peer && two.peer ? ratio(two.peer.mibPerS, one.peer.mibPerS) : null,
      unit: 'x',
      better: 'higher',
    });
  }
  for (const l of loops) {
    rows.push({
      metric: `event-loop delay p99 ms · ${loopName(l)} loader ${l.shape}`,
      gvl: l.p99Ms,
      peer: null,
      unit: 'ms',
      better: 'lower',
    });
    rows.push({
      metric: `loader MiB/s · ${loopName(l)} loader ${l.shape}`,
      gvl: l.mibPerS,
      peer: null,
      unit: 'MiB/s',
      better: 'higher',
    });
    rows.push({
      metric: `loader time / memcpy · ${loopName(l)} loader ${l.shape}`,
      gvl: l.floorRatio,
      peer: null,
      unit: 'x',
      better: 'lower',
    });
  }
  for (const w of writes) {
    rows.push({
      metric: `write s · ${w.bed}`,
      gvl: w.gvl.writeMs / 1000,
      peer: w.peer ? w.peer.writeMs / 1000 : null,
      unit: 's',
      better: 'lower',
    });
    rows.push({
      metric: `write peak RSS MiB · ${w.bed}`,
      gvl: w.gvl.peakRssBytes === null ? null : w.gvl.peakRssBytes / MiB,
      peer: w.peer?.peakRssBytes == null ? null : w.peer.peakRssBytes / MiB,
      unit: 'MiB',
      better: 'lower',
    });
  }
  return rows;
}

/** The rows of the cohort table. */
export function cohortRows(cohorts: CohortResult[]): (Row & { samples: number })[] {
  const rows: (Row & { samples: number })[] = [];
  const mib = (x: number | null | undefined) => (x == null ? null : x / MiB);
  for (const c of cohorts) {
    const s = c.samples;
    rows.push({
      samples: s,
      metric: 'batch mean µs',
      gvl: c.gvl.meanMs * 1000,
      peer: c.peer ? c.peer.meanMs * 1000 : null,
      unit: 'µs',
      better: 'lower',
    });
    rows.push({
      samples: s,
      metric: 'batch p99 µs',
      gvl: c.gvl.p99Ms * 1000,
      peer: c.peer ? c.peer.p99Ms * 1000 : null,
      unit: 'µs',
      better: 'lower',
    });
    rows.push({
      samples: s,
      metric: 'open private RSS MiB',
      gvl: mib(c.gvl.openRssBytes),
      peer: mib(c.peer?.openRssBytes),
      unit: 'MiB',
      better: 'lower',
    });
    rows.push({
      samples: s,
      metric: 'open mapped-file RSS MiB (shared)',
      gvl: mib(c.gvl.openFileRssBytes),
      peer: mib(c.peer?.openFileRssBytes),
      unit: 'MiB',
      better: 'lower',
    });
    rows.push({
      samples: s,
      metric: 'read peak RSS MiB',
      gvl: mib(c.gvl.peakRssBytes),
      peer: mib(c.peer?.peakRssBytes),
      unit: 'MiB',
      better: 'lower',
    });
    rows.push({
      samples: s,
      metric: 'write s',
      gvl: c.write.gvl.writeMs / 1000,
      peer: c.write.peer ? c.write.peer.writeMs / 1000 : null,
      unit: 's',
      better: 'lower',
    });
    rows.push({
      samples: s,
      metric: 'write peak RSS MiB',
      gvl: mib(c.write.gvl.peakRssBytes),
      peer: mib(c.write.peer?.peakRssBytes),
      unit: 'MiB',
      better: 'lower',
    });
    rows.push({
      samples: s,
      metric: 'V8 GCs per run (major)',
      gvl: c.gvl.gcPerRun,
      peer: null,
      unit: '',
      better: 'lower',
    });
  }
  return rows;
}

function num(x: number | null): string {
  if (x === null || Number.isNaN(x)) return 'n/a';
  const a = Math.abs(x);
  return a >= 1000 ? x.toFixed(0) : a >= 10 ? x.toFixed(1) : x.toFixed(3);
}

function table(header: string[], body: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [
    line(header),
    `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`,
    ...body.map(line),
  ].join('\n');
}

function rowCells(r: Row): string[] {
  const x = r.gvl !== null && r.peer !== null ? ratio(r.gvl, r.peer) : Number.NaN;
  const arrow = r.better === 'higher' ? '↑' : '↓';
  return [
    `${r.metric} ${arrow}`,
    num(r.gvl),
    num(r.peer),
    Number.isNaN(x) ? '' : `${x.toFixed(2)}`,
  ];
}

/** The report printed to stdout. */
export function formatReport(res: BenchResult): string {
  const m = res.machine;
  const load = (l: number[] | null) => (l ? l.map((x) => x.toFixed(2)).join(' ') : 'n/a');
  const out: string[] = [];
  out.push(
    `machine: ${m.cpuModel}, ${m.cpus} CPUs, ${(m.memoryBytes / 2 ** 30).toFixed(1)} GiB, ${m.platform}; node ${m.node}, python ${m.python ?? 'n/a'}, genvarloader ${m.peerVersion ?? 'n/a'}, @gvl/dataset ${m.gvlVersion}`,
  );
  out.push(
    `load average (1/5/15 min): before ${load(res.load.before)}, after ${load(res.load.after)}`,
  );
  out.push(
    `datasets written by ${res.datasets.writer === 'peer' ? 'the peer' : 'gvl-ts'} (${res.datasets.samples ?? 'all'} samples); both libraries read the same files and the same batch lists`,
  );
  if (res.peerMissing) out.push(`peer: not measured (${res.peerMissing})`);
  out.push(
    `ratio = gvl-ts / peer; ↑ higher is better, ↓ lower is better; ${String(res.options.repeats)} runs per configuration`,
  );
  out.push('');
  if (res.rows.length)
    out.push(table(['metric', 'gvl-ts', 'peer', 'ratio'], res.rows.map(rowCells)));
  else out.push('(read, loop and write sections not selected)');
  if (res.cohortRows.length) {
    out.push('');
    out.push('cohort scaling (msprime, 1 Mb, 61 windows of 16 kb; batches of 32 pairs, ragged):');
    out.push(
      table(
        ['samples', 'metric', 'gvl-ts', 'peer', 'ratio'],
        res.cohortRows.map((r) => [r.samples.toLocaleString('en-US'), ...rowCells(r)]),
      ),
    );
  } else if (res.cohortsMissing) {
    out.push('');
    out.push(`cohort scaling: not run (${res.cohortsMissing})`);
  }
  out.push('');
  out.push(
    `outputs: ${res.outputsEqual ? 'byte totals and SHA-256 equal in every configuration' : 'MISMATCH: the libraries produced different bytes (see JSON)'}`,
  );
  out.push('');
  out.push('goals:');
  for (const g of res.goals) out.push(`  [${g.status}] ${g.goal}: ${g.detail}`);
  return out.join('\n');
}
