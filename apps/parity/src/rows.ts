/**
 * Cutting `get()` outputs into rows, the unit every comparison works on, and finding
 * the first differing element of two rows.
 *
 * A row is one innermost sequence: a haplotype `(sample, ploid)`, a reference window
 * `(sample)`, a track `(sample, track)` or a realigned track `(sample, track, ploid)`,
 * or one haplotype's variants (under `unphasedUnion`: one (region, sample)'s), or one
 * annotated haplotype, or the int32 values of `haplotypeLengths`/`nVariants` of one
 * (region, sample). Row bytes are the output's own bytes (ASCII for sequences,
 * little-endian float32 for tracks, little-endian int32 for lengths and counts); a
 * variants row is serialized as, per variant, int32 LE `start`, int32 LE `ilen`, int32 LE
 * ALT length, then the ALT bytes; an annotated row of `n` bases as the `n` haplotype
 * bytes, then the `n` int32 LE variant indices, then the `n` int32 LE reference
 * coordinates; a one-hot haplotype of `n` bases as its `n · A` float32 LE values (base
 * major, one column per alphabet byte), its length `n`; with variant fields
 * (`varFields`: `ref`, INFO names) each variant's ALT bytes are followed, per field in
 * order, by `ref` as int32 LE length + REF bytes or an INFO value as 4 LE bytes (AF:
 * float32); token rows are the tokens' own
 * bytes (uint8) — `scripts/make_goldens.py` serializes the peer's and bcftools' outputs
 * the same way.
 */
import { createHash } from 'node:crypto';
import { endianness } from 'node:os';
import {
  type AnnotatedHaps,
  type Dense,
  type GetOutput,
  Ragged,
  type RaggedAnnotatedHaps,
  type RaggedVariants,
} from '@gvl/dataset';
import { extraVarFields, type ModeSpec, oneHotWidth, PLOIDY, partsOf, ploidyOf } from './spec.js';

/**
 * Row kinds. `variantFields`: variants rows with variant fields after each ALT (compared
 * byte by byte; the first difference is reported as a byte offset).
 */
export type Dtype = 'uint8' | 'float32' | 'int32' | 'variants' | 'variantFields' | 'annotated';
export type Part = 'seqs' | 'tracks';

/** One part of one batch, cut into rows. */
export interface PartRows {
  dtype: Dtype;
  /** The output's shape (`null` for the ragged axis). */
  shape: (number | null)[];
  /** Bytes of each row (views where possible). */
  rows: Uint8Array[];
  /** Elements per row: bytes, floats, int32 values, variants or annotated bases. */
  lengths: number[];
  /** The ragged output's int64 offsets, `null` for dense outputs. */
  offsets: BigInt64Array | null;
}

export type BatchRows = Partial<Record<Part, PartRows>>;

const bytesOf = (a: Uint8Array | Float32Array | Int32Array | BigInt64Array): Uint8Array =>
  new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

function isVariants(x: unknown): x is RaggedVariants {
  return typeof x === 'object' && x !== null && 'ilen' in x && 'alt' in x;
}

function isAnnotated(x: unknown): x is RaggedAnnotatedHaps | AnnotatedHaps {
  return typeof x === 'object' && x !== null && 'haps' in x && 'varIdxs' in x && 'refCoords' in x;
}

const littleEndian = endianness() === 'LE';

/** An annotated row: the bases, then their variant indices, then their reference coordinates. */
function annotatedRow(haps: Uint8Array, varIdxs: Int32Array, refCoords: Int32Array): Uint8Array {
  const n = haps.length;
  const out = new Uint8Array(9 * n);
  out.set(haps, 0);
  if (littleEndian) {
    // int32 LE: the arrays' own bytes.
    out.set(bytesOf(varIdxs), n);
    out.set(bytesOf(refCoords), 5 * n);
    return out;
  }
  const view = new DataView(out.buffer);
  for (let k = 0; k < n; k++) {
    view.setInt32(n + 4 * k, varIdxs[k] as number, true);
    view.setInt32(5 * n + 4 * k, refCoords[k] as number, true);
  }
  return out;
}

function cutAnnotated(x: RaggedAnnotatedHaps | AnnotatedHaps): PartRows {
  const rows: Uint8Array[] = [];
  const lengths: number[] = [];
  if (x.haps instanceof Ragged) {
    const a = x as RaggedAnnotatedHaps;
    for (let i = 0; i < a.haps.length; i++) {
      const row = annotatedRow(a.haps.row(i), a.varIdxs.row(i), a.refCoords.row(i));
      rows.push(row);
      lengths.push(row.length / 9);
    }
    return { dtype: 'annotated', shape: [...a.haps.shape], rows, lengths, offsets: a.haps.offsets };
  }
  const d = x as AnnotatedHaps;
  const L = d.haps.shape[d.haps.shape.length - 1] as number;
  const n = L === 0 ? 0 : d.haps.data.length / L;
  for (let i = 0; i < n; i++) {
    const [a, b] = [i * L, (i + 1) * L];
    rows.push(
      annotatedRow(
        d.haps.data.subarray(a, b),
        d.varIdxs.data.subarray(a, b),
        d.refCoords.data.subarray(a, b),
      ),
    );
    lengths.push(L);
  }
  return { dtype: 'annotated', shape: [...d.haps.shape], rows, lengths, offsets: null };
}

