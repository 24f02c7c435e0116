/**
 * Entry point of a gvl-ts worker process (process mode): `node worker-process.js SPEC`,
 * spawned (never forked) by the harness in its own process group. Exits on its own
 * when done: a worker that finishes its work but cannot exit is a hang too.
 *
 * @internal
 * @module
 */
import type { WorkerSpec } from './protocol.js';
import { sendLine } from './report-channel.js';
import { runWorker } from './worker-loop.js';

const spec = JSON.parse(process.argv[2] ?? '{}') as WorkerSpec;
let failed = false;
await runWorker(spec, (m) => {
  if (m.t === 'fail') failed = true;
  sendLine(m);
});
if (failed) process.exitCode = 1;
