import { HaplotypeSource } from '@gvl/native';
import { AbortedError, GvlError, InvalidArgumentError } from './errors.js';
import * as k from './kernels.js';
import type { DatasetFiles } from './open.js';
import type { GetOutput, RaggedVariants, SeqsOutput, TracksOutput } from './output.js';
import { type Dense, offsetsFromLengths, Ragged } from './ragged.js';
import type { Reference } from './reference.js';
import type { DatasetSettings, OutputLength, SeqsKind } from './settings.js';

/** Immutable data every query reads (shared across derived datasets). */
export interface Core {
  files: DatasetFiles;
  reference: Reference | null;
}

/** What to compute: the dataset's builder state. */
export interface Plan {
  seqs: SeqsKind | null;
  tracks: readonly string[];
  length: OutputLength;
  settings: DatasetSettings;
}

/** One batch of items: full input-order region indices and on-disk sample indices. */
export interface BatchRequest {
  regionIdx: Int32Array;
  sampleIdx: Int32Array;
  /** Leading dims of the output (their product is the number of items). */
  shape: number[];
  /** Per-item jitter offsets in `[-jitter, jitter]`, or null for none. */
  jitter: Int32Array | null;
  /** Per-(item, haplotype) uniforms in `[0, 1)` for random shifts, or null (deterministic). */
  shiftU: Float64Array | null;
}

/**
 * Where a batch's haplotype bytes may be written: a buffer the caller lends for this
 * batch (see {@link OutputRing}). When it is too small, the batch gets new memory.
 */
export interface BatchOutput {
  /** A buffer to write the batch's bytes into (its first `bytes` bytes). */
  take(): Uint8Array | undefined;
  /** Called with the memory the batch used (the lent buffer or a new, larger one). */
  used(data: Uint8Array): void;
}

/**
 * Batches whose estimated output is at most this many bytes run on the calling thread
 * (`getSync`): below it a batch costs less than a libuv round trip and blocks the event
 * loop for well under a millisecond (docs/execution-model.md has the measurement).
 */
export const SYNC_MAX_BYTES = 4 << 20;

/**
 * Synchronous batches yield to the event loop (one `setImmediate`) once this many
 * milliseconds have passed since the last yield, so that a consumer iterating batches
 * that all run synchronously still lets timers and I/O run: the event-loop delay stays
 * below this bound plus one batch.
 */
export const SYNC_YIELD_MS = 1;

let lastYield = 0;

/** Resolves on the next turn of the event loop when the sync budget is spent. */
async function yieldIfDue(): Promise<void> {
  const now = performance.now();
  if (now - lastYield < SYNC_YIELD_MS) return;
  await new Promise<void>((r) => setImmediate(r));
  lastYield = performance.now();
}

const sources = new WeakMap<Core, HaplotypeSource>();

/** The dataset's haplotype inputs held natively, created once per {@link Core}. */
function haplotypeSource(core: Core): HaplotypeSource {
  let src = sources.get(core);
  if (src) return src;
  const { files, reference } = core;
  const g = files.genotypes;
  const v = files.variants;
  if (!g || !v || !reference) throw new Error('haplotypeSource: no genotypes or reference');
  src = HaplotypeSource.create({
    genotypes: { offsets: g.offsets, variantIdxs: g.variantIdxs },
    variants: { starts: v.start, ilens: v.ilen, alts: v.alt, altOffsets: v.altOffsets },
    reference: { sequence: reference.data, offsets: reference.offsets },
    regions: files.regions,
    rIdxMap: files.rIdxMap,
    nSamples: files.metadata.samples.length,
    ploidy: files.metadata.ploidy ?? 1,
    padChar: reference.padChar,
  });
  sources.set(core, src);
  return src;
}

/**
 * Haplotypes only (no tracks): one native call from the batch's indices to finished
 * bytes. Small batches run synchronously on this thread (see {@link SYNC_MAX_BYTES}).
 */
