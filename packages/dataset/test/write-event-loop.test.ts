/**
 * `write()` keeps the event loop responsive: on the real chr20 data, no synchronous
 * stretch of the write blocks timers for long. Measured with `monitorEventLoopDelay`
 * (the delay of a 1 ms-resolution timer), with a bound generous enough for a loaded
 * shared machine.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, describe, expect, it } from 'vitest';
import { write } from '../src/index.js';
import { chr20, hasChr20, suiteName } from './helpers.js';

// Wall-clock stalls cannot be told apart from descheduling on an overloaded machine.
const load = loadavg()[0] ?? 0;
const missing = [
  ...(hasChr20 ? [] : [`real data not found in ${chr20.vcf} (set GVL_DATA_DIR)`]),
  ...(load > availableParallelism()
    ? [`machine overloaded (1-min load ${load.toFixed(1)} > ${availableParallelism()} CPUs)`]
    : []),
];

describe.skipIf(missing.length > 0)(suiteName('write() and the event loop', missing), () => {
  const dir = mkdtempSync(join(tmpdir(), 'gvl-loop-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps every synchronous slice short while writing the chr20 dataset', {
    retry: 2,
  }, async () => {
    const h = monitorEventLoopDelay({ resolution: 1 });
    h.enable();
    await write(join(dir, 'chr20.gvl'), {
      bed: chr20.bed2kb,
      variants: chr20.vcf,
      reference: chr20.fasta,
      maxJitter: 128,
      progress: false,
      onWarning: () => undefined,
    });
    h.disable();
    const maxMs = h.max / 1e6;
    const p99Ms = h.percentile(99) / 1e6;
    console.info(
      `event-loop delay during write(): max ${maxMs.toFixed(1)} ms, p99 ${p99Ms.toFixed(1)} ms`,
    );
    expect(h.count).toBeGreaterThan(10);
    // Before time slicing, one stretch (parsing a whole VCF window) blocked for 160-200 ms
    // every run. Slices are 8 ms by design (alone: max ~25-45 ms, p99 < 15 ms); the
    // bounds leave room for GC pauses and CPU contention from parallel test files, and
    // the retries absorb a rare descheduling spike, which a real long slice never is.
    expect(p99Ms).toBeLessThan(50);
    expect(maxMs).toBeLessThan(150);
  });
});
