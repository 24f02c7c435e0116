// AbortSignal: a call aborted before it starts, while waiting for admission,
// while queued in libuv, or while running (cooperative flag between rows)
// rejects with AbortError (GVL_ABORTED); the next call works; counters
// balance; no pending entries are left behind.
//
// "While running" is made deterministic by the native row gate (test-only,
// `debugRowGate*` of the `test-hooks` build, see helpers/test-hooks.ts): the kernel holds before row k until
// the test has seen it there and aborted. No sleeps, no wall-clock bounds.
import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import * as gvl from '../src-ts/index.js';
import { longGatherInput, longRealignInput } from './helpers/long-case.mjs';
import { DIST, LONG_CASE, runNode } from './helpers/run-node.js';
import { hooks } from './helpers/test-hooks.js';

const long = longRealignInput({ rows: 400, insertion: 5000 });
const short = longRealignInput({ rows: 4, insertion: 50 });

function balanced(c: gvl.KernelCounters): void {
  expect(c.started).toBe(c.completed + c.cancelled + c.failed + c.inFlight);
}

/**
 * Of `n` calls started in one synchronous burst where call `i` is aborted right after it
 * starts when `i % 3 === 0`: how many must reject. Calls beyond the admission limit wait
 * in the admission queue, where an abort always wins; the first `maxInFlight` calls reach
 * libuv at once, and a short kernel may finish there before the abort (either is correct).
 */
function surelyAborted(n: number): number {
  const limit = gvl.poolInfo().maxInFlight;
  let k = 0;
  for (let i = limit; i < n; i++) if (i % 3 === 0) k++;
  return k;
}

/**
 * Resolves once a kernel call is held at the armed row: polls the gate between turns of
 * the event loop (the call runs on a libuv thread), with no wall-clock deadline.
 */
async function heldAtGate(): Promise<void> {
  while (!hooks.debugRowGateState().reached) await new Promise((r) => setImmediate(r));
}

