import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { numThreads } from '@gvl/threads';
import type { Batch, BatchOptions, Dataset, PlannedBatch } from './dataset.js';
import { planBatches } from './dataset.js';
import { AbortedError, GvlError } from './errors.js';
import type { GetOutput } from './output.js';
import { type BatchOutput, computeBatch } from './query.js';
import { invalid } from './settings.js';
import { errorFromWire, fromWire, serializeCore, type WireError, type WireOutput } from './wire.js';

/** How a {@link Loader} computes batches. */
export type LoaderMode = 'inline' | 'worker';

/** Every mode name the loader knows, including ones it cannot run. */
export const LOADER_MODES: readonly LoaderMode[] = ['inline', 'worker'];

/** Options of {@link Dataset.loader}. */
export interface LoaderOptions extends BatchOptions {
  /**
   * `'inline'` (default): batches computed from this thread, one native call per
   * haplotype batch (small batches on this thread, larger ones off it).
   * `'worker'`: batches computed in `workers` worker threads that share the dataset's
   * memory (`SharedArrayBuffer`) and transfer results back without a copy.
   */
  mode?: LoaderMode;
  /**
   * Worker threads for `'worker'` mode, ≥ 1. Default `min(4, numThreads())`: the process's
   * thread budget from `@gvl/threads` (cgroup quota aware). A count above
   * `2 × numThreads()` is clamped to it, with a `process.emitWarning` of code
   * `GVL_WORKERS_CLAMPED` (see {@link Loader.workers}).
   */
  workers?: number;
  /** Batches computed ahead of the consumer (in flight or waiting), ≥ 1. Default 2 (inline) or 2 × workers. */
  prefetch?: number;
  /**
   * Reuse output memory across batches (`'inline'` mode, haplotypes without tracks).
   * Default `false`: every batch's arrays are new memory the consumer owns, as
   * `ds.get()` returns.
   *
   * With `true`, the haplotype bytes of a batch live in one of `prefetch + 2` buffers the
   * loader owns and recycles: **a batch's arrays are valid until you request the batch
   * after next** (in a `for await` loop: during its own iteration and the next one).
   * Copy what you keep longer (`data.slice()`). This removes the per-batch allocation
   * of the output (and the garbage collections it causes). Ignored in `'worker'` mode,
   * whose batches are transferred from the worker threads.
   */
  reuse?: boolean;
}

/** Counters of a {@link Loader}. */
export interface LoaderStats {
  /** Batches handed to the consumer. */
  delivered: number;
  /** Batches started and not yet consumed. */
  inFlight: number;
  /** Highest `inFlight` seen: never above `prefetch`. */
  maxInFlight: number;
}

/**
 * Batches in order, computed ahead of the consumer with bounded prefetch. Iterate with
 * `for await`; `close()` stops it: every pending batch settles (rejects with
 * `GVL_LOADER_CLOSED`, or `GVL_ABORTED` when the signal fired) and worker threads exit.
 */
export interface Loader extends AsyncIterableIterator<Batch> {
  /** Stops the loader; resolves once every pending batch has settled and workers have exited. */
  close(): Promise<void>;
  /** Live counters. */
  readonly stats: Readonly<LoaderStats>;
  /** Mode in use. */
  readonly mode: LoaderMode;
  /** Worker threads in use: 0 in `'inline'` mode; after clamping in `'worker'` mode. */
  readonly workers: number;
}

interface Pending {
  planned: PlannedBatch;
  promise: Promise<GetOutput>;
  settled: boolean;
  reject: (e: unknown) => void;
}

function checkCount(name: string, v: unknown, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1)
    throw invalid(name, v, 'an integer >= 1');
  return v;
}

/**
 * Worker threads of one loader never exceed `2 × numThreads()` (the process's thread
 * budget from `@gvl/threads`): every worker shares the one native pool, so more threads
 * than that only add memory and contention. A larger request is clamped with a warning
 * (`process.emitWarning`, code `GVL_WORKERS_CLAMPED`).
 */
export function maxLoaderWorkers(): number {
  return 2 * numThreads();
}

function clampWorkers(requested: number): number {
  const max = maxLoaderWorkers();
  if (requested <= max) return requested;
  process.emitWarning(
    `loader workers=${requested} is above 2 × the thread budget (${numThreads()} thread(s), see @gvl/threads): using ${max} workers`,
    { code: 'GVL_WORKERS_CLAMPED', type: 'GvlWarning' },
  );
  return max;
}

/** The `GVL_ABORTED` error of a loader whose signal fired after `delivered` batches. */
function abortedBy(signal: AbortSignal | undefined, delivered: number): AbortedError {
  return new AbortedError(`loader aborted by its signal after ${delivered} batch(es)`, {
    value: delivered,
    cause: signal?.reason,
  });
}

