import { availableParallelism } from 'node:os';
import { affinityFromStatus } from './affinity.js';
import { type CgroupLimit, probeCgroups } from './cgroup.js';
import { ThreadsConfigError } from './errors.js';
import { readBelow } from './files.js';

/** Where the resolved thread count came from. */
export type ThreadsSource = 'env' | 'cgroup' | 'affinity' | 'fallback';

/** How a fractional CPU quota becomes a thread count. */
export type Rounding = 'ceil' | 'floor';

/** One step of the resolution, in the order it was taken. */
export interface TraceEntry {
  /** Which rule this step applied. */
  step: 'env' | 'affinity' | 'cgroup' | 'rounding' | 'result' | 'note';
  /** What was read and what it meant. */
  message: string;
}

/** Options of {@link resolveThreads}. */
export interface ResolveOptions {
  /**
   * Directory that stands for `/` when reading `/proc` and `/sys` (fixture trees in
   * tests). Default `'/'`.
   */
  root?: string;
  /** Environment to read `GVL_NUM_THREADS` from. Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /**
   * Rounding of a fractional quota: `'ceil'` (default; the Python genvarloader's choice:
   * 15.3 CPUs → 16) or `'floor'` (Rust std's choice: 15.3 → 15). The result is at least 1.
   */
  rounding?: Rounding;
  /**
   * CPU count used only when `/proc/self/status` is absent (non-Linux). Default
   * `os.availableParallelism()`, which on Node 20 ignores CPU quotas.
   */
  availableParallelism?: () => number;
}

/** The outcome of {@link resolveThreads}. */
export interface ThreadsResolution {
  /** Threads this process may use; an integer ≥ 1. */
  threads: number;
  /** Which rule decided `threads`. */
  source: ThreadsSource;
  /** CPUs in this process's affinity mask (`Cpus_allowed_list`), `null` when unreadable. */
  affinity: number | null;
  /** The tightest cgroup CPU limit on this process's path, `null` when unlimited or absent. */
  quota: CgroupLimit | null;
  /** cgroup version of the hierarchy that governs CPU time, `null` when none was found. */
  cgroupVersion: 1 | 2 | null;
  /** Every step taken, for {@link explain} and the `gvl-threads` CLI. */
  trace: TraceEntry[];
}

/** Name of the environment variable that overrides detection. */
export const NUM_THREADS_ENV = 'GVL_NUM_THREADS';
/** Name of the environment variable that forces parallel kernels. */
export const FORCE_PARALLEL_ENV = 'GVL_FORCE_PARALLEL';

function checkRounding(rounding: unknown): Rounding {
  if (rounding === 'ceil' || rounding === 'floor') return rounding;
  throw new ThreadsConfigError('GVL_INVALID_ARGUMENT', 'rounding', rounding, "'ceil' or 'floor'");
}

/**
 * Parses `GVL_NUM_THREADS`. Unset or empty → `null`; an integer ≥ 1 → that integer;
 * anything else throws.
 *
 * @throws {@link ThreadsConfigError} `GVL_INVALID_ENV` naming the variable and value.
 * @example
 * ```ts
 * parseNumThreadsEnv('4'); // 4
 * parseNumThreadsEnv(''); // null (unset)
 * parseNumThreadsEnv('0'); // throws ThreadsConfigError GVL_INVALID_ENV
 * ```
 */
export function parseNumThreadsEnv(value: string | undefined): number | null {
  if (value === undefined || value.trim() === '') return null;
  const text = value.trim();
  if (!/^\d+$/.test(text) || Number(text) < 1 || !Number.isSafeInteger(Number(text))) {
    throw new ThreadsConfigError('GVL_INVALID_ENV', NUM_THREADS_ENV, value, 'an integer >= 1');
  }
  return Number(text);
}

