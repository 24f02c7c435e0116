import { native } from './binding.js';
import { queuedCount } from './scheduler.js';

/** Kernel call counters, see {@link counters}. */
export interface KernelCounters {
  /** Native kernel calls started (sync and async), process-wide. */
  started: number;
  /** Calls that produced their output. */
  completed: number;
  /** Calls aborted: cancelled in libuv's queue or stopped at a row boundary. */
  cancelled: number;
  /** Calls that failed (validation error, pool build failure, caught panic). */
  failed: number;
  /** Calls started and not yet finished. */
  inFlight: number;
  /**
   * Async calls of this JS environment waiting for admission (not yet
   * native, so not in `started`). Aborting one rejects it without counting it.
   */
  queued: number;
}

/**
 * Kernel counters. The native counts are process-wide (every worker thread);
 * `queued` is this environment's. They balance:
 * `started === completed + cancelled + failed + inFlight`, and at rest
 * `inFlight === 0`.
 *
 * @example
 * ```ts
 * import { counters } from '@gvl/native';
 * const c = counters();
 * c.started === c.completed + c.cancelled + c.failed + c.inFlight; // true
 * ```
 */
export function counters(): KernelCounters {
  const c = native.counters();
  return {
    started: c.started,
    completed: c.completed,
    cancelled: c.cancelled,
    failed: c.failed,
    inFlight: c.inFlight,
    queued: queuedCount(),
  };
}
