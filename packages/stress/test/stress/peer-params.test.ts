/**
 * The slow suite (`pnpm test:stress`): the peer's stress parameters — 5 spawned
 * workers x 8 threads x 40 iterations x 4 launches, 120 s per launch as the deadlock
 * detector — in process mode and in thread mode, on the chr20 demo dataset (the
 * synthetic workload where the shared data is absent). Then the same side by side with
 * the Python genvarloader when its venv is present (reported; only gvl-ts is asserted).
 */
import { describe, expect, it } from 'vitest';
import { formatReport, type StressMode } from '../../src/report.js';
import { runStress } from '../../src/run.js';
import { expectNothingSurvives, hasDemoData, hasOracle, oraclePython } from '../helpers.js';

const workload = hasDemoData
  ? ({ kind: 'demo' } as const)
  : ({ kind: 'synthetic', regions: 128, samples: 16 } as const);
const peer = { workers: 5, threadsPerWorker: 8, iters: 40, launches: 4, timeoutMs: 120_000 };

describe.each(['process', 'thread'] as StressMode[])('peer parameters, %s mode', (mode) => {
  it('5 workers x 8 threads x 40 iterations x 4 launches: no hang, no crash, all reaped', async () => {
    const report = await runStress({ workload, mode, ...peer });
    process.stdout.write(formatReport(report));
    expect(report.ok).toBe(true);
    const run = report.runs[0];
    expect(run?.launches).toHaveLength(4);
    expect(run?.totals.counts).toEqual({ ok: 20, hung: 0, crashed: 0 });
    for (const l of run?.launches ?? []) {
      expect(l.wallMs).toBeLessThan(120_000);
      expect(l.reap.ok).toBe(true);
      for (const w of l.workers) {
        expect(w.iters).toBe(40);
        expect(w.bytes).toBeGreaterThan(0);
        expect(w.pool?.numThreads).toBe(8);
      }
      expect(new Set(l.workers.map((w) => w.bytes)).size).toBe(1);
    }
    expectNothingSurvives(report);
  });
});

describe.skipIf(!hasDemoData || !hasOracle)('side by side with the Python genvarloader', () => {
  it('runs both engines with the peer parameters and an ambient RAYON_NUM_THREADS=16', async () => {
    const report = await runStress({
      workload,
      mode: 'process',
      ...peer,
      ambientRayon: 16,
      peer: 'python',
      python: oraclePython,
    });
    process.stdout.write(formatReport(report));
    const [ts, py] = report.runs;
    expect(ts?.totals.counts).toEqual({ ok: 20, hung: 0, crashed: 0 });
    for (const l of ts?.launches ?? [])
      for (const w of l.workers) expect(w.pool?.numThreads).toBe(8);
    expect(py?.available).toBe(true);
    expect(py?.digest).toBe(ts?.digest);
    expectNothingSurvives(report);
  });
});
