import { configurePool, poolInfo } from '@gvl/native';
import { planWorkers } from '@gvl/threads';
import * as v from 'valibot';
import { type PlannedBatch, planBatches } from './batches.js';
import type { Batch, BatchOptions, Dataset } from './dataset.js';
import { distributedEnv, type LauncherSource } from './distributed.js';
import { AbortedError, GvlError } from './errors.js';
import type { GetOutput } from './output.js';
import { type BatchOutput, computeBatch } from './read-pipeline.js';
import { bool, intAtLeast, parse } from './schema.js';

/**
 * How a {@link Loader} computes batches. Only `'inline'`: each batch is one native call
 * that runs in parallel on the process's whole thread budget (see `@gvl/threads`).
 */
export type LoaderMode = 'inline';

/** Every mode name the loader runs. */
export const LOADER_MODES: readonly LoaderMode[] = ['inline'];

/** Options of {@link Dataset.loader}. */
export interface LoaderOptions extends BatchOptions {
  /**
   * `'inline'` (the default and only mode): batches computed from this thread, one
   * native call per haplotype batch, parallel over the process's thread budget (small
   * batches on this thread, larger ones off it). For more throughput than one process
   * gives, run several processes that each open the dataset, with `planWorkers` from
   * `@gvl/threads` splitting the thread budget between them.
   */
  mode?: LoaderMode;
  /** Batches computed ahead of the consumer (in flight or waiting), ≥ 1. Default 2. */
  prefetch?: number;
  /**
   * Reuse output memory across batches (haplotypes without tracks). Default `false`:
   * every batch's arrays are new memory the consumer owns, as `ds.get()` returns.
   *
   * With `true`, the haplotype bytes of a batch live in one of `prefetch + 2` buffers the
   * loader owns and recycles: **a batch's arrays are valid until you request the batch
   * after next** (in a `for await` loop: during its own iteration and the next one).
   * Copy what you keep longer (`data.slice()`). This removes the per-batch allocation
   * of the output (and the garbage collections it causes).
   */
  reuse?: boolean;
}

/** Which share of each epoch a loader visits, and the threads it computes with. */
export interface LoaderShard {
  /** This process's rank, `[0, worldSize)`. */
  rank: number;
  /** Processes sharing each epoch. */
  worldSize: number;
  /** Where `rank`/`worldSize` came from: the options, or a launcher's environment. */
  source: LauncherSource | 'options';
  /**
   * The native pool's size. When a launcher runs several processes on this node
   * (`localWorldSize > 1`), `GVL_NUM_THREADS` is unset and the pool is not yet
   * fixed, the loader fixes it to this process's share of the node's budget
   * (`planWorkers(localWorldSize)` from `@gvl/threads`), so the ranks of a node
   * split its CPUs instead of each taking all of them.
   */
  threads: number;
}

/**
 * The loader's shard: `rank`/`worldSize` from the options when either is given, else
 * from the launcher's environment; splits the node's thread budget between local ranks.
 */
function resolveShard(options: LoaderOptions): LoaderShard {
  if (options.rank !== undefined || options.worldSize !== undefined) {
    return {
      rank: options.rank ?? 0,
      worldSize: options.worldSize ?? 1,
      source: 'options',
      threads: poolInfo().numThreads,
    };
  }
  const env = distributedEnv();
  const pool = poolInfo();
  if (env.localWorldSize > 1 && !pool.configured && !process.env.GVL_NUM_THREADS?.trim()) {
    const share = planWorkers(env.localWorldSize).perWorker[env.localRank] as number;
    configurePool({ numThreads: share });
  }
  return {
    rank: env.rank,
    worldSize: env.worldSize,
    source: env.source,
    threads: poolInfo().numThreads,
  };
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
 * `GVL_LOADER_CLOSED`, or `GVL_ABORTED` when the signal fired).
 *
 * @typeParam O - the type of each batch's `data`: the dataset's `DatasetOutput`.
 */
export interface Loader<O = GetOutput> extends AsyncIterableIterator<Batch<O>> {
  /** Stops the loader; resolves once every pending batch has settled. */
  close(): Promise<void>;
  /** Live counters. */
  readonly stats: Readonly<LoaderStats>;
  /** Mode in use. */
  readonly mode: LoaderMode;
  /** The share of each epoch this loader visits and its thread count. */
  readonly shard: Readonly<LoaderShard>;
}

