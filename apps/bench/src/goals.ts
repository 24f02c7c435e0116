/**
 * The goals of the batch-performance work, evaluated from the measurements of one run.
 * Nothing here is a stored number: each verdict is computed from the results.
 *
 * @module
 */
import type { CohortResult } from './cohorts.js';
import { ratio } from './stats.js';
import { type LoopResult, loopName, type ReadResult } from './suite.js';

export type GoalStatus = 'MET' | 'NOT MET' | 'NOT MEASURED';

export interface Goal {
  /** The goal as the issue states it. */
  goal: string;
  status: GoalStatus;
  /** The numbers behind the verdict. */
  detail: string;
}

/** What the goals are computed from. */
export interface Measurements {
  reads: ReadResult[];
  loops: LoopResult[];
  cohorts: CohortResult[];
}

const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : String(x));
const cfg = (r: ReadResult) => `${r.shape} ${r.threads} thr ${r.forced ? 'forced' : 'gate'}`;
const status = (ok: boolean): GoalStatus => (ok ? 'MET' : 'NOT MET');

/** Target values of the goals (from the issue). */
export const TARGETS = {
  throughputVsPeer: 1.5,
  readOverMemcpy: 3,
  loopP99Ms: 5,
  scaling1to2: 1.8,
  cohortReadGrowth: 1.2,
  cohortWriteRssGrowth: 1.5,
  /** Open memory may grow by at most this share of the growth of the R·S offsets table. */
  openGrowthShareOfOffsets: 0.5,
} as const;

function throughput(m: Measurements): Goal {
  const goal = `haplotype MiB/s >= ${TARGETS.throughputVsPeer}x the peer on every shape, at 1 and 2 threads, default gate and forced parallel`;
  if (m.reads.length === 0) return { goal, status: 'NOT MEASURED', detail: 'read section not run' };
  const rs = m.reads.filter((r) => r.peer !== null);
  if (rs.length === 0) return { goal, status: 'NOT MEASURED', detail: 'no peer measurements' };
  const rated = rs.map((r) => ({ r, x: ratio(r.gvl.mibPerS, r.peer?.mibPerS) }));
  const worst = rated.reduce((a, b) => (b.x < a.x ? b : a));
  const failing = rated.filter((e) => !(e.x >= TARGETS.throughputVsPeer));
  return {
    goal,
    status: status(failing.length === 0),
    detail: `worst ${f2(worst.x)}x (${cfg(worst.r)}); ${rated.length - failing.length}/${rated.length} configurations at >= ${TARGETS.throughputVsPeer}x`,
  };
}

/**
 * Read time ÷ memcpy at 32 × 16 kb. Measured two ways: `ds.get()` (new output memory per
 * batch, as the peer's `__getitem__`) in the read section, and the loader with
 * `reuse: true` (output buffers recycled: the kernel's own cost) in the loop section.
 * The goal is about the kernel, so the verdict is the reused-output figure when it was
 * measured, else the `get()` one; the detail gives both.
 */
function floor(m: Measurements): Goal {
  const goal = `read time <= ${TARGETS.readOverMemcpy}x the memcpy time of the same output bytes at 32 x 16 kb`;
  const rs = m.reads.filter((r) => r.shape === '32x16kb');
  const reused = m.loops.filter((l) => l.shape === '32x16kb' && l.reuse);
  if (rs.length === 0 && reused.length === 0)
    return { goal, status: 'NOT MEASURED', detail: 'shape 32x16kb not run' };
  const parts: string[] = [];
  if (rs.length > 0) {
    const worst = rs.reduce((a, b) => (b.gvl.floorRatio > a.gvl.floorRatio ? b : a));
    const peer = rs.map((r) => r.peer?.floorRatio).filter((x): x is number => x !== undefined);
    parts.push(
      `get(), new output: gvl-ts worst ${f2(worst.gvl.floorRatio)}x (${cfg(worst)})` +
        (peer.length ? `, peer ${f2(Math.min(...peer))}-${f2(Math.max(...peer))}x` : ''),
    );
  }
  const reusedWorst = reused.length ? Math.max(...reused.map((l) => l.floorRatio)) : null;
  if (reusedWorst !== null) parts.push(`loader, reused output: ${f2(reusedWorst)}x`);
  const verdict =
    reusedWorst !== null
      ? reusedWorst <= TARGETS.readOverMemcpy
      : rs.every((r) => r.gvl.floorRatio <= TARGETS.readOverMemcpy);
  return { goal, status: status(verdict), detail: parts.join('; ') };
}

function eventLoop(m: Measurements): Goal {
  const goal = `event-loop delay p99 < ${TARGETS.loopP99Ms} ms while the loader streams at full speed`;
  if (m.loops.length === 0) return { goal, status: 'NOT MEASURED', detail: 'loop section not run' };
  const worst = m.loops.reduce((a, b) => (b.p99Ms > a.p99Ms ? b : a));
  return {
    goal,
    status: status(m.loops.every((l) => l.p99Ms < TARGETS.loopP99Ms)),
    detail: `worst ${f2(worst.p99Ms)} ms (${loopName(worst)}, ${worst.shape}) over ${m.loops.length} loader configurations (mode x reuse x shape)`,
  };
}

