/**
 * Entry point of one thread-mode worker (a `worker_threads` Worker in the host
 * process): runs the worker loop and posts its messages to the host.
 *
 * @internal
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { WorkerSpec } from './protocol.js';
import { runWorker } from './worker-loop.js';

await runWorker(workerData as WorkerSpec, (m) => parentPort?.postMessage(m));
