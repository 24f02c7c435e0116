/**
 * A deliberately naive TypeScript implementation of the kernels, used ONLY as
 * a differential oracle in tests. It transcribes docs/read-semantics.md §3 one
 * element at a time on plain JS arrays, with no slicing tricks and no shared
 * code with the Rust crate. Slow on purpose; never ship it.
 */
import type {
  DiffsInput,
  GatheredVariants,
  GatherVariantsInput,
  HaplotypesInput,
  InsertionFill,
  RealignInput,
  ReferenceInput,
  TracksInput,
} from '../src-ts/index.js';

interface Variant {
  /** Row of the variant table. */
  idx: number;
  pos: number;
  ilen: number;
  alt: number[];
}

function variantsOf(
  input: {
    groups: BigInt64Array;
    genotypes: { offsets: BigInt64Array; variantIdxs: Int32Array };
    variants: {
      starts: Int32Array;
      ilens: Int32Array;
      alts?: Uint8Array;
      altOffsets?: BigInt64Array;
    };
  },
  row: number,
): Variant[] {
  const g = Number(input.groups[row]);
  const from = Number(input.genotypes.offsets[g]);
  const to = Number(input.genotypes.offsets[g + 1]);
  const out: Variant[] = [];
  for (let j = from; j < to; j++) {
    const v = input.genotypes.variantIdxs[j] as number;
    const alt: number[] = [];
    if (input.variants.alts && input.variants.altOffsets) {
      for (
        let a = Number(input.variants.altOffsets[v]);
        a < Number(input.variants.altOffsets[v + 1]);
        a++
      ) {
        alt.push(input.variants.alts[a] as number);
      }
    }
    out.push({
      idx: v,
      pos: input.variants.starts[v] as number,
      ilen: input.variants.ilens[v] as number,
      alt,
    });
  }
  return out;
}

function refBase(contig: number[], i: number): number | undefined {
  return i >= 0 && i < contig.length ? contig[i] : undefined;
}

/** §3.2, one (query, haplotype) at a time. */
export function naiveDiffs(input: DiffsInput): Int32Array {
  const n = input.regions.length / 3;
  const out: number[] = [];
  for (let q = 0; q < n; q++) {
    const qStart = input.regions[3 * q + 1] as number;
    const qEnd = input.regions[3 * q + 2] as number;
    for (let h = 0; h < input.ploidy; h++) {
      let refIdx = qStart;
      let acc = 0;
      for (const v of variantsOf(input, q * input.ploidy + h)) {
        const end = v.pos - Math.min(v.ilen, 0) + 1;
        if (end <= qStart) continue;
        if (v.pos >= qEnd) break;
        if (v.pos >= qStart && v.pos < refIdx) continue;
        refIdx = Math.max(refIdx, end);
        let d = v.ilen;
        if (d < 0) d += Math.max(qStart - v.pos - 1, 0);
        d += Math.max(end - qEnd, 0);
        acc += d;
      }
      out.push(acc | 0);
    }
  }
  return Int32Array.from(out);
}

function contigOf(ref: { sequence: Uint8Array; offsets: BigInt64Array }, c: number): number[] {
  return Array.from(ref.sequence.subarray(Number(ref.offsets[c]), Number(ref.offsets[c + 1])));
}

/** §3.3, byte by byte with `push`. */
export function naiveHaplotypes(input: HaplotypesInput): Uint8Array {
  const n = input.regions.length / 3;
  const pad =
    typeof input.padChar === 'string' ? input.padChar.charCodeAt(0) : (input.padChar ?? 78);
  const all: number[] = [];
  for (let q = 0; q < n; q++) {
    const contig = contigOf(input.reference, input.regions[3 * q] as number);
    const q0 = input.regions[3 * q + 1] as number;
    for (let h = 0; h < input.ploidy; h++) {
      const k = q * input.ploidy + h;
      const L = Number(input.outOffsets[k + 1]) - Number(input.outOffsets[k]);
      const s = input.shifts ? (input.shifts[k] as number) : 0;
      const out: number[] = [];
      let refIdx = q0;
      let shifted = 0;
      if (refIdx < 0) {
        shifted = Math.min(s, -refIdx);
        const nPad = -refIdx - shifted;
        for (let i = 0; i < nPad && out.length < L; i++) out.push(pad);
        refIdx = 0;
      }
      for (const v of variantsOf(input, k)) {
        const vEnd = v.pos - Math.min(v.ilen, 0) + 1;
        if (v.pos < q0 && v.ilen < 0 && vEnd >= q0) {
          refIdx = vEnd;
          continue;
        }
        if (v.pos < refIdx) continue;
        let a = 0;
        if (shifted < s) {
          const d = v.pos - refIdx;
          if (shifted + d + v.alt.length < s) continue;
          if (shifted + d >= s) {
            refIdx += s - shifted;
            shifted = s;
          } else {
            a = s - shifted - d;
            shifted = s;
            if (a === v.alt.length) {
              refIdx = vEnd;
              continue;
            }
            refIdx = v.pos;
          }
        }
        const gap = v.pos - refIdx;
        if (out.length + gap >= L) break;
        for (let p = refIdx; p < v.pos; p++) out.push(contig[p] as number);
        for (let i = a; i < v.alt.length && out.length < L; i++) out.push(v.alt[i] as number);
        refIdx = vEnd;
        if (out.length >= L) break;
      }
      if (shifted < s) refIdx = Math.min(refIdx + (s - shifted), contig.length);
      while (out.length < L) {
        const b = refBase(contig, refIdx);
        out.push(b ?? pad);
        refIdx += 1;
      }
      all.push(...out);
    }
  }
  return Uint8Array.from(all);
}

