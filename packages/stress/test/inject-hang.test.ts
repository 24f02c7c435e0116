/**
 * The deadlock detector's self-test: worker 0 of the first launch blocks forever (a
 * futex wait after its first iteration). The launch must be reported hung within
 * timeout + 5 s with the captured state of every thread, everything killed and reaped,
 * and the next launch must run clean.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { stackTool } from '../src/capture.js';
import type { StressMode, StressReport } from '../src/report.js';
import { runStress } from '../src/run.js';
import { expectNothingSurvives } from './helpers.js';

const TIMEOUT_MS = 3000;
const hasGdb = stackTool()?.tool === 'gdb';

describe.each(['process', 'thread'] as StressMode[])('--inject-hang (%s mode)', (mode) => {
  let report: StressReport;
  let elapsed: number;
  beforeAll(async () => {
    const t0 = performance.now();
    report = await runStress({
      workload: { kind: 'synthetic', regions: 16, samples: 4 },
      mode,
      workers: 2,
      threadsPerWorker: 2,
      iters: 2,
      launches: 2,
      timeoutMs: TIMEOUT_MS,
      injectHang: true,
    });
    elapsed = performance.now() - t0;
  });

  it('reports the first launch as hung within timeout + 5 s, and the run as failed', () => {
    expect(report.ok).toBe(false);
    expect(report.exitCode).toBe(1);
    const hung = report.runs[0]?.launches[0];
    expect(hung?.status).toBe('hung');
    expect(hung?.detectedAfterMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    expect(hung?.wallMs).toBeLessThan(TIMEOUT_MS + 5000);
    expect(hung?.counts).toEqual({ ok: 1, hung: 1, crashed: 0 });
    const w0 = hung?.workers[0];
    expect(w0).toMatchObject({ status: 'hung', injectedHang: true, iters: 1 });
    expect(w0?.bytes).toBeGreaterThan(0);
    expect(hung?.workers[1]).toMatchObject({ status: 'ok', injectedHang: false, iters: 2 });
  });

  it("captures every thread of the stuck process, the worker's own parked on a futex", () => {
    const hung = report.runs[0]?.launches[0];
    const w0 = hung?.workers[0];
    const proc = hung?.processes.find((p) => p.workers.includes(0));
    expect(proc?.hung).toBe(true);
    expect(proc?.signal).toBe('SIGKILL');
    const capture = proc?.capture?.find((c) => c.pid === proc.pid);
    expect(capture).toBeDefined();
    expect(capture?.threads.length).toBeGreaterThanOrEqual(proc?.poolThreads ?? 2);
    const own = capture?.threads.find((t) => t.tid === w0?.tid);
    expect(own).toBeDefined();
    expect(own?.state).toBe('S');
    expect(own?.wchan).toMatch(/futex/);
    expect(own?.cpuDeltaMs).toBeLessThan(100);
    // The pool's threads are there, named by @gvl/native.
    expect(capture?.threads.filter((t) => t.comm.startsWith('gvl-native')).length).toBe(2);
  });

  it.skipIf(!hasGdb)('runs gdb on the stuck process within the bound', () => {
    const proc = report.runs[0]?.launches[0]?.processes.find((p) => p.workers.includes(0));
    const stack = proc?.capture?.[0]?.stack;
    expect(stack?.tool).toBe('gdb');
    expect(stack?.text.length).toBeGreaterThan(0);
  });

  it('kills the process group, reaps every child, and nothing survives', () => {
    const hung = report.runs[0]?.launches[0];
    expect(hung?.reap.ok).toBe(true);
    expect(hung?.reap.allReaped).toBe(true);
    expect(hung?.reap.survivors).toEqual([]);
    expect(hung?.reap.killedGroups).toEqual(
      hung?.processes.filter((p) => p.hung).map((p) => p.pid),
    );
    expectNothingSurvives(report);
  });

  it('runs the next launch clean', () => {
    const next = report.runs[0]?.launches[1];
    expect(next?.status).toBe('ok');
    expect(next?.counts).toEqual({ ok: 2, hung: 0, crashed: 0 });
    expect(elapsed).toBeLessThan(TIMEOUT_MS + 5000 + 30_000);
  });
});

describe.skipIf(!hasGdb)('native backtrace of a hung worker (no time pressure)', () => {
  it("shows the worker's Atomics.wait and the parked rayon pool", async () => {
    const report = await runStress({
      workload: { kind: 'synthetic', regions: 8, samples: 2 },
      workers: 1,
      threadsPerWorker: 2,
      iters: 1,
      launches: 1,
      timeoutMs: 2000,
      injectHang: true,
      stackTimeoutMs: 30_000,
    });
    const stack = report.runs[0]?.launches[0]?.processes[0]?.capture?.[0]?.stack;
    expect(stack).toMatchObject({ tool: 'gdb', timedOut: false, symbols: 'full' });
    expect(stack?.text).toMatch(/Builtin_AtomicsWait/);
    expect(stack?.text.match(/rayon_core::sleep::Sleep::sleep/g)).toHaveLength(2);
    expectNothingSurvives(report);
  });
});
