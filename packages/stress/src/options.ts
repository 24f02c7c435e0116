/**
 * Options of {@link runStress}, their defaults, and their validation (all of it before
 * any worker is spawned).
 *
 * @module
 */
import * as v from 'valibot';
import type { EngineName, LaunchReport, StressConfig, StressMode } from './report.js';
import { parse, unsupported } from './schema.js';

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

/**
 * {@link StressOptions} with every default applied: the report's {@link StressConfig}
 * settings (documented there) with the workload as given, and the rest.
 */
export interface ResolvedOptions extends Omit<StressConfig, 'workload'> {
  workload: WorkloadOption;
  python: string | null;
  regions: number | null;
  samples: number | null;
  sampleMs: number;
  observeMs: number;
  stackTimeoutMs: number;
  env: Readonly<Record<string, string | undefined>>;
  onEvent: (event: StressEvent) => void;
}

const SYNTHETIC_SUBSET =
  'no subset with the synthetic workload (size it with workload.regions / workload.samples)';

/** An integer in `[min, max]`. */
function int(min: number, max: number) {
  const m = `an integer in [${min}, ${max}]`;
  return v.pipe(v.number(m), v.safeInteger(m), v.minValue(min, m), v.maxValue(max, m));
}

/** A finite number in `(0, max]`. */
function positive(max: number) {
  const m = `a number > 0 and <= ${max}`;
  return v.pipe(v.number(m), v.finite(m), v.gtValue(0, m), v.maxValue(max, m));
}

const text = v.pipe(v.string('a non-empty string'), v.minLength(1, 'a non-empty string'));

const WORKLOAD = "{ kind: 'dataset', path, reference }, { kind: 'demo' } or { kind: 'synthetic' }";

const workloadSchema = v.variant(
  'kind',
  [
    // The object's message is that of a missing `path` / `reference`.
    v.object({ kind: v.literal('dataset'), path: text, reference: text }, 'a non-empty string'),
    v.object({ kind: v.literal('demo'), dataDir: v.optional(text), cacheDir: v.optional(text) }),
    v.object({
      kind: v.literal('synthetic'),
      regions: v.optional(int(1, 100_000), 64),
      samples: v.optional(int(1, 100_000), 16),
      length: v.optional(int(1, 1_000_000), 2048),
      seed: v.optional(int(0, 0xffff_ffff), 1),
    }),
  ],
  // A bad `kind` is reported at `workload.kind` (the issue has a path), a non-object at `workload`.
  (issue) => (issue.path === undefined ? WORKLOAD : "'dataset', 'demo' or 'synthetic'"),
);

/** The rules of {@link StressOptions}, each stated once, with their defaults. */
const optionsSchema = v.pipe(
  v.object(
    {
      mode: v.optional(
        v.picklist(
          STRESS_MODES,
          unsupported(`one of ${STRESS_MODES.map((m) => `'${m}'`).join(', ')}`),
        ),
        'process',
      ),
      peer: v.nullish(v.literal('python', "'python' or null"), null),
      injectHang: v.optional(v.boolean('a boolean'), false),
      onEvent: v.optional(v.function('a function'), () => () => {}),
      workload: workloadSchema,
      regions: v.nullish(int(1, 1 << 30), null),
      samples: v.nullish(int(1, 1 << 30), null),
      workers: v.optional(int(1, 256), 5),
      threadsPerWorker: v.optional(int(0, 1024), 8),
      iters: v.optional(int(1, 1_000_000), 40),
      launches: v.optional(int(1, 10_000), 4),
      timeoutMs: v.optional(positive(24 * 3600_000), 120_000),
      ambientRayon: v.nullish(int(0, 1024), null),
      cgroupQuota: v.nullish(positive(4096), null),
      python: v.optional(text),
      sampleMs: v.optional(int(1, 60_000), 20),
      observeMs: v.optional(int(1, 60_000), 50),
      stackTimeoutMs: v.optional(int(100, 600_000), 4000),
      env: v.nullish(
        v.custom<Readonly<Record<string, string | undefined>>>(
          (e) => typeof e === 'object' && e !== null,
          'an object of environment variables',
        ),
        () => ({ ...process.env }),
      ),
    },
    'an object',
  ),
  v.forward(
    v.partialCheck(
      [['workload'], ['regions']],
      (o) => o.workload.kind !== 'synthetic' || o.regions === null,
      SYNTHETIC_SUBSET,
    ),
    ['regions'],
  ),
  v.forward(
    v.partialCheck(
      [['workload'], ['samples']],
      (o) => o.workload.kind !== 'synthetic' || o.samples === null,
      SYNTHETIC_SUBSET,
    ),
    ['samples'],
  ),
);

/**
 * Applies defaults and validates every option.
 *
 * @throws {@link StressConfigError} `GVL_INVALID_MODE` for an unknown `mode` (the message
 *   lists the allowed ones); `GVL_INVALID_ARGUMENT` for any other bad option.
 */
export function resolveOptions(options: StressOptions): ResolvedOptions {
  const o = parse(optionsSchema, options);
  return { ...o, python: o.python ?? null } as ResolvedOptions;
}
