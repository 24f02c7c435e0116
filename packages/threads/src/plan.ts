import { ThreadsConfigError } from './errors.js';
import { capThreads, NUM_THREADS_ENV, type ResolveOptions, resolveThreads } from './resolve.js';

/** Options of {@link planWorkers}. */
export interface PlanOptions extends ResolveOptions {
  /** Total threads to split. Default: {@link capThreads} (or `resolveThreads(options)` when resolve options are given). */
  budget?: number;
}

/** The environment to hand one worker process. */
export interface WorkerEnv {
  /**
   * This worker's thread count as a decimal string (an integer ≥ 1); it comes first in
   * the child's {@link resolveThreads}.
   */
  GVL_NUM_THREADS: string;
  /**
   * The same count, for a rayon pool in the child that is not built by gvl-ts (such as the
   * Python peer's), so an inherited value never wins.
   */
  RAYON_NUM_THREADS: string;
}

/** A split of the thread budget across concurrent workers. */
export interface WorkerPlan {
  /** Total threads available to all workers together. */
  budget: number;
  /** Number of workers planned. */
  workers: number;
  /** Threads for each worker (length `workers`, each ≥ 1). */
  perWorker: number[];
  /** Sum of `perWorker`. */
  total: number;
  /**
   * True when `workers > budget`: every worker still gets 1 thread, so the total
   * exceeds the budget by `workers - budget`.
   */
  oversubscribed: boolean;
  /** Environment for each worker, to merge into its spawn `env`. */
  env: WorkerEnv[];
}

/**
 * Splits the thread budget across `n` concurrent worker processes so that their pools
 * sum to at most the budget: `floor(budget / n)` each, the remainder one each to the
 * first workers. Each worker gets at least 1 thread; when `n > budget` the plan says
 * so with `oversubscribed: true`.
 *
 * Hand `plan.env[i]` to worker `i` (e.g. `spawn(cmd, args, { env: { ...process.env, ...plan.env[i] } })`):
 * it sets both `GVL_NUM_THREADS` and `RAYON_NUM_THREADS`, so neither an inherited
 * value nor the host core count decides the child's pool.
 *
 * @param n - number of concurrent workers, an integer ≥ 1.
 * @throws {@link ThreadsConfigError} `GVL_INVALID_ARGUMENT` for a bad `n` or `budget`;
 *   `GVL_INVALID_ENV` for a bad `GVL_NUM_THREADS` when the budget is resolved.
 * @example
 * ```ts
 * planWorkers(3, { budget: 8 }).perWorker; // [3, 3, 2]
 * ```
 */
export function planWorkers(n: number, options: PlanOptions = {}): WorkerPlan {
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new ThreadsConfigError(
      'GVL_INVALID_ARGUMENT',
      'n',
      n,
      'an integer >= 1 (number of workers)',
    );
  }
  const { budget: given, ...resolveOptions } = options;
  if (given !== undefined && (!Number.isSafeInteger(given) || given < 1)) {
    throw new ThreadsConfigError('GVL_INVALID_ARGUMENT', 'budget', given, 'an integer >= 1');
  }
  const budget =
    given ??
    (Object.keys(resolveOptions).length > 0
      ? resolveThreads(resolveOptions).threads
      : capThreads());
  const base = Math.floor(budget / n);
  const extra = budget % n;
  const perWorker = Array.from({ length: n }, (_, i) => Math.max(1, base + (i < extra ? 1 : 0)));
  const total = perWorker.reduce((a, b) => a + b, 0);
  return {
    budget,
    workers: n,
    perWorker,
    total,
    oversubscribed: total > budget,
    env: perWorker.map(
      (t) => ({ [NUM_THREADS_ENV]: String(t), RAYON_NUM_THREADS: String(t) }) as WorkerEnv,
    ),
  };
}
