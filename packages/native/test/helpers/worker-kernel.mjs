// Worker-thread script: loads the addon in this worker's environment and runs
// kernels on request. Messages: { kind: 'haplotypes', id, input } -> { id, bytes }
// (transferred); { kind: 'long', rows, insertion } -> posts 'started', then
// the result checksum when (if) the kernel finishes.
import { parentPort } from 'node:worker_threads';
import * as gvl from '../../dist/index.js';
import { longRealignInput } from './long-case.mjs';

parentPort.on('message', async (msg) => {
  if (msg.kind === 'haplotypes') {
    const out = new Uint8Array(Number(msg.input.outOffsets.at(-1)));
    await gvl.reconstructHaplotypes(msg.input, { parallel: msg.parallel, out });
    parentPort.postMessage({ kind: 'haplotypes', id: msg.id, out, pool: gvl.poolInfo() }, [
      out.buffer,
    ]);
  } else if (msg.kind === 'long') {
    const pending = gvl.realignTracks(longRealignInput(msg), { parallel: msg.parallel });
    parentPort.postMessage({ kind: 'started' });
    const out = await pending;
    parentPort.postMessage({ kind: 'done', length: out.length, first: out[1] });
  }
});
