/**
 * `concat()`: merges genvarloader datasets along the region axis or the sample axis
 * into a new dataset, streamed and atomic, as genvarloader's `concat`.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { copyFile, mkdir, open as openFile, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { peerRegionOrder } from '@gvl/native';
import { makeVector, Table, tableToIPC, type Vector } from 'apache-arrow';
import { natsortContigs } from './contigs.js';
import { AbortedError, BadDatasetError, ConcatError, InvalidArgumentError } from './errors.js';
import {
  AtomicDir,
  assertOutputOutsideInputs,
  assertWritableTarget,
  directorySize,
  diskFullError,
  recoverInterruptedWrite,
} from './files.js';
import { writeChecksums } from './format/checksums.js';
import {
  ANNOTATION_TRACKS_DIR,
  GENOTYPES_DIR,
  INPUT_REGIONS_FILE,
  METADATA_FILE,
  npyFileName,
  REGIONS_FILE,
  SAMPLE_TRACKS_DIR,
  TRACK_ARRAYS,
  trackDir,
  trackFile,
  VARIANTS_FILE,
} from './format/layout.js';
import { encodeMetadata, FORMAT_VERSION } from './format/metadata.js';
import { npyHeader, parseNpyHeader, RawArrayWriter } from './format/npy.js';
import { type DatasetFiles, readDatasetFiles, type TrackIntervals } from './open.js';

/** The axes {@link concat} merges along. */
export const CONCAT_AXES = ['regions', 'samples'] as const;

/** `'regions'`: append regions (same samples); `'samples'`: append samples (same regions). */
export type ConcatAxis = (typeof CONCAT_AXES)[number];

/** Options of {@link concat}. */
export interface ConcatOptions {
  /** The axis to merge along (required). */
  axis: ConcatAxis;
  /**
   * Replace an existing dataset at the output path, only once the new one is complete
   * (default `false`), with the same rules as {@link write}'s `overwrite`.
   */
  overwrite?: boolean;
  /** Cancels the merge; the partial output is removed. */
  signal?: AbortSignal;
}

/** What {@link concat} wrote. */
export interface ConcatSummary {
  /** Absolute path of the merged dataset. */
  readonly path: string;
  /** The axis merged along. */
  readonly axis: ConcatAxis;
  /** Absolute paths of the inputs, in the order given. */
  readonly inputs: readonly string[];
  /** Regions of the merged dataset (the BED rows of every input on the region axis). */
  readonly nRegions: number;
  /** Sorted sample names. */
  readonly samples: readonly string[];
  /** Haplotypes per sample, `null` without genotypes. */
  readonly ploidy: number | null;
  /** Contigs (input #0's, equal in every input). */
  readonly contigs: readonly string[];
  /** Sample tracks, then annotation tracks. */
  readonly tracks: readonly string[];
  /** Size of the dataset on disk, in bytes. */
  readonly bytes: number;
}

/** The peer's bounded fingerprint of a file (`genvarloader._fasta_cache.fingerprint`). */
export interface VariantsFingerprint {
  /** The hash function: always `'blake2b'` (BLAKE2b-512), as the peer writes it. */
  algorithm: 'blake2b';
  /** Bytes hashed: the first `min(1 MiB, size)`. */
  n_bytes_hashed: number;
  /** Hex BLAKE2b-512 of those bytes. */
  digest: string;
  /** File size in bytes. */
  size_bytes: number;
}

const FINGERPRINT_WINDOW = 1 << 20;

/**
 * The peer's fingerprint of `path`: BLAKE2b-512 of its first MiB plus its size, as the
 * peer records in `metadata.json` `variants_fingerprint` and compares across inputs.
 */
