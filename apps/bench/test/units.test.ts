import { describe, expect, it } from 'vitest';
import { evaluateGoals, type Measurements } from '../src/goals.js';
import { parseOptions, UsageError } from '../src/options.js';
import { makeBatchPlan } from '../src/prepare.js';
import { childEnv } from '../src/run-child.js';
import { median, mibPerSecond, percentile } from '../src/stats.js';
import type { LoopResult, ReadResult } from '../src/suite.js';
import type { ReadSummary } from '../src/summary.js';
import { sameOutput, summarizeReads } from '../src/summary.js';

describe('stats', () => {
  it('interpolates percentiles between closest ranks', () => {
    // 1..5: rank position (n-1)·q/100 → 99th at 3.96 → 4 + 0.96·1
    expect(percentile([5, 1, 4, 2, 3], 99)).toBeCloseTo(4.96, 10);
    expect(percentile([5, 1, 4, 2, 3], 0)).toBe(1);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(percentile([], 50)).toBeNaN();
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });
  it('counts MiB/s from bytes and milliseconds', () => {
    expect(mibPerSecond(2 * 2 ** 20, 500)).toBe(4);
  });
});

describe('batch plans', () => {
  it('are seeded, in range and of the asked sizes', () => {
    const a = makeBatchPlan(61, 300, 32, 2, 7, 5);
    expect(makeBatchPlan(61, 300, 32, 2, 7, 5)).toEqual(a);
    expect(makeBatchPlan(61, 300, 32, 2, 7, 6)).not.toEqual(a);
    expect(a.warmup).toHaveLength(2);
    expect(a.timed).toHaveLength(7);
    for (const [r, s] of [...a.warmup, ...a.timed]) {
      expect(r).toHaveLength(32);
      expect(s).toHaveLength(32);
      for (const x of r) expect(Number.isInteger(x) && x >= 0 && x < 61).toBe(true);
      for (const x of s) expect(Number.isInteger(x) && x >= 0 && x < 300).toBe(true);
    }
    // every region is drawn over enough batches (uniform, not a constant)
    const seen = new Set(makeBatchPlan(61, 300, 32, 0, 50, 1).timed.flatMap(([r]) => r));
    expect(seen.size).toBe(61);
  });
});

describe('child environment', () => {
  it('drops inherited thread settings and sets the asked ones', () => {
    const base = {
      GVL_NUM_THREADS: '8',
      RAYON_NUM_THREADS: '16',
      GVL_FORCE_PARALLEL: '1',
      KEEP: 'x',
    };
    const gate = childEnv({ threads: 2, forced: false }, base);
    expect(gate.GVL_NUM_THREADS).toBe('2');
    expect(gate.GVL_FORCE_PARALLEL).toBeUndefined();
    expect(gate.RAYON_NUM_THREADS).toBeUndefined();
    expect(gate.KEEP).toBe('x');
    const forced = childEnv({ threads: null, forced: true }, base);
    expect(forced.GVL_NUM_THREADS).toBeUndefined();
    expect(forced.GVL_FORCE_PARALLEL).toBe('1');
  });
});

describe('options', () => {
  it('quick mode shrinks repeats, samples and cohorts unless given', () => {
    const q = parseOptions(['--quick']);
    expect(q).not.toBe('help');
    if (q === 'help') return;
    expect([q.repeats, q.samples, q.cohorts]).toEqual([1, 32, []]);
    const r = parseOptions(['--quick', '--repeats', '3', '--cohorts', '1000,10000']);
    if (r === 'help') return;
    expect([r.repeats, r.cohorts]).toEqual([3, [1000, 10000]]);
  });
  it('rejects bad values naming them', () => {
    expect(() => parseOptions(['--repeats', '0'])).toThrow(/--repeats "0"/);
    expect(() => parseOptions(['--only', 'nope'])).toThrow(/"nope": expected one of read/);
    expect(() => parseOptions(['--frobnicate'])).toThrow(UsageError);
  });
});

function summary(batchMs: number[], floorMs: number[], bytes: number, sha = 'a'): ReadSummary {
  return summarizeReads([
    {
      lib: 'gvl',
      version: '0',
      peakRssBytes: 1,
      batchMs,
      floorMs,
      bytes,
      sha256: sha,
      gcCount: 2,
      gcMajor: 1,
    },
  ]);
}