describe('abort', () => {
  it('an already-aborted signal rejects before any native work', async () => {
    const before = gvl.counters();
    const reason = new Error('stop');
    const pending = gvl.realignTracks(short, { signal: AbortSignal.abort(reason) });
    await expect(pending).rejects.toBeInstanceOf(gvl.AbortError);
    await expect(pending).rejects.toMatchObject({
      code: 'GVL_ABORTED',
      name: 'AbortError',
      cause: reason,
    });
    expect(gvl.counters().started).toBe(before.started);
  });

  it.each([false, true])(
    'a running kernel stops at a row boundary (parallel=%s)',
    async (parallel) => {
      const rows = 400;
      const at = 57;
      const before = gvl.counters();
      const ctl = new AbortController();
      hooks.debugRowGateArm(at);
      try {
        const pending = gvl.realignTracks(long, { parallel, signal: ctl.signal });
        await heldAtGate();
        expect(gvl.counters().inFlight).toBe(before.inFlight + 1);
        ctl.abort(new Error('enough'));
        await expect(pending).rejects.toMatchObject({
          code: 'GVL_ABORTED',
          cause: new Error('enough'),
        });
        const seen = hooks.debugRowGateState().rowsSeen;
        // Serially, rows 0..at reached the driver and row `at` never ran: the call stopped
        // exactly at that boundary. In parallel, other pool threads may finish other rows,
        // but never all of them, and the held row never runs.
        if (parallel) expect(seen).toBeLessThanOrEqual(rows);
        else expect(seen).toBe(at + 1);
      } finally {
        hooks.debugRowGateDisarm();
      }
      const after = gvl.counters();
      expect(after.cancelled).toBe(before.cancelled + 1);
      expect(after.inFlight).toBe(0);
      balanced(after);
      // the next call works and is exact
      const again = await gvl.realignTracks(short, { parallel });
      expect(Array.from(again.subarray(0, 2))).toEqual([1, 2]);
    },
  );

  it('a call waiting for admission is dropped without reaching native code', async () => {
    gvl.configurePool({ maxInFlight: 1 });
    try {
      const before = gvl.counters();
      const first = gvl.realignTracks(long, { parallel: false });
      const ctl = new AbortController();
      const second = gvl.realignTracks(short, { signal: ctl.signal });
      expect(gvl.counters().queued).toBe(1);
      ctl.abort();
      await expect(second).rejects.toMatchObject({ code: 'GVL_ABORTED' });
      expect(gvl.counters().queued).toBe(0);
      await first;
      const after = gvl.counters();
      expect(after.started).toBe(before.started + 1);
      expect(after.completed).toBe(before.completed + 1);
      balanced(after);
    } finally {
      gvl.configurePool({ maxInFlight: 3 });
    }
  });

  it('work queued in libuv is cancelled by napi (UV_THREADPOOL_SIZE=1, child process)', () => {
    const { status, result } = runNode<{ outcomes: string[]; counters: gvl.KernelCounters }>(
      `import * as g from '${DIST}';
       import { longRealignInput } from '${LONG_CASE}';
       g.configurePool({ maxInFlight: 4 });
       const long = longRealignInput({ rows: 200, insertion: 5000 });
       const ctls = [0, 1, 2].map(() => new AbortController());
       const calls = ctls.map((c) => g.realignTracks(long, { parallel: false, signal: c.signal }));
       // calls 1 and 2 sit in libuv's queue behind call 0 on the only libuv thread
       ctls[1].abort(); ctls[2].abort();
       const outcomes = await Promise.all(calls.map((p) => p.then(() => 'ok', (e) => e.code + ':' + e.name)));
       console.log(JSON.stringify({ outcomes, counters: g.counters() }));`,
      { UV_THREADPOOL_SIZE: '1' },
    );
    expect(status).toBe(0);
    expect(result.outcomes).toEqual(['ok', 'GVL_ABORTED:AbortError', 'GVL_ABORTED:AbortError']);
    expect(result.counters).toMatchObject({
      started: 3,
      completed: 1,
      cancelled: 2,
      failed: 0,
      inFlight: 0,
    });
  });

  it('50 abort-vs-complete races: each call resolves exactly or rejects with AbortError', async () => {
    const want = gvl.realignTracksSync(short);
    const before = gvl.counters();
    const results = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const ctl = new AbortController();
        const pending = gvl.realignTracks(short, { signal: ctl.signal, parallel: i % 2 === 0 });
        if (i % 3 === 0) ctl.abort();
        else if (i % 3 === 1) setTimeout(() => ctl.abort(), i % 7);
        return pending.then(
          (out) => (Buffer.from(out.buffer).equals(Buffer.from(want.buffer)) ? 'exact' : 'WRONG'),
          (err: unknown) => (err instanceof gvl.AbortError ? 'aborted' : `other:${String(err)}`),
        );
      }),
    );
    expect(results.every((r) => r === 'exact' || r === 'aborted')).toBe(true);
    expect(results.filter((r) => r === 'aborted').length).toBeGreaterThanOrEqual(surelyAborted(50));
    const after = gvl.counters();
    expect(after.inFlight).toBe(0);
    expect(after.queued).toBe(0);
    expect(after.failed).toBe(before.failed);
    balanced(after);
  });

  it('1000 aborted calls leave no queued entries and no listeners behind', async () => {
    const ctl = new AbortController();
    const calls = Array.from({ length: 1000 }, () =>
      gvl.realignTracks(short, { signal: ctl.signal }),
    );
    ctl.abort();
    const outcomes = await Promise.allSettled(calls);
    expect(
      outcomes.every((o) => o.status === 'fulfilled' || o.reason instanceof gvl.AbortError),
    ).toBe(true);
    expect(gvl.counters()).toMatchObject({ queued: 0, inFlight: 0 });
    balanced(gvl.counters());
  });
});

