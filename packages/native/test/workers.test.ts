// The addon inside worker_threads: each worker loads it in its own
// environment and shares the process pool; results equal the main thread's
// bytes; terminating workers mid-kernel 100 times crashes nothing and later
// workers run fine.
import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as gvl from '../src-ts/index.js';
import { buildCase, bytesOf, worldArb } from './arbitraries.js';
import { WORKER } from './helpers/run-node.js';

interface Reply {
  kind: string;
  out?: Uint8Array;
  pool?: gvl.PoolInfo;
  length?: number;
}

function once(worker: Worker, kind: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: Reply) => {
      if (m.kind === kind) {
        worker.off('message', onMessage);
        resolve(m);
      }
    };
    worker.on('message', onMessage);
    worker.once('error', reject);
  });
}

describe('worker_threads', () => {
  it('kernels in 4 concurrent workers equal the main thread, byte for byte (zero-copy transfer back)', async () => {
    gvl.configurePool({ numThreads: 2 });
    const cases = fc.sample(worldArb(10), { numRuns: 24, seed: 7 }).map(buildCase);
    const workers = Array.from({ length: 4 }, () => new Worker(WORKER));
    try {
      const replies = new Map<number, Reply>();
      const all = new Promise<void>((resolve, reject) => {
        for (const w of workers) {
          w.on('message', (m: Reply & { id: number }) => {
            replies.set(m.id, m);
            if (replies.size === cases.length) resolve();
          });
          w.once('error', reject);
        }
      });
      cases.forEach((c, id) => {
        (workers[id % 4] as Worker).postMessage({
          kind: 'haplotypes',
          id,
          input: c.haplotypes,
          parallel: id % 2 === 0,
        });
      });
      await all;
      cases.forEach((c, id) => {
        const r = replies.get(id);
        if (!r?.out) throw new Error(`missing reply ${id}`);
        expect(r.out.buffer.byteLength).toBe(r.out.byteLength); // transferred, not a view of a copy
        expect(bytesOf(r.out)).toStrictEqual(bytesOf(gvl.reconstructHaplotypesSync(c.haplotypes)));
        // the pool is per process: workers see the size the main thread fixed
        expect(r.pool?.numThreads).toBe(2);
      });
    } finally {
      await Promise.all(workers.map((w) => w.terminate()));
    }
  });

  it('terminating workers mid-kernel 100 times crashes nothing; later workers run fine', async () => {
    const before = gvl.counters();
    let terminated = 0;
    let midKernel = 0;
    for (let wave = 0; wave < 25; wave++) {
      await Promise.all(
        Array.from({ length: 4 }, async (_, j) => {
          const w = new Worker(WORKER);
          const started = once(w, 'started');
          w.postMessage({ kind: 'long', rows: 60, insertion: 4000, parallel: j % 2 === 0 });
          await started;
          if (gvl.counters().inFlight > 0) midKernel += 1;
          const code = await w.terminate();
          expect(code).toBe(1);
          terminated += 1;
        }),
      );
    }
    expect(terminated).toBe(100);
    // the kernels were really running (process-wide counters) when most terminations began
    expect(midKernel).toBeGreaterThanOrEqual(50);
    // a fresh worker completes a kernel
    const w = new Worker(WORKER);
    try {
      const done = once(w, 'done');
      w.postMessage({ kind: 'long', rows: 4, insertion: 100, parallel: true });
      const reply = await done;
      expect(reply.length).toBe(4 * 104);
    } finally {
      await w.terminate();
    }
    // the main thread is fine too, and counters balance process-wide
    const out = gvl.reverseRowsSync({
      data: new Float32Array([1, 2, 3]),
      offsets: new BigInt64Array([0n, 3n]),
    });
    expect(Array.from(out)).toEqual([3, 2, 1]);
    const after = gvl.counters();
    expect(after.started - before.started).toBeGreaterThanOrEqual(102);
    expect(after.inFlight).toBe(0);
    expect(after.started).toBe(after.completed + after.cancelled + after.failed);
  });
});
