// Per-batch cost of ragged haplotype batches on the real chr20 data (a measurement
// script, not a test): the fused path (`ds.get`, and a reusing loader) against the
// separate async kernels the read path used before (getDiffs → reconstructHaplotypes →
// reverseComplement, index arithmetic in JS), the memcpy floor of the same bytes, V8
// garbage collections, and the event-loop delay p99 while a loader streams.
//
//   node packages/dataset/scripts/measure-batch.mjs [--bed 16kb|2kb] [--batch 32] [--iters 400]
//
// Build first (`pnpm --filter @gvl/dataset build`). Reads GVL_DATA_DIR (default
// ../shared/data from the repository root). Writes a temporary dataset and removes it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { monitorEventLoopDelay, PerformanceObserver, performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { getDiffs, poolInfo, reconstructHaplotypes, reverseComplement } from '@gvl/native';
import { Dataset, write } from '../dist/index.js';

const { values: args } = parseArgs({
  options: {
    bed: { type: 'string', default: '16kb' },
    batch: { type: 'string', default: '32' },
    iters: { type: 'string', default: '400' },
  },
});
const B = Number(args.batch);
const ITERS = Number(args.iters);
const root = resolve(import.meta.dirname, '../../..');
const data = join(process.env.GVL_DATA_DIR ?? resolve(root, '../shared/data'), '1kg-chr20');

const tmp = mkdtempSync(join(tmpdir(), 'gvl-measure-'));
try {
  const path = join(tmp, 'ds.gvl');
  await write(path, {
    bed: join(data, `windows_${args.bed}.bed`),
    variants: join(data, '1kg_chr20_300samples.vcf.gz'),
    progress: false,
    onWarning: () => undefined,
  });
  const ds = await Dataset.open(path, { reference: join(data, 'chr20_1-2Mb.fa.gz') });
  const [R, S] = ds.shape;
  const { files, reference } = ds.internals.core;
  const P = files.metadata.ploidy ?? 1;
  const batches = [];
  let seed = 7;
  const rnd = (n) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  for (let i = 0; i < 64; i++) {
    batches.push({
      r: Int32Array.from({ length: B }, () => rnd(R)),
      s: Int32Array.from({ length: B }, () => rnd(S)),
    });
  }

  let gcs = 0;
  const obs = new PerformanceObserver((l) => {
    gcs += l.getEntries().length;
  });
  obs.observe({ entryTypes: ['gc'] });

  async function time(name, fn) {
    for (let i = 0; i < 20; i++) await fn(batches[i % batches.length]);
    const gc0 = gcs;
    const t = [];
    let bytes = 0;
    for (let i = 0; i < ITERS; i++) {
      const t0 = performance.now();
      bytes += await fn(batches[i % batches.length]);
      t.push(performance.now() - t0);
    }
    await new Promise((r) => setImmediate(r));
    t.sort((a, b) => a - b);
    const mean = t.reduce((a, b) => a + b, 0) / t.length;
    const row = {
      path: name,
      'mean µs': Math.round(mean * 1000),
      'p50 µs': Math.round(t[Math.floor(t.length / 2)] * 1000),
      'p99 µs': Math.round(t[Math.floor(t.length * 0.99)] * 1000),
      'MiB/s': Math.round(bytes / 2 ** 20 / ((mean * ITERS) / 1000)),
      GCs: gcs - gc0,
    };
    return row;
  }

  // The previous read path: three async kernels, JS index arithmetic per item.
  const g = files.genotypes;
  const v = files.variants;
  const genotypes = { offsets: g.offsets, variantIdxs: g.variantIdxs };
  const variants = { starts: v.start, ilens: v.ilen, alts: v.alt, altOffsets: v.altOffsets };
  const refSeq = { sequence: reference.data, offsets: reference.offsets };
  async function separate(b) {
    const n = b.r.length;
    const regions = new Int32Array(n * 3);
    const groups = new BigInt64Array(n * P);
    const lens = new Int32Array(n);
    const rc = new Uint8Array(n * P);
    for (let i = 0; i < n; i++) {
      const r = files.rIdxMap[b.r[i]];
      regions[i * 3] = files.regions[r * 4];
      regions[i * 3 + 1] = files.regions[r * 4 + 1];
      regions[i * 3 + 2] = files.regions[r * 4 + 2];
      lens[i] = files.regions[r * 4 + 2] - files.regions[r * 4 + 1];
      for (let p = 0; p < P; p++) {
        groups[i * P + p] = BigInt((r * S + b.s[i]) * P + p);
        rc[i * P + p] = files.regions[r * 4 + 3] === -1 ? 1 : 0;
      }
    }
    const diffs = await getDiffs({ regions, ploidy: P, groups, genotypes, variants });
    const outOffsets = new BigInt64Array(n * P + 1);
    let acc = 0n;
    for (let k = 0; k < n * P; k++) {
      acc += BigInt(Math.max(0, lens[Math.floor(k / P)] + diffs[k]));
      outOffsets[k + 1] = acc;
    }
    const data = await reconstructHaplotypes({
      regions,
      ploidy: P,
      groups,
      genotypes,
      variants,
      reference: refSeq,
      outOffsets,
    });
    if (rc.some((x) => x)) await reverseComplement({ data, offsets: outOffsets, rows: rc });
    return data.length;
  }

  const rows = [];
  for (const parallel of [false, true]) {
    const d = ds.withSettings({ parallel });
    const tag = parallel ? 'forced parallel' : 'serial';
    rows.push(
      await time(`separate async kernels (${tag})`, async (b) => {
        const out = await (parallel
          ? (async () => {
              process.env.GVL_FORCE_PARALLEL = '1';
              try {
                return await separate(b);
              } finally {
                delete process.env.GVL_FORCE_PARALLEL;
              }
            })()
          : separate(b));
        return out;
      }),
    );
    rows.push(
      await time(`ds.get fused (${tag})`, async (b) => (await d.get(b.r, b.s)).data.length),
    );
  }
  // memcpy floor: copy the same number of bytes into a reused buffer.
  const sample = await ds.get(batches[0].r, batches[0].s);
  const src = new Uint8Array(sample.data.length).fill(65);
  const dst = new Uint8Array(sample.data.length);
  rows.push(
    await time('memcpy of one batch (reused buffer)', async () => {
      dst.set(src);
      return dst.length;
    }),
  );

  // Event-loop delay and GCs while a loader streams one pass over all pairs.
  const modes = [{ reuse: false }, { reuse: true }];
  for (const m of modes) {
    const h = monitorEventLoopDelay({ resolution: 1 });
    const gc0 = gcs;
    h.enable();
    const t0 = performance.now();
    let n = 0;
    let bytes = 0;
    for await (const b of ds.loader({ batchSize: B, shuffle: true, seed: 1, ...m })) {
      n++;
      bytes += b.data.data.length;
    }
    const ms = performance.now() - t0;
    h.disable();
    rows.push({
      path: `loader reuse=${m.reuse}: ${n} batches`,
      'mean µs': Math.round((ms * 1000) / n),
      'MiB/s': Math.round(bytes / 2 ** 20 / (ms / 1000)),
      GCs: gcs - gc0,
      'loop p99 ms': (h.percentile(99) / 1e6).toFixed(2),
    });
  }
  obs.disconnect();
  console.log(
    `batch ${B} × ${args.bed} ragged haplotypes, ${R} regions × ${S} samples, pool ${poolInfo().numThreads} thread(s)`,
  );
  console.table(rows);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
