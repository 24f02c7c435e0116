/**
 * Thread mode at small sizes: worker threads of one spawned host process share its
 * one forced-parallel pool (oversubscribed: 4 threads for 3 workers on a budget of
 * typically 2). No hang, bytes from every worker, distinct worker threads.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { StressReport } from '../src/report.js';
import { runStress } from '../src/run.js';
import { expectNothingSurvives, smallWorkload } from './helpers.js';

describe('thread mode', () => {
  let report: StressReport;
  beforeAll(async () => {
    report = await runStress({
      ...smallWorkload,
      mode: 'thread',
      workers: 3,
      threadsPerWorker: 4,
      iters: 3,
      launches: 2,
      timeoutMs: 60_000,
    });
  });

  it('completes every launch with no hang and no crash', () => {
    expect(report.ok).toBe(true);
    expect(report.runs[0]?.mode).toBe('thread');
    for (const l of report.runs[0]?.launches ?? []) {
      expect(l.status).toBe('ok');
      expect(l.counts).toEqual({ ok: 3, hung: 0, crashed: 0 });
      expect(l.reap.ok).toBe(true);
    }
  });

  it('runs the workers as distinct threads of one spawned host process', () => {
    for (const l of report.runs[0]?.launches ?? []) {
      expect(l.processes).toHaveLength(1);
      const host = l.processes[0];
      expect(host?.workers).toEqual([0, 1, 2]);
      expect(host?.exitCode).toBe(0);
      const tids = l.workers.map((w) => w.tid);
      expect(new Set(tids).size).toBe(3);
      for (const w of l.workers) {
        expect(w.pid).toBe(host?.pid);
        expect(w.tid).not.toBe(host?.pid);
      }
    }
  });

  it('every worker produces the same bytes; they share one pool of GVL_NUM_THREADS', () => {
    for (const l of report.runs[0]?.launches ?? []) {
      const bytes = l.workers.map((w) => w.bytes);
      expect(bytes.every((b) => b > 0)).toBe(true);
      expect(new Set(bytes).size).toBe(1);
      expect(l.digestsAgree).toBe(true);
      for (const w of l.workers) expect(w.pool?.numThreads).toBe(4);
      expect(l.poolThreads).toBe(4);
    }
  });

  it("reports the process's thread count for every worker", () => {
    for (const l of report.runs[0]?.launches ?? []) {
      const host = l.processes[0];
      // 3 worker threads + the pool + Node's and libuv's own.
      expect(host?.peakThreads).toBeGreaterThanOrEqual(3 + 4 + 1);
      expect(l.totalThreads).toBe(host?.peakThreads);
      for (const w of l.workers) expect(w.peakThreads).toBeGreaterThanOrEqual(4);
    }
    expectNothingSurvives(report);
  });
});
