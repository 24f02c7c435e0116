/**
 * Process mode at small sizes: forced-parallel kernels, pools oversubscribed
 * (3 workers x 4 threads on a budget of typically 2), and an ambient
 * RAYON_NUM_THREADS that must not win. No hang, every worker produces the same bytes,
 * thread counts are reported, nothing survives.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { StressReport } from '../src/report.js';
import { runStress } from '../src/run.js';
import { expectNothingSurvives, smallWorkload } from './helpers.js';

describe('process mode', () => {
  let report: StressReport;
  beforeAll(async () => {
    report = await runStress({
      ...smallWorkload,
      mode: 'process',
      workers: 3,
      threadsPerWorker: 4,
      ambientRayon: 16,
      iters: 3,
      launches: 2,
      timeoutMs: 60_000,
    });
  });

  it('completes every launch with no hang and no crash', () => {
    expect(report.ok).toBe(true);
    expect(report.exitCode).toBe(0);
    const run = report.runs[0];
    expect(run?.engine).toBe('gvl-ts');
    expect(run?.launches).toHaveLength(2);
    for (const l of run?.launches ?? []) {
      expect(l.status).toBe('ok');
      expect(l.counts).toEqual({ ok: 3, hung: 0, crashed: 0 });
      expect(l.detectedAfterMs).toBeNull();
      expect(l.reap).toEqual({ killedGroups: [], allReaped: true, survivors: [], ok: true });
    }
    expect(run?.totals).toMatchObject({ launches: 2, cleanLaunches: 2 });
  });

  it('runs each worker in its own spawned process and process group', () => {
    for (const l of report.runs[0]?.launches ?? []) {
      expect(l.processes).toHaveLength(3);
      const pids = l.processes.map((p) => p.pid);
      expect(new Set(pids).size).toBe(3);
      for (const p of l.processes) {
        expect(p.exitCode).toBe(0);
        expect(p.workers).toHaveLength(1);
        expect(pids).not.toContain(process.pid);
      }
      for (const w of l.workers) expect(w.tid).toBe(w.pid);
    }
  });

  it('every worker produces bytes, the same bytes, for every iteration', () => {
    const launches = report.runs[0]?.launches ?? [];
    const digests = launches.flatMap((l) => l.workers.map((w) => w.digest));
    expect(digests.every((d) => /^[0-9a-f]{64}$/.test(d ?? ''))).toBe(true);
    expect(new Set(digests).size).toBe(1);
    for (const l of launches) expect(l.digestsAgree).toBe(true);
    expect(report.runs[0]?.digest).toBe(digests[0]);
    const bytes = launches.flatMap((l) => l.workers.map((w) => w.bytes));
    expect(bytes.every((b) => b > 0)).toBe(true);
    expect(new Set(bytes).size).toBe(1);
    for (const l of launches) {
      for (const w of l.workers) expect(w.iters).toBe(3);
      expect(l.bytes).toBe(3 * (bytes[0] ?? 0));
    }
  });

  it('GVL_NUM_THREADS sizes each pool; the ambient RAYON_NUM_THREADS=16 does not win', () => {
    for (const l of report.runs[0]?.launches ?? []) {
      for (const w of l.workers)
        expect(w.pool).toEqual({ numThreads: 4, source: 'capThreads:env' });
      expect(l.poolThreads).toBe(12);
    }
  });

  it('reports OS thread counts: at least the pool plus the JS thread, and their sum vs the budget', () => {
    for (const l of report.runs[0]?.launches ?? []) {
      for (const p of l.processes) {
        expect(p.peakThreads).toBeGreaterThanOrEqual(5);
        // Node's own threads + libuv's 4 + the 4-thread pool; never the ambient 16.
        expect(p.peakThreads).toBeLessThan(16 + 5);
        expect(p.observedPeakThreads).toBeGreaterThan(0);
      }
      for (const w of l.workers) expect(w.peakThreads).toBeGreaterThanOrEqual(5);
      expect(l.totalThreads).toBe(l.processes.reduce((a, p) => a + p.peakThreads, 0));
      expect(l.maxThreadsPerProcess).toBe(Math.max(...l.processes.map((p) => p.peakThreads)));
    }
    expect(report.host.budget).toBeGreaterThanOrEqual(1);
    expect(report.host.plannedPerWorker).toHaveLength(3);
  });

  it('leaves no process behind', () => {
    expectNothingSurvives(report);
  });
});
