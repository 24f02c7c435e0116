/**
 * fast-check arbitraries for random kernel batches: contigs, variant tables
 * with SNVs, insertions and deletions (overlapping, spanning region edges,
 * running off the contig), regions with negative starts or past the contig
 * end, random shifts, ragged / fixed / arbitrary output rows, intervals and
 * track rows, gather rows (repeated groups, with or without an ALT
 * reverse-complement mask). `buildCase` turns a generated world into kernel
 * inputs.
 */
import fc from 'fast-check';
import type {
  DiffsInput,
  GatherVariantsInput,
  HaplotypesInput,
  InsertionFill,
  RealignInput,
  ReferenceInput,
  TracksInput,
} from '../src-ts/index.js';
import { naiveDiffs } from './naive.js';

const BASES = [65, 67, 71, 84];

interface VariantSpec {
  pos: number;
  kind: 'snv' | 'ins' | 'del';
  size: number;
  bases: number[];
}

interface RowSpec {
  subset: number;
  shift: number;
  extra: number;
}

interface QuerySpec {
  contig: number;
  start: number;
  length: number;
  trackExtra: number;
  intervals: { start: number; length: number; value: number }[];
  rows: RowSpec[];
}

/** A generated world; see {@link buildCase}. */
export interface World {
  contigs: number[][];
  variants: VariantSpec[][];
  ploidy: number;
  queries: QuerySpec[];
  mode: 'ragged' | 'fixed' | 'random';
  fixedLength: number;
  useShifts: boolean;
  fill: InsertionFill;
  baseSeed: bigint;
  trackValues: number[];
  rcMask: boolean[];
  /** Gather with an `rcMask` (else without one). */
  gatherMask: boolean;
  /** Gather with a `keep` mask over the variant table (else without one). */
  gatherKeep: boolean;
}

const variantArb = (len: number): fc.Arbitrary<VariantSpec> =>
  fc.record({
    pos: fc.integer({ min: 0, max: len - 1 }),
    kind: fc.constantFrom('snv' as const, 'ins' as const, 'del' as const),
    size: fc.integer({ min: 1, max: 8 }),
    bases: fc.array(fc.constantFrom(...BASES, 78, 97), { minLength: 9, maxLength: 9 }),
  });

const fillArb: fc.Arbitrary<InsertionFill> = fc.oneof(
  fc.constant({ kind: 'repeat5p' as const }),
  fc.constant({ kind: 'repeat5pNormalized' as const }),
  fc
    .double({ min: -4, max: 4, noNaN: true })
    .map((v) => ({ kind: 'constant' as const, value: v + 0 })),
  fc
    .integer({ min: 0, max: 6 })
    .map((flankWidth) => ({ kind: 'flankSample' as const, flankWidth })),
  fc.integer({ min: 0, max: 5 }).map((order) => ({ kind: 'interpolate' as const, order })),
);

/** A random world with up to `maxQueries` queries. */
export function worldArb(maxQueries = 8): fc.Arbitrary<World> {
  return fc
    .array(
      // short contigs make dense, overlapping variants (nested deletions at edges)
      fc.oneof(fc.integer({ min: 1, max: 24 }), fc.integer({ min: 1, max: 120 })),
      { minLength: 1, maxLength: 3 },
    )
    .chain((lens) =>
      fc.record({
        contigs: fc.tuple(
          ...lens.map((len) =>
            fc.array(fc.constantFrom(...BASES), { minLength: len, maxLength: len }),
          ),
        ),
        variants: fc.tuple(
          ...lens.map((len) =>
            fc.array(variantArb(len), { maxLength: 25 }).map((vs) => sortVariants(vs)),
          ),
        ),
        ploidy: fc.integer({ min: 1, max: 3 }),
        queries: fc.array(
          fc.record({
            contig: fc.integer({ min: 0, max: lens.length - 1 }),
            start: fc.oneof(fc.integer({ min: -12, max: 30 }), fc.integer({ min: -20, max: 140 })),
            length: fc.integer({ min: 0, max: 50 }),
            trackExtra: fc.integer({ min: 0, max: 12 }),
            intervals: fc.array(
              fc.record({
                start: fc.integer({ min: -12, max: 64 }),
                length: fc.integer({ min: 0, max: 16 }),
                value: fc.integer({ min: -40, max: 40 }).map((v) => v / 4),
              }),
              { maxLength: 6 },
            ),
            rows: fc.array(
              fc.record({
                subset: fc.nat(),
                shift: fc.integer({ min: 0, max: 12 }),
                extra: fc.integer({ min: 0, max: 60 }),
              }),
              { minLength: 3, maxLength: 3 },
            ),
          }),
          { maxLength: maxQueries },
        ),
        mode: fc.constantFrom('ragged' as const, 'fixed' as const, 'random' as const),
        fixedLength: fc.integer({ min: 0, max: 60 }),
        useShifts: fc.boolean(),
        fill: fillArb,
        baseSeed: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        trackValues: fc.array(
          fc.integer({ min: -20, max: 20 }).map((v) => v / 2),
          {
            minLength: 16,
            maxLength: 16,
          },
        ),
        rcMask: fc.array(fc.boolean(), { minLength: 24, maxLength: 24 }),
        gatherMask: fc.boolean(),
        gatherKeep: fc.boolean(),
      }),
    );
}