const dtypeOf = (data: Uint8Array | Float32Array | Int32Array): Dtype =>
  data instanceof Float32Array ? 'float32' : data instanceof Int32Array ? 'int32' : 'uint8';

/**
 * Serializes variants `a..b` of a {@link RaggedVariants} (see the module comment); each
 * of `extra` (variant fields: `'ref'` or an INFO name) follows the ALT bytes in order,
 * `ref` as int32 LE length + bytes, an INFO value as its 4 little-endian bytes.
 */
function variantRow(v: RaggedVariants, a: number, b: number, extra: readonly string[]): Uint8Array {
  const columns = extra.map((f) => {
    if (f === 'ref') {
      if (!v.ref) throw new Error('variants output has no ref field');
      return { ref: v.ref, info: null };
    }
    const info = v.info?.[f];
    if (info?.BYTES_PER_ELEMENT !== 4)
      throw new Error(`variants output has no 4-byte INFO field ${f}`);
    return { ref: null, info };
  });
  let size = 0;
  for (let k = a; k < b; k++) {
    size += 12 + v.alt.row(k).length;
    for (const c of columns) size += c.ref ? 4 + c.ref.row(k).length : 4;
  }
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let o = 0;
  for (let k = a; k < b; k++) {
    const alt = v.alt.row(k);
    view.setInt32(o, v.start[k] as number, true);
    view.setInt32(o + 4, v.ilen[k] as number, true);
    view.setInt32(o + 8, alt.length, true);
    out.set(alt, o + 12);
    o += 12 + alt.length;
    for (const c of columns) {
      if (c.ref) {
        const ref = c.ref.row(k);
        view.setInt32(o, ref.length, true);
        out.set(ref, o + 4);
        o += 4 + ref.length;
      } else {
        const info = c.info as Float32Array | Int32Array;
        if (info instanceof Float32Array) view.setFloat32(o, info[k] as number, true);
        else view.setInt32(o, info[k] as number, true);
        o += 4;
      }
    }
  }
  return out;
}

function cutPart(x: unknown, extra: readonly string[] = []): PartRows {
  if (isAnnotated(x)) return cutAnnotated(x);
  if (isVariants(x)) {
    const n = x.offsets.length - 1;
    const rows: Uint8Array[] = [];
    const lengths: number[] = [];
    for (let i = 0; i < n; i++) {
      const a = Number(x.offsets[i]);
      const b = Number(x.offsets[i + 1]);
      rows.push(variantRow(x, a, b, extra));
      lengths.push(b - a);
    }
    return {
      dtype: extra.length > 0 ? 'variantFields' : 'variants',
      shape: [...x.shape],
      rows,
      lengths,
      offsets: x.offsets,
    };
  }
  if (x instanceof Ragged) {
    const r = x as Ragged<Uint8Array | Float32Array>;
    const dtype: Dtype = r.data instanceof Float32Array ? 'float32' : 'uint8';
    const rows: Uint8Array[] = [];
    const lengths: number[] = [];
    for (let i = 0; i < r.length; i++) {
      const row = r.row(i);
      rows.push(bytesOf(row));
      lengths.push(row.length);
    }
    return { dtype, shape: [...r.shape], rows, lengths, offsets: r.offsets };
  }
  const d = x as Dense<Uint8Array | Float32Array | Int32Array>;
  const dtype = dtypeOf(d.data);
  const L = d.shape[d.shape.length - 1] as number;
  const n = L === 0 ? 0 : d.data.length / L;
  const rows: Uint8Array[] = [];
  const lengths: number[] = [];
  for (let i = 0; i < n; i++) {
    rows.push(bytesOf(d.data.subarray(i * L, (i + 1) * L)));
    lengths.push(L);
  }
  return { dtype, shape: [...d.shape], rows, lengths, offsets: null };
}

/**
 * Rows of a dense one-hot output `[..., L, A]`: one row of `L · A` float32 values per
 * haplotype, its length `L` (bases).
 */
function cutOneHot(d: Dense<Float32Array>, width: number): PartRows {
  if (d instanceof Ragged || !(d.data instanceof Float32Array) || d.shape.at(-1) !== width)
    throw new Error(`expected a dense float32 one-hot output [..., L, ${width}]`);
  const L = d.shape.at(-2) as number;
  const size = L * width;
  const n = size === 0 ? 0 : d.data.length / size;
  const rows: Uint8Array[] = [];
  const lengths: number[] = [];
  for (let i = 0; i < n; i++) {
    rows.push(bytesOf(d.data.subarray(i * size, (i + 1) * size)));
    lengths.push(L);
  }
  return { dtype: 'float32', shape: [...d.shape], rows, lengths, offsets: null };
}