export async function variantsFingerprint(path: string): Promise<VariantsFingerprint> {
  const fh = await openFile(path, 'r');
  try {
    const size = (await fh.stat()).size;
    const n = Math.min(FINGERPRINT_WINDOW, size);
    const buf = new Uint8Array(n);
    let got = 0;
    while (got < n) {
      const { bytesRead } = await fh.read(buf, got, n - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    const digest = createHash('blake2b512').update(buf.subarray(0, got)).digest('hex');
    return { algorithm: 'blake2b', n_bytes_hashed: got, digest, size_bytes: size };
  } finally {
    await fh.close();
  }
}

/** One validated input. */
interface Input {
  readonly path: string;
  readonly files: DatasetFiles;
  /** Stored write windows of `regions.npy`, row-major int32 `(R, 4)`. */
  readonly windows: Int32Array;
  readonly sampleTracks: string[];
  readonly annotTracks: string[];
  readonly fingerprint: VariantsFingerprint | null;
}

function checkArgs(
  out: unknown,
  inputs: unknown,
  o: ConcatOptions | undefined,
): asserts o is ConcatOptions {
  if (typeof out !== 'string' || out === '')
    throw new InvalidArgumentError(
      `output path must be a non-empty string, got ${JSON.stringify(out)}`,
      { value: out },
    );
  if (!Array.isArray(inputs) || inputs.some((p) => typeof p !== 'string' || p === ''))
    throw new InvalidArgumentError('inputs must be an array of dataset paths', { value: inputs });
  if (inputs.length < 2)
    throw new InvalidArgumentError(
      `concat needs at least two input datasets, got ${inputs.length}`,
      { value: inputs },
    );
  if (o === null || typeof o !== 'object')
    throw new InvalidArgumentError('options must be an object with `axis`', { value: o });
  if (!(CONCAT_AXES as readonly unknown[]).includes(o.axis))
    throw new InvalidArgumentError(
      `axis must be "regions" or "samples", got ${JSON.stringify(o.axis)}`,
      { value: o.axis },
    );
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortedError('concat aborted', { cause: signal.reason });
}

async function loadInput(path: string): Promise<Input> {
  const files = await readDatasetFiles(path);
  // readDatasetFiles checked the header, dtype <i4, shape (R, 4) and size.
  const R = files.metadata.n_regions;
  const bytes = await readFile(join(path, REGIONS_FILE));
  const h = parseNpyHeader(bytes);
  // Read again: it may have changed since (then it fails the same checks).
  if (typeof h === 'string' || h.descr !== '<i4' || bytes.length !== h.dataOffset + R * 16)
    throw new BadDatasetError(
      `${path}: regions.npy changed while concat read it: expected int32 (${R}, 4)`,
      { file: REGIONS_FILE },
      { value: typeof h === 'string' ? h : h.descr },
    );
  const body = new Int32Array(R * 4);
  const raw = new DataView(bytes.buffer, bytes.byteOffset + h.dataOffset, R * 16);
  for (let r = 0; r < R; r++)
    for (let c = 0; c < 4; c++)
      body[r * 4 + c] = raw.getInt32(4 * (h.fortranOrder ? c * R + r : r * 4 + c), true);
  const sampleTracks: string[] = [];
  const annotTracks: string[] = [];
  for (const [name, t] of files.tracks) (t.annotation ? annotTracks : sampleTracks).push(name);
  sampleTracks.sort();
  annotTracks.sort();
  return {
    path,
    files,
    windows: body,
    sampleTracks,
    annotTracks,
    fingerprint: files.genotypes ? await variantsFingerprint(join(path, VARIANTS_FILE)) : null,
  };
}

const same = (a: readonly unknown[], b: readonly unknown[]) =>
  a.length === b.length && a.every((x, i) => x === b[i]);

const show = (v: unknown) => {
  const s = JSON.stringify(v);
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
};

function mismatch(i: number, inp: Input, field: string, found: unknown, expected: unknown) {
  return new ConcatError(
    'GVL_CONCAT_MISMATCH',
    `input #${i} (${inp.path}) has ${field} ${show(found)}: expected ${show(expected)} as input #0; all inputs must agree on ${field}`,
    { input: i, field },
    { value: found },
  );
}

/** The BED columns stored in `input_regions.arrow` (without `r_idx_map`). */
const bedColumns = (inp: Input) => inp.files.bed.schema.fields.map((f) => f.name);

/**
 * Every precondition, in the peer's order (`_concat_validate.validate_concat`), checked
 * before anything is written.
 */
function validate(inputs: readonly Input[], axis: ConcatAxis): void {
  // The peer's preconditions, one after another in the peer's order; a checklist, not a pipeline.
  if (axis === 'regions') {
    inputs.forEach((inp, i) => {
      const f = inp.files;
      const seen = new Map<string, number>();
      for (let r = 0; r < f.rIdxMap.length; r++) {
        const key = `${f.regions[r * 4]}:${f.regions[r * 4 + 1]}-${f.regions[r * 4 + 2]}`;
        if (seen.has(key)) {
          const label = `${f.metadata.contigs[f.regions[r * 4] as number]}:${f.regions[r * 4 + 1]}-${f.regions[r * 4 + 2]}`;
          throw new ConcatError(
            'GVL_CONCAT_OVERLAP',
            `input #${i} (${inp.path}) holds region ${label} twice (on-disk rows ${seen.get(key)} and ${r}): the merged order of its rows would be ambiguous; expected distinct (contig, start, end) within each input (deduplicate it; equal regions in different inputs are fine)`,
            { input: i, field: 'regions' },
            { value: label },
          );
        }
        seen.set(key, r);
      }
    });
  }
  const ref = inputs[0] as Input;
  const refMeta = ref.files.metadata;
  inputs.forEach((inp, i) => {
    if (i === 0) return;
    const m = inp.files.metadata;
    if ((inp.files.genotypes === null) !== (ref.files.genotypes === null)) {
      const has = (x: Input) => (x.files.genotypes ? 'has genotypes' : 'has no genotypes');
      throw new ConcatError(
        'GVL_CONCAT_VARIANTS',
        `input #${i} (${inp.path}) ${has(inp)} but input #0 (${ref.path}) ${has(ref)}: all inputs must share one variant table`,
        { input: i, field: 'variants' },
        { value: inp.files.genotypes !== null },
      );
    }
    const hasDosages = (x: Input) => x.files.genotypes?.dosages !== undefined;
    if (hasDosages(inp) !== hasDosages(ref)) {
      const has = (x: Input) =>
        hasDosages(x) ? 'has dosages (genotypes/dosages.npy)' : 'has no dosages';
      throw new ConcatError(
        'GVL_CONCAT_MISMATCH',
        `input #${i} (${inp.path}) ${has(inp)} but input #0 (${ref.path}) ${has(ref)}: write every input with the same dosageField, or none`,
        { input: i, field: 'dosages' },
        { value: hasDosages(inp) },
      );
    }
    const fi = inp.fingerprint;
    const f0 = ref.fingerprint;
    if (fi && f0 && (fi.digest !== f0.digest || fi.size_bytes !== f0.size_bytes))
      throw new ConcatError(
        'GVL_CONCAT_VARIANTS',
        `input #${i} (${inp.path}) has a different variant table than input #0 (${ref.path}): genotypes/variants.arrow fingerprint ${fi.digest.slice(0, 16)}… (${fi.size_bytes} bytes) vs ${f0.digest.slice(0, 16)}… (${f0.size_bytes} bytes); all inputs must be written from the same VCF`,
        { input: i, field: 'variants' },
        { value: fi },
      );
    if (m.ploidy !== refMeta.ploidy) throw mismatch(i, inp, 'ploidy', m.ploidy, refMeta.ploidy);
    if (m.max_jitter !== refMeta.max_jitter)
      throw mismatch(i, inp, 'max_jitter', m.max_jitter, refMeta.max_jitter);
    if (!same(m.contigs, refMeta.contigs))
      throw mismatch(i, inp, 'contigs', m.contigs, refMeta.contigs);
    if (!same(inp.sampleTracks, ref.sampleTracks))
      throw mismatch(i, inp, 'tracks', inp.sampleTracks, ref.sampleTracks);
    if (!same(inp.annotTracks, ref.annotTracks))
      throw mismatch(i, inp, 'annotation tracks', inp.annotTracks, ref.annotTracks);
  });
  if (axis === 'samples') {
    inputs.forEach((inp, i) => {
      if (i === 0) return;
      const d = firstBedDifference(ref, inp);
      if (d !== null)
        throw new ConcatError(
          'GVL_CONCAT_MISMATCH',
          `input #${i} (${inp.path}) has different regions than input #0 (${ref.path}): ${d}; the sample axis needs identical regions (same BED, same order)`,
          { input: i, field: 'regions' },
          { value: d },
        );
    });
    const owner = new Map<string, number>();
    inputs.forEach((inp, i) => {
      for (const s of inp.files.metadata.samples) {
        const j = owner.get(s);
        if (j !== undefined)
          throw new ConcatError(
            'GVL_CONCAT_OVERLAP',
            `sample ${JSON.stringify(s)} is in input #${j} (${(inputs[j] as Input).path}) and input #${i} (${inp.path}): the sample axis needs disjoint samples`,
            { input: i, field: 'samples' },
            { value: s },
          );
        owner.set(s, i);
      }
    });
    return;
  }
  inputs.forEach((inp, i) => {
    if (i === 0) return;
    if (!same(inp.files.metadata.samples, refMeta.samples))
      throw mismatch(i, inp, 'samples', inp.files.metadata.samples, refMeta.samples);
  });
  const refCols = [...bedColumns(ref)].sort();
  inputs.forEach((inp, i) => {
    if (i === 0) return;
    const cols = [...bedColumns(inp)].sort();
    if (!same(cols, refCols)) throw mismatch(i, inp, 'BED columns', cols, refCols);
  });
  const nameOwner = new Map<string, number>();
  inputs.forEach((inp, i) => {
    const names = inp.files.bed.getChild('name');
    if (!names) return;
    for (let r = 0; r < names.length; r++) {
      const n = names.get(r);
      if (n === null || n === undefined) continue;
      const key = String(n);
      const j = nameOwner.get(key);
      if (j !== undefined)
        throw new ConcatError(
          'GVL_CONCAT_OVERLAP',
          `region name ${JSON.stringify(key)} is in input #${j} (${(inputs[j] as Input).path}) and input #${i} (${inp.path}): region names must stay unique after merging`,
          { input: i, field: 'region names' },
          { value: key },
        );
      nameOwner.set(key, i);
    }
  });
}

/** Where two inputs' `input_regions.arrow` differ (columns, rows, `r_idx_map`), or `null`. */
function firstBedDifference(a: Input, b: Input): string | null {
  const ca = bedColumns(a);
  const cb = bedColumns(b);
  if (!same(ca, cb)) return `BED columns ${show(cb)} vs ${show(ca)}`;
  const n = a.files.bed.numRows;
  if (b.files.bed.numRows !== n) return `${b.files.bed.numRows} regions vs ${n}`;
  for (const c of ca) {
    const x = a.files.bed.getChild(c) as Vector;
    const y = b.files.bed.getChild(c) as Vector;
    for (let r = 0; r < n; r++) {
      const u = x.get(r);
      const v = y.get(r);
      if (u !== v && String(u) !== String(v))
        return `row ${r} column ${c} is ${show(String(v))} vs ${show(String(u))}`;
    }
  }
  for (let r = 0; r < n; r++)
    if (a.files.rIdxMap[r] !== b.files.rIdxMap[r])
      return `r_idx_map[${r}] is ${b.files.rIdxMap[r]} vs ${a.files.rIdxMap[r]}`;
  return null;
}

// ---------------------------------------------------------------------------
// The merge plan: where each merged row (region or sample) comes from
// ---------------------------------------------------------------------------

/** `src[k]`, `pos[k]`: input and on-disk position in it of merged row `k`. */
interface Origin {
  readonly src: Int32Array;
  readonly pos: Int32Array;
}

/**
 * Region axis: the merged BED is input #0's rows, then input #1's, …; it is sorted as
 * `write` sorts (natsorted contig, start, end; ties in the peer's order), and merged
 * region `k` is the stored region of the input row at sorted position `k`.
 */
function planRegions(inputs: readonly Input[]): { origin: Origin; rIdxMap: Int32Array } {
  const contigs = natsortContigs(
    inputs.flatMap((inp) => [...(inp.files.bed.getChild('chrom') as Vector)].map(String)),
  );
  const rank = new Map(contigs.map((c, i) => [c, i]));
  const n = inputs.reduce((a, inp) => a + inp.files.rIdxMap.length, 0);
  const cr = new Uint32Array(n);
  const st = new Float64Array(n);
  const en = new Float64Array(n);
  const rowSrc = new Int32Array(n);
  const rowPos = new Int32Array(n);
  let j = 0;
  inputs.forEach((inp, d) => {
    const bed = inp.files.bed;
    const chrom = bed.getChild('chrom') as Vector;
    const s = bed.getChild('chromStart') as Vector;
    const e = bed.getChild('chromEnd') as Vector;
    for (let i = 0; i < bed.numRows; i++, j++) {
      cr[j] = rank.get(String(chrom.get(i))) as number;
      st[j] = Number(s.get(i));
      en[j] = Number(e.get(i));
      rowSrc[j] = d;
      rowPos[j] = inp.files.rIdxMap[i] as number;
    }
  });
  const order = peerRegionOrder(cr, st, en);
  const src = new Int32Array(n);
  const pos = new Int32Array(n);
  const rIdxMap = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const row = order[k] as number;
    rIdxMap[row] = k;
    src[k] = rowSrc[row] as number;
    pos[k] = rowPos[row] as number;
  }
  return { origin: { src, pos }, rIdxMap };
}

/** Sample axis: merged samples sorted (code-point order), each from its one input. */
function planSamples(inputs: readonly Input[]): { origin: Origin; samples: string[] } {
  const all: [string, number, number][] = [];
  inputs.forEach((inp, d) => {
    inp.files.metadata.samples.forEach((s, w) => {
      all.push([s, d, w]);
    });
  });
  all.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return {
    origin: {
      src: Int32Array.from(all, (x) => x[1]),
      pos: Int32Array.from(all, (x) => x[2]),
    },
    samples: all.map((x) => x[0]),
  };
}

/**
 * The runs of source groups, in merged order, of a ragged array over `(R, S, P)` groups
 * (`P = 1` for sample tracks; `S = P = 1` for annotation tracks): `[input, first group,
 * end group)`, adjacent runs of one input coalesced.
 */
function* groupRuns(
  axis: ConcatAxis,
  origin: Origin,
  shapes: readonly { R: number; S: number }[],
  P: number,
  perSample: boolean,
): Generator<[number, number, number]> {
  let cur: [number, number, number] | null = null;
  const push = function* (d: number, a: number, b: number) {
    if (cur !== null && cur[0] === d && cur[2] === a) {
      cur[2] = b;
      return;
    }
    if (cur !== null) yield cur;
    cur = [d, a, b];
  };
  if (axis === 'regions') {
    for (let k = 0; k < origin.src.length; k++) {
      const d = origin.src[k] as number;
      const cell = (perSample ? (shapes[d] as { S: number }).S : 1) * P;
      const w = origin.pos[k] as number;
      yield* push(d, w * cell, (w + 1) * cell);
    }
  } else {
    const R = (shapes[0] as { R: number }).R;
    for (let r = 0; r < R; r++) {
      for (let j = 0; j < origin.src.length; j++) {
        const d = origin.src[j] as number;
        const g = (r * (shapes[d] as { S: number }).S + (origin.pos[j] as number)) * P;
        yield* push(d, g, g + P);
      }
    }
  }
  if (cur !== null) yield cur;
}

/** int64 `a[i]` as a number (offsets stay below 2^53). */
function int64At(words: Int32Array, i: number): number {
  return (words[2 * i + 1] as number) * 4294967296 + ((words[2 * i] as number) >>> 0);
}

type Payload = Int32Array | Float32Array;

/** Runs between two yields to the event loop (and checks of the abort signal). */
const RUNS_PER_SLICE = 4096;

/**
 * Streams one ragged array (CSR `offsets` + parallel payloads) of every input into
 * `out/offsets.npy` and `out/<payload>.npy` in merged group order. Memory: one 1 MiB
 * write buffer per file and a 64 Ki-entry offsets chunk; the sources are the
 * memory-mapped arrays of the inputs (page cache, not heap). Checks `signal` on entry
 * and yields to the event loop every {@link RUNS_PER_SLICE} runs (so a signal handler
 * can abort a long merge).
 */
async function mergeRagged(
  dir: string,
  sources: readonly { offsets: BigInt64Array; payloads: Record<string, Payload> }[],
  runs: Iterable<[number, number, number]>,
  signal: AbortSignal | undefined,
): Promise<void> {
  throwIfAborted(signal);
  const names = Object.keys((sources[0] as { payloads: Record<string, Payload> }).payloads);
  const offsets = new RawArrayWriter(join(dir, npyFileName('offsets')));
  const outs = names.map((n) => new RawArrayWriter(join(dir, npyFileName(n))));
  const all = [offsets, ...outs];
  try {
    const words = sources.map(
      (s) => new Int32Array(s.offsets.buffer, s.offsets.byteOffset, 2 * s.offsets.length),
    );
    const CHUNK = 1 << 16;
    const chunk = new BigInt64Array(CHUNK);
    let used = 0;
    let acc = 0;
    offsets.write(new BigInt64Array([0n]));
    let n = 0;
    for (const [d, a, b] of runs) {
      if (++n % RUNS_PER_SLICE === 0) {
        await new Promise<void>((r) => setImmediate(r));
        throwIfAborted(signal);
      }
      const w = words[d] as Int32Array;
      const src = sources[d] as { payloads: Record<string, Payload> };
      let prev = int64At(w, a);
      const first = prev;
      for (let g = a + 1; g <= b; g++) {
        const next = int64At(w, g);
        acc += next - prev;
        prev = next;
        chunk[used++] = BigInt(acc);
        if (used === CHUNK) {
          offsets.write(chunk);
          used = 0;
        }
      }
      if (prev > first)
        names.forEach((name, k) => {
          (outs[k] as RawArrayWriter).write((src.payloads[name] as Payload).subarray(first, prev));
        });
    }
    offsets.write(chunk.subarray(0, used));
    for (const o of all) o.close();
  } catch (e) {
    for (const o of all) o.abort();
    throw e;
  }
}

/** The merged write windows of `regions.npy`, row-major. */
function mergedWindows(inputs: readonly Input[], axis: ConcatAxis, origin: Origin): Int32Array {
  if (axis === 'regions') {
    const n = origin.src.length;
    const out = new Int32Array(n * 4);
    for (let k = 0; k < n; k++) {
      const w = (inputs[origin.src[k] as number] as Input).windows;
      out.set(w.subarray((origin.pos[k] as number) * 4, (origin.pos[k] as number) * 4 + 4), k * 4);
    }
    return out;
  }
  // Same regions everywhere; each input's end may have been extended further
  // (extendToLength depends on its samples): keep the furthest, as the peer does.
  const out = Int32Array.from((inputs[0] as Input).windows);
  inputs.forEach((inp, i) => {
    for (let r = 0; r < out.length / 4; r++) {
      for (const c of [0, 1, 3])
        if (inp.windows[r * 4 + c] !== out[r * 4 + c])
          throw new ConcatError(
            'GVL_CONCAT_MISMATCH',
            `input #${i} (${inp.path}) regions.npy row ${r} column ${c} is ${inp.windows[r * 4 + c]}: expected ${out[r * 4 + c]} as input #0 (the stored windows of identical regions must agree on contig, start and strand)`,
            { input: i, field: REGIONS_FILE },
            { value: inp.windows[r * 4 + c] },
          );
      out[r * 4 + 2] = Math.max(out[r * 4 + 2] as number, inp.windows[r * 4 + 2] as number);
    }
  });
  return out;
}

/** `regions.npy` of the merge: int32 `(R, 4)`, row-major (the peer's `np.save` of a fresh array). */
function encodeWindows(rows: Int32Array): Uint8Array {
  const R = rows.length / 4;
  const header = npyHeader('<i4', [R, 4], false);
  const out = new Uint8Array(header.length + rows.byteLength);
  out.set(header, 0);
  const dv = new DataView(out.buffer, header.length);
  for (let i = 0; i < rows.length; i++) dv.setInt32(4 * i, rows[i] as number, true);
  return out;
}

/** `input_regions.arrow` of a region-axis merge: the inputs' rows in input order + `r_idx_map`. */
function mergedBed(inputs: readonly Input[], rIdxMap: Int32Array): Uint8Array {
  const columns: Record<string, Vector> = {};
  for (const name of bedColumns(inputs[0] as Input)) {
    let v = (inputs[0] as Input).files.bed.getChild(name) as Vector;
    for (const inp of inputs.slice(1)) v = v.concat(inp.files.bed.getChild(name) as Vector);
    columns[name] = v;
  }
  columns.r_idx_map = makeVector(BigInt64Array.from(rIdxMap, (x) => BigInt(x)));
  return tableToIPC(new Table(columns), 'file');
}

/**
 * Merges genvarloader datasets (format 2.x, written by {@link write} or by the Python
 * peer) into a new dataset at `out`, along one axis, as genvarloader 0.43.1's
 * `concat(path, datasets, axis)`:
 *
 * - `axis: 'regions'`: the inputs have the same samples in the same order; the merged
 *   regions are every input's BED rows (input #0's first, then #1's, …), stored in
 *   `write`'s on-disk order (natsorted contig, start, end), each with the stored window
 *   (`regions.npy`: padding, extension) and the genotypes and track intervals of its
 *   input;
 * - `axis: 'samples'`: the inputs have identical regions (same BED rows, same order) and
 *   disjoint samples; the merged samples are sorted; a region's stored end is the
 *   furthest of the inputs' (each input's `extendToLength` depends on its samples).
 *
 * What must agree, checked in the peer's order before anything is written: at least two
 * inputs; on the region axis no input holding one (contig, start, end) twice; the same
 * variant table (genotypes in every input or none; `genotypes/variants.arrow` with the
 * peer's fingerprint: BLAKE2b of the first MiB and the size), dosages in every input or
 * none (`genotypes/dosages.npy`, merged in the order of `variant_idxs.npy`), `ploidy`, `max_jitter`,
 * `contigs` (same list, same order), sample tracks and annotation tracks; then per axis
 * the regions and disjoint samples, or the samples, BED columns and unique region names.
 * Every input is first opened with all of `Dataset.open`'s integrity checks (and its
 * `checksums.json`).
 *
 * Output, compared with the peer's `concat` of the same inputs: `metadata.json` (with
 * `variants_fingerprint` of the shared variant table), `regions.npy` (int32, row-major), `genotypes/` and track files
 * byte for byte equal; `input_regions.arrow` with the same columns, values and order
 * (the peer re-encodes it with polars: `Utf8View` strings); `checksums.json` added.
 * `genotypes/variants.arrow` is a copy of input #0's.
 *
 * Streaming: genotypes and intervals are copied run by run from the memory-mapped inputs
 * through 1 MiB write buffers; memory holds each input's regions, samples and variant
 * table (as `Dataset.open` does), never a whole genotype or interval array.
 *
 * Atomic as {@link write}: written to a temp directory beside `out` and committed with
 * the same commit (an existing dataset is replaced only once the new one is complete,
 * by one atomic exchange where supported); on any failure nothing is left at `out` and
 * an existing dataset there is untouched.
 *
 * @param out - output directory (must not exist unless `overwrite`).
 * @param inputs - two or more dataset directories, in merge order.
 * @param options - see {@link ConcatOptions}.
 * @returns a {@link ConcatSummary}.
 * @throws {@link InvalidArgumentError} `GVL_INVALID_ARGUMENT`: fewer than two inputs, a
 *   bad `axis`, a non-string path.
 * @throws {@link ConcatError} `GVL_CONCAT_MISMATCH`, `GVL_CONCAT_VARIANTS`,
 *   `GVL_CONCAT_OVERLAP`, naming the input (`input`, its position), the `field` and the
 *   value found.
 * @throws {@link BadDatasetError} `GVL_BAD_DATASET` when an input is not a valid dataset.
 * @throws {@link DatasetError} `GVL_DATASET_EXISTS`, `GVL_NOT_A_DATASET` as {@link write}.
 * @throws {@link FileError} `GVL_OUTPUT_CONTAINS_INPUT` when `out` is or contains an
 *   input; `GVL_UNWRITABLE`; `GVL_DISK_FULL`.
 * @throws {@link AbortedError} `GVL_ABORTED` when `signal` aborts.
 * @see genvarloader `concat(path, datasets, axis, overwrite)`
 * @example
 * ```ts
 * import { concat } from '@gvl/dataset';
 * await concat('both.gvl', ['first-half.gvl', 'second-half.gvl'], { axis: 'regions' });
 * ```
 */
export async function concat(
  out: string,
  inputs: readonly string[],
  options: ConcatOptions,
): Promise<ConcatSummary> {
  // Validation, then writing in one AtomicDir try/catch; the writing steps share the merged windows and the origin of every output row.
  checkArgs(out, inputs, options);
  const { axis, signal } = options;
  const overwrite = options.overwrite ?? false;
  const target = resolve(out);
  const paths = inputs.map((p) => resolve(p));

  // ---- validation: nothing is written before all of it passes ----
  await assertOutputOutsideInputs(
    target,
    paths.map((p, i) => [`input dataset #${i}`, p] as const),
  );
  await recoverInterruptedWrite(target);
  await assertWritableTarget(target, overwrite);
  const ins: Input[] = [];
  for (const p of paths) {
    throwIfAborted(signal);
    ins.push(await loadInput(p));
  }
  validate(ins, axis);
  const ref = ins[0] as Input;
  const refMeta = ref.files.metadata;
  let origin: Origin;
  let samples: string[];
  let rIdxMap: Int32Array | null = null;
  if (axis === 'regions') {
    const plan = planRegions(ins);
    origin = plan.origin;
    rIdxMap = plan.rIdxMap;
    samples = [...refMeta.samples];
  } else {
    const plan = planSamples(ins);
    origin = plan.origin;
    samples = plan.samples;
  }
  const windows = mergedWindows(ins, axis, origin);
  const nRegions = windows.length / 4;
  const shapes = ins.map((inp) => ({
    R: inp.files.metadata.n_regions,
    S: inp.files.metadata.samples.length,
  }));
  // Sample axis: an annotation track holds no sample, so every input's must be the same.
  if (axis === 'samples') {
    for (const name of ref.annotTracks) {
      const t0 = ref.files.tracks.get(name) as TrackIntervals;
      ins.forEach((inp, i) => {
        const t = inp.files.tracks.get(name) as TrackIntervals;
        for (const k of ['starts', 'ends', 'values', 'offsets'] as const) {
          const a = new Uint8Array(t0[k].buffer, t0[k].byteOffset, t0[k].byteLength);
          const b = new Uint8Array(t[k].buffer, t[k].byteOffset, t[k].byteLength);
          if (!Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b))
            throw new ConcatError(
              'GVL_CONCAT_MISMATCH',
              `input #${i} (${inp.path}) annotation track ${name} ${k}.npy differs from input #0's: the sample axis needs identical annotation tracks (the same regions and windows)`,
              { input: i, field: `annotation track ${name}` },
              { value: name },
            );
        }
      });
    }
  }
  throwIfAborted(signal);

  // ---- writing, into a temp directory beside the target ----
  const dir = await AtomicDir.create(target, overwrite).catch((e: unknown) => {
    throw diskFullError(e, target) ?? e;
  });
  try {
    if (rIdxMap !== null)
      await writeFile(join(dir.path, INPUT_REGIONS_FILE), mergedBed(ins, rIdxMap));
    else await copyFile(join(ref.path, INPUT_REGIONS_FILE), join(dir.path, INPUT_REGIONS_FILE));
    await writeFile(join(dir.path, REGIONS_FILE), encodeWindows(windows));
    const P = refMeta.ploidy;
    if (ref.files.genotypes && P !== null) {
      const g = join(dir.path, GENOTYPES_DIR);
      await mkdir(g);
      await copyFile(join(ref.path, VARIANTS_FILE), join(dir.path, VARIANTS_FILE));
      await mergeRagged(
        g,
        ins.map((inp) => {
          const geno = inp.files.genotypes as NonNullable<DatasetFiles['genotypes']>;
          // Dosages are parallel to variant_idxs: merged run by run with them.
          const payloads: Record<string, Payload> = { variant_idxs: geno.variantIdxs };
          if (geno.dosages) payloads.dosages = geno.dosages;
          return { offsets: geno.offsets, payloads };
        }),
        groupRuns(axis, origin, shapes, P, true),
        signal,
      );
    }
    for (const [folder, names, perSample] of [
      [SAMPLE_TRACKS_DIR, ref.sampleTracks, true],
      [ANNOTATION_TRACKS_DIR, ref.annotTracks, false],
    ] as const) {
      for (const name of names) {
        const tdir = join(dir.path, trackDir(folder, name));
        await mkdir(tdir, { recursive: true });
        if (!perSample && axis === 'samples') {
          for (const f of TRACK_ARRAYS)
            await copyFile(
              join(ref.path, trackFile(folder, name, f)),
              join(dir.path, trackFile(folder, name, f)),
            );
          continue;
        }
        await mergeRagged(
          tdir,
          ins.map((inp) => {
            const t = inp.files.tracks.get(name) as TrackIntervals;
            return {
              offsets: t.offsets,
              payloads: { starts: t.starts, ends: t.ends, values: t.values },
            };
          }),
          groupRuns(axis, origin, shapes, 1, perSample),
          signal,
        );
      }
    }
    await writeFile(
      join(dir.path, METADATA_FILE),
      encodeMetadata({
        samples,
        contigs: [...refMeta.contigs],
        n_regions: nRegions,
        ploidy: refMeta.ploidy,
        max_jitter: refMeta.max_jitter,
        version: refMeta.version,
        format_version: FORMAT_VERSION,
        svar_link: null,
        svar2_link: null,
        variants_fingerprint: ref.fingerprint,
      }),
    );
    await writeChecksums(dir.path);
    throwIfAborted(signal);
    const bytes = await directorySize(dir.path);
    await dir.commit();
    return {
      path: target,
      axis,
      inputs: paths,
      nRegions,
      samples,
      ploidy: refMeta.ploidy,
      contigs: [...refMeta.contigs],
      tracks: [...ref.sampleTracks, ...ref.annotTracks],
      bytes,
    };
  } catch (e) {
    await dir.discard();
    throw diskFullError(e, target) ?? e;
  }
}