/** Reference windows, position by position. */
export function naiveReference(input: ReferenceInput): Uint8Array {
  const n = input.regions.length / 3;
  const pad =
    typeof input.padChar === 'string' ? input.padChar.charCodeAt(0) : (input.padChar ?? 78);
  const all: number[] = [];
  for (let q = 0; q < n; q++) {
    const contig = contigOf(input.reference, input.regions[3 * q] as number);
    const start = input.regions[3 * q + 1] as number;
    const len = Number(input.outOffsets[q + 1]) - Number(input.outOffsets[q]);
    for (let i = 0; i < len; i++) all.push(refBase(contig, start + i) ?? pad);
  }
  return Uint8Array.from(all);
}

/** §3.6 intervals_to_tracks, element by element. */
export function naiveTracks(input: TracksInput): Float32Array {
  const n = input.regions.length / 3;
  const all: number[] = [];
  for (let q = 0; q < n; q++) {
    const qStart = input.regions[3 * q + 1] as number;
    const len = Number(input.outOffsets[q + 1]) - Number(input.outOffsets[q]);
    const row = new Array<number>(len).fill(0);
    const g = Number(input.groups[q]);
    for (
      let i = Number(input.intervals.offsets[g]);
      i < Number(input.intervals.offsets[g + 1]);
      i++
    ) {
      const relStart = (input.intervals.starts[i] as number) - qStart;
      if (relStart >= len) break;
      const s = Math.max(relStart, 0);
      const e = Math.min((input.intervals.ends[i] as number) - qStart, len);
      for (let p = s; p < e; p++) row[p] = input.intervals.values[i] as number;
    }
    all.push(...row);
  }
  return Float32Array.from(all);
}

const MASK64 = (1n << 64n) - 1n;

/** xorshift64 on bigints. */
export function naiveXorshift64(x: bigint): bigint {
  let v = x & MASK64;
  v ^= (v << 13n) & MASK64;
  v ^= v >> 7n;
  v ^= (v << 17n) & MASK64;
  return v;
}

/** hash4 on bigints. */
export function naiveHash4(a: bigint, b: bigint, c: bigint, d: bigint): bigint {
  let h = a;
  h = naiveXorshift64(h ^ b);
  h = naiveXorshift64(h ^ c);
  h = naiveXorshift64(h ^ d);
  return h;
}

const f32 = Math.fround;

function fillValues(
  fill: InsertionFill,
  track: number[],
  rel: number,
  vLen: number,
  outIdx: number,
  count: number,
  seed: bigint,
  query: number,
  hap: number,
): number[] {
  const at = (i: number) => (i >= 0 && i < track.length ? (track[i] as number) : 0);
  const vals: number[] = [];
  for (let i = 0; i < count; i++) {
    switch (fill.kind) {
      case 'repeat5p':
        vals.push(at(rel));
        break;
      case 'repeat5pNormalized':
        vals.push(f32(at(rel) / vLen));
        break;
      case 'constant':
        vals.push(f32(fill.value ?? Number.NaN));
        break;
      case 'flankSample': {
        const w = fill.flankWidth ?? 5;
        const lo = Math.max(0, rel - w);
        const hi = Math.min(track.length - 1, rel + w);
        const size = hi - lo + 1;
        if (size <= 0) {
          vals.push(0);
        } else {
          const hsh = naiveHash4(seed, BigInt(query), BigInt(hap), BigInt(outIdx + i));
          vals.push(track[lo + Number(hsh % BigInt(size))] as number);
        }
        break;
      }
      case 'interpolate': {
        const k = Math.floor(((fill.order ?? 1) + 2) / 2);
        const xs: number[] = [];
        const ys: number[] = [];
        for (let j = 0; j < k; j++) {
          xs.push(-j);
          ys.push(at(Math.max(rel - j, 0)));
        }
        for (let j = 0; j < k; j++) {
          xs.push(vLen + j);
          ys.push(at(Math.min(rel + 1 + j, track.length - 1)));
        }
        let acc = 0;
        for (let p = 0; p < xs.length; p++) {
          let term = ys[p] as number;
          for (let r = 0; r < xs.length; r++) {
            if (r !== p) term *= (i - (xs[r] as number)) / ((xs[p] as number) - (xs[r] as number));
          }
          acc += term;
        }
        vals.push(f32(acc));
        break;
      }
    }
  }
  return vals;
}