function sortVariants(vs: VariantSpec[]): VariantSpec[] {
  return [...vs].sort((a, b) => a.pos - b.pos);
}

/** Kernel inputs derived from one world. */
export interface Case {
  diffs: DiffsInput;
  haplotypes: HaplotypesInput;
  reference: ReferenceInput;
  tracks: TracksInput;
  realign: RealignInput;
  rcRows: Uint8Array;
  gather: GatherVariantsInput;
}

function cumsum(lengths: number[]): BigInt64Array {
  const out = new BigInt64Array(lengths.length + 1);
  let acc = 0n;
  lengths.forEach((l, i) => {
    acc += BigInt(l);
    out[i + 1] = acc;
  });
  return out;
}

/** Build typed-array inputs for every kernel from a world. */
export function buildCase(w: World): Case {
  // Variant table: contigs' variants concatenated.
  const starts: number[] = [];
  const ilens: number[] = [];
  const alts: number[] = [];
  const altLens: number[] = [];
  const contigVariants: number[][] = [];
  w.variants.forEach((vs) => {
    const ids: number[] = [];
    for (const v of vs) {
      ids.push(starts.length);
      starts.push(v.pos);
      const ilen = v.kind === 'snv' ? 0 : v.kind === 'ins' ? v.size : -v.size;
      ilens.push(ilen);
      const altLen = ilen > 0 ? ilen + 1 : 1;
      for (let i = 0; i < altLen; i++) alts.push(v.bases[i] as number);
      altLens.push(altLen);
    }
    contigVariants.push(ids);
  });
  const reference = {
    sequence: Uint8Array.from(w.contigs.flat()),
    offsets: cumsum(w.contigs.map((c) => c.length)),
  };
  const variants = {
    starts: Int32Array.from(starts),
    ilens: Int32Array.from(ilens),
    alts: Uint8Array.from(alts),
    altOffsets: cumsum(altLens),
  };
  // Genotype groups: one per (query, hap), stored in reverse order so that
  // group indices differ from row indices.
  const ploidy = w.ploidy;
  const regions: number[] = [];
  const rowVariants: number[][] = [];
  const shifts: number[] = [];
  const extras: number[] = [];
  for (const q of w.queries) {
    regions.push(q.contig, q.start, q.start + q.length);
    for (let h = 0; h < ploidy; h++) {
      const row = q.rows[h] as RowSpec;
      const ids = contigVariants[q.contig] as number[];
      let x = row.subset | 1;
      rowVariants.push(
        ids.filter(() => {
          x = (Math.imul(x, 1103515245) + 12345) >>> 0;
          return (x >>> 16) % 3 !== 0;
        }),
      );
      shifts.push(row.shift);
      extras.push(row.extra);
    }
  }
  const nRows = rowVariants.length;
  const order = rowVariants.map((_, k) => nRows - 1 - k);
  const stored: number[][] = new Array(nRows);
  rowVariants.forEach((vs, k) => {
    stored[order[k] as number] = vs;
  });
  const genotypes = {
    offsets: cumsum(stored.map((vs) => vs.length)),
    variantIdxs: Int32Array.from(stored.flat()),
  };
  const groups = BigInt64Array.from(order.map((g) => BigInt(g)));
  const regionsArr = Int32Array.from(regions);
  const diffs: DiffsInput = { regions: regionsArr, ploidy, groups, genotypes, variants };
  let rowLengths: number[];
  if (w.mode === 'ragged') {
    const d = naiveDiffs(diffs);
    rowLengths = Array.from(d, (diff, k) => {
      const q = w.queries[Math.floor(k / ploidy)] as QuerySpec;
      return Math.max(0, q.length + diff);
    });
  } else if (w.mode === 'fixed') {
    rowLengths = new Array(nRows).fill(w.fixedLength);
  } else {
    rowLengths = extras;
  }
  const outOffsets = cumsum(rowLengths);
  const shiftsArr = w.useShifts ? Int32Array.from(shifts) : undefined;
  const haplotypes: HaplotypesInput = {
    regions: regionsArr,
    ploidy,
    groups,
    genotypes,
    variants,
    reference,
    outOffsets,
    ...(shiftsArr ? { shifts: shiftsArr } : {}),
  };
  const refOffsets = cumsum(w.queries.map((q, i) => q.length + (i % 3) * 7));
  // Intervals: one group per query, sorted by start, groups reversed.
  const nq = w.queries.length;
  const itvByGroup: { start: number; end: number; value: number }[][] = new Array(nq);
  w.queries.forEach((q, i) => {
    itvByGroup[nq - 1 - i] = [...q.intervals]
      .map((it) => ({
        start: q.start + it.start,
        end: q.start + it.start + it.length,
        value: it.value,
      }))
      .sort((a, b) => a.start - b.start);
  });
  const itvFlat = itvByGroup.flat();
  const tracks: TracksInput = {
    regions: regionsArr,
    groups: BigInt64Array.from(w.queries.map((_, i) => BigInt(nq - 1 - i))),
    intervals: {
      starts: Int32Array.from(itvFlat.map((it) => it.start)),
      ends: Int32Array.from(itvFlat.map((it) => it.end)),
      values: Float32Array.from(itvFlat.map((it) => it.value)),
      offsets: cumsum(itvByGroup.map((g) => g.length)),
    },
    outOffsets: cumsum(w.queries.map((q, i) => q.length + (i % 2) * 5)),
  };
  const trackRows = w.queries.map((q, i) =>
    Array.from(
      { length: q.length + q.trackExtra },
      (_, j) => w.trackValues[(i + j) % 16] as number,
    ),
  );
  const realign: RealignInput = {
    regions: regionsArr,
    ploidy,
    groups,
    genotypes,
    variants: { starts: variants.starts, ilens: variants.ilens },
    tracks: Float32Array.from(trackRows.flat()),
    trackOffsets: cumsum(trackRows.map((r) => r.length)),
    outOffsets,
    fill: w.fill,
    baseSeed: w.baseSeed,
    ...(shiftsArr ? { shifts: shiftsArr } : {}),
  };
  // Gather: every (query, hap) row, then the first half again (rows sharing a group).
  const gatherGroups = BigInt64Array.from([...groups, ...groups.subarray(0, nRows >> 1)]);
  const gather: GatherVariantsInput = {
    groups: gatherGroups,
    genotypes,
    variants,
    ...(w.gatherMask
      ? {
          rcMask: Uint8Array.from(gatherGroups, (_, k) =>
            w.rcMask[(k * 5) % 24] ? 1 + (k % 3) : 0,
          ),
        }
      : {}),
    ...(w.gatherKeep
      ? {
          keep: Uint8Array.from(variants.starts, (_, v) => (w.rcMask[(v * 7 + 3) % 24] ? 0 : 1)),
        }
      : {}),
  };
  return {
    diffs,
    haplotypes,
    reference: { regions: regionsArr, reference, outOffsets: refOffsets },
    tracks,
    realign,
    rcRows: Uint8Array.from({ length: nRows }, (_, k) => (w.rcMask[k % 24] ? 1 : 0)),
    gather,
  };
}