describe('gatherVariants abort (two passes, one signal)', () => {
  const longGather = longGatherInput({ rows: 400, variants: 20, altLength: 10_000 });
  const shortGather = longGatherInput({ rows: 6, variants: 3, altLength: 5 });

  it('an already-aborted signal rejects before any native work', async () => {
    const before = gvl.counters();
    const reason = new Error('stop');
    const pending = gvl.gatherVariants(shortGather, { signal: AbortSignal.abort(reason) });
    await expect(pending).rejects.toBeInstanceOf(gvl.AbortError);
    await expect(pending).rejects.toMatchObject({ code: 'GVL_ABORTED', cause: reason });
    expect(gvl.counters().started).toBe(before.started);
  });

  it.each([false, true])(
    'a running gather stops at a row boundary (parallel=%s)',
    async (parallel) => {
      const at = 123;
      const before = gvl.counters();
      const ctl = new AbortController();
      hooks.debugRowGateArm(at);
      try {
        const pending = gvl.gatherVariants(longGather, { parallel, signal: ctl.signal });
        await heldAtGate();
        expect(gvl.counters().inFlight).toBe(before.inFlight + 1);
        ctl.abort(new Error('enough'));
        await expect(pending).rejects.toMatchObject({
          code: 'GVL_ABORTED',
          cause: new Error('enough'),
        });
        // The first pass was held at row `at`: serially exactly rows 0..at were reached,
        // and the second pass never started.
        if (!parallel) expect(hooks.debugRowGateState().rowsSeen).toBe(at + 1);
      } finally {
        hooks.debugRowGateDisarm();
      }
      const after = gvl.counters();
      expect(after.cancelled).toBe(before.cancelled + 1);
      expect(after.failed).toBe(before.failed);
      expect(after.inFlight).toBe(0);
      balanced(after);
      // the next call works and is exact: ACGTN reverse-complemented is NACGT
      const again = await gvl.gatherVariants(shortGather, { parallel });
      expect(new TextDecoder().decode(again.alt.subarray(0, 5))).toBe('NACGT');
    },
  );

  it('30 abort-vs-complete races: each call resolves exactly or rejects with AbortError', async () => {
    const want = gvl.gatherVariantsSync(shortGather);
    const before = gvl.counters();
    const results = await Promise.all(
      Array.from({ length: 30 }, async (_, i) => {
        const ctl = new AbortController();
        const pending = gvl.gatherVariants(shortGather, {
          signal: ctl.signal,
          parallel: i % 2 === 0,
        });
        if (i % 3 === 0) ctl.abort();
        else if (i % 3 === 1) setTimeout(() => ctl.abort(), i % 7);
        return pending.then(
          (out) =>
            Buffer.from(out.alt).equals(Buffer.from(want.alt)) &&
            Buffer.from(out.altOffsets.buffer).equals(Buffer.from(want.altOffsets.buffer))
              ? 'exact'
              : 'WRONG',
          (err: unknown) => (err instanceof gvl.AbortError ? 'aborted' : `other:${String(err)}`),
        );
      }),
    );
    expect(results.every((r) => r === 'exact' || r === 'aborted')).toBe(true);
    expect(results.filter((r) => r === 'aborted').length).toBeGreaterThanOrEqual(surelyAborted(30));
    const after = gvl.counters();
    expect(after).toMatchObject({ inFlight: 0, queued: 0, failed: before.failed });
    balanced(after);
  });
});

describe('signal listeners', () => {
  it('a long-lived signal shared by many completed calls keeps no listeners', async () => {
    const ctl = new AbortController();
    await Promise.all(
      Array.from({ length: 100 }, () => gvl.realignTracks(short, { signal: ctl.signal })),
    );
    expect(getEventListeners(ctl.signal, 'abort')).toHaveLength(0);
    expect(ctl.signal.onabort).toBeNull();
  });
});

describe('counters', () => {
  it('count sync and async outcomes and balance at rest', async () => {
    const before = gvl.counters();
    gvl.realignTracksSync(short);
    await gvl.realignTracks(short);
    expect(() =>
      gvl.realignTracksSync({ ...short, groups: new BigInt64Array(4).fill(9n) }),
    ).toThrow();
    await expect(
      gvl.realignTracks({ ...short, groups: new BigInt64Array(4).fill(9n) }),
    ).rejects.toThrow();
    const after = gvl.counters();
    expect(after.started - before.started).toBe(4);
    expect(after.completed - before.completed).toBe(2);
    expect(after.failed - before.failed).toBe(2);
    expect(after.inFlight).toBe(0);
    balanced(after);
  });
});