/** §3.6 realignment, element by element with `push`. */
export function naiveRealign(input: RealignInput): Float32Array {
  const n = input.regions.length / 3;
  const fill = input.fill ?? { kind: 'repeat5p' };
  const seed = input.baseSeed ?? 0n;
  const all: number[] = [];
  for (let q = 0; q < n; q++) {
    const qStart = input.regions[3 * q + 1] as number;
    const track = Array.from(
      input.tracks.subarray(Number(input.trackOffsets[q]), Number(input.trackOffsets[q + 1])),
    );
    const at = (i: number) => (i >= 0 && i < track.length ? (track[i] as number) : 0);
    for (let h = 0; h < input.ploidy; h++) {
      const k = q * input.ploidy + h;
      const L = Number(input.outOffsets[k + 1]) - Number(input.outOffsets[k]);
      const s = input.shifts ? (input.shifts[k] as number) : 0;
      const vs = variantsOf(input, k);
      const out: number[] = [];
      if (vs.length === 0) {
        for (let i = 0; i < L; i++) out.push(at(i));
        all.push(...out);
        continue;
      }
      let t = 0;
      let shifted = 0;
      for (const v of vs) {
        const rel = v.pos - qStart;
        const relEnd = rel - Math.min(v.ilen, 0) + 1;
        if (v.ilen < 0 && rel < 0 && relEnd >= 0) {
          t = relEnd;
          continue;
        }
        if (rel < t) continue;
        let vLen = Math.max(v.ilen, 0) + 1;
        if (shifted < s) {
          const d = rel - t;
          if (shifted + d + vLen < s) continue;
          if (shifted + d >= s) {
            t += s - shifted;
            shifted = s;
          } else {
            const a = s - shifted - d;
            shifted = s;
            if (a === vLen) {
              t = relEnd;
              continue;
            }
            t = rel;
            vLen -= a;
          }
        }
        if (v.ilen === 0) continue;
        if (out.length + (rel - t) >= L) break;
        for (let p = t; p < rel; p++) out.push(at(p));
        const w = Math.min(vLen, L - out.length);
        if (v.ilen > 0 && fill.kind !== 'repeat5p') {
          out.push(...fillValues(fill, track, rel, vLen, out.length, w, seed, q, h));
        } else {
          for (let i = 0; i < w; i++) out.push(at(rel));
        }
        t = relEnd;
        if (out.length >= L) break;
      }
      if (shifted < s) t = Math.min(t + (s - shifted), track.length);
      while (out.length < L) {
        out.push(at(t));
        t += 1;
      }
      all.push(...out);
    }
  }
  return Float32Array.from(all);
}

/** Reverse complement of selected rows, on a copy. */
export function naiveReverseComplement(
  data: Uint8Array,
  offsets: BigInt64Array,
  rows?: Uint8Array,
): Uint8Array {
  const comp: Record<number, number> = { 65: 84, 84: 65, 67: 71, 71: 67 };
  const out = Array.from(data);
  for (let i = 0; i + 1 < offsets.length; i++) {
    if (rows && rows[i] === 0) continue;
    const s = Number(offsets[i]);
    const e = Number(offsets[i + 1]);
    const row = out.slice(s, e).reverse();
    for (let j = 0; j < row.length; j++) out[s + j] = comp[row[j] as number] ?? (row[j] as number);
  }
  return Uint8Array.from(out);
}

/**
 * §3.7 + §3.5: every row's variants pushed one by one (those `keep` flags 0 skipped);
 * masked rows' ALTs reversed, then complemented.
 */
export function naiveGatherVariants(input: GatherVariantsInput): GatheredVariants {
  const comp: Record<number, number> = { 65: 84, 84: 65, 67: 71, 71: 67 };
  const offsets: bigint[] = [0n];
  const start: number[] = [];
  const ilen: number[] = [];
  const alt: number[] = [];
  const altOffsets: bigint[] = [0n];
  const variantIdx: number[] = [];
  for (let r = 0; r < input.groups.length; r++) {
    const rc = input.rcMask !== undefined && input.rcMask[r] !== 0;
    for (const v of variantsOf(input, r)) {
      if (input.keep !== undefined && input.keep[v.idx] === 0) continue;
      variantIdx.push(v.idx);
      start.push(v.pos);
      ilen.push(v.ilen);
      const allele = rc ? [...v.alt].reverse().map((b) => comp[b] ?? b) : v.alt;
      for (const b of allele) alt.push(b);
      altOffsets.push(BigInt(alt.length));
    }
    offsets.push(BigInt(start.length));
  }
  return {
    offsets: BigInt64Array.from(offsets),
    start: Int32Array.from(start),
    ilen: Int32Array.from(ilen),
    alt: Uint8Array.from(alt),
    altOffsets: BigInt64Array.from(altOffsets),
    variantIdx: Int32Array.from(variantIdx),
  };
}