/** @internal */
export function createLoader(ds: Dataset, options: LoaderOptions): Loader {
  const mode = options.mode ?? 'inline';
  if (!(LOADER_MODES as readonly unknown[]).includes(mode)) {
    if ((mode as string) === 'process') {
      throw new GvlError(
        'GVL_MODE_UNAVAILABLE',
        "loader mode 'process' is known but not available: batches cannot be shared with child processes without a copy; use 'worker' (threads), or spawn processes that each open the dataset (see @gvl/stress and planWorkers from @gvl/threads)",
        { value: mode },
      );
    }
    throw new GvlError(
      'GVL_INVALID_MODE',
      `loader mode ${JSON.stringify(mode)} is not supported: expected one of ${LOADER_MODES.map((m) => `'${m}'`).join(', ')}`,
      { value: mode },
    );
  }
  const workers =
    mode === 'worker'
      ? clampWorkers(checkCount('workers', options.workers, Math.min(4, numThreads())))
      : 0;
  const prefetch = checkCount('prefetch', options.prefetch, mode === 'worker' ? 2 * workers : 2);
  if (options.reuse !== undefined && typeof options.reuse !== 'boolean')
    throw invalid('reuse', options.reuse, 'a boolean');
  const plans = planBatches(ds, options); // validates batchSize
  const ring = options.reuse === true && mode === 'inline' ? new OutputRing(prefetch + 2) : null;
  return new LoaderImpl(ds, mode, plans, prefetch, workers, options.signal, ring);
}

/**
 * The buffers of a reusing loader: batch `i` writes into slot `i mod n`. With
 * `n = prefetch + 2`, a slot is written again only once the consumer has requested the
 * batch after next of the one that used it (the loader starts batch `d + prefetch` when
 * batch `d` is delivered).
 */
class OutputRing {
  readonly #slots: (Uint8Array | undefined)[];
  #next = 0;

  constructor(n: number) {
    this.#slots = new Array<Uint8Array | undefined>(n).fill(undefined);
  }

  /** The lease of the next batch's slot. */
  lease(): BatchOutput {
    const i = this.#next;
    this.#next = (i + 1) % this.#slots.length;
    return {
      take: () => this.#slots[i],
      used: (data) => {
        const slot = this.#slots[i];
        if (slot !== undefined && data.buffer === slot.buffer) return;
        // The slot was too small: the batch got new memory. Grow the slot with 25%
        // headroom so that slightly larger batches later still fit.
        this.#slots[i] = new Uint8Array(Math.ceil(data.length * 1.25));
      },
    };
  }
}

