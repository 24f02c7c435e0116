/**
 * The body of every gvl-ts worker (process or thread): open the workload, repeat it,
 * sample this process's OS thread count, report as JSON messages.
 *
 * @internal
 * @module
 */
import { currentTid, readThreads } from './proc.js';
import {
  type PoolReport,
  serializeError,
  type WorkerMessage,
  type WorkerSpec,
} from './protocol.js';
import { openWorkload } from './workload.js';

async function pool(): Promise<PoolReport> {
  const { poolInfo } = await import('@gvl/native');
  const p = poolInfo();
  return { numThreads: p.numThreads, source: p.source };
}

/** Blocks the calling thread forever, parked on a futex (the injected hang). */
function blockForever(): never {
  const cell = new Int32Array(new SharedArrayBuffer(4));
  for (;;) Atomics.wait(cell, 0, 0);
}

/**
 * Runs one worker to completion and reports through `send`. Never throws: a failure is
 * reported as a `fail` message. With `spec.injectHang`, blocks forever after the first
 * iteration (never returns).
 *
 * The thread sampler is a timer on this thread's event loop; the work itself runs off
 * this thread (async kernels), so the timer keeps firing while kernels run.
 */
export async function runWorker(spec: WorkerSpec, send: (m: WorkerMessage) => void): Promise<void> {
  const { worker } = spec;
  let peak = readThreads() ?? 0;
  const sample = () => {
    const n = readThreads() ?? 0;
    if (n > peak) peak = n;
    return n;
  };
  const timer = setInterval(sample, spec.sampleMs);
  timer.unref();
  try {
    send({ t: 'hello', worker, pid: process.pid, tid: currentTid(), threads: sample() });
    const started = performance.now();
    const workload = await openWorkload(spec.workload);
    send({ t: 'ready', worker, pool: await pool(), threads: sample() });
    let bytes = 0;
    for (let iter = 0; iter < spec.iters; iter++) {
      // The first iteration's output is hashed, to compare workers (and engines).
      const r = await workload.iterate(iter === 0);
      bytes += r.bytes;
      send({
        t: 'iter',
        worker,
        iter,
        bytes: r.bytes,
        threads: sample(),
        ...(r.digest === null ? {} : { digest: r.digest }),
      });
      if (spec.injectHang) {
        send({ t: 'hang', worker, threads: sample() });
        blockForever();
      }
    }
    send({
      t: 'done',
      worker,
      iters: spec.iters,
      bytes,
      pool: await pool(),
      peakThreads: Math.max(peak, sample()),
      elapsedMs: performance.now() - started,
    });
  } catch (e) {
    send({ t: 'fail', worker, error: serializeError(e), peakThreads: Math.max(peak, sample()) });
  } finally {
    clearInterval(timer);
  }
}
