/**
 * Loaders over the real chr20 dataset: ordering, bounded prefetch, bytes equal to get(),
 * close() with batches pending, AbortSignal, and the invalid-mode table (including the
 * removed 'worker' mode).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { counters, IndexOutOfRangeError, type NativeError } from '@gvl/native';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  AbortedError,
  Dataset,
  GvlError,
  isGvlError,
  LOADER_MODES,
  planBatches,
  type Ragged,
  write,
} from '../src/index.js';
import { SYNC_YIELD_MS } from '../src/read-pipeline.js';
import { chr20, hasChr20, suiteName } from './helpers.js';

const missing = hasChr20 ? [] : [`real data not found at ${chr20.vcf} (set GVL_DATA_DIR)`];

function sameBytes(a: Ragged<Uint8Array>, b: Ragged<Uint8Array>): boolean {
  return (
    Buffer.compare(Buffer.from(a.data), Buffer.from(b.data)) === 0 &&
    Buffer.compare(
      Buffer.from(a.offsets.buffer, a.offsets.byteOffset, a.offsets.byteLength),
      Buffer.from(b.offsets.buffer, b.offsets.byteOffset, b.offsets.byteLength),
    ) === 0
  );
}

describe.skipIf(missing.length > 0)(suiteName('loaders', missing), () => {
  let dir = '';
  let ds: Dataset;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gvl-loader-'));
    const path = join(dir, 'chr20.gvl');
    await write(path, {
      bed: chr20.bed2kb,
      variants: chr20.vcf,
      progress: false,
      onWarning: () => undefined,
    });
    // 40 regions x 30 samples keeps the suite quick while crossing many batches.
    ds = (await Dataset.open(path, { reference: chr20.fasta })).subsetTo({
      regions: { kind: 'slice', stop: 40 },
      samples: { kind: 'slice', stop: 30 },
    });
  }, 60_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('plans every (region, sample) pair once, region-major or shuffled with a seed; dropLast drops the tail', () => {
    const plain = [...planBatches(ds, { batchSize: 64 })];
    expect(plain.length).toBe(Math.ceil(1200 / 64));
    expect([...(plain[0]?.regions.subarray(0, 31) ?? [])]).toEqual([...new Array(30).fill(0), 1]);
    const seen = new Set<number>();
    for (const b of [...planBatches(ds, { batchSize: 64, shuffle: true, seed: 3 })]) {
      for (let i = 0; i < b.regions.length; i++)
        seen.add((b.regions[i] as number) * 30 + (b.samples[i] as number));
    }
    expect(seen.size).toBe(1200);
    const a = [...planBatches(ds, { batchSize: 64, shuffle: true, seed: 3 })];
    const b = [...planBatches(ds, { batchSize: 64, shuffle: true, seed: 3 })];
    const c = [...planBatches(ds, { batchSize: 64, shuffle: true, seed: 4 })];
    expect(a[0]?.regions).toEqual(b[0]?.regions);
    expect(a[0]?.regions).not.toEqual(c[0]?.regions);
    expect([...planBatches(ds, { batchSize: 64, dropLast: true })].length).toBe(
      Math.floor(1200 / 64),
    );
  });

  it.each([{ mode: 'inline' as const }, {}])(
    'loader(%j): batches arrive in order, prefetch stays bounded, bytes equal get()',
    async (modeOption) => {
      const loader = ds.loader({
        ...modeOption,
        batchSize: 50,
        shuffle: true,
        seed: 11,
        prefetch: 3,
      });
      expect(loader.mode).toBe('inline');
      let expectIndex = 0;
      for await (const batch of loader) {
        expect(batch.index).toBe(expectIndex++);
        if (batch.index % 6 === 0) {
          const direct = (await ds.get(batch.regions, batch.samples)) as Ragged<Uint8Array>;
          expect(sameBytes(batch.data as Ragged<Uint8Array>, direct)).toBe(true);
        }
        expect(loader.stats.inFlight).toBeLessThanOrEqual(3);
      }
      expect(expectIndex).toBe(24);
      expect(loader.stats.maxInFlight).toBeLessThanOrEqual(3);
      expect(loader.stats.delivered).toBe(24);
    },
  );

  it('close() with batches pending settles them all and stops', async () => {
    const loader = ds.loader({ batchSize: 40, prefetch: 4 });
    const first = await loader.next();
    expect(first.done).toBe(false);
    const pending = loader.next(); // a batch in flight when close() is called
    const settled = pending.then(
      (r) => ({ ok: true as const, done: r.done }),
      (e: GvlError) => ({ ok: false as const, code: e.code }),
    );
    await loader.close();
    const outcome = await settled;
    // Either it finished before close() or it rejected with the shutdown error; never left pending.
    if (!outcome.ok) expect(outcome.code).toBe('GVL_LOADER_CLOSED');
    expect(loader.stats.inFlight).toBe(0);
    expect(await loader.next()).toEqual({ done: true, value: undefined });
  });

  it('an AbortSignal stops the loader with GVL_ABORTED', async () => {
    const ctrl = new AbortController();
    const loader = ds.loader({ batchSize: 40, signal: ctrl.signal });
    await loader.next();
    ctrl.abort();
    await expect(loader.next()).rejects.toMatchObject({ code: 'GVL_ABORTED' });
    await loader.close();
    expect(loader.stats.inFlight).toBe(0);
  });

  it('a loader created with an aborted signal never starts', async () => {
    const loader = ds.loader({ signal: AbortSignal.abort() });
    await expect(loader.next()).rejects.toMatchObject({ code: 'GVL_ABORTED' });
  });

  it('breaking out of for-await closes the loader', async () => {
    const loader = ds.loader({ batchSize: 30 });
    for await (const b of loader) if (b.index === 2) break;
    expect(loader.stats.inFlight).toBe(0);
    expect(await loader.next()).toEqual({ done: true, value: undefined });
  });

  it.each([
    [{ mode: 'auto' }, 'GVL_INVALID_MODE', 'auto'],
    [{ mode: 'threads' }, 'GVL_INVALID_MODE', 'threads'],
    [{ mode: '' }, 'GVL_INVALID_MODE', ''],
    [{ mode: 42 }, 'GVL_INVALID_MODE', 42],
    [{ mode: 'worker' }, 'GVL_INVALID_MODE', 'worker'],
    [{ mode: 'process' }, 'GVL_MODE_UNAVAILABLE', 'process'],
    [{ workers: 2 }, 'GVL_INVALID_ARGUMENT', 2],
    [{ mode: 'inline', workers: 1 }, 'GVL_INVALID_ARGUMENT', 1],
    [{ prefetch: 1.5 }, 'GVL_INVALID_ARGUMENT', 1.5],
    [{ batchSize: 0 }, 'GVL_INVALID_ARGUMENT', 0],
  ])('loader(%j) throws %s naming %j, never falls back', (opts, code, value) => {
    let caught: unknown;
    try {
      ds.loader(opts as never);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(GvlError);
    expect(caught).toMatchObject({ code, value });
    if (code === 'GVL_INVALID_MODE')
      expect((caught as Error).message).toContain("expected one of 'inline'");
  });

  it("loader({ mode: 'worker' }) throws GVL_INVALID_MODE saying it was removed, before any work starts", async () => {
    expect(LOADER_MODES).toEqual(['inline']);
    const before = counters();
    const planned = vi.spyOn(ds, 'batchRequest');
    let caught: unknown;
    try {
      ds.loader({ mode: 'worker' as never, batchSize: 8 });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(GvlError);
    expect(isGvlError(caught, 'GVL_INVALID_MODE')).toBe(true);
    expect(caught).toMatchObject({ value: 'worker' });
    const message = (caught as Error).message;
    expect(message).toContain("loader mode 'worker' was removed");
    expect(message).toContain("expected one of 'inline'");
    expect(message).toContain('planWorkers from @gvl/threads');
    // Nothing was planned or started: no batch request, no native call.
    expect(planned).not.toHaveBeenCalled();
    planned.mockRestore();
    expect(counters().started).toBe(before.started);
    // The removed option is named with the same reason.
    expect(() => ds.loader({ workers: 4 } as never)).toThrow(
      expect.objectContaining({
        code: 'GVL_INVALID_ARGUMENT',
        value: 4,
        message: expect.stringContaining("removed with loader mode 'worker'"),
      }),
    );
  });

  it.each([
    [() => ds.withSeqs('variant-windows' as never), 'GVL_INVALID_MODE'],
    [() => ds.withSettings({ parallel: 'yes' as never }), 'GVL_INVALID_MODE'],
    [
      () => ds.withSettings({ insertionFill: { x: { kind: 'nearest' } as never } }),
      'GVL_INVALID_MODE',
    ],
    [
      () => ds.withSettings({ insertionFill: { x: { kind: 'interpolate', order: 33 } } }),
      'GVL_INVALID_ARGUMENT',
    ],
    [() => ds.withLen('fixed' as never), 'GVL_INVALID_ARGUMENT'],
    [() => ds.withTracks('nope'), 'GVL_INVALID_ARGUMENT'],
    [() => ds.withSettings({ jitter: -1 }), 'GVL_INVALID_ARGUMENT'],
  ])('every other mode switch rejects unknown values (%#) with %s', (fn, code) => {
    expect(fn).toThrow(expect.objectContaining({ code }));
  });

  it('a bad fill parameter is refused when set, named as the addon names it', () => {
    expect(() =>
      ds.withSettings({ insertionFill: { x: { kind: 'flankSample', flankWidth: -3 } } }),
    ).toThrow(
      expect.objectContaining({
        code: 'GVL_INVALID_ARGUMENT',
        param: 'insertionFill.x.flankWidth',
        value: -3,
      }),
    );
  });

  it('an abort between batches rejects with AbortedError, cause = the signal reason', async () => {
    const ctrl = new AbortController();
    const reason = new Error('enough');
    const loader = ds.loader({ batchSize: 40, signal: ctrl.signal });
    await loader.next();
    ctrl.abort(reason);
    const err = await loader.next().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AbortedError);
    expect(err).toMatchObject({ code: 'GVL_ABORTED', cause: reason, value: 1 });
    await loader.close();
  });

  it('batches({ signal }): an abort rejects with AbortedError (cause = reason), not the reason', async () => {
    const ctrl = new AbortController();
    const reason = new Error('stop here');
    const seen: number[] = [];
    const err = await (async () => {
      for await (const b of ds.batches({ batchSize: 50, signal: ctrl.signal })) {
        seen.push(b.index);
        if (b.index === 1) ctrl.abort(reason);
      }
    })().then(
      () => null,
      (e: unknown) => e,
    );
    expect(seen).toEqual([0, 1]);
    expect(err).not.toBe(reason);
    expect(err).toBeInstanceOf(AbortedError);
    expect(isGvlError(err, 'GVL_ABORTED')).toBe(true);
    expect(err).toMatchObject({ cause: reason, value: 2 });
    // An already-aborted signal: no batch is computed.
    const pre = ds.batches({ signal: AbortSignal.abort(reason) });
    await expect(pre.next()).rejects.toMatchObject({ code: 'GVL_ABORTED', cause: reason });
  });

  it('a native error in a batch reaches the consumer as the native class, and closes the loader', async () => {
    // A fresh copy whose genotype table is replaced after open: the kernel rejects
    // variant index 10^9 (GVL_INDEX_OUT_OF_RANGE) before its parallel region.
    const bad = (await Dataset.open(join(dir, 'chr20.gvl'), { reference: chr20.fasta })).subsetTo({
      regions: { kind: 'slice', stop: 4 },
      samples: { kind: 'slice', stop: 4 },
    });
    const files = bad.internals.core.files;
    const g = files.genotypes;
    if (!g) throw new Error('the chr20 dataset has genotypes');
    const variantIdxs = new Int32Array(g.variantIdxs.length).fill(1_000_000_000);
    files.genotypes = { offsets: g.offsets, variantIdxs };
    const loader = bad.loader({ batchSize: 16 });
    const err = (await loader.next().then(
      () => null,
      (e: unknown) => e,
    )) as NativeError;
    expect(err).toBeInstanceOf(IndexOutOfRangeError);
    expect(err).toBeInstanceOf(GvlError);
    expect(isGvlError(err, 'GVL_INDEX_OUT_OF_RANGE')).toBe(true);
    expect(err.message).not.toContain('GVL_');
    expect(loader.stats.inFlight).toBe(0);
    await loader.close();
  });

  it('reuse: true gives the bytes of reuse: false, from a ring of prefetch + 2 recycled buffers', async () => {
    const opts = { batchSize: 48, shuffle: true, seed: 5, prefetch: 2 } as const;
    const fresh: Ragged<Uint8Array>[] = [];
    const freshBuffers = new Set<ArrayBufferLike>();
    for await (const b of ds.loader(opts)) {
      const r = b.data as Ragged<Uint8Array>;
      fresh.push(r);
      freshBuffers.add(r.data.buffer);
    }
    expect(freshBuffers.size).toBe(fresh.length); // default: every batch owns new memory

    const buffers = new Set<ArrayBufferLike>();
    let prev: { view: Ragged<Uint8Array>; copy: Uint8Array } | null = null;
    let i = 0;
    for await (const b of ds.loader({ ...opts, reuse: true })) {
      const r = b.data as Ragged<Uint8Array>;
      expect(sameBytes(r, fresh[i] as Ragged<Uint8Array>)).toBe(true);
      // The ownership rule: the previous batch is intact until the batch after next is requested.
      if (prev) expect(Buffer.compare(Buffer.from(prev.view.data), Buffer.from(prev.copy))).toBe(0);
      prev = { view: r, copy: r.data.slice() };
      buffers.add(r.data.buffer);
      i++;
    }
    expect(i).toBe(fresh.length);
    // Slots grow (25% headroom) only when a batch does not fit: far fewer buffers than batches.
    expect(buffers.size).toBeLessThan(fresh.length / 2);
  });

  it('reuse must be a boolean', () => {
    expect(() => ds.loader({ reuse: 'yes' as never })).toThrow(
      expect.objectContaining({ code: 'GVL_INVALID_ARGUMENT' }),
    );
  });

  it('synchronous batches yield to the event loop once the time budget is spent (controlled clock)', async () => {
    // Counts turns of the event loop (a self-rescheduling setImmediate) during one epoch.
    async function turnsDuringEpoch(): Promise<{ turns: number; batches: number }> {
      let turns = 0;
      let done = false;
      const tick = () => {
        if (done) return;
        turns++;
        setImmediate(tick);
      };
      setImmediate(tick);
      let batches = 0;
      for await (const _ of ds.loader({ batchSize: 100, reuse: true })) batches++;
      done = true;
      return { turns, batches };
    }
    let t = 1e9;
    // Frozen clock (after one first yield): the budget is never spent, nothing yields.
    const frozen = vi.spyOn(performance, 'now').mockImplementation(() => t);
    try {
      await turnsDuringEpoch(); // spends the first yield at this clock value
      const still = await turnsDuringEpoch();
      expect(still.batches).toBe(12);
      expect(still.turns).toBe(0);
    } finally {
      frozen.mockRestore();
    }
    // A clock that spends the budget at every reading: every batch yields once; the
    // `prefetch` (2) batches started together yield in the same turn.
    const ticking = vi.spyOn(performance, 'now').mockImplementation(() => (t += SYNC_YIELD_MS));
    try {
      const busy = await turnsDuringEpoch();
      expect(busy.turns).toBeGreaterThanOrEqual(busy.batches / 2 - 1);
    } finally {
      ticking.mockRestore();
    }
  });
});
