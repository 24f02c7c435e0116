import {
  countVariants,
  type DatasetRequest,
  DatasetSource,
  getDiffs,
  HaplotypeSource,
  type SeqEncoding,
} from '@gvl/native';
import { AbortedError, GvlError, InvalidArgumentError } from './errors.js';
import * as k from './kernels.js';
import type { DatasetFiles, TrackIntervals, VariantTable } from './open.js';
import type {
  AnnotatedHaps,
  GetOutput,
  RaggedAnnotatedHaps,
  RaggedOneHot,
  RaggedVariants,
  SeqsOutput,
  TracksOutput,
} from './output.js';
import { type Dense, Ragged } from './ragged.js';
import type { Reference } from './reference.js';
import { type DatasetSettings, encodingOf, type OutputLength, type SeqsKind } from './settings.js';
import { exonItems, regroupOutput, type SpliceMap } from './splice.js';
import {
  afKeepMask,
  gatherColumn,
  gatherDosages,
  gatherRef,
  type VariantFieldArray,
} from './var-fields.js';

/** Immutable data every query reads (shared across derived datasets). */
export interface Core {
  files: DatasetFiles;
  reference: Reference | null;
}

/** What to compute: the dataset's builder state. */
export interface ReadPlan {
  seqs: SeqsKind | null;
  tracks: readonly string[];
  length: OutputLength;
  settings: DatasetSettings;
  /** Transcripts when the dataset is spliced: `regionIdx` then indexes transcripts. */
  splice?: SpliceMap | null;
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
 * Haplotypes (plain or annotated) only, no tracks: one native call from the batch's
 * indices to finished bytes (and, annotated, the per-base variant indices and reference
 * coordinates). Small batches run synchronously on this thread (see {@link SYNC_MAX_BYTES}).
 */
async function fusedHaplotypes(
  core: Core,
  plan: ReadPlan,
  req: BatchRequest,
  output: BatchOutput | undefined,
  signal: AbortSignal | undefined,
): Promise<SeqsOutput> {
  const src = haplotypeSource(core);
  const annotate = plan.seqs === 'annotated';
  const request = { ...itemRequest(plan, req), annotate };
  const parallel = plan.settings.parallel;
  const res = await runBatch(
    estimateBytes(core, plan, req, plan.seqs),
    signal,
    () => src.getSync(request, { parallel, out: output?.take() }),
    () => src.get(request, { parallel, out: output?.take(), signal }),
  );
  output?.used(res.data);
  const dims = [...req.shape, core.files.metadata.ploidy ?? 1];
  const haps = finish(res.data, res.offsets, dims, plan.length, 78);
  if (!annotate) return haps;
  const annotations =
    res.varIdxs && res.refCoords ? { varIdxs: res.varIdxs, refCoords: res.refCoords } : undefined;
  return annotated(haps, annotations, res.offsets, dims, plan.length);
}

/**
 * Annotated haplotypes from a batch's haplotype rows and the native per-base annotations
 * (same row offsets), shaped and padded like the rows (`'variable'`: -1 and
 * {@link COORD_PAST_CONTIG}).
 */
function annotated(
  haps: Ragged<Uint8Array> | Dense<Uint8Array>,
  a: { varIdxs: Int32Array; refCoords: Int32Array } | undefined,
  offsets: BigInt64Array,
  dims: number[],
  length: OutputLength,
): RaggedAnnotatedHaps | AnnotatedHaps {
  if (!a) throw new Error('annotated batch without annotations');
  return {
    haps,
    varIdxs: finish(a.varIdxs, offsets, dims, length, -1),
    refCoords: finish(a.refCoords, offsets, dims, length, COORD_PAST_CONTIG),
  } as RaggedAnnotatedHaps | AnnotatedHaps;
}

/** `refCoords` of pad past the contig end (and of `'variable'` padding): `2^31 − 1`. */
export const COORD_PAST_CONTIG = 2 ** 31 - 1;

/** The item side of a fused request: indices, jitter, shifts, fixed length, strand rule. */
function itemRequest(plan: ReadPlan, req: BatchRequest) {
  const L = plan.length;
  return {
    regionIdx: req.regionIdx,
    sampleIdx: req.sampleIdx,
    jitter: req.jitter,
    shiftU: typeof L === 'number' ? req.shiftU : null,
    length: typeof L === 'number' ? L : undefined,
    rcNeg: plan.settings.rcNeg,
  };
}

/**
 * Runs a fused batch on this thread when its output is estimated at most
 * {@link SYNC_MAX_BYTES} (after yielding to the event loop when due, and checking the
 * signal), else off it.
 */
async function runBatch<R>(
  estimate: number,
  signal: AbortSignal | undefined,
  sync: () => R,
  async: () => Promise<R>,
): Promise<R> {
  if (estimate > SYNC_MAX_BYTES) return async();
  await yieldIfDue();
  if (signal?.aborted)
    throw new AbortedError('the batch was aborted before it started', { cause: signal.reason });
  return sync();
}

/** A dataset's held arrays and the index of each track name among them. */
interface HeldSource {
  src: DatasetSource;
  trackIndex: Map<string, number>;
}

const datasetSources = new WeakMap<Core, HeldSource>();

/**
 * The dataset's reference, genotypes and tracks held natively, created once per
 * {@link Core}: each batch of reference or haplotype sequences and tracks is then one
 * native call from the batch's indices.
 */
function datasetSource(core: Core): HeldSource {
  let held = datasetSources.get(core);
  if (held) return held;
  const { files, reference } = core;
  const g = files.genotypes;
  const v = files.variants;
  const names = [...files.tracks.keys()];
  const src = DatasetSource.create({
    regions: files.regions,
    rIdxMap: files.rIdxMap,
    nSamples: files.metadata.samples.length,
    ploidy: files.metadata.ploidy ?? 1,
    reference: reference ? { sequence: reference.data, offsets: reference.offsets } : undefined,
    padChar: reference?.padChar,
    genotypes: g && v ? { offsets: g.offsets, variantIdxs: g.variantIdxs } : undefined,
    variants:
      g && v
        ? { starts: v.start, ilens: v.ilen, alts: v.alt, altOffsets: v.altOffsets }
        : undefined,
    tracks: names.map((name) => {
      const t = files.tracks.get(name) as TrackIntervals;
      return {
        intervals: { starts: t.starts, ends: t.ends, values: t.values, offsets: t.offsets },
        annotation: t.annotation,
      };
    }),
  });
  held = { src, trackIndex: new Map(names.map((n, i) => [n, i])) };
  datasetSources.set(core, held);
  return held;
}

/** Output bytes of a batch, estimated from region lengths (to pick sync or async). */
function estimateBytes(
  core: Core,
  plan: ReadPlan,
  req: BatchRequest,
  seqs: SeqsKind | null,
): number {
  const { files } = core;
  const P = files.metadata.ploidy ?? 1;
  const L = plan.length;
  let rows = 0;
  if (typeof L === 'number') rows = req.regionIdx.length * L;
  else
    for (const ri of req.regionIdx) {
      const r = files.rIdxMap[ri] as number;
      rows += (files.regions[r * 4 + 2] as number) - (files.regions[r * 4 + 1] as number);
    }
  // Annotated: the bytes plus two int32 annotations per base.
  // Encoded: 4 bytes per token (int32 at most) or 4 · A per one-hot base.
  const enc = encodingOf(plan.settings);
  const perBase = enc === undefined ? 1 : enc.kind === 'oneHot' ? 4 * enc.alphabet.length : 4;
  const seqRows =
    seqs === 'haplotypes'
      ? perBase * P * rows
      : seqs === 'annotated'
        ? 9 * P * rows
        : seqs === 'reference'
          ? perBase * rows
          : 0;
  const trackInner =
    (seqs === 'haplotypes' || seqs === 'annotated') && plan.settings.realignTracks ? P : 1;
  return seqRows + 4 * plan.tracks.length * trackInner * rows;
}

/**
 * Reference or haplotype sequences and/or tracks (reference-coordinate, or realigned
 * to the haplotypes): one native call from the batch's indices to finished rows.
 * Small batches run synchronously on this thread (see {@link SYNC_MAX_BYTES}).
 */
async function fusedBatch(
  core: Core,
  plan: ReadPlan,
  req: BatchRequest,
  seqs: 'reference' | 'haplotypes' | 'annotated' | null,
  signal: AbortSignal | undefined,
): Promise<{ seqs?: SeqsOutput; tracks?: TracksOutput }> {
  const { src, trackIndex } = datasetSource(core);
  const request = datasetRequest(plan, req, seqs, trackIndices(plan, trackIndex));
  const parallel = plan.settings.parallel;
  const res = await runBatch(
    estimateBytes(core, plan, req, seqs),
    signal,
    () => src.getSync(request, { parallel }),
    () => src.get(request, { parallel, signal }),
  );
  const P = core.files.metadata.ploidy ?? 1;
  const lead = req.shape;
  const out: { seqs?: SeqsOutput; tracks?: TracksOutput } = {};
  const seqRows = res.seqs ?? res.seqTokens ?? res.seqOneHot;
  if (seqRows) {
    const haplotypes = seqs === 'haplotypes' || seqs === 'annotated';
    const dims = haplotypes ? [...lead, P] : [...lead];
    out.seqs = sequenceRows(seqRows, res.annotations, dims, plan, seqs === 'annotated');
  }
  if (res.tracks) {
    const n = request.tracks.length;
    const dims = request.realign ? [...lead, n, P] : [...lead, n];
    out.tracks = finish(res.tracks.data, res.tracks.offsets, dims, plan.length, 0);
  }
  return out;
}

/** Index of each of the plan's tracks among the held ones (`GVL_INVALID_ARGUMENT` if absent). */
function trackIndices(plan: ReadPlan, trackIndex: Map<string, number>): number[] {
  return plan.tracks.map((name) => {
    const t = trackIndex.get(name);
    if (t === undefined)
      throw new InvalidArgumentError(`track ${JSON.stringify(name)} is not in this dataset`, {
        value: name,
      });
    return t;
  });
}

/** The native request of a fused batch: items, output kinds, realignment and encoding. */
function datasetRequest(
  plan: ReadPlan,
  req: BatchRequest,
  seqs: 'reference' | 'haplotypes' | 'annotated' | null,
  tracks: number[],
): DatasetRequest & { tracks: number[]; realign: boolean } {
  const haplotypes = seqs === 'haplotypes' || seqs === 'annotated';
  const realign = haplotypes && plan.settings.realignTracks && tracks.length > 0;
  return {
    ...itemRequest(plan, req),
    seqs: seqs ?? undefined,
    tracks,
    realign,
    fills: realign ? plan.tracks.map((name) => plan.settings.insertionFill[name]) : undefined,
    baseSeed: plan.settings.deterministic ? undefined : BigInt(plan.settings.seed),
    encoding: seqs === 'reference' || seqs === 'haplotypes' ? encodingOf(plan.settings) : undefined,
  };
}

/**
 * Shapes a fused batch's sequence rows as the plan asks: one-hot, tokens, annotated
 * haplotypes, or plain bytes (`N`-padded under `'variable'`).
 */
function sequenceRows(
  rows: { data: Uint8Array | Int32Array | Float32Array; offsets: BigInt64Array },
  annotations: { varIdxs: Int32Array; refCoords: Int32Array } | undefined,
  dims: number[],
  plan: ReadPlan,
  annotate: boolean,
): SeqsOutput {
  const { data, offsets } = rows;
  const L = plan.length;
  const encoding = encodingOf(plan.settings);
  if (encoding?.kind === 'oneHot')
    return oneHot(data as Float32Array, offsets, dims, L, encoding.alphabet.length);
  if (encoding?.kind === 'tokens')
    return finish(data as Uint8Array, offsets, dims, L, padToken(encoding)) as
      | Ragged<Uint8Array>
      | Ragged<Int32Array>
      | Dense<Uint8Array>
      | Dense<Int32Array>;
  const haps = finish(data as Uint8Array, offsets, dims, L, 78);
  return annotate ? annotated(haps, annotations, offsets, dims, L) : haps;
}

/** The token of the `N` pad under a token encoding (what `'variable'` pads with). */
function padToken(e: Extract<SeqEncoding, { kind: 'tokens' }>): number {
  const a = e.alphabet;
  const i = typeof a === 'string' ? a.indexOf('N') : a.indexOf(78);
  return i >= 0 ? i : e.unknownToken;
}

/**
 * Wraps one-hot rows (offsets in bases, `width` values per base) as the requested output
 * length: {@link RaggedOneHot}, or dense `[...dims, length, width]` (`'variable'`:
 * right-padded with all-zero bases, the one-hot of the `N` pad).
 */
function oneHot(
  data: Float32Array,
  offsets: BigInt64Array,
  dims: number[],
  length: OutputLength,
  width: number,
): RaggedOneHot | Dense<Float32Array> {
  if (length === 'ragged') return { data, offsets, shape: [...dims, null, width] };
  if (typeof length === 'number') return { data, shape: [...dims, length, width] };
  const n = offsets.length - 1;
  let longest = 0;
  for (let i = 0; i < n; i++)
    longest = Math.max(longest, Number((offsets[i + 1] as bigint) - (offsets[i] as bigint)));
  const out = new Float32Array(n * longest * width);
  for (let i = 0; i < n; i++) {
    const a = Number(offsets[i] as bigint) * width;
    const b = Number(offsets[i + 1] as bigint) * width;
    out.set(data.subarray(a, b), i * longest * width);
  }
  return { data: out, shape: [...dims, longest, width] };
}

/** Per-item geometry of the variants output. */
interface Geometry {
  n: number;
  ploidy: number;
  /** Reverse-complement flag per item (strand −1 and rcNeg). */
  toRc: Uint8Array;
  /** `ds_idx = r·S + s` per item. */
  dsIdx: Float64Array;
}

function geometry(core: Core, plan: ReadPlan, req: BatchRequest): Geometry {
  const { files } = core;
  const n = req.regionIdx.length;
  const S = files.metadata.samples.length;
  const ploidy = files.metadata.ploidy ?? 1;
  const toRc = new Uint8Array(n);
  const dsIdx = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const r = files.rIdxMap[req.regionIdx[i] as number] as number;
    toRc[i] = plan.settings.rcNeg && files.regions[r * 4 + 3] === -1 ? 1 : 0;
    dsIdx[i] = r * S + (req.sampleIdx[i] as number);
  }
  return { n, ploidy, toRc, dsIdx };
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

/** Wraps flat rows `(n, ...inner)` as the requested output length. */
function finish<T extends Uint8Array | Int32Array | Float32Array>(
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

/**
 * Computes one batch: checks that the dataset can serve the plan (before any native
 * work), then hands the batch to the function of its output kind — spliced
 * ({@link splicedBatch}), plain or annotated haplotypes alone ({@link fusedHaplotypes}:
 * one `HaplotypeSource` call), variants ({@link variantsBatch}: one `gatherVariants`
 * call, plus one `DatasetSource` call for tracks), and everything else — reference,
 * encoded sequences, tracks ({@link fusedBatch}: one `DatasetSource` call, which does the
 * index arithmetic too).
 */
export async function computeBatch(
  core: Core,
  plan: ReadPlan,
  req: BatchRequest,
  signal?: AbortSignal,
  output?: BatchOutput,
): Promise<GetOutput> {
  if (plan.splice) return splicedBatch(core, { ...plan, splice: plan.splice }, req, signal);
  checkServable(core, plan);
  // Encoded rows (tokens, one-hot) come from the dataset source, which encodes each row.
  if (
    (plan.seqs === 'haplotypes' || plan.seqs === 'annotated') &&
    plan.tracks.length === 0 &&
    encodingOf(plan.settings) === undefined
  )
    return fusedHaplotypes(core, plan, req, output, signal);
  if (plan.seqs === 'variants') return variantsBatch(core, plan, req, signal);
  const { seqs, tracks } = await fusedBatch(core, plan, req, plan.seqs, signal);
  if (seqs && tracks) return [seqs, tracks];
  if (seqs) return seqs;
  return tracks as TracksOutput;
}

/**
 * Throws when the dataset cannot serve the plan: `GVL_MODE_UNAVAILABLE` (no genotypes
 * for haplotypes or variants; neither sequences nor tracks), `GVL_NO_REFERENCE`
 * (sequences without a reference), `GVL_INVALID_MODE` (`dummyVariant` without variants).
 */
function checkServable(core: Core, plan: ReadPlan): void {
  const { files, reference } = core;
  if (plan.seqs === 'haplotypes' || plan.seqs === 'annotated' || plan.seqs === 'variants') {
    if (!files.genotypes || !files.variants)
      throw new GvlError(
        'GVL_MODE_UNAVAILABLE',
        `this dataset has no genotypes: ${plan.seqs} are unavailable`,
        { value: files.path },
      );
  }
  if ((plan.seqs === 'haplotypes' || plan.seqs === 'annotated') && !reference)
    throw new GvlError(
      'GVL_NO_REFERENCE',
      `${plan.seqs === 'annotated' ? 'annotated haplotypes' : 'haplotypes'} need a reference: open the dataset with { reference }`,
      { value: files.path },
    );
  if (plan.seqs === 'reference' && !reference)
    throw new GvlError(
      'GVL_NO_REFERENCE',
      'reference sequences need a reference: open the dataset with { reference }',
      { value: files.path },
    );
  if (plan.seqs === null && plan.tracks.length === 0)
    throw new GvlError(
      'GVL_MODE_UNAVAILABLE',
      'nothing to return: both sequences and tracks are disabled',
      { value: null },
    );
  if (plan.settings.dummyVariant !== null && plan.seqs !== 'variants')
    throw new GvlError(
      'GVL_INVALID_MODE',
      `dummyVariant is only valid with 'variants' output (got ${JSON.stringify(plan.seqs)}): use withSeqs('variants'), or withSettings({ dummyVariant: null })`,
      { value: plan.seqs },
    );
}

/** Variants, and beside them reference-coordinate tracks when the plan has tracks. */
async function variantsBatch(
  core: Core,
  plan: ReadPlan,
  req: BatchRequest,
  signal: AbortSignal | undefined,
): Promise<GetOutput> {
  const g = geometry(core, plan, req);
  const seqs = await variantsOutput(core.files, g, req.shape, plan.settings, signal);
  if (plan.tracks.length === 0) return seqs;
  const { tracks } = await fusedBatch(core, plan, req, null, signal);
  return tracks ? [seqs, tracks] : seqs;
}

/**
 * A spliced batch: each item's transcript expanded to its exons, read as one ragged
 * batch (one native call; `-` strand exons reverse-complemented each, as the peer), then
 * regrouped into one row per (item, …inner) with the exons in transcript order.
 */
async function splicedBatch(
  core: Core,
  plan: ReadPlan & { splice: SpliceMap },
  req: BatchRequest,
  signal?: AbortSignal,
): Promise<GetOutput> {
  const ex = exonItems(plan.splice, req.regionIdx, req.sampleIdx);
  const inner = await computeBatch(
    core,
    { ...plan, splice: null, length: 'ragged' },
    {
      regionIdx: ex.regionIdx,
      sampleIdx: ex.sampleIdx,
      shape: [ex.regionIdx.length],
      jitter: null,
      shiftU: null,
    },
    signal,
  );
  return regroupOutput(inner, ex.groups, req.shape, plan.length !== 'ragged');
}

async function variantsOutput(
  files: DatasetFiles,
  g: Geometry,
  lead: number[],
  settings: DatasetSettings,
  signal?: AbortSignal,
): Promise<RaggedVariants> {
  const union = settings.unphasedUnion;
  const rcMask = union ? g.toRc : expandMask(g.toRc, g.ploidy);
  const table = files.variants as VariantTable;
  const groups = genoGroups(g);
  const groupsPerRow = union ? g.ploidy : 1;
  const keep = afKeepMask(table, settings.minAf, settings.maxAf);
  const v = await k.gatherVariants({
    files,
    groups,
    rcMask,
    groupsPerRow,
    dummy: settings.dummyVariant ?? undefined,
    keep,
    parallel: settings.parallel,
    signal,
  });
  const out: RaggedVariants = {
    shape: [...lead, union ? 1 : g.ploidy, null],
    offsets: v.offsets,
    start: v.start,
    ilen: v.ilen,
    alt: Ragged.fromOffsets(v.alt, v.altOffsets),
  };
  const geno = files.genotypes;
  const withDosage: RaggedVariants =
    settings.varFields.includes('dosage') && geno?.dosages
      ? {
          ...out,
          dosage: gatherDosages(
            groups,
            { ...geno, dosages: geno.dosages },
            groupsPerRow,
            v.offsets,
            keep,
            settings.dummyVariant !== null,
          ),
        }
      : out;
  return withVarFields(withDosage, table, v.variantIdx, rcMask, settings.varFields);
}

/** Adds the `ref` and INFO columns `varFields` asks for, gathered at `variantIdx`. */
function withVarFields(
  out: RaggedVariants,
  table: VariantTable,
  variantIdx: Int32Array,
  rcRows: Uint8Array,
  varFields: readonly string[],
): RaggedVariants {
  const infoNames = varFields.filter((f) => table.info.has(f));
  const wantRef = varFields.includes('ref') && table.ref !== null;
  if (!wantRef && infoNames.length === 0) return out;
  const info: Record<string, VariantFieldArray> = {};
  for (const name of infoNames)
    info[name] = gatherColumn(table.info.get(name) as VariantFieldArray, variantIdx);
  const ref = wantRef ? gatherRef(table, variantIdx, out.offsets, rcRows) : undefined;
  return {
    ...out,
    ...(ref ? { ref: Ragged.fromOffsets(ref.data, ref.offsets) } : {}),
    ...(infoNames.length > 0 ? { info } : {}),
  };
}

/** Items of a lengths query: what {@link BatchRequest} has without random draws. */
export type ItemsRequest = Pick<BatchRequest, 'regionIdx' | 'sampleIdx' | 'shape'>;

/**
 * Haplotype lengths over each item's region widened by `jitter` on both sides: int32
 * `[...shape, ploidy]`, `(end - start + 2·jitter) + diff` with `diff` the
 * haplotype's length change over that window (the `getDiffs` kernel: overlapping
 * variants first-wins, deletions clipped at both edges). Not clamped at 0.
 *
 * @see genvarloader `Dataset.haplotype_lengths`.
 */
export async function haplotypeLengths(
  core: Core,
  plan: ReadPlan,
  req: ItemsRequest,
  signal?: AbortSignal,
): Promise<Dense<Int32Array>> {
  const { files } = core;
  const g = geometry(core, plan, { ...req, jitter: null, shiftU: null });
  const jitter = plan.settings.jitter;
  const regions = new Int32Array(g.n * 3);
  for (let i = 0; i < g.n; i++) {
    const r = files.rIdxMap[req.regionIdx[i] as number] as number;
    regions[i * 3] = files.regions[r * 4] as number;
    regions[i * 3 + 1] = (files.regions[r * 4 + 1] as number) - jitter;
    regions[i * 3 + 2] = (files.regions[r * 4 + 2] as number) + jitter;
  }
  const diffs = await getDiffs(
    { regions, ploidy: g.ploidy, groups: genoGroups(g), ...k.genoTables(files) },
    { parallel: plan.settings.parallel, signal },
  );
  for (let i = 0; i < g.n; i++) {
    const width = (regions[i * 3 + 2] as number) - (regions[i * 3 + 1] as number);
    for (let k = i * g.ploidy; k < (i + 1) * g.ploidy; k++) diffs[k] = (diffs[k] as number) + width;
  }
  return { data: diffs, shape: [...req.shape, g.ploidy] };
}

/**
 * Stored variants per (item, haplotype): int32 `[...shape, ploidy]`, the size of
 * each genotype group (the same variants `withSeqs('variants')` returns), counted by
 * the `countVariants` kernel; with `unphasedUnion`, per item, `[...shape, 1]`.
 *
 * @see genvarloader `Dataset.n_variants`.
 */
export async function nVariants(
  core: Core,
  plan: ReadPlan,
  req: ItemsRequest,
  signal?: AbortSignal,
): Promise<Dense<Int32Array>> {
  const g = geometry(core, plan, { ...req, jitter: null, shiftU: null });
  const { genotypes, variants } = k.genoTables(core.files);
  // Under unphasedUnion a row is an item's haplotypes together (their counts summed).
  const perRow = plan.settings.unphasedUnion ? g.ploidy : 1;
  const { offsets } = await countVariants(
    { groups: genoGroups(g), genotypes, variants, groupsPerRow: perRow },
    { parallel: plan.settings.parallel, signal },
  );
  const rows = offsets.length - 1;
  const data = new Int32Array(rows);
  for (let k = 0; k < rows; k++)
    data[k] = Number((offsets[k + 1] as bigint) - (offsets[k] as bigint));
  return { data, shape: [...req.shape, g.ploidy / perRow] };
}
