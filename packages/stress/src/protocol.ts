/**
 * What the harness tells a worker and what a worker tells the harness.
 *
 * The spec travels as one JSON argv element (process mode, Python peer) or as
 * `workerData` (thread mode). Reports travel as JSON lines on file descriptor 3, a
 * plain pipe: no Node IPC channel (workers are spawned, never forked), and stdout stays
 * free for whatever a library prints.
 *
 * @module
 */

/** The channel workers write their JSON lines to. */
export const REPORT_FD = 3;

/** Which work a worker repeats. */
export type WorkloadSpec =
  | {
      /** `Dataset.open(path, { reference })` then `get()` of all regions × all samples. */
      kind: 'dataset';
      /** Dataset directory. */
      path: string;
      /** Reference FASTA (bgzipped or plain, indexed). */
      reference: string;
      /** Use only the first N regions (`subsetTo`); `null` for all. */
      regions: number | null;
      /** Use only the first N samples (`subsetTo`); `null` for all. */
      samples: number | null;
    }
  | {
      /**
       * `getDiffs` + `reconstructHaplotypes` from `@gvl/native` on seeded synthetic
       * inputs: no data files needed (the detector's self-test and machines without
       * the shared data).
       */
      kind: 'synthetic';
      /** Regions per batch. */
      regions: number;
      /** Samples per batch (ploidy 2). */
      samples: number;
      /** Region length in bp. */
      length: number;
      /** PRNG seed. */
      seed: number;
    };

/** Everything one worker needs; the same shape for every engine. */
export interface WorkerSpec {
  /** Worker index within its launch, from 0. */
  worker: number;
  /** Launch index, from 0. */
  launch: number;
  /** How many times to produce the full output. */
  iters: number;
  /** The work. */
  workload: WorkloadSpec;
  /** Block forever after the first iteration (the detector's self-test). */
  injectHang: boolean;
  /** How often the worker samples its own `Threads:` count, in ms. */
  sampleMs: number;
}

/** The pool as a worker saw it. */
export interface PoolReport {
  /** Threads of the parallel pool, or `null` when the engine does not say. */
  numThreads: number | null;
  /** Where that number came from (`capThreads:env`, `RAYON_NUM_THREADS`, …). */
  source: string;
}

/** A serialized error. */
export interface ErrorReport {
  /** The error's `name` (`Error`, `GvlError`, a Python exception class, ...). */
  name: string;
  /** Its message. */
  message: string;
  /** Its string `code` (`GVL_...`), when it has one. */
  code?: string;
  /** Its stack trace, when it has one. */
  stack?: string;
}

/** A line on the report channel. `threads` is the process's `Threads:` count. */
export type WorkerMessage =
  | {
      /** The worker started, before opening its workload. */
      t: 'hello';
      /** Worker index within its launch ({@link WorkerSpec.worker}). */
      worker: number;
      /** OS process id of the process running the worker. */
      pid: number;
      /** OS thread id of the worker (its main thread, or its worker thread). */
      tid: number;
      /** The process's OS thread count now. */
      threads: number;
    }
  | {
      /** The workload is open; iterations follow. */
      t: 'ready';
      /** Worker index within its launch. */
      worker: number;
      /** The parallel pool as the worker sees it. */
      pool: PoolReport;
      /** The process's OS thread count now. */
      threads: number;
      /** Engine version (the Python peer reports its genvarloader's). */
      version?: string;
    }
  | {
      /** One iteration finished. */
      t: 'iter';
      /** Worker index within its launch. */
      worker: number;
      /** Iteration index, from 0. */
      iter: number;
      /** Bytes of this iteration's output arrays (their `byteLength`, summed). */
      bytes: number;
      /** The process's OS thread count now. */
      threads: number;
      /** SHA-256 (hex) of the output's data bytes (first iteration only). */
      digest?: string;
    }
  | {
      /** The worker is about to block forever (`injectHang`, the detector's self-test). */
      t: 'hang';
      /** Worker index within its launch. */
      worker: number;
      /** The process's OS thread count now. */
      threads: number;
    }
  | {
      /** Every iteration finished. */
      t: 'done';
      /** Worker index within its launch. */
      worker: number;
      /** Iterations completed ({@link WorkerSpec.iters}). */
      iters: number;
      /** Bytes of all iterations' outputs, summed. */
      bytes: number;
      /** The parallel pool as the worker sees it after its last iteration. */
      pool: PoolReport;
      /** Peak OS thread count of the process over the worker's life (sampled every `sampleMs`). */
      peakThreads: number;
      /** From `hello` (workload opening included) to the end of the last iteration, in ms. */
      elapsedMs: number;
    }
  | {
      /** The worker failed; nothing follows. */
      t: 'fail';
      /** Worker index within its launch. */
      worker: number;
      /** What was thrown. */
      error: ErrorReport;
      /** Peak OS thread count of the process until the failure. */
      peakThreads: number;
    };

/** Turns anything thrown into an {@link ErrorReport}. */
export function serializeError(e: unknown): ErrorReport {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return {
      name: e.name,
      message: e.message,
      ...(typeof code === 'string' ? { code } : {}),
      ...(e.stack === undefined ? {} : { stack: e.stack }),
    };
  }
  return { name: 'Error', message: String(e) };
}

/**
 * Parses one line of the report channel; `null` for anything that is not a worker
 * message (a truncated line from a killed worker, stray output).
 */
export function parseMessage(line: string): WorkerMessage | null {
  const text = line.trim();
  if (!text.startsWith('{')) return null;
  try {
    const m = JSON.parse(text) as { t?: unknown; worker?: unknown };
    if (typeof m.t !== 'string' || typeof m.worker !== 'number') return null;
    return m as WorkerMessage;
  } catch {
    return null;
  }
}
