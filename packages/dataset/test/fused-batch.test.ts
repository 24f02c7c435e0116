/**
 * The fused read path (one `DatasetSource` call per batch for reference sequences,
 * tracks, and haplotypes with realigned tracks) against the pre-fusion composition of
 * the public kernels (test/composed-batch.ts) on the real chr20 dataset: every window
 * for a sample subset, ragged and fixed length (shorter and longer than a window),
 * jitter, both strands with and without rcNeg, every insertion fill, deterministic and
 * seeded; and `parallel: true` == `false`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dataset, type InsertionFill, Ragged, write } from '../src/index.js';
import type { TrackIntervals } from '../src/open.js';
import type { GetOutput } from '../src/output.js';
import { type BatchRequest, type Core, computeBatch, type ReadPlan } from '../src/read-pipeline.js';
import type { SeqsKind } from '../src/settings.js';
import { composedBatch, type Rows } from './composed-batch.js';
import { chr20, hasChr20, suiteName } from './helpers.js';

const missing = hasChr20 ? [] : [`real data not found at ${chr20.vcf} (set GVL_DATA_DIR)`];

/** Tiny deterministic PRNG. */
function lcg(seed: number) {
  let x = seed >>> 0;
  return (n: number) => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x % n;
  };
}

const SAMPLES = [0, 57, 123, 299];
const MAX_JITTER = 64;

interface Mode {
  name: string;
  seqs: SeqsKind | null;
  tracks: string[];
  length: 'ragged' | number;
  jitter: number;
  rcNeg: boolean;
  realign?: boolean;
  fills?: Record<string, InsertionFill>;
  seed?: number;
}

const MODES: Mode[] = [
  {
    name: 'reference ragged',
    seqs: 'reference',
    tracks: [],
    length: 'ragged',
    jitter: 0,
    rcNeg: true,
  },
  {
    name: 'reference fixed, jitter',
    seqs: 'reference',
    tracks: [],
    length: 1500,
    jitter: 64,
    rcNeg: true,
  },
  {
    name: 'reference + tracks, no rcNeg',
    seqs: 'reference',
    tracks: ['sig', 'ann'],
    length: 'ragged',
    jitter: 32,
    rcNeg: false,
  },
  {
    name: 'tracks only, fixed longer than a window',
    seqs: null,
    tracks: ['ann', 'sig'],
    length: 2500,
    jitter: 64,
    rcNeg: true,
  },
  {
    name: 'haplotypes + realigned tracks, ragged',
    seqs: 'haplotypes',
    tracks: ['sig', 'ann'],
    length: 'ragged',
    jitter: 0,
    rcNeg: true,
    realign: true,
    fills: { ann: { kind: 'flankSample', flankWidth: 4 } },
  },
  {
    name: 'haplotypes + realigned tracks, fixed, random shifts',
    seqs: 'haplotypes',
    tracks: ['sig'],
    length: 1800,
    jitter: 64,
    rcNeg: true,
    realign: true,
    fills: { sig: { kind: 'interpolate', order: 3 } },
    seed: 11,
  },
  {
    name: 'haplotypes + realigned tracks, fixed longer than a window',
    seqs: 'haplotypes',
    tracks: ['ann'],
    length: 2500,
    jitter: 16,
    rcNeg: false,
    realign: true,
    fills: { ann: { kind: 'constant', value: -2.5 } },
  },
  {
    name: 'haplotypes + reference-coordinate tracks',
    seqs: 'haplotypes',
    tracks: ['sig', 'ann'],
    length: 'ragged',
    jitter: 16,
    rcNeg: true,
    realign: false,
  },
  {
    name: 'haplotypes + realigned tracks, seeded flank sampling',
    seqs: 'haplotypes',
    tracks: ['sig', 'ann'],
    length: 'ragged',
    jitter: 64,
    rcNeg: true,
    realign: true,
    fills: { sig: { kind: 'repeat5pNormalized' }, ann: { kind: 'flankSample', flankWidth: 2 } },
    seed: 3,
  },
];

/** Intervals around each group's region, starting before the widest jitter. */
function syntheticTrack(
  regions: Int32Array,
  nGroups: number,
  regionOf: (g: number) => number | null,
  seed: number,
  annotation: boolean,
): TrackIntervals {
  const pick = lcg(seed);
  const starts: number[] = [];
  const ends: number[] = [];
  const values: number[] = [];
  const offsets = new BigInt64Array(nGroups + 1);
  for (let g = 0; g < nGroups; g++) {
    const r = regionOf(g);
    if (r !== null) {
      const s = regions[r * 4 + 1] as number;
      const e = regions[r * 4 + 2] as number;
      for (let x = s - MAX_JITTER - 20 + pick(30); x < e + MAX_JITTER + 40; x += 5 + pick(60)) {
        starts.push(x);
        ends.push(x + 1 + pick(45));
        values.push((pick(2001) - 1000) / 64);
      }
    }
    offsets[g + 1] = BigInt(starts.length);
  }
  return {
    starts: Int32Array.from(starts),
    ends: Int32Array.from(ends),
    values: Float32Array.from(values),
    offsets,
    annotation,
  };
}

function rowsOf(
  out: GetOutput,
  which: 0 | 1,
): Rows<Uint8Array | Int32Array | Float32Array> | undefined {
  const part = Array.isArray(out) ? out[which] : which === 0 ? out : undefined;
  if (!part || !('data' in part)) return undefined;
  if (part instanceof Ragged) return { data: part.data, offsets: part.offsets };
  return { data: part.data, offsets: new BigInt64Array(0) };
}

