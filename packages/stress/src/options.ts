/**
 * Options of {@link runStress}, their defaults, and their validation (all of it before
 * any worker is spawned).
 *
 * @module
 */
import { invalidOption, StressConfigError } from './errors.js';
import type { EngineName, LaunchReport, StressMode } from './report.js';

/** The modes `mode` accepts. */
export const STRESS_MODES: readonly StressMode[] = ['process', 'thread'];

/** What the workers repeat. */
export type WorkloadOption =
  | {
      /** An existing dataset (written by `gvl write` or the Python genvarloader). */
      kind: 'dataset';
      /** Dataset directory. */
      path: string;
      /** Reference FASTA (plain + `.fai`, or bgzip + `.fai` + `.gzi`). */
      reference: string;
    }
  | {
      /**
       * The 1000 Genomes chr20 data of `$GVL_DATA_DIR` (default: the copy in `@gvl/example-data`),
       * written on first use to a cached dataset: 488 windows of 2 kb × the first
       * `samples` samples (default 32: 64 MB per `get()`; at most 300).
       */
      kind: 'demo';
      /** Data directory holding `1kg-chr20/`. Default `$GVL_DATA_DIR`, else the copy in `@gvl/example-data`. */
      dataDir?: string;
      /** Where the dataset is cached. Default `<repo>/.gvl-cache/stress`, else `<tmp>/gvl-stress-cache`. */
      cacheDir?: string;
    }
  | {
      /**
       * `@gvl/native` `getDiffs` + `reconstructHaplotypes` on seeded synthetic inputs
       * (no data files; gvl-ts only).
       */
      kind: 'synthetic';
      /** Regions per batch. Default 64. */
      regions?: number;
      /** Samples per batch (ploidy 2). Default 16. */
      samples?: number;
      /** Region length in bp. Default 2048. */
      length?: number;
      /** PRNG seed. Default 1. */
      seed?: number;
    };

/** Progress of a run, for live output (the CLI prints these to stderr). */
export type StressEvent =
  | {
      /** A preparation step before the launches (writing the demo dataset, probing the peer). */
      type: 'prepare';
      /** What is being done, for humans. */
      message: string;
    }
  | {
      /** An engine was probed; its launches follow when it is available. */
      type: 'engine';
      /** The engine probed. */
      engine: EngineName;
      /** Whether it can run (the peer is not when `import genvarloader` fails). */
      available: boolean;
      /** Its version (`@gvl/native X.Y.Z`, or the peer's genvarloader version), `null` when unknown or unavailable. */
      version: string | null;
      /** Why it is unavailable, `null` when available. */
      reason: string | null;
    }
  | {
      /** A launch starts: its workers are about to be spawned. */
      type: 'launch-start';
      /** The engine it drives. */
      engine: EngineName;
      /** Launch index, from 0. */
      launch: number;
      /** Launches of this engine in the run. */
      launches: number;
    }
  | {
      /** A launch ended: every process of it is reaped (or was killed on the timeout). */
      type: 'launch-end';
      /** The engine it drove. */
      engine: EngineName;
      /** Its full report, as it appears in {@link StressReport}'s runs. */
      report: LaunchReport;
    };

/** Options of {@link runStress}. Counts are integers; times are in milliseconds. */
export interface StressOptions {
  /** What the workers repeat. */
  workload: WorkloadOption;
  /** `'process'` (default): spawned child processes; `'thread'`: worker threads of one spawned host process. */
  mode?: StressMode;
  /** Concurrent workers per launch, in [1, 256]. Default 5. */
  workers?: number;
  /**
   * `GVL_NUM_THREADS` of every worker process, in [0, 1024]. Default 8. `0` leaves it
   * unset, so `@gvl/threads` sizes the pool (affinity, cgroup quota).
   */
  threadsPerWorker?: number;
  /** Times each worker produces the full output, ≥ 1. Default 40. */
  iters?: number;
  /** Launches, run one after another, ≥ 1. Default 4. */
  launches?: number;
  /** Per-launch timeout: the deadlock detector, in ms, > 0. Default 120000. */
  timeoutMs?: number;
  /** `RAYON_NUM_THREADS` put in every worker's environment (an ambient value); `null` (default) inherits. */
  ambientRayon?: number | null;
  /** Run each launch's workers in a fresh cgroup with this CPU quota (CPUs, > 0). Default `null`. */
  cgroupQuota?: number | null;
  /** Worker 0 of the first launch blocks forever after its first iteration (detector self-test). */
  injectHang?: boolean;
  /** Also drive the Python genvarloader the same way. Default `null`. */
  peer?: 'python' | null;
  /** Python interpreter for the peer. Default: the oracle venv's python if present, else `python3`. */
  python?: string;
  /** Use only the first N regions of the dataset; `null` (default) for all. */
  regions?: number | null;
  /**
   * Use only the first N samples of the dataset; `null` (default) for all. With the demo
   * workload, the demo dataset is written with the first N samples instead (default 32).
   */
  samples?: number | null;
  /** Worker-side `Threads:` sampling interval, ms. Default 20. */
  sampleMs?: number;
  /** Harness-side `Threads:` observation interval, ms. Default 50. */
  observeMs?: number;
  /** Time limit of the native backtrace (gdb / eu-stack) of one stuck process, ms. Default 4000. */
  stackTimeoutMs?: number;
  /** Base environment of the workers. Default: `process.env` when the run starts. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Progress callback. */
  onEvent?: (event: StressEvent) => void;
}