function scaling(m: Measurements): Goal {
  const goal = `1 -> 2 threads >= ${TARGETS.scaling1to2}x at 32 x 16 kb forced parallel`;
  const one = m.reads.find((r) => r.shape === '32x16kb' && r.forced && r.threads === 1);
  const two = m.reads.find((r) => r.shape === '32x16kb' && r.forced && r.threads === 2);
  if (!one || !two)
    return { goal, status: 'NOT MEASURED', detail: 'needs --threads 1,2 and shape 32x16kb' };
  const x = ratio(two.gvl.mibPerS, one.gvl.mibPerS);
  const p = one.peer && two.peer ? ratio(two.peer.mibPerS, one.peer.mibPerS) : Number.NaN;
  return {
    goal,
    status: status(x >= TARGETS.scaling1to2),
    detail: `gvl-ts ${f2(x)}x${Number.isNaN(p) ? '' : `; peer ${f2(p)}x`}`,
  };
}

function cohortSpan(m: Measurements): [CohortResult, CohortResult] | null {
  if (m.cohorts.length < 2) return null;
  const s = [...m.cohorts].sort((a, b) => a.samples - b.samples);
  return [s[0] as CohortResult, s[s.length - 1] as CohortResult];
}

const at = (a: CohortResult, b: CohortResult) =>
  `${a.samples.toLocaleString('en-US')} -> ${b.samples.toLocaleString('en-US')} samples${b.samples < 100_000 ? ' (not at 100,000: run --cohorts ...,100000)' : ''}`;

function cohortRead(m: Measurements): Goal[] {
  const g1 = `per-batch read time at 100,000 samples within ${TARGETS.cohortReadGrowth}x of the time at 1,000`;
  const g2 = `per-batch p99 <= the peer's at every cohort size`;
  const span = cohortSpan(m);
  const out: Goal[] = [];
  if (!span) out.push({ goal: g1, status: 'NOT MEASURED', detail: 'needs two cohort sizes' });
  else {
    const [a, b] = span;
    const x = ratio(b.gvl.meanMs, a.gvl.meanMs);
    const p = a.peer && b.peer ? ratio(b.peer.meanMs, a.peer.meanMs) : Number.NaN;
    out.push({
      goal: g1,
      status: status(x <= TARGETS.cohortReadGrowth),
      detail: `gvl-ts ${f2(x)}x, ${at(a, b)}${Number.isNaN(p) ? '' : `; peer ${f2(p)}x`}`,
    });
  }
  const withPeer = m.cohorts.filter((c) => c.peer !== null);
  if (withPeer.length === 0)
    out.push({ goal: g2, status: 'NOT MEASURED', detail: 'no peer cohort measurements' });
  else {
    const parts = withPeer.map(
      (c) => `${c.samples}: ${f2(c.gvl.p99Ms)} vs ${f2(c.peer?.p99Ms ?? Number.NaN)} ms`,
    );
    out.push({
      goal: g2,
      status: status(withPeer.every((c) => c.gvl.p99Ms <= (c.peer?.p99Ms ?? Number.NaN))),
      detail: parts.join('; '),
    });
  }
  return out;
}

function cohortMemory(m: Measurements): Goal[] {
  const g1 = `write peak RSS at 100,000 samples <= ${TARGETS.cohortWriteRssGrowth}x the peak at 1,000`;
  const g2 = `open memory O(regions + samples): private RSS growth of the open < ${TARGETS.openGrowthShareOfOffsets} x the growth of the R x S offsets table (mapped file pages are shared page cache)`;
  const span = cohortSpan(m);
  if (!span)
    return [
      { goal: g1, status: 'NOT MEASURED', detail: 'needs two cohort sizes' },
      { goal: g2, status: 'NOT MEASURED', detail: 'needs two cohort sizes' },
    ];
  const [a, b] = span;
  const w = ratio(b.write.gvl.peakRssBytes, a.write.gvl.peakRssBytes);
  const wp =
    a.write.peer && b.write.peer
      ? ratio(b.write.peer.peakRssBytes, a.write.peer.peakRssBytes)
      : Number.NaN;
  const mib = (x: number) => `${(x / 2 ** 20).toFixed(1)} MiB`;
  const grow = (b.gvl.openRssBytes ?? Number.NaN) - (a.gvl.openRssBytes ?? Number.NaN);
  const table = b.offsetsBytes - a.offsetsBytes;
  const growPeer =
    a.peer && b.peer
      ? (b.peer.openRssBytes ?? Number.NaN) - (a.peer.openRssBytes ?? Number.NaN)
      : Number.NaN;
  return [
    {
      goal: g1,
      status: status(w <= TARGETS.cohortWriteRssGrowth),
      detail: `gvl-ts ${f2(w)}x, ${at(a, b)}${Number.isNaN(wp) ? '' : `; peer ${f2(wp)}x`}`,
    },
    {
      goal: g2,
      status: status(grow < TARGETS.openGrowthShareOfOffsets * table),
      detail:
        `gvl-ts open private RSS grew ${mib(grow)} while the offsets table grew ${mib(table)}, ${at(a, b)}` +
        (Number.isNaN(growPeer) ? '' : `; peer grew ${mib(growPeer)}`),
    },
  ];
}

/** Every goal of the issue, with its verdict and numbers. */
export function evaluateGoals(m: Measurements): Goal[] {
  return [throughput(m), floor(m), eventLoop(m), scaling(m), ...cohortRead(m), ...cohortMemory(m)];
}