/** Cuts one output of `mode` (`get()`, or the int32 array of `haplotypeLengths`/`nVariants`) into its parts' rows. */
export function cutOutput(mode: ModeSpec, out: GetOutput | Dense<Int32Array>): BatchRows {
  const parts = partsOf(mode);
  const width = oneHotWidth(mode);
  if (width !== null) return { seqs: cutOneHot(out as unknown as Dense<Float32Array>, width) };
  if (parts.length === 2) {
    if (!Array.isArray(out)) throw new Error(`mode ${mode.id}: expected [seqs, tracks]`);
    return { seqs: cutPart(out[0]), tracks: cutPart(out[1]) };
  }
  return { [parts[0] as Part]: cutPart(out, extraVarFields(mode)) };
}

/** SHA-256 of a row's bytes. */
export function sha256(bytes: Uint8Array): Buffer {
  return createHash('sha256').update(bytes).digest();
}

/** Rows of a part per sample, and how a row index splits into (sample, track, ploid). */
export function rowsPerSample(mode: ModeSpec, part: Part): number {
  if (part === 'tracks') return mode.tracks.length * (mode.seqs === 'haplotypes' ? PLOIDY : 1);
  return (mode.call ?? 'get') === 'get' ? ploidyOf(mode) : 1;
}

/** Where row `i` of a part of a batch over `samples` sits. */
export function rowKey(
  mode: ModeSpec,
  part: Part,
  i: number,
  samples: readonly string[],
): { sample: string; track: string | null; hap: number | null } {
  const per = rowsPerSample(mode, part);
  const sample = samples[Math.floor(i / per)] ?? `#${Math.floor(i / per)}`;
  const j = i % per;
  if (part === 'tracks') {
    if (mode.seqs === 'haplotypes') {
      return { sample, track: mode.tracks[Math.floor(j / PLOIDY)] ?? null, hap: j % PLOIDY };
    }
    return { sample, track: mode.tracks[j] ?? null, hap: null };
  }
  return { sample, track: null, hap: per === 1 ? null : j };
}

interface Variant {
  start: number;
  ilen: number;
  alt: string;
}

/** Parses a serialized variants row. */
export function parseVariantRow(row: Uint8Array): Variant[] {
  const view = new DataView(row.buffer, row.byteOffset, row.byteLength);
  const out: Variant[] = [];
  for (let o = 0; o < row.length; ) {
    const n = view.getInt32(o + 8, true);
    out.push({
      start: view.getInt32(o, true),
      ilen: view.getInt32(o + 4, true),
      alt: Buffer.from(row.subarray(o + 12, o + 12 + n)).toString('latin1'),
    });
    o += 12 + n;
  }
  return out;
}

/** The first differing element of two rows: its index and both values, `null` when equal. */
export function firstDiff(
  dtype: Dtype,
  a: Uint8Array,
  b: Uint8Array,
): { position: number; a: string; b: string } | null {
  if (dtype === 'variants') {
    const va = parseVariantRow(a);
    const vb = parseVariantRow(b);
    const show = (v: Variant | undefined) =>
      v === undefined ? '(end of row)' : `start=${v.start} ilen=${v.ilen} alt=${v.alt}`;
    for (let k = 0; k < Math.max(va.length, vb.length); k++) {
      if (show(va[k]) !== show(vb[k])) return { position: k, a: show(va[k]), b: show(vb[k]) };
    }
    return null;
  }
  if (dtype === 'annotated') {
    const show = (r: Uint8Array, k: number): string => {
      const n = r.length / 9;
      if (k >= n) return '(end of row)';
      const view = new DataView(r.buffer, r.byteOffset, r.byteLength);
      return `'${String.fromCharCode(r[k] as number)}' varIdx=${view.getInt32(n + 4 * k, true)} refCoord=${view.getInt32(5 * n + 4 * k, true)}`;
    };
    for (let k = 0; k < Math.max(a.length, b.length) / 9; k++) {
      if (show(a, k) !== show(b, k)) return { position: k, a: show(a, k), b: show(b, k) };
    }
    return null;
  }
  const width = dtype === 'uint8' || dtype === 'variantFields' ? 1 : 4;
  const n = Math.max(a.length, b.length) / width;
  const value = (r: Uint8Array, k: number): string => {
    if ((k + 1) * width > r.length) return '(end of row)';
    if (dtype === 'variantFields') return `byte ${r[k]}`;
    if (dtype === 'uint8') return `'${String.fromCharCode(r[k] as number)}'`;
    const view = new DataView(r.buffer, r.byteOffset + k * 4, 4);
    return String(dtype === 'int32' ? view.getInt32(0, true) : view.getFloat32(0, true));
  };
  for (let k = 0; k < n; k++) {
    const va = value(a, k);
    const vb = value(b, k);
    const same =
      (k + 1) * width <= a.length &&
      (k + 1) * width <= b.length &&
      Buffer.compare(
        a.subarray(k * width, (k + 1) * width),
        b.subarray(k * width, (k + 1) * width),
      ) === 0;
    if (!same) return { position: k, a: va, b: vb };
  }
  return null;
}
