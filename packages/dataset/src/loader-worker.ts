import { parentPort, workerData } from 'node:worker_threads';
import { attachArrays } from './mapped-arrays.js';
import type { DatasetFiles } from './open.js';
import { type BatchRequest, type Core, computeBatch } from './query.js';
import { errorToWire, toWire, type WorkerInit } from './wire.js';

// A loader worker thread: computes batches on memory shared with the main thread (and on
// the same mapped files, mapped again here on the first batch; a failure to do so is that
// batch's error).
const init = workerData as WorkerInit;
let core: Core | null = null;
const getCore = (): Core =>
  (core ??= {
    files: attachArrays(init.core.files) as DatasetFiles,
    reference: init.core.reference,
  });
const controllers = new Map<number, AbortController>();

parentPort?.on('message', async (m: { id?: number; req?: BatchRequest; cancel?: number }) => {
  if (m.cancel !== undefined) {
    controllers.get(m.cancel)?.abort();
    return;
  }
  const id = m.id as number;
  const ctrl = new AbortController();
  controllers.set(id, ctrl);
  try {
    const out = await computeBatch(getCore(), init.plan, m.req as BatchRequest, ctrl.signal);
    const { wire, transfer } = toWire(out);
    parentPort?.postMessage({ id, ok: true, out: wire }, transfer);
  } catch (e) {
    // Rebuilt on the main thread as the same class, code and value (see wire.ts).
    parentPort?.postMessage({ id, ok: false, error: errorToWire(e) });
  } finally {
    controllers.delete(id);
  }
});