class LoaderImpl implements Loader {
  readonly mode: LoaderMode;
  readonly workers: number;
  readonly #ds: Dataset;
  readonly #plans: Iterator<PlannedBatch>;
  readonly #prefetch: number;
  readonly #queue: Pending[] = [];
  readonly #ctrl = new AbortController();
  readonly #stats: LoaderStats = { delivered: 0, inFlight: 0, maxInFlight: 0 };
  readonly #pool: WorkerPool | null;
  readonly #ring: OutputRing | null;
  #exhausted = false;
  #closed: GvlError | null = null;
  #closing: Promise<void> | null = null;
  readonly #signal: AbortSignal | undefined;
  readonly #onAbort = () => {
    void this.#shutdown(abortedBy(this.#signal, this.#stats.delivered));
  };

  constructor(
    ds: Dataset,
    mode: LoaderMode,
    plans: Iterator<PlannedBatch>,
    prefetch: number,
    workers: number,
    signal: AbortSignal | undefined,
    ring: OutputRing | null,
  ) {
    this.mode = mode;
    this.#ring = ring;
    this.workers = workers;
    this.#ds = ds;
    this.#plans = plans;
    this.#prefetch = prefetch;
    this.#signal = signal;
    this.#pool = mode === 'worker' ? new WorkerPool(ds, workers) : null;
    if (signal?.aborted) this.#closed = abortedBy(signal, 0);
    signal?.addEventListener('abort', this.#onAbort, { once: true });
    this.#pump();
  }

  get stats(): Readonly<LoaderStats> {
    return { ...this.#stats };
  }

  #pump(): void {
    while (!this.#closed && !this.#exhausted && this.#queue.length < this.#prefetch) {
      const next = this.#plans.next();
      if (next.done) {
        this.#exhausted = true;
        break;
      }
      const planned = next.value;
      // Random draws happen here, in batch order, so results do not depend on scheduling.
      const req = this.#ds.batchRequest(planned.regions, planned.samples);
      let reject!: (e: unknown) => void;
      const external = new Promise<GetOutput>((_, rej) => {
        reject = rej;
      });
      const work = this.#pool
        ? this.#pool.run(req, this.#ctrl.signal)
        : computeBatch(
            this.#ds.internals.core,
            this.#ds.internals.plan,
            req,
            this.#ctrl.signal,
            this.#ring?.lease(),
          );
      const entry: Pending = {
        planned,
        promise: Promise.race([work, external]),
        settled: false,
        reject,
      };
      entry.promise.then(
        () => {
          entry.settled = true;
        },
        () => {
          entry.settled = true;
        },
      );
      this.#queue.push(entry);
      this.#stats.inFlight = this.#queue.length;
      this.#stats.maxInFlight = Math.max(this.#stats.maxInFlight, this.#queue.length);
    }
  }

  async next(): Promise<IteratorResult<Batch>> {
    if (this.#closed) {
      if (this.#closed.code === 'GVL_LOADER_CLOSED') return { done: true, value: undefined };
      throw this.#closed;
    }
    const head = this.#queue[0];
    if (!head) {
      await this.#shutdown(null);
      return { done: true, value: undefined };
    }
    let data: GetOutput;
    try {
      data = await head.promise;
    } catch (e) {
      await this.#shutdown(
        e instanceof GvlError
          ? e
          : new GvlError('GVL_LOADER_CLOSED', `loader stopped: ${(e as Error).message}`, {
              cause: e,
            }),
      );
      throw e;
    }
    this.#queue.shift();
    this.#stats.delivered++;
    this.#stats.inFlight = this.#queue.length;
    this.#pump();
    const { index, regions, samples } = head.planned;
    return { done: false, value: { index, regions, samples, data } };
  }

  async return(): Promise<IteratorResult<Batch>> {
    await this.close();
    return { done: true, value: undefined };
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<Batch> {
    return this;
  }

  close(): Promise<void> {
    return this.#shutdown(
      new GvlError('GVL_LOADER_CLOSED', 'loader closed', { value: this.#stats.delivered }),
    );
  }

  #shutdown(reason: GvlError | null): Promise<void> {
    if (this.#closing) return this.#closing;
    this.#closed =
      reason ??
      new GvlError('GVL_LOADER_CLOSED', 'loader finished', { value: this.#stats.delivered });
    this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#ctrl.abort(this.#closed);
    const pending = this.#queue.splice(0);
    for (const p of pending) p.reject(this.#closed);
    this.#stats.inFlight = 0;
    this.#closing = (async () => {
      await Promise.allSettled(pending.map((p) => p.promise));
      await this.#pool?.terminate();
    })();
    return this.#closing;
  }
}

/**
 * The compiled worker entry point. Beside this module in `dist/`; when this module runs
 * from TypeScript sources (tests), the built copy in `../dist/` (build before testing).
 */
function workerScript(): URL {
  const beside = new URL('./loader-worker.js', import.meta.url);
  return existsSync(fileURLToPath(beside))
    ? beside
    : new URL('../dist/loader-worker.js', import.meta.url);
}

/** Worker threads that compute batches on the shared dataset memory. */
class WorkerPool {
  readonly #workers: { w: Worker; busy: number }[] = [];
  readonly #jobs = new Map<
    number,
    { resolve: (o: GetOutput) => void; reject: (e: unknown) => void; worker: Worker }
  >();
  #nextId = 0;
  #dead: Error | null = null;

  constructor(ds: Dataset, n: number) {
    const init = serializeCore(ds);
    const url = workerScript();
    for (let i = 0; i < n; i++) {
      const w = new Worker(url, { workerData: init });
      const slot = { w, busy: 0 };
      w.on('message', (m: { id: number; ok: boolean; out?: WireOutput; error?: WireError }) => {
        const job = this.#jobs.get(m.id);
        if (!job) return;
        this.#jobs.delete(m.id);
        slot.busy--;
        // Idle workers must not keep the process alive; busy ones must.
        if (slot.busy === 0) w.unref();
        if (m.ok && m.out) job.resolve(fromWire(m.out));
        else if (m.error) job.reject(errorFromWire(m.error));
        else job.reject(new GvlError('GVL_WORKER_FAILED', 'loader worker sent no result'));
      });
      w.on('error', (err) => this.#fail(w, err));
      w.on('exit', (code) => {
        if (!this.#dead) this.#fail(w, new Error(`loader worker exited with code ${code}`));
      });
      w.unref();
      this.#workers.push(slot);
    }
  }

  #fail(w: Worker, err: Error): void {
    for (const [id, job] of this.#jobs) {
      if (job.worker === w) {
        this.#jobs.delete(id);
        job.reject(
          new GvlError('GVL_WORKER_FAILED', `loader worker failed: ${err.message}`, { cause: err }),
        );
      }
    }
  }

  run(req: unknown, signal: AbortSignal): Promise<GetOutput> {
    const slot = this.#workers.reduce((a, b) => (b.busy < a.busy ? b : a));
    const id = this.#nextId++;
    slot.busy++;
    slot.w.ref();
    const onAbort = () => slot.w.postMessage({ cancel: id });
    signal.addEventListener('abort', onAbort, { once: true });
    const done = new Promise<GetOutput>((resolve, reject) => {
      this.#jobs.set(id, { resolve, reject, worker: slot.w });
      slot.w.postMessage({ id, req });
    });
    const cleanup = () => signal.removeEventListener('abort', onAbort);
    done.then(cleanup, cleanup);
    return done;
  }

  async terminate(): Promise<void> {
    this.#dead = new Error('terminated');
    for (const [id, job] of this.#jobs) {
      this.#jobs.delete(id);
      job.reject(new GvlError('GVL_LOADER_CLOSED', 'loader closed', { value: id }));
    }
    await Promise.all(this.#workers.map((s) => s.w.terminate()));
  }
}