interface Pending {
  planned: PlannedBatch;
  promise: Promise<GetOutput>;
  settled: boolean;
  reject: (e: unknown) => void;
}

/**
 * The rules of the options only the loader reads (the batch options are
 * {@link planBatches}'s, the mode {@link checkLoaderMode}'s).
 */
const loaderSchema = v.looseObject({
  workers: v.undefined(
    "the option to be absent: it was removed with loader mode 'worker' (inline batches use the whole thread budget; size it with GVL_NUM_THREADS, or split it across processes with planWorkers from @gvl/threads)",
  ),
  prefetch: v.optional(intAtLeast(1), 2),
  reuse: v.optional(bool, false),
});

/** The `GVL_ABORTED` error of a loader whose signal fired after `delivered` batches. */
function abortedBy(signal: AbortSignal | undefined, delivered: number): AbortedError {
  return new AbortedError(`loader aborted by its signal after ${delivered} batch(es)`, {
    value: delivered,
    cause: signal?.reason,
  });
}

/**
 * The error for loader modes that are not run: `'worker'` and `'process'` (removed or never
 * provided: one process's batches already use its whole thread budget) and unknown names.
 */
function modeError(mode: unknown): GvlError {
  const allowed = LOADER_MODES.map((m) => `'${m}'`).join(', ');
  const instead = `use 'inline' (each batch runs in parallel on the thread budget), or several processes that each open the dataset, with planWorkers from @gvl/threads splitting the budget (see @gvl/stress)`;
  if (mode === 'worker')
    return new GvlError(
      'GVL_INVALID_MODE',
      `loader mode 'worker' was removed: each batch is one native call that already runs on every thread of the budget, so worker threads only added a message round trip (0.3–0.65× the speed of 'inline', measured on 2 CPUs); expected one of ${allowed}: ${instead}`,
      { value: mode },
    );
  if (mode === 'process')
    return new GvlError(
      'GVL_MODE_UNAVAILABLE',
      `loader mode 'process' is known but not available: batches cannot be shared with child processes without a copy; ${instead}`,
      { value: mode },
    );
  return new GvlError(
    'GVL_INVALID_MODE',
    `loader mode ${JSON.stringify(mode)} is not supported: expected one of ${allowed}`,
    { value: mode },
  );
}

/**
 * @internal The loader mode named by `mode` (`undefined` = `'inline'`).
 * @throws {@link GvlError} `GVL_INVALID_MODE` / `GVL_MODE_UNAVAILABLE` (see {@link modeError}).
 */
export function checkLoaderMode(mode: unknown): LoaderMode {
  const m = mode ?? 'inline';
  if (!(LOADER_MODES as readonly unknown[]).includes(m)) throw modeError(m);
  return m as LoaderMode;
}

/** @internal */
export function createLoader(ds: Dataset, options: LoaderOptions): Loader {
  const mode = checkLoaderMode(options.mode);
  const { prefetch, reuse } = parse(loaderSchema, options);
  const shard = resolveShard(options);
  const plans = planBatches(ds, { ...options, rank: shard.rank, worldSize: shard.worldSize });
  const ring = reuse ? new OutputRing(prefetch + 2) : null;
  return new LoaderImpl(ds, mode, plans, prefetch, options.signal, ring, shard);
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
  readonly shard: Readonly<LoaderShard>;
  readonly #ds: Dataset;
  readonly #plans: Iterator<PlannedBatch>;
  readonly #prefetch: number;
  readonly #queue: Pending[] = [];
  readonly #ctrl = new AbortController();
  readonly #stats: LoaderStats = { delivered: 0, inFlight: 0, maxInFlight: 0 };
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
    signal: AbortSignal | undefined,
    ring: OutputRing | null,
    shard: LoaderShard,
  ) {
    this.mode = mode;
    this.shard = Object.freeze(shard);
    this.#ring = ring;
    this.#ds = ds;
    this.#plans = plans;
    this.#prefetch = prefetch;
    this.#signal = signal;
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
      const work = computeBatch(
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
    this.#closing = Promise.allSettled(pending.map((p) => p.promise)).then(() => undefined);
    return this.#closing;
  }
}