/**
 * Resolves how many threads this process may use, container-aware:
 *
 * 1. `GVL_NUM_THREADS`: an integer ≥ 1 wins (not clamped); anything else throws.
 * 2. Otherwise `min(affinity, cgroup quota)`: affinity from `/proc/self/status`
 *    `Cpus_allowed_list` (`os.availableParallelism()` only where `/proc` is absent); the
 *    quota is the tightest limit between this process's cgroup and its mount root, found
 *    through `/proc/self/cgroup` and `/proc/self/mountinfo` (v2 `cpu.max`, v1
 *    `cpu.cfs_quota_us / cpu.cfs_period_us`), rounded up (or down with
 *    `rounding: 'floor'`), minimum 1.
 *
 * Pure: reads files and the environment, changes nothing. See {@link capThreads} for
 * the once-per-process variant that also overwrites `RAYON_NUM_THREADS`.
 *
 * @returns the thread count, its source, the inputs and a step-by-step trace.
 * @throws {@link ThreadsConfigError} `GVL_INVALID_ENV` when `GVL_NUM_THREADS` is not an
 *   integer ≥ 1; `GVL_INVALID_ARGUMENT` for a bad `rounding`.
 * @see genvarloader's `get_num_threads` (Python peer), which reads only the root cgroup files.
 * @example
 * ```ts
 * import { resolveThreads } from '@gvl/threads';
 * const { threads, source } = resolveThreads();
 * console.log(`${threads} threads (from ${source})`);
 * ```
 */
export function resolveThreads(options: ResolveOptions = {}): ThreadsResolution {
  // The documented precedence of thread sources, one after another, each returning early.
  const root = options.root ?? '/';
  const env = options.env ?? process.env;
  const rounding = checkRounding(options.rounding ?? 'ceil');
  const trace: TraceEntry[] = [];

  const fromEnv = parseNumThreadsEnv(env[NUM_THREADS_ENV]);
  trace.push({
    step: 'env',
    message:
      fromEnv === null
        ? `${NUM_THREADS_ENV} is not set: detecting`
        : `${NUM_THREADS_ENV}=${fromEnv} overrides detection (not clamped)`,
  });
  const status = readBelow(root, '/proc/self/status');
  const affinity = status === null ? null : affinityFromStatus(status);
  const probe = probeCgroups(root);

  if (status === null) {
    trace.push({ step: 'affinity', message: '/proc/self/status is absent: affinity unknown' });
  } else if (affinity === null) {
    trace.push({
      step: 'affinity',
      message: 'Cpus_allowed_list in /proc/self/status is absent or malformed',
    });
  } else {
    trace.push({ step: 'affinity', message: `Cpus_allowed_list allows ${affinity} CPU(s)` });
  }
  for (const note of probe.notes) trace.push({ step: 'note', message: note });
  const q = probe.limit;
  if (q === null) {
    trace.push({
      step: 'cgroup',
      message:
        probe.version === null
          ? 'no cgroup CPU hierarchy found: no quota'
          : `cgroup v${probe.version}: no CPU quota between ${probe.inspected[0] ?? '?'} and the mount root`,
    });
  } else {
    const file = q.version === 2 ? 'cpu.max' : 'cpu.cfs_quota_us / cpu.cfs_period_us';
    trace.push({
      step: 'cgroup',
      message: `cgroup v${q.version}: tightest limit ${q.quotaUs}/${q.periodUs} = ${round4(q.cpus)} CPU(s) at ${q.path} (${file})`,
    });
  }

  const base = { affinity, quota: q, cgroupVersion: probe.version, trace };
  if (fromEnv !== null) {
    trace.push({ step: 'result', message: `${fromEnv} thread(s), source env` });
    return { threads: fromEnv, source: 'env', ...base };
  }

  let cpus: number;
  let source: ThreadsSource;
  if (affinity === null) {
    cpus = Math.max(1, Math.floor((options.availableParallelism ?? availableParallelism)()));
    source = 'fallback';
    trace.push({
      step: 'affinity',
      message: `falling back to os.availableParallelism() = ${cpus}`,
    });
  } else {
    cpus = affinity;
    source = 'affinity';
  }
  if (q !== null) {
    const quotaThreads = Math.max(
      1,
      rounding === 'ceil' ? Math.ceil(q.cpus - 1e-9) : Math.floor(q.cpus),
    );
    trace.push({
      step: 'rounding',
      message: `${round4(q.cpus)} CPU(s) rounded ${rounding === 'ceil' ? 'up' : 'down'} (minimum 1) = ${quotaThreads}`,
    });
    if (quotaThreads < cpus) {
      cpus = quotaThreads;
      source = 'cgroup';
    }
  }
  trace.push({ step: 'result', message: `${cpus} thread(s), source ${source}` });
  return { threads: cpus, source, ...base };
}

