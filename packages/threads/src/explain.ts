import type { WorkerPlan } from './plan.js';
import { type ResolveOptions, resolveThreads, type ThreadsResolution } from './resolve.js';

/**
 * A human-readable report of how the thread count was decided: one line per step of the
 * trace, then the result.
 *
 * @param resolution - a resolution to explain. Default: `resolveThreads(options)`.
 * @throws {@link ThreadsConfigError} `GVL_INVALID_ENV` for a bad `GVL_NUM_THREADS` (when resolving).
 * @example
 * ```ts
 * console.log(explain(resolveThreads({ env: { GVL_NUM_THREADS: '3' } })));
 * // gvl-threads: 3 thread(s) (source: env)
 * //    1. [env] GVL_NUM_THREADS=3 overrides detection (not clamped)
 * //    …
 * ```
 */
export function explain(resolution?: ThreadsResolution, options?: ResolveOptions): string {
  const r = resolution ?? resolveThreads(options);
  const lines = [`gvl-threads: ${r.threads} thread(s) (source: ${r.source})`];
  r.trace.forEach((t, i) => {
    lines.push(`  ${String(i + 1).padStart(2)}. [${t.step}] ${t.message}`);
  });
  lines.push(
    `  affinity: ${r.affinity ?? 'unknown'}; quota: ${r.quota ? `${r.quota.quotaUs}/${r.quota.periodUs} (${r.quota.path})` : 'none'}; cgroup: ${r.cgroupVersion === null ? 'none' : `v${r.cgroupVersion}`}`,
  );
  return lines.join('\n');
}

/**
 * A human-readable table of a {@link WorkerPlan}.
 *
 * @example
 * ```ts
 * console.log(explainPlan(planWorkers(3, { budget: 8 })));
 * // plan: 3 worker(s) sharing a budget of 8 thread(s)
 * //   worker 0: GVL_NUM_THREADS=3 RAYON_NUM_THREADS=3
 * //   …
 * ```
 */
export function explainPlan(plan: WorkerPlan): string {
  const lines = [`plan: ${plan.workers} worker(s) sharing a budget of ${plan.budget} thread(s)`];
  plan.perWorker.forEach((t, i) => {
    lines.push(`  worker ${i}: GVL_NUM_THREADS=${t} RAYON_NUM_THREADS=${t}`);
  });
  lines.push(
    plan.oversubscribed
      ? `  total ${plan.total} > budget ${plan.budget}: more workers than threads, each still gets 1 (oversubscribed)`
      : `  total ${plan.total} <= budget ${plan.budget}`,
  );
  return lines.join('\n');
}