async function fusedHaplotypes(
  core: Core,
  plan: Plan,
  req: BatchRequest,
  output: BatchOutput | undefined,
  signal: AbortSignal | undefined,
): Promise<SeqsOutput> {
  const src = haplotypeSource(core);
  const { files } = core;
  const P = files.metadata.ploidy ?? 1;
  const L = plan.length;
  let estimate = 0;
  if (typeof L === 'number') estimate = req.regionIdx.length * P * L;
  else
    for (const ri of req.regionIdx) {
      const r = files.rIdxMap[ri] as number;
      estimate += P * ((files.regions[r * 4 + 2] as number) - (files.regions[r * 4 + 1] as number));
    }
  const request = {
    regionIdx: req.regionIdx,
    sampleIdx: req.sampleIdx,
    jitter: req.jitter,
    shiftU: typeof L === 'number' ? req.shiftU : null,
    length: typeof L === 'number' ? L : undefined,
    rcNeg: plan.settings.rcNeg,
  };
  const parallel = plan.settings.parallel;
  let res: { data: Uint8Array; offsets: BigInt64Array };
  if (estimate <= SYNC_MAX_BYTES) {
    await yieldIfDue();
    if (signal?.aborted)
      throw new AbortedError('the batch was aborted before it started', { cause: signal.reason });
    res = src.getSync(request, { parallel, out: output?.take() });
  } else {
    res = await src.get(request, { parallel, out: output?.take(), signal });
  }
  output?.used(res.data);
  return finish(res.data, res.offsets, [...req.shape, P], L, 78);
}

/** Per-batch geometry shared by the kernels. */
interface Geometry {
  n: number;
  ploidy: number;
  /** `(n, 3)`: contig index, jittered start, jittered end. */
  regions: Int32Array;
  /** Region length (unjittered end − start) per item. */
  lengths: Int32Array;
  /** Reverse-complement flag per item (strand −1 and rcNeg). */
  toRc: Uint8Array;
  /** On-disk region index per item. */
  rDisk: Int32Array;
  /** `ds_idx = r·S + s` per item (sample-track group). */
  dsIdx: Float64Array;
}

function geometry(core: Core, plan: Plan, req: BatchRequest): Geometry {
  const { files } = core;
  const n = req.regionIdx.length;
  const S = files.metadata.samples.length;
  const ploidy = files.metadata.ploidy ?? 1;
  const regions = new Int32Array(n * 3);
  const lengths = new Int32Array(n);
  const toRc = new Uint8Array(n);
  const rDisk = new Int32Array(n);
  const dsIdx = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const r = files.rIdxMap[req.regionIdx[i] as number] as number;
    rDisk[i] = r;
    const contig = files.regions[r * 4] as number;
    const start = files.regions[r * 4 + 1] as number;
    const end = files.regions[r * 4 + 2] as number;
    const off = req.jitter ? (req.jitter[i] as number) : 0;
    regions[i * 3] = contig;
    regions[i * 3 + 1] = start + off;
    regions[i * 3 + 2] = end + off;
    lengths[i] = end - start;
    toRc[i] = plan.settings.rcNeg && files.regions[r * 4 + 3] === -1 ? 1 : 0;
    dsIdx[i] = r * S + (req.sampleIdx[i] as number);
  }
  return { n, ploidy, regions, lengths, toRc, rDisk, dsIdx };
}

/** Genotype group `((r·S + s)·P + p)` of each (item, haplotype). */
function genoGroups(g: Geometry): BigInt64Array {
  const out = new BigInt64Array(g.n * g.ploidy);
  for (let i = 0; i < g.n; i++) {
    for (let p = 0; p < g.ploidy; p++)
      out[i * g.ploidy + p] = BigInt((g.dsIdx[i] as number) * g.ploidy + p);
  }
  return out;
}

function expandMask(mask: Uint8Array, times: number): Uint8Array {
  if (times === 1) return mask;
  const out = new Uint8Array(mask.length * times);
  for (let i = 0; i < mask.length; i++) out.fill(mask[i] as number, i * times, (i + 1) * times);
  return out;
}

function anyMask(mask: Uint8Array): boolean {
  return mask.some((x) => x !== 0);
}

/** Wraps flat rows `(n, ...inner)` as the requested output length. */
function finish<T extends Uint8Array | Float32Array>(
  data: T,
  offsets: BigInt64Array,
  dims: number[],
  length: OutputLength,
  pad: number,
): Ragged<T> | Dense<T> {
  const rag = Ragged.fromOffsets(data, offsets, dims);
  if (length === 'ragged') return rag;
  if (length === 'variable') return rag.toPadded(pad as never);
  // Fixed length: every row already has exactly `length` elements.
  return { data, shape: [...dims, length] };
}