/** JSON with typed arrays and bigints, for handing cases to child processes. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (typeof v === 'bigint') return { $bigint: v.toString() };
    if (ArrayBuffer.isView(v)) {
      const tag = Object.prototype.toString.call(v).slice(8, -1);
      const arr = Array.from(v as unknown as ArrayLike<number | bigint>, (x) =>
        typeof x === 'bigint' ? x.toString() : x,
      );
      return { $typed: tag, data: arr };
    }
    return v;
  });
}

/** Inverse of {@link toJson}. */
export function fromJson<T>(text: string): T {
  return JSON.parse(text, (_k, v: unknown) => {
    if (v && typeof v === 'object' && '$bigint' in v)
      return BigInt((v as { $bigint: string }).$bigint);
    if (v && typeof v === 'object' && '$typed' in v) {
      const { $typed, data } = v as { $typed: string; data: (number | string)[] };
      switch ($typed) {
        case 'BigInt64Array':
          return BigInt64Array.from(data.map((x) => BigInt(x)));
        case 'Int32Array':
          return Int32Array.from(data as number[]);
        case 'Float32Array':
          return Float32Array.from(data as number[]);
        default:
          return Uint8Array.from(data as number[]);
      }
    }
    return v;
  }) as T;
}

/** Bytes of any typed array, for byte-for-byte comparison. */
export function bytesOf(a: ArrayBufferView): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}