function expectRowsEqual(
  got: Rows<Uint8Array | Int32Array | Float32Array> | undefined,
  want: Rows<Uint8Array | Int32Array | Float32Array> | undefined,
  fixed: boolean,
  what: string,
) {
  expect(got, what).toBeDefined();
  expect(want, what).toBeDefined();
  const g = got as Rows<Uint8Array | Int32Array | Float32Array>;
  const w = want as Rows<Uint8Array | Int32Array | Float32Array>;
  expect(g.data.constructor, what).toBe(w.data.constructor);
  const bytes = (a: Uint8Array | Int32Array | Float32Array) =>
    Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  expect(bytes(g.data).equals(bytes(w.data)), `${what}: values`).toBe(true);
  if (!fixed)
    expect(
      Buffer.from(g.offsets.buffer).equals(Buffer.from(w.offsets.buffer)),
      `${what}: offsets`,
    ).toBe(true);
}

describe.skipIf(missing.length > 0)(suiteName('the fused read path on chr20', missing), () => {
  let dir = '';
  let core: Core;
  let base: ReadPlan;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gvl-fused-'));
    const dsPath = join(dir, 'chr20.gvl');
    await write(dsPath, {
      bed: chr20.bed2kb,
      variants: chr20.vcf,
      reference: chr20.fasta,
      maxJitter: MAX_JITTER,
      progress: false,
      onWarning: () => undefined,
    });
    const ds = await Dataset.open(dsPath, { reference: chr20.fasta });
    const { core: c, plan } = ds.internals;
    const { files } = c;
    const R = files.metadata.n_regions;
    const S = files.metadata.samples.length;
    const tracks = new Map<string, TrackIntervals>([
      [
        'sig',
        syntheticTrack(
          files.regions,
          R * S,
          (g) => (SAMPLES.includes(g % S) ? Math.floor(g / S) : null),
          5,
          false,
        ),
      ],
      ['ann', syntheticTrack(files.regions, R, (g) => g, 9, true)],
    ]);
    core = { files: { ...files, tracks }, reference: c.reference };
    base = plan;
  }, 180_000);
  afterAll(() => {
    if (dir && !process.env.GVL_KEEP_TMP) rmSync(dir, { recursive: true, force: true });
  });

  /** Every window for the sample subset, region-major, in batches of `size` items. */
  function requests(mode: Mode, size: number): BatchRequest[] {
    const { files } = core;
    const R = files.metadata.n_regions;
    const P = files.metadata.ploidy ?? 1;
    const pick = lcg(mode.name.length * 7919);
    const items: [number, number][] = [];
    for (let r = 0; r < R; r++) for (const s of SAMPLES) items.push([r, s]);
    const out: BatchRequest[] = [];
    for (let b = 0; b < items.length; b += size) {
      const chunk = items.slice(b, b + size);
      const n = chunk.length;
      const shifts = mode.seed !== undefined && typeof mode.length === 'number';
      out.push({
        regionIdx: Int32Array.from(chunk, ([r]) => r),
        sampleIdx: Int32Array.from(chunk, ([, s]) => s),
        shape: [n],
        jitter:
          mode.jitter > 0
            ? Int32Array.from({ length: n }, () => pick(2 * mode.jitter + 1) - mode.jitter)
            : null,
        shiftU: shifts
          ? Float64Array.from({ length: n * P }, () => pick(1 << 20) / (1 << 20))
          : null,
      });
    }
    return out;
  }

  function planOf(mode: Mode, parallel: boolean): ReadPlan {
    return {
      seqs: mode.seqs,
      tracks: mode.tracks,
      length: mode.length,
      settings: {
        ...base.settings,
        rcNeg: mode.rcNeg,
        realignTracks: mode.realign ?? true,
        insertionFill: mode.fills ?? {},
        deterministic: mode.seed === undefined,
        seed: mode.seed ?? 0,
        parallel,
      },
    };
  }

  it('covers both strands and indel-bearing windows', () => {
    const { files } = core;
    let neg = 0;
    for (let r = 0; r < files.metadata.n_regions; r++) if (files.regions[r * 4 + 3] === -1) neg++;
    expect(neg).toBeGreaterThan(10);
    expect(neg).toBeLessThan(files.metadata.n_regions);
    const ilen = files.variants?.ilen as Int32Array;
    expect(ilen.some((x) => x > 0) && ilen.some((x) => x < 0)).toBe(true);
  });

  for (const mode of MODES) {
    it(`${mode.name}: fused == composed kernels, parallel == serial`, async () => {
      const fixed = typeof mode.length === 'number';
      let tracked = 0;
      for (const req of requests(mode, 240)) {
        const serial = await computeBatch(core, planOf(mode, false), req);
        const parallel = await computeBatch(core, planOf(mode, true), req);
        const want = await composedBatch(core, planOf(mode, false), req);
        const seqIdx = 0;
        const trackIdx = mode.seqs === null ? 0 : 1;
        if (mode.seqs !== null) {
          expectRowsEqual(rowsOf(serial, seqIdx), want.seqs, fixed, 'seqs');
          expectRowsEqual(rowsOf(parallel, seqIdx), want.seqs, fixed, 'seqs (parallel)');
        }
        if (mode.tracks.length > 0) {
          expectRowsEqual(rowsOf(serial, trackIdx as 0 | 1), want.tracks, fixed, 'tracks');
          expectRowsEqual(
            rowsOf(parallel, trackIdx as 0 | 1),
            want.tracks,
            fixed,
            'tracks (parallel)',
          );
          tracked += (want.tracks?.data ?? new Float32Array(0)).filter((x) => x !== 0).length;
        }
      }
      // The synthetic tracks paint real values into the rows compared.
      if (mode.tracks.length > 0) expect(tracked).toBeGreaterThan(10_000);
    }, 120_000);
  }
});