/** Interleaves per-track row blocks `[t][q·inner + j]` into `(q, t, inner)` row order. */
function interleaveTracks(
  blocks: { data: Float32Array; offsets: BigInt64Array }[],
  nItems: number,
  inner: number,
): { data: Float32Array; offsets: BigInt64Array } {
  const T = blocks.length;
  const total = blocks.reduce((a, b) => a + b.data.length, 0);
  const data = new Float32Array(total);
  const lengths = new Float64Array(nItems * T * inner);
  let o = 0;
  let row = 0;
  for (let q = 0; q < nItems; q++) {
    for (let t = 0; t < T; t++) {
      const b = blocks[t] as { data: Float32Array; offsets: BigInt64Array };
      for (let j = 0; j < inner; j++) {
        const s = Number(b.offsets[q * inner + j]);
        const e = Number(b.offsets[q * inner + j + 1]);
        data.set(b.data.subarray(s, e), o);
        o += e - s;
        lengths[row++] = e - s;
      }
    }
  }
  return { data, offsets: offsetsFromLengths(lengths) };
}

/**
 * Computes one batch: all per-base work runs in `@gvl/native` kernels (async, off the JS
 * thread); this function does per-item and per-haplotype index arithmetic only.
 */
export async function computeBatch(
  core: Core,
  plan: Plan,
  req: BatchRequest,
  signal?: AbortSignal,
  output?: BatchOutput,
): Promise<GetOutput> {
  const { files, reference } = core;
  if (
    plan.seqs === 'haplotypes' &&
    plan.tracks.length === 0 &&
    files.genotypes &&
    files.variants &&
    reference
  )
    return fusedHaplotypes(core, plan, req, output, signal);
  const g = geometry(core, plan, req);
  const parallel = plan.settings.parallel;
  const lead = req.shape;
  const P = g.ploidy;
  const needHaps = plan.seqs === 'haplotypes';

  let seqs: SeqsOutput | undefined;
  let tracks: TracksOutput | undefined;

  // Haplotype geometry (diffs, shifts) is shared by haplotypes and realigned tracks.
  let hap:
    | { groups: BigInt64Array; diffs: Int32Array; shifts: Int32Array; outOffsets: BigInt64Array }
    | undefined;
  if (needHaps) {
    if (!files.genotypes || !files.variants)
      throw new GvlError(
        'GVL_MODE_UNAVAILABLE',
        'this dataset has no genotypes: haplotypes are unavailable',
        { value: files.path },
      );
    if (!reference)
      throw new GvlError(
        'GVL_NO_REFERENCE',
        'haplotypes need a reference: open the dataset with { reference }',
        { value: files.path },
      );
    const groups = genoGroups(g);
    const diffs = await k.diffs({ files, regions: g.regions, groups, parallel, signal });
    const L = plan.length;
    const outLengths = new Float64Array(g.n * P);
    const shifts = new Int32Array(g.n * P);
    for (let i = 0; i < g.n; i++) {
      const len = g.lengths[i] as number;
      for (let p = 0; p < P; p++) {
        const j = i * P + p;
        const d = diffs[j] as number;
        outLengths[j] = typeof L === 'number' ? L : Math.max(0, len + d);
        if (req.shiftU && typeof L === 'number') {
          const maxShift = Math.max(d, 0) + Math.max(len - L, 0);
          shifts[j] = Math.min(maxShift, Math.floor((req.shiftU[j] as number) * (maxShift + 1)));
        }
      }
    }
    hap = { groups, diffs, shifts, outOffsets: offsetsFromLengths(outLengths) };
  }

  if (plan.seqs === 'haplotypes' && hap && reference) {
    const data = await k.haplotypes({
      files,
      reference,
      regions: g.regions,
      groups: hap.groups,
      shifts: hap.shifts,
      outOffsets: hap.outOffsets,
      parallel,
      signal,
    });
    const mask = expandMask(g.toRc, P);
    if (anyMask(mask)) await k.rc({ data, offsets: hap.outOffsets, mask, parallel, signal });
    seqs = finish(data, hap.outOffsets, [...lead, P], plan.length, 78);
  } else if (plan.seqs === 'reference') {
    if (!reference)
      throw new GvlError(
        'GVL_NO_REFERENCE',
        'reference sequences need a reference: open the dataset with { reference }',
        { value: files.path },
      );
    const L = plan.length;
    const regions = g.regions;
    if (typeof L === 'number')
      for (let i = 0; i < g.n; i++) regions[i * 3 + 2] = (regions[i * 3 + 1] as number) + L;
    const lens = new Float64Array(g.n);
    for (let i = 0; i < g.n; i++)
      lens[i] = (regions[i * 3 + 2] as number) - (regions[i * 3 + 1] as number);
    const outOffsets = offsetsFromLengths(lens);
    const data = await k.reference({ reference, regions, outOffsets, parallel, signal });
    if (anyMask(g.toRc)) await k.rc({ data, offsets: outOffsets, mask: g.toRc, parallel, signal });
    seqs = finish(data, outOffsets, [...lead], plan.length, 78);
  } else if (plan.seqs === 'variants') {
    if (!files.genotypes || !files.variants)
      throw new GvlError(
        'GVL_MODE_UNAVAILABLE',
        'this dataset has no genotypes: variants are unavailable',
        { value: files.path },
      );
    seqs = await variantsOutput(files, g, lead, parallel, signal);
  }

  if (plan.tracks.length > 0) {
    const realign = plan.seqs === 'haplotypes' && plan.settings.realignTracks && hap !== undefined;
    const blocks: { data: Float32Array; offsets: BigInt64Array }[] = [];
    const L = plan.length;
    for (const name of plan.tracks) {
      const t = files.tracks.get(name);
      if (!t)
        throw new InvalidArgumentError(`track ${JSON.stringify(name)} is not in this dataset`, {
          value: name,
        });
      const groupsT = BigInt64Array.from(t.annotation ? g.rDisk : g.dsIdx, (x) => BigInt(x));
      const trackLens = new Float64Array(g.n);
      for (let i = 0; i < g.n; i++) {
        if (realign && hap) {
          // Read extra reference span to cover the largest deletion across ploids.
          let minDel = 0;
          for (let p = 0; p < P; p++) minDel = Math.min(minDel, hap.diffs[i * P + p] as number);
          trackLens[i] = (g.lengths[i] as number) - minDel;
        } else {
          trackLens[i] = typeof L === 'number' ? L : (g.lengths[i] as number);
        }
      }
      const trackOffsets = offsetsFromLengths(trackLens);
      const raw = await k.tracks({
        track: t,
        regions: g.regions,
        groups: groupsT,
        outOffsets: trackOffsets,
        parallel,
        signal,
      });
      if (realign && hap) {
        const data = await k.realign({
          files,
          track: raw,
          trackOffsets,
          regions: g.regions,
          groups: hap.groups,
          shifts: hap.shifts,
          outOffsets: hap.outOffsets,
          fill: plan.settings.insertionFill[name] ?? { kind: 'repeat5p' },
          baseSeed: plan.settings.deterministic ? xorAll(g.dsIdx) : BigInt(plan.settings.seed),
          parallel,
          signal,
        });
        const mask = expandMask(g.toRc, P);
        if (anyMask(mask))
          await k.reverse({ data, offsets: hap.outOffsets, mask, parallel, signal });
        blocks.push({ data, offsets: hap.outOffsets });
      } else {
        if (anyMask(g.toRc))
          await k.reverse({ data: raw, offsets: trackOffsets, mask: g.toRc, parallel, signal });
        blocks.push({ data: raw, offsets: trackOffsets });
      }
    }
    const inner = realign ? P : 1;
    const { data, offsets } = interleaveTracks(blocks, g.n, inner);
    const dims = realign ? [...lead, plan.tracks.length, P] : [...lead, plan.tracks.length];
    tracks = finish(data, offsets, dims, plan.length, 0);
  }

  if (seqs && tracks) return [seqs, tracks];
  if (seqs) return seqs;
  if (tracks) return tracks;
  throw new GvlError(
    'GVL_MODE_UNAVAILABLE',
    'nothing to return: both sequences and tracks are disabled',
    { value: null },
  );
}

function xorAll(xs: Float64Array): bigint {
  let h = 0n;
  for (const x of xs) h ^= BigInt(x);
  return h;
}

async function variantsOutput(
  files: DatasetFiles,
  g: Geometry,
  lead: number[],
  parallel: DatasetSettings['parallel'],
  signal?: AbortSignal,
): Promise<RaggedVariants> {
  const groups = genoGroups(g);
  const rcMask = expandMask(g.toRc, g.ploidy);
  const v = await k.gatherVariants({ files, groups, rcMask, parallel, signal });
  return {
    shape: [...lead, g.ploidy, null],
    offsets: v.offsets,
    start: v.start,
    ilen: v.ilen,
    alt: Ragged.fromOffsets(v.alt, v.altOffsets),
  };
}