function read(
  shape: string,
  threads: number,
  forced: boolean,
  gvlMs: number,
  peerMs: number,
): ReadResult {
  const gvl = summary([gvlMs], [gvlMs / 2], 2 ** 20);
  const peer = summary([peerMs], [peerMs / 10], 2 ** 20);
  return {
    shape,
    batchSize: 32,
    length: 'ragged',
    threads,
    forced,
    gvl,
    peer,
    outputsEqual: sameOutput(gvl, peer),
  };
}

describe('summaries and goals', () => {
  it('reduce runs and compare outputs', () => {
    const s = summary([1, 1], [0.5, 0.5], 2 ** 20);
    expect(s.mibPerS).toBe(500); // 1 MiB in 2 ms
    expect(s.floorRatio).toBe(2);
    expect(sameOutput(s, summary([1], [1], 2 ** 20))).toBe(true);
    expect(sameOutput(s, summary([1], [1], 2 ** 20, 'b'))).toBe(false);
    expect(sameOutput(s, summary([1], [1], 2 ** 20 + 1))).toBe(false);
  });

  it('computes each verdict from the measurements', () => {
    const m: Measurements = {
      // gvl 2x faster everywhere, except 32x2kb where it is 1.2x
      reads: [
        read('32x16kb', 1, true, 1, 2),
        read('32x16kb', 2, true, 0.5, 1),
        read('32x2kb', 1, false, 1, 1.2),
      ],
      loops: [
        {
          shape: '32x16kb',
          mode: 'inline',
          reuse: false,
          floorRatio: 5,
          p99Ms: 1,
          worstP99Ms: 1,
          maxMs: 2,
          mibPerS: 1,
          gcPerRun: 0,
        },
        {
          shape: '32x2kb',
          mode: 'inline',
          reuse: true,
          floorRatio: 2,
          p99Ms: 6,
          worstP99Ms: 6,
          maxMs: 9,
          mibPerS: 1,
          gcPerRun: 0,
        },
      ],
      cohorts: [],
    };
    const goals = evaluateGoals(m);
    expect(goals).toHaveLength(8);
    const [tput, floor, loop, scale, ...cohort] = goals;
    expect(tput?.status).toBe('NOT MET');
    expect(tput?.detail).toContain('worst 1.20x (32x2kb 1 thr gate)');
    // get() reads at 2 × copy; no 32x16kb loader run with reuse, so get() decides
    expect(floor?.status).toBe('MET');
    expect(floor?.detail).toBe(
      'get(), new output: gvl-ts worst 2.00x (32x16kb 1 thr forced), peer 10.00-10.00x',
    );
    expect(loop?.status).toBe('NOT MET');
    expect(loop?.detail).toContain('6.00 ms (inline, reuse, 32x2kb)');
    expect(scale?.status).toBe('MET'); // 2 threads twice the MiB/s
    expect(cohort.every((g) => g.status === 'NOT MEASURED')).toBe(true);

    // A 32x16kb loader run with reused output decides the floor goal when present.
    const slow = { ...(m.loops[0] as LoopResult), reuse: true, floorRatio: 3.5 };
    const f2 = evaluateGoals({ ...m, loops: [...m.loops, slow] })[1];
    expect(f2?.status).toBe('NOT MET');
    expect(f2?.detail).toContain('loader, reused output: 3.50x');
  });
});