function round4(x: number): string {
  return String(Math.round(x * 10_000) / 10_000);
}

let capped: ThreadsResolution | undefined;

/**
 * Resolves the thread budget once per process and overwrites
 * `process.env.RAYON_NUM_THREADS` with it, so an inherited value never wins and child
 * processes inherit the cap. Later calls return the same number and re-assert the
 * variable. Call it before building any thread pool.
 *
 * @returns the thread count (integer ≥ 1).
 * @throws {@link ThreadsConfigError} `GVL_INVALID_ENV` for a bad `GVL_NUM_THREADS`.
 * @example
 * ```ts
 * import { capThreads } from '@gvl/threads';
 * const n = capThreads(); // process.env.RAYON_NUM_THREADS === String(n)
 * ```
 */
export function capThreads(options: Omit<ResolveOptions, 'env'> = {}): number {
  capped ??= resolveThreads(options);
  process.env.RAYON_NUM_THREADS = String(capped.threads);
  return capped.threads;
}

/**
 * The resolution {@link capThreads} settled on, resolving it first if needed.
 *
 * @throws {@link ThreadsConfigError} `GVL_INVALID_ENV` for a bad `GVL_NUM_THREADS`.
 * @example
 * ```ts
 * const r = cappedResolution();
 * console.log(`${r.threads} thread(s), decided by ${r.source}`); // e.g. '2 thread(s), decided by cgroup'
 * ```
 */
export function cappedResolution(): ThreadsResolution {
  capThreads();
  return capped as ThreadsResolution;
}

/**
 * This process's thread budget ({@link capThreads}).
 *
 * @returns an integer ≥ 1.
 * @throws {@link ThreadsConfigError} `GVL_INVALID_ENV` for a bad `GVL_NUM_THREADS`.
 * @example
 * ```ts
 * // Size a buffer pool to the threads this process may use.
 * const buffers = Array.from({ length: numThreads() }, () => new Uint8Array(1 << 20));
 * ```
 */
export function numThreads(): number {
  return capThreads();
}

/**
 * Whether `GVL_FORCE_PARALLEL` is set to a true value: `1`, `true`, `yes` or `on`,
 * case-insensitive, surrounding space ignored. Read live on every call.
 *
 * @param env - environment to read. Default `process.env`.
 * @example
 * ```ts
 * forceParallel({ GVL_FORCE_PARALLEL: 'yes' }); // true
 * forceParallel({}); // false
 * ```
 */
export function forceParallel(
  env: Readonly<Record<string, string | undefined>> = process.env,
): boolean {
  const v = env[FORCE_PARALLEL_ENV]?.trim().toLowerCase();
  return v === '1' || v === 'true' || v === 'yes' || v === 'on';
}

/** Bytes of work per thread below which parallel kernels are not worth starting: 1 MiB. */
export const BYTES_PER_THREAD = 1 << 20;

/**
 * The size gate for parallel kernels: true when {@link forceParallel} or when
 * `totalBytes ≥ threads × 1 MiB`.
 *
 * @param totalBytes - bytes the kernel will produce (haplotypes: output bytes; tracks:
 *   elements × 4).
 * @param threads - pool size to compare against. Default {@link numThreads}.
 * @throws {@link ThreadsConfigError} `GVL_INVALID_ARGUMENT` when `totalBytes` is not a
 *   finite number ≥ 0 or `threads` not an integer ≥ 1.
 * @see genvarloader's `should_parallelize`.
 * @example
 * ```ts
 * shouldParallelize(4 * 1024 * 1024 - 1, 4); // false
 * shouldParallelize(4 * 1024 * 1024, 4);     // true
 * ```
 */
export function shouldParallelize(totalBytes: number, threads?: number): boolean {
  if (typeof totalBytes !== 'number' || !Number.isFinite(totalBytes) || totalBytes < 0) {
    throw new ThreadsConfigError(
      'GVL_INVALID_ARGUMENT',
      'totalBytes',
      totalBytes,
      'a finite number >= 0',
    );
  }
  if (threads !== undefined && (!Number.isSafeInteger(threads) || threads < 1)) {
    throw new ThreadsConfigError('GVL_INVALID_ARGUMENT', 'threads', threads, 'an integer >= 1');
  }
  if (forceParallel()) return true;
  return totalBytes >= (threads ?? numThreads()) * BYTES_PER_THREAD;
}
