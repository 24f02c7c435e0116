/**
 * One measurement of gvl-ts, run in its own process by the driver: `node
 * dist/child-gvl.js JOB_JSON`. Prints one JSON line (the last line of stdout) — the same
 * report fields as the peer's child (`python/peer_child.py`), so both are read alike.
 *
 * Threads come from the environment the driver sets (`GVL_NUM_THREADS`,
 * `GVL_FORCE_PARALLEL`), resolved by `@gvl/threads` as in any user process.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay, type PerformanceEntry, PerformanceObserver } from 'node:perf_hooks';
import { Dataset, type GetOutput, Ragged, write } from '@gvl/dataset';
import type { BatchPlanFile, ChildJob, ChildReport, LoopJob, ReadJob, WriteJob } from './jobs.js';
import { procStatusBytes } from './machine.js';

/** Data bytes and, for ragged outputs, the int64 offsets rebased to 0. */
export function outputViews(out: GetOutput): { data: Uint8Array; offsets: BigInt64Array | null } {
  if (Array.isArray(out)) throw new Error('expected haplotypes only, got sequences and tracks');
  if (out instanceof Ragged) {
    const offs = out.offsets;
    const lo = offs[0] ?? 0n;
    const hi = offs[offs.length - 1] ?? 0n;
    const data = out.data as Uint8Array;
    const rebased = new BigInt64Array(offs.length);
    for (let i = 0; i < offs.length; i++) rebased[i] = (offs[i] as bigint) - lo;
    return { data: data.subarray(Number(lo), Number(hi)), offsets: rebased };
  }
  if ('alt' in out) throw new Error('expected haplotypes, got variants');
  if ('haps' in out) throw new Error('expected haplotypes, got annotated haplotypes');
  return { data: out.data as Uint8Array, offsets: null };
}

/** Counts V8 garbage collections (all kinds, and major ones) from `PerformanceObserver`. */
class GcCounter {
  count = 0;
  major = 0;
  readonly #obs: PerformanceObserver;
  constructor() {
    this.#obs = new PerformanceObserver((list) => this.#add(list.getEntries()));
    this.#obs.observe({ entryTypes: ['gc'] });
  }
  #add(entries: readonly PerformanceEntry[]): void {
    for (const e of entries) {
      this.count++;
      const kind = (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
      // perf_hooks.constants.NODE_PERFORMANCE_GC_MAJOR
      if (kind === 4) this.major++;
    }
  }
  /** Stops counting, taking entries not yet delivered to the callback. */
  stop(): void {
    this.#add(this.#obs.takeRecords());
    this.#obs.disconnect();
  }
}

async function openHaplotypes(job: ReadJob | LoopJob): Promise<Dataset> {
  return (await Dataset.open(job.dataset, { reference: job.reference }))
    .withSeqs('haplotypes')
    .withLen(job.length);
}

function toIndex(b: readonly [readonly number[], readonly number[]]): [Int32Array, Int32Array] {
  return [Int32Array.from(b[0]), Int32Array.from(b[1])];
}

async function readJob(job: ReadJob): Promise<Partial<ChildReport>> {
  const plan = JSON.parse(readFileSync(job.batches, 'utf8')) as BatchPlanFile;
  const warmup = plan.warmup.map(toIndex);
  const timed = plan.timed.map(toIndex);

  const rssBefore = procStatusBytes('RssAnon');
  const fileBefore = procStatusBytes('RssFile');
  const t0 = process.hrtime.bigint();
  const ds = await openHaplotypes(job);
  const openMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const rssAfter = procStatusBytes('RssAnon');
  const fileAfter = procStatusBytes('RssFile');

  for (const [r, s] of warmup) await ds.get(r, s);

  const gc = new GcCounter();
  const batchMs: number[] = [];
  const floorMs: number[] = [];
  const hash = createHash('sha256');
  let buf = new Uint8Array(1 << 20);
  let total = 0;
  for (const [r, s] of timed) {
    const t = process.hrtime.bigint();
    const out = await ds.get(r, s);
    batchMs.push(Number(process.hrtime.bigint() - t) / 1e6);
    const { data, offsets } = outputViews(out);
    if (data.byteLength > buf.byteLength) buf = new Uint8Array(data.byteLength);
    const c = process.hrtime.bigint();
    buf.set(data);
    floorMs.push(Number(process.hrtime.bigint() - c) / 1e6);
    total += data.byteLength;
    hash.update(data);
    if (offsets)
      hash.update(new Uint8Array(offsets.buffer, offsets.byteOffset, offsets.byteLength));
  }
  gc.stop();
  return {
    openMs,
    openRssBytes: rssBefore === null || rssAfter === null ? null : rssAfter - rssBefore,
    openFileRssBytes: fileBefore === null || fileAfter === null ? null : fileAfter - fileBefore,
    batchMs,
    floorMs,
    bytes: total,
    sha256: hash.digest('hex'),
    gcCount: gc.count,
    gcMajor: gc.major,
  };
}

