/**
 * --cgroup-quota: workers in a fresh quota cgroup (where this machine permits one).
 * With GVL_NUM_THREADS unset, @gvl/threads finds the worker's own cgroup and sizes the
 * pool from the quota; the cgroup is removed afterwards, also when a launch hangs.
 */
import { existsSync } from 'node:fs';
import { cgroupSupport } from '@gvl/threads/cgroup-create';
import { describe, expect, it } from 'vitest';
import { formatReport } from '../src/report.js';
import { runStress } from '../src/run.js';
import { expectNothingSurvives } from './helpers.js';

const support = cgroupSupport();
const reason = support.ok ? '' : ` (skipped: ${support.reason})`;

describe.skipIf(!support.ok)(`--cgroup-quota${reason}`, () => {
  it('runs the workers under the quota, sizes their pools from it, and removes the cgroup', async () => {
    const report = await runStress({
      workload: { kind: 'synthetic', regions: 16, samples: 4 },
      mode: 'process',
      workers: 2,
      threadsPerWorker: 0,
      iters: 2,
      launches: 1,
      timeoutMs: 60_000,
      cgroupQuota: 1,
    });
    expect(report.ok).toBe(true);
    expect(report.host.cgroup).toMatchObject({ requestedCpus: 1, supported: true, reason: null });
    expect(report.host.quotaBudget).toBe(1);
    const l = report.runs[0]?.launches[0];
    expect(l?.cgroup?.cpus).toBe(1);
    expect(l?.cgroup?.removed).toBe(true);
    expect(existsSync(l?.cgroup?.path ?? '/')).toBe(false);
    expect(l?.cgroup?.throttle?.periods).toBeGreaterThanOrEqual(0);
    for (const w of l?.workers ?? [])
      expect(w.pool).toEqual({ numThreads: 1, source: 'capThreads:cgroup' });
    expect(formatReport(report)).toMatch(/cgroup quota: 1 CPU\(s\) = a budget of 1 thread/);
    expectNothingSurvives(report);
  });

  it('removes the cgroup after a hang too', async () => {
    const report = await runStress({
      workload: { kind: 'synthetic', regions: 8, samples: 2 },
      workers: 1,
      threadsPerWorker: 2,
      iters: 2,
      launches: 1,
      timeoutMs: 2000,
      cgroupQuota: 0.5,
      injectHang: true,
    });
    const l = report.runs[0]?.launches[0];
    expect(l?.status).toBe('hung');
    expect(l?.cgroup?.removed).toBe(true);
    expect(existsSync(l?.cgroup?.path ?? '/')).toBe(false);
    expect(l?.reap.ok).toBe(true);
    expectNothingSurvives(report);
  });
});
