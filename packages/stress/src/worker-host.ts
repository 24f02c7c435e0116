/**
 * Entry point of the thread-mode host: `node worker-host.js SPECS` runs one
 * `worker_threads` Worker per spec in this single process (spawned by the harness in
 * its own process group) and forwards their messages to fd 3. The rayon pool is
 * process-wide, so every worker thread shares the one pool sized by `GVL_NUM_THREADS`.
 *
 * @internal
 * @module
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { readThreads } from './proc.js';
import { serializeError, type WorkerMessage, type WorkerSpec } from './protocol.js';
import { sendLine } from './report-channel.js';

const specs = JSON.parse(process.argv[2] ?? '[]') as WorkerSpec[];
/** Through the package's `"imports"` map: `#worker-thread` → `dist/worker-thread.js`. */
const entry = createRequire(import.meta.url).resolve('#worker-thread');
let failed = false;

for (const spec of specs) {
  let finished = false;
  const w = new Worker(entry, { workerData: spec });
  w.on('message', (m: WorkerMessage) => {
    if (m.t === 'done' || m.t === 'fail') finished = true;
    if (m.t === 'fail') failed = true;
    sendLine(m);
  });
  w.on('error', (e) => {
    finished = true;
    failed = true;
    sendLine({
      t: 'fail',
      worker: spec.worker,
      error: serializeError(e),
      peakThreads: readThreads() ?? 0,
    });
  });
  w.on('exit', (code) => {
    if (finished) return;
    failed = true;
    sendLine({
      t: 'fail',
      worker: spec.worker,
      error: {
        name: 'WorkerExit',
        message: `worker thread exited with code ${code} before reporting`,
      },
      peakThreads: readThreads() ?? 0,
    });
  });
}

process.on('exit', () => {
  if (failed) process.exitCode = 1;
});
