/**
 * The process-wide rayon pool and this environment's async admission limit.
 */
import { cappedResolution, capThreads, shouldParallelize } from '@gvl/threads';
import { native } from './binding.js';
import { invalidArgument, toNativeError } from './errors.js';

/** Options of {@link configurePool}. */
export interface PoolOptions {
  /**
   * Rayon threads for parallel kernels, an integer in [1, 1024]. Fixed once
   * per process (shared by every worker thread). Default: `capThreads()` from
   * `@gvl/threads` (GVL_NUM_THREADS, else min(CPU affinity, cgroup quota)).
   */
  numThreads?: number;
  /**
   * Async kernels allowed to occupy libuv threads at once in this JS
   * environment; further calls wait in a queue. Default
   * `max(1, UV_THREADPOOL_SIZE - 1)` (UV_THREADPOOL_SIZE defaults to 4), so at
   * least one libuv thread stays free for fs, dns, zlib and crypto.
   */
  maxInFlight?: number;
}

/** The pool as {@link poolInfo} reports it. */
export interface PoolInfo {
  /** Rayon threads used by parallel kernels. */
  numThreads: number;
  /**
   * Who fixed the size: `"configurePool"`, `"capThreads:<source>"` (the
   * `@gvl/threads` resolution source: env, cgroup, affinity, fallback), or
   * `"native-default"` when the raw binding was used first.
   */
  source: string;
  /** Whether the size is fixed (after `configurePool` or the first kernel). */
  configured: boolean;
  /** Whether the pool's threads have been spawned (first parallel kernel). */
  built: boolean;
  /** This environment's async admission limit (see {@link PoolOptions.maxInFlight}). */
  maxInFlight: number;
  /** libuv's thread pool size as this process sees it. */
  uvThreadpoolSize: number;
}

function uvThreadpoolSize(): number {
  const n = Number.parseInt(process.env.UV_THREADPOOL_SIZE ?? '', 10);
  return Number.isInteger(n) && n >= 1 ? Math.min(n, 1024) : 4;
}

let maxInFlight = Math.max(1, uvThreadpoolSize() - 1);

/** @internal The current admission limit. */
export function admissionLimit(): number {
  return maxInFlight;
}

function info(): PoolInfo {
  const s = native.poolInfo();
  return {
    numThreads: s.numThreads,
    source: s.source,
    configured: s.configured,
    built: s.built,
    maxInFlight,
    uvThreadpoolSize: uvThreadpoolSize(),
  };
}

/**
 * Fix the rayon pool size (once per process) and/or this environment's async
 * admission limit. Call it before the first kernel; kernels otherwise fix the
 * size from `capThreads()`. Calling it again with the same `numThreads` is a
 * no-op. The pool is private to `@gvl/native` (never rayon's global pool;
 * `RAYON_NUM_THREADS` is never read).
 *
 * @param options - `numThreads` (integer in [1, 1024]) and/or `maxInFlight` (integer >= 1).
 * @returns The pool after configuration.
 * @throws {@link PoolConfiguredError} `GVL_POOL_CONFIGURED` when the size is already fixed to a
 *   different value (by an earlier call, a kernel, or another worker thread).
 * @throws {@link InvalidArgumentError} `GVL_INVALID_ARGUMENT` for a non-integer or out-of-range option.
 * @example
 * ```ts
 * import { configurePool, poolInfo } from '@gvl/native';
 * configurePool({ numThreads: 2 });
 * poolInfo().numThreads; // 2
 * ```
 * @see genvarloader `_threads.py` (the peer sizes rayon from the same resolution).
 */
export function configurePool(options: PoolOptions): PoolInfo {
  if (typeof options !== 'object' || options === null) {
    throw invalidArgument('options', options, '{ numThreads?, maxInFlight? }');
  }
  const { numThreads, maxInFlight: limit } = options;
  if (
    numThreads !== undefined &&
    (typeof numThreads !== 'number' ||
      !Number.isInteger(numThreads) ||
      numThreads < 1 ||
      numThreads > 1024)
  ) {
    throw invalidArgument('numThreads', numThreads, 'an integer in [1, 1024]');
  }
  if (limit !== undefined && (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1)) {
    throw invalidArgument('maxInFlight', limit, 'an integer >= 1');
  }
  if (numThreads !== undefined) {
    try {
      native.configurePool(numThreads, 'configurePool', true);
    } catch (err) {
      throw toNativeError(err);
    }
  }
  if (limit !== undefined) maxInFlight = limit;
  return info();
}

/**
 * The pool's size, where it came from, and the async admission limit. Does
 * not fix the size: before the first kernel (or {@link configurePool}) it
 * reports the size the default would fix (`capThreads()`, which also
 * overwrites `RAYON_NUM_THREADS`), with `configured: false`.
 *
 * @example
 * ```ts
 * import { poolInfo } from '@gvl/native';
 * const { numThreads, source } = poolInfo();
 * ```
 */
export function poolInfo(): PoolInfo {
  const current = info();
  if (current.configured) return current;
  return {
    ...current,
    numThreads: capThreads(),
    source: `capThreads:${cappedResolution().source}`,
  };
}

let ensured = false;

/** @internal Fix the pool size from `capThreads()` unless already fixed; returns the size. */
export function ensurePool(): number {
  if (!ensured) {
    try {
      native.configurePool(capThreads(), `capThreads:${cappedResolution().source}`, false);
    } catch (err) {
      throw toNativeError(err);
    }
    ensured = true;
  }
  return native.poolInfo().numThreads;
}

/** Whether a kernel runs on the pool: `true`, `false`, or `'auto'` (the size gate). */
export type Parallel = boolean | 'auto';

/**
 * @internal Resolve `parallel` for a kernel producing `outputBytes` bytes:
 * `'auto'` is `shouldParallelize(outputBytes, poolSize)` (GVL_FORCE_PARALLEL,
 * or at least 1 MiB per pool thread).
 */
export function resolveParallel(parallel: unknown, outputBytes: number): boolean {
  const threads = ensurePool();
  if (parallel === undefined || parallel === 'auto') return shouldParallelize(outputBytes, threads);
  if (parallel === true || parallel === false) return parallel;
  throw invalidArgument('parallel', parallel, "true, false or 'auto'");
}

/**
 * @internal The output size (bytes) from which a fused batch runs on the pool:
 * `0` for `true` or `GVL_FORCE_PARALLEL`, `Infinity` for `false`, else the
 * size gate of `@gvl/threads` for this pool (`shouldParallelize`).
 */
export function parallelThreshold(parallel: unknown): number {
  const threads = ensurePool();
  if (parallel === true) return 0;
  if (parallel === false) return Number.POSITIVE_INFINITY;
  if (parallel !== undefined && parallel !== 'auto')
    throw invalidArgument('parallel', parallel, "true, false or 'auto'");
  if (shouldParallelize(0, threads)) return 0;
  let gate = gates.get(threads);
  if (gate === undefined) {
    gate = gateBytes(threads);
    gates.set(threads, gate);
  }
  return gate;
}

const gates = new Map<number, number>();

/** The smallest output that `shouldParallelize` sends to a pool of `threads` threads (no force). */
function gateBytes(threads: number): number {
  let lo = 0;
  let hi = 1;
  while (!shouldParallelize(hi, threads)) {
    lo = hi;
    hi *= 2;
    if (hi > 2 ** 52) return Number.POSITIVE_INFINITY;
  }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (shouldParallelize(mid, threads)) hi = mid;
    else lo = mid;
  }
  return hi;
}
