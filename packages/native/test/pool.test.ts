// The private rayon pool: fixed once per process with an explicit size,
// never from RAYON_NUM_THREADS; configurePool before first use; a later
// different size is GVL_POOL_CONFIGURED; pool build failure is a typed error.
import { describe, expect, it } from 'vitest';
import * as gvl from '../src-ts/index.js';
import { DIST, runNode } from './helpers/run-node.js';

describe('pool configuration (this process)', () => {
  it('poolInfo has no side effects before the first kernel', () => {
    const before = gvl.poolInfo();
    expect(before.configured).toBe(false);
    expect(before.built).toBe(false);
    expect(before.source).toMatch(/^capThreads:/);
    expect(gvl.poolInfo().configured).toBe(false);
  });

  it('configurePool fixes the size; the same size again is a no-op', () => {
    const info = gvl.configurePool({ numThreads: 3 });
    expect(info).toMatchObject({
      numThreads: 3,
      source: 'configurePool',
      configured: true,
      built: false,
    });
    expect(gvl.configurePool({ numThreads: 3 }).numThreads).toBe(3);
  });

  it('a different size afterwards throws PoolConfiguredError naming the value', () => {
    let caught: unknown;
    try {
      gvl.configurePool({ numThreads: 5 });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(gvl.PoolConfiguredError);
    expect(caught).toMatchObject({ code: 'GVL_POOL_CONFIGURED', param: 'numThreads', value: 5 });
    expect(gvl.poolInfo().numThreads).toBe(3);
  });

  it('the first parallel kernel spawns exactly the configured threads', () => {
    gvl.reverseRowsSync(
      { data: new Float32Array([1, 2]), offsets: new BigInt64Array([0n, 2n]) },
      { parallel: true },
    );
    expect(gvl.poolInfo()).toMatchObject({ numThreads: 3, built: true });
  });

  it('invalid options are typed errors', () => {
    expect(() => gvl.configurePool({ numThreads: 0 })).toThrow(
      expect.objectContaining({ code: 'GVL_INVALID_ARGUMENT', param: 'numThreads', value: 0 }),
    );
    expect(() => gvl.configurePool({ numThreads: 2.5 })).toThrow(gvl.InvalidArgumentError);
    expect(() => gvl.configurePool({ maxInFlight: 0 })).toThrow(
      expect.objectContaining({ code: 'GVL_INVALID_ARGUMENT', param: 'maxInFlight' }),
    );
    expect(() => gvl.configurePool(null as never)).toThrow(gvl.InvalidArgumentError);
  });

  it('maxInFlight is per environment and adjustable', () => {
    expect(gvl.configurePool({ maxInFlight: 2 }).maxInFlight).toBe(2);
    expect(gvl.poolInfo().maxInFlight).toBe(2);
  });
});

describe('pool sizing in fresh processes', () => {
  it('defaults to capThreads() and ignores an ambient RAYON_NUM_THREADS', () => {
    const { result } = runNode<{ info: gvl.PoolInfo; rayon: string | undefined; tids: number }>(
      `import * as g from '${DIST}';
       import { readdirSync } from 'node:fs';
       const before = readdirSync('/proc/self/task').length;
       g.reverseRowsSync({ data: new Float32Array(4), offsets: new BigInt64Array([0n, 4n]) }, { parallel: true });
       const tids = readdirSync('/proc/self/task').length - before;
       console.log(JSON.stringify({ info: g.poolInfo(), rayon: process.env.RAYON_NUM_THREADS, tids }));`,
      { GVL_NUM_THREADS: '3', RAYON_NUM_THREADS: '16' },
    );
    expect(result.info).toMatchObject({ numThreads: 3, source: 'capThreads:env', built: true });
    // capThreads overwrote the ambient value, and the pool spawned 3 threads, not 16
    expect(result.rayon).toBe('3');
    expect(result.tids).toBe(3);
  });

  it('configurePool before the first kernel wins over the default', () => {
    const { result } = runNode<gvl.PoolInfo>(
      `import * as g from '${DIST}';
       g.configurePool({ numThreads: 5 });
       g.getDiffsSync({ regions: new Int32Array(0), ploidy: 2, groups: new BigInt64Array(0),
         genotypes: { offsets: new BigInt64Array([0n]), variantIdxs: new Int32Array(0) },
         variants: { starts: new Int32Array(0), ilens: new Int32Array(0) } }, { parallel: true });
       console.log(JSON.stringify(g.poolInfo()));`,
      { GVL_NUM_THREADS: '2' },
    );
    expect(result).toMatchObject({ numThreads: 5, source: 'configurePool', built: true });
  });

  it('a failed pool build is a PoolBuildError; serial kernels still run and the process exits cleanly', () => {
    const { status, result } = runNode<{
      code: string;
      name: string;
      serial: number[];
      counters: gvl.KernelCounters;
    }>(
      `import * as g from '${DIST}';
       const input = { data: new Float32Array([1, 2, 3]), offsets: new BigInt64Array([0n, 3n]) };
       let code = null, name = null;
       try { await g.reverseRows(input, { parallel: true }); } catch (e) { code = e.code; name = e.name; }
       const serial = Array.from(g.reverseRowsSync(input, { parallel: false }));
       console.log(JSON.stringify({ code, name, serial, counters: g.counters() }));`,
      { GVL_NATIVE_FAULT: 'pool-build' },
    );
    expect(status).toBe(0);
    expect(result.code).toBe('GVL_POOL_BUILD_FAILED');
    expect(result.name).toBe('PoolBuildError');
    expect(result.serial).toEqual([3, 2, 1]);
    expect(result.counters).toMatchObject({ started: 2, completed: 1, failed: 1, inFlight: 0 });
  });
});