describe('cohort goals', () => {
  const cohort = (
    samples: number,
    meanMs: number,
    p99Ms: number,
    peerP99: number,
    writeRss: number,
    openRss: number,
  ) => {
    const gvl = summary([meanMs, meanMs], [1, 1], 100);
    const g = { ...gvl, p99Ms, openRssBytes: openRss };
    const peer = { ...gvl, p99Ms: peerP99, openRssBytes: openRss };
    return {
      samples,
      variants: 1,
      regions: 61,
      generateSeconds: 0,
      offsetsBytes: 61 * samples * 2 * 8,
      write: {
        bed: '',
        samples,
        gvl: { runs: 1, writeMs: 1, peakRssBytes: writeRss },
        peer: { runs: 1, writeMs: 1, peakRssBytes: writeRss * 3 },
      },
      gvl: g,
      peer,
      outputsEqual: true,
    };
  };
  it('compare the largest cohort with the smallest, whatever their order', () => {
    const MiB = 2 ** 20;
    // 1,000 → 100,000 samples: offsets grow by 61·99,000·16 B ≈ 92 MiB
    const flat = evaluateGoals({
      reads: [],
      loops: [],
      cohorts: [
        cohort(100_000, 1.1, 2, 3, 140 * MiB, 40 * MiB),
        cohort(1000, 1, 1, 1.5, 100 * MiB, 30 * MiB),
      ],
    }).slice(4);
    expect(flat.map((g) => g.status)).toEqual(['MET', 'MET', 'MET', 'MET']);
    const growing = evaluateGoals({
      reads: [],
      loops: [],
      cohorts: [
        cohort(1000, 1, 1, 0.5, 100 * MiB, 30 * MiB),
        cohort(100_000, 2, 2, 3, 200 * MiB, 130 * MiB),
      ],
    }).slice(4);
    expect(growing.map((g) => g.status)).toEqual(['NOT MET', 'NOT MET', 'NOT MET', 'NOT MET']);
    expect(growing[0]?.detail).toContain('2.00x');
    expect(growing[1]?.detail).toContain('1000: 1.00 vs 0.50 ms');
  });
});

describe('loader runs', () => {
  it('stream about 1.5 GiB per run (quick: the timed count)', async () => {
    const { loopBatches } = await import('../src/suite.js');
    const { shapes } = await import('../src/options.js');
    const shape = (name: string) => {
      const s = shapes(false).find((x) => x.name === name);
      if (!s) throw new Error(`no shape ${name}`);
      return s;
    };
    expect(loopBatches({ quick: false }, shape('32x16kb'))).toBe(1536); // 1 MiB per batch
    expect(loopBatches({ quick: false }, shape('32x2kb'))).toBe(12_288);
    expect(loopBatches({ quick: false }, shape('128x2kb'))).toBe(3072);
    expect(loopBatches({ quick: false }, shape('fixed2048'))).toBe(12_288);
    expect(loopBatches({ quick: true }, shape('32x16kb'))).toBe(shape('32x16kb').timed);
  });
});

describe('cohort curves', () => {
  it('puts one point per cohort and library on log axes spanning the data', async () => {
    const { cohortPanels, curvesSvg, decades } = await import('../src/curves.js');
    expect(decades(1000, 100_000)).toEqual([1000, 10_000, 100_000]);
    expect(decades(317, 19_512)).toEqual([100, 1000, 10_000, 100_000]);
    const summary = (meanMs: number, openRss: number) =>
      ({ meanMs, openRssBytes: openRss * 2 ** 20 }) as never;
    const write = (gvl: number, peer: number | null) =>
      ({
        gvl: { peakRssBytes: gvl * 2 ** 20 },
        peer: peer === null ? null : { peakRssBytes: peer * 2 ** 20 },
      }) as never;
    const cohorts = [
      { samples: 10_000, gvl: summary(0.3, 50), peer: summary(5, 51), write: write(160, 500) },
      { samples: 1000, gvl: summary(0.4, 25), peer: null, write: write(127, null) },
    ] as never[];
    const panels = cohortPanels(cohorts);
    expect(panels.map((p) => p.title)).toEqual([
      'read: batch mean (32 × 16 kb)',
      'write: peak RSS',
      'open: private RSS growth',
    ]);
    const [read, wr] = panels;
    expect(read?.series[0]?.points).toEqual([
      [1000, 400],
      [10_000, 300],
    ]);
    expect(read?.series[1]?.points).toEqual([[10_000, 5000]]); // no peer run at 1,000
    expect(wr?.series[1]?.points).toEqual([[10_000, 500]]);
    const svg = curvesSvg(panels, 'caption <x>');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toMatch(
      /<title>gvl-ts and genvarloader against the number of samples: read: batch mean/,
    );
    expect(svg.match(/<circle /g)).toHaveLength(2 + 1 + 2 + 1 + 2 + 1);
    expect(svg).toContain('caption &lt;x&gt;');
  });
});