async function loopJob(job: LoopJob): Promise<Partial<ChildReport>> {
  const ds = await openHaplotypes(job);
  // Warm-up: a few batches through the same mode (code caches, first allocations).
  const warm = ds.loader({
    mode: job.mode,
    reuse: job.reuse,
    batchSize: job.batchSize,
    shuffle: true,
    seed: 1,
  });
  let n = 0;
  for await (const _ of warm) if (++n >= job.warmup) break;
  await warm.close();

  const gc = new GcCounter();
  const delay = monitorEventLoopDelay({ resolution: 1 });
  let total = 0;
  let batches = 0;
  // The memcpy floor of the same bytes, timed inside the loop and taken out of the
  // loader's time (one copy per batch into a buffer reused across batches).
  let copy = new Uint8Array(1 << 20);
  let floorNs = 0n;
  delay.enable();
  const t0 = process.hrtime.bigint();
  // As many shuffled epochs as `count` batches and `seconds` need (a training loop's shape).
  const until = t0 + BigInt(Math.round(job.seconds * 1e9));
  const more = () => batches < job.count || process.hrtime.bigint() < until;
  for (let epoch = 0; more(); epoch++) {
    const loader = ds.loader({
      mode: job.mode,
      reuse: job.reuse,
      batchSize: job.batchSize,
      shuffle: true,
      seed: job.seed + epoch,
    });
    for await (const batch of loader) {
      const { data } = outputViews(batch.data);
      if (data.byteLength > copy.byteLength) copy = new Uint8Array(data.byteLength);
      const c = process.hrtime.bigint();
      copy.set(data);
      floorNs += process.hrtime.bigint() - c;
      total += data.byteLength;
      batches++;
      if (!more()) break;
    }
    await loader.close();
  }
  const elapsedMs = Number(process.hrtime.bigint() - t0 - floorNs) / 1e6;
  delay.disable();
  gc.stop();
  return {
    bytes: total,
    batches,
    elapsedMs,
    floorMs: [Number(floorNs) / 1e6],
    loopP99Ms: delay.percentile(99) / 1e6,
    loopMaxMs: delay.max / 1e6,
    gcCount: gc.count,
    gcMajor: gc.major,
  };
}

async function writeJob(job: WriteJob): Promise<Partial<ChildReport>> {
  const t0 = process.hrtime.bigint();
  await write(job.out, {
    bed: job.bed,
    variants: job.vcf,
    ...(job.samples ? { samples: job.samples } : {}),
    overwrite: true,
    progress: false,
    onWarning: () => {},
  });
  return { writeMs: Number(process.hrtime.bigint() - t0) / 1e6 };
}

/** Runs one job and returns its report (exported for tests; the CLI entry is below). */
export async function runGvlJob(job: ChildJob): Promise<ChildReport> {
  const version = (
    JSON.parse(readFileSync(new URL(import.meta.resolve('@gvl/dataset/package.json')), 'utf8')) as {
      version: string;
    }
  ).version;
  let part: Partial<ChildReport>;
  if (job.kind === 'read') part = await readJob(job);
  else if (job.kind === 'loop') part = await loopJob(job);
  else if (job.kind === 'write') part = await writeJob(job);
  else part = {};
  return { ...part, lib: 'gvl', version, peakRssBytes: procStatusBytes('VmHWM') } as ChildReport;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '\0')) {
  const job = JSON.parse(process.argv[2] ?? '{}') as ChildJob;
  runGvlJob(job).then(
    (report) => {
      process.stdout.write(`${JSON.stringify(report)}\n`);
    },
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