/** {@link StressOptions} with every default applied. */
export interface ResolvedOptions {
  workload: WorkloadOption;
  mode: StressMode;
  workers: number;
  threadsPerWorker: number;
  iters: number;
  launches: number;
  timeoutMs: number;
  ambientRayon: number | null;
  cgroupQuota: number | null;
  injectHang: boolean;
  peer: 'python' | null;
  python: string | null;
  regions: number | null;
  samples: number | null;
  sampleMs: number;
  observeMs: number;
  stackTimeoutMs: number;
  env: Readonly<Record<string, string | undefined>>;
  onEvent: (event: StressEvent) => void;
}

function int(option: string, value: unknown, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw invalidOption(option, value, `an integer in [${min}, ${max}]`);
  }
  return value;
}

function nullableInt(option: string, value: unknown, min: number, max: number): number | null {
  if (value === undefined || value === null) return null;
  return int(option, value, min, max, 0);
}

function positive(option: string, value: unknown, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > max) {
    throw invalidOption(option, value, `a number > 0 and <= ${max}`);
  }
  return value;
}

function text(option: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw invalidOption(option, value, 'a non-empty string');
  }
  return value;
}

function checkWorkload(w: unknown): WorkloadOption {
  if (typeof w !== 'object' || w === null) {
    throw invalidOption(
      'workload',
      w,
      "{ kind: 'dataset', path, reference }, { kind: 'demo' } or { kind: 'synthetic' }",
    );
  }
  const kind = (w as { kind?: unknown }).kind;
  if (kind === 'dataset') {
    const d = w as { path?: unknown; reference?: unknown };
    return {
      kind,
      path: text('workload.path', d.path),
      reference: text('workload.reference', d.reference),
    };
  }
  if (kind === 'demo') {
    const d = w as { dataDir?: unknown; cacheDir?: unknown };
    return {
      kind,
      ...(d.dataDir === undefined ? {} : { dataDir: text('workload.dataDir', d.dataDir) }),
      ...(d.cacheDir === undefined ? {} : { cacheDir: text('workload.cacheDir', d.cacheDir) }),
    };
  }
  if (kind === 'synthetic') {
    const s = w as { regions?: unknown; samples?: unknown; length?: unknown; seed?: unknown };
    return {
      kind,
      regions: int('workload.regions', s.regions, 1, 100_000, 64),
      samples: int('workload.samples', s.samples, 1, 100_000, 16),
      length: int('workload.length', s.length, 1, 1_000_000, 2048),
      seed: int('workload.seed', s.seed, 0, 0xffff_ffff, 1),
    };
  }
  throw invalidOption('workload.kind', kind, "'dataset', 'demo' or 'synthetic'");
}

/**
 * Applies defaults and validates every option.
 *
 * @throws {@link StressConfigError} `GVL_INVALID_MODE` for an unknown `mode` (the message
 *   lists the allowed ones); `GVL_INVALID_ARGUMENT` for any other bad option.
 */
export function resolveOptions(options: StressOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) {
    throw invalidOption('options', options, 'an object');
  }
  const mode = options.mode === undefined ? 'process' : options.mode;
  if (!STRESS_MODES.includes(mode)) {
    throw new StressConfigError(
      'GVL_INVALID_MODE',
      `mode ${JSON.stringify(mode)} is not supported: expected one of ${STRESS_MODES.map((m) => `'${m}'`).join(', ')}`,
      { option: 'mode', value: mode },
    );
  }
  const peer = options.peer ?? null;
  if (peer !== null && peer !== 'python') throw invalidOption('peer', peer, "'python' or null");
  if (options.injectHang !== undefined && typeof options.injectHang !== 'boolean') {
    throw invalidOption('injectHang', options.injectHang, 'a boolean');
  }
  if (options.onEvent !== undefined && typeof options.onEvent !== 'function') {
    throw invalidOption('onEvent', options.onEvent, 'a function');
  }
  const workload = checkWorkload(options.workload);
  const regions = nullableInt('regions', options.regions, 1, 1 << 30);
  const samples = nullableInt('samples', options.samples, 1, 1 << 30);
  if (workload.kind === 'synthetic' && (regions !== null || samples !== null)) {
    throw invalidOption(
      regions !== null ? 'regions' : 'samples',
      regions ?? samples,
      'no subset with the synthetic workload (size it with workload.regions / workload.samples)',
    );
  }
  return {
    workload,
    mode,
    workers: int('workers', options.workers, 1, 256, 5),
    threadsPerWorker: int('threadsPerWorker', options.threadsPerWorker, 0, 1024, 8),
    iters: int('iters', options.iters, 1, 1_000_000, 40),
    launches: int('launches', options.launches, 1, 10_000, 4),
    timeoutMs: positive('timeoutMs', options.timeoutMs, 120_000, 24 * 3600_000),
    ambientRayon: nullableInt('ambientRayon', options.ambientRayon, 0, 1024),
    cgroupQuota:
      options.cgroupQuota === undefined || options.cgroupQuota === null
        ? null
        : positive('cgroupQuota', options.cgroupQuota, 1, 4096),
    injectHang: options.injectHang ?? false,
    peer,
    python: options.python === undefined ? null : text('python', options.python),
    regions,
    samples,
    sampleMs: int('sampleMs', options.sampleMs, 1, 60_000, 20),
    observeMs: int('observeMs', options.observeMs, 1, 60_000, 50),
    stackTimeoutMs: int('stackTimeoutMs', options.stackTimeoutMs, 100, 600_000, 4000),
    env: options.env ?? { ...process.env },
    onEvent: options.onEvent ?? (() => {}),
  };
}
