// Child process of fuzz-limits.test.ts. Drives every native entry point (the
// typed wrappers, sync and async, and the raw binding, which skips the
// TypeScript checks) with fast-check inputs whose spans, offsets and lengths
// come from the 2^31 / 2^32 / 2^53 / 2^63 edges, from the output cap's edges
// and from small valid values. Each call must return an output of the size
// its inputs ask for (within the cap) or throw a typed NativeError (a code
// `GVL_*`, never GVL_NATIVE_PANIC). Prints one JSON line: call counts, codes
// seen, the first counterexample (if any) and the memory high-water marks
// (VmHWM) after warm-up and at the end. Run with --expose-gc.
//
// argv[2]: JSON `{ seed, numRuns }`. The cap comes from GVL_MAX_OUTPUT_BYTES.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { toNativeError } from '../../dist/errors.js';
import * as gvl from '../../dist/index.js';
import * as native from '../../index.js';

const { seed, numRuns } = JSON.parse(process.argv[2]);
const cap = BigInt(gvl.limitsInfo().maxOutputBytes);

function status(key) {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(
    readFileSync('/proc/self/status', 'utf8'),
  );
  return m ? Number(m[1]) * 1024 : 0;
}

// ---------------------------------------------------------------------------
// Arbitraries
// ---------------------------------------------------------------------------

const I32_EDGES = [0, 1, -1, 2, 7, 2 ** 30, 2 ** 31 - 1, -(2 ** 31)];
const I64_EDGES = [
  0n,
  1n,
  2n,
  7n,
  -1n,
  2n ** 31n - 1n,
  2n ** 31n,
  2n ** 32n - 1n,
  2n ** 32n,
  2n ** 53n - 1n,
  2n ** 63n - 1n,
  -(2n ** 63n),
];
/** Element counts at the cap's edge for every element size. */
const CAP_EDGES = [1n, 4n, 8n].flatMap((size) => [cap / size - 1n, cap / size, cap / size + 1n]);

const i32 = (lo, hi) =>
  fc.oneof(
    { weight: 1, arbitrary: fc.constantFrom(...I32_EDGES) },
    { weight: 4, arbitrary: fc.integer({ min: lo, max: hi }) },
  );
const size = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom(...I64_EDGES) },
  { weight: 1, arbitrary: fc.constantFrom(...CAP_EDGES) },
  { weight: 4, arbitrary: fc.bigInt({ min: 0n, max: 48n }) },
);

/** `n + 1` offsets: a cumulative sum of sizes from 0 (valid unless a size is negative),
 * or raw edge values, or the wrong length. */
const offsetsArb = (n) =>
  fc.oneof(
    {
      weight: 4,
      arbitrary: fc.array(size, { minLength: n, maxLength: n }).map((sizes) => {
        const out = new BigInt64Array(n + 1);
        let acc = 0n;
        sizes.forEach((s, i) => {
          acc = BigInt.asIntN(64, acc + s);
          out[i + 1] = acc;
        });
        return out;
      }),
    },
    {
      weight: 1,
      arbitrary: fc
        .array(size, { minLength: n + 1, maxLength: n + 1 })
        .map((a) => BigInt64Array.from(a)),
    },
    {
      weight: 1,
      arbitrary: fc
        .array(fc.bigInt({ min: 0n, max: 16n }), { maxLength: n + 3 })
        .map((a) => BigInt64Array.from(a.sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)))),
    },
  );

/** Small offsets into data of length `len` (mostly valid). */
const dataOffsetsArb = (groups, len) =>
  fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .array(fc.integer({ min: 0, max: len }), { minLength: groups + 1, maxLength: groups + 1 })
        .map((a) => BigInt64Array.from(a.sort((x, y) => x - y).map(BigInt))),
    },
    { weight: 1, arbitrary: offsetsArb(groups) },
  );

const worldArb = fc
  .record({
    contigLens: fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 3 }),
    nVariants: fc.integer({ min: 0, max: 6 }),
    nQueries: fc.integer({ min: 0, max: 5 }),
    ploidy: fc.integer({ min: 1, max: 3 }),
    nGroups: fc.integer({ min: 1, max: 3 }),
    nIntervals: fc.integer({ min: 0, max: 5 }),
    trackLen: fc.integer({ min: 0, max: 64 }),
    /** gather rows: few, or enough to multiply a long group past the cap */
    gatherRows: fc.oneof(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 500, max: 3000 })),
    groupLen: fc.oneof(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 500, max: 3000 })),
  })
  .chain((d) => {
    const refLen = d.contigLens.reduce((a, b) => a + b, 0);
    const rows = d.nQueries * d.ploidy;
    return fc.record({
      d: fc.constant(d),
      sequence: fc.uint8Array({ minLength: refLen, maxLength: refLen }),
      refOffsets: fc.oneof(
        {
          weight: 5,
          arbitrary: fc.constant(
            BigInt64Array.from(
              [0, ...d.contigLens].map((_, i) =>
                BigInt(d.contigLens.slice(0, i).reduce((a, b) => a + b, 0)),
              ),
            ),
          ),
        },
        { weight: 1, arbitrary: offsetsArb(d.contigLens.length) },
      ),
      starts: fc.array(i32(0, 40), { minLength: d.nVariants, maxLength: d.nVariants }),
      ilens: fc.array(i32(-6, 6), { minLength: d.nVariants, maxLength: d.nVariants }),
      altLens: fc.array(fc.integer({ min: 1, max: 4 }), {
        minLength: d.nVariants,
        maxLength: d.nVariants,
      }),
      altOffsetsRaw: fc.option(offsetsArb(d.nVariants), { freq: 6 }),
      genoOffsets: dataOffsetsArb(d.nGroups, d.groupLen),
      variantIdxs: fc.array(i32(0, Math.max(0, d.nVariants - 1)), {
        minLength: d.groupLen,
        maxLength: d.groupLen,
      }),
      regions: fc.array(fc.tuple(i32(0, d.contigLens.length - 1), i32(-8, 48), i32(0, 60)), {
        minLength: d.nQueries,
        maxLength: d.nQueries,
      }),
      groups: fc.array(fc.oneof(fc.bigInt({ min: 0n, max: BigInt(d.nGroups - 1) }), size), {
        minLength: rows,
        maxLength: rows,
      }),
      gatherGroups: fc.array(fc.bigInt({ min: 0n, max: BigInt(d.nGroups - 1) }), {
        minLength: d.gatherRows,
        maxLength: d.gatherRows,
      }),
      shifts: fc.option(fc.array(i32(0, 8), { minLength: rows, maxLength: rows }), { freq: 2 }),
      outOffsets: offsetsArb(rows),
      refOutOffsets: offsetsArb(d.nQueries),
      trackOutOffsets: offsetsArb(d.nQueries),
      itvStarts: fc.array(i32(-8, 48), { minLength: d.nIntervals, maxLength: d.nIntervals }),
      itvEnds: fc.array(i32(-8, 64), { minLength: d.nIntervals, maxLength: d.nIntervals }),
      itvOffsets: dataOffsetsArb(d.nGroups, d.nIntervals),
      trackOffsets: dataOffsetsArb(d.nQueries, d.trackLen),
      fill: fc.oneof(
        fc.constant({ kind: 'repeat5p' }),
        fc.constant({ kind: 'constant', value: 1 }),
        fc.integer({ min: 0, max: 8 }).map((flankWidth) => ({ kind: 'flankSample', flankWidth })),
        fc.integer({ min: 0, max: 6 }).map((order) => ({ kind: 'interpolate', order })),
      ),
      rowsData: fc.integer({ min: 0, max: 64 }),
      rowsOffsets: offsetsArb(3),
    });
  })
  .map(build);

function build(w) {
  const { d } = w;
  const altOffsets =
    w.altOffsetsRaw ??
    BigInt64Array.from(
      [0, ...w.altLens].map((_, i) => BigInt(w.altLens.slice(0, i).reduce((a, b) => a + b, 0))),
    );
  const altBytes = w.altLens.reduce((a, b) => a + b, 0);
  const genotypes = { offsets: w.genoOffsets, variantIdxs: Int32Array.from(w.variantIdxs) };
  const variants = {
    starts: Int32Array.from(w.starts),
    ilens: Int32Array.from(w.ilens),
    alts: Uint8Array.from({ length: altBytes }, (_, i) => 'ACGT'.charCodeAt(i % 4)),
    altOffsets,
  };
  const regions = Int32Array.from(w.regions.flatMap(([c, s, l]) => [c, s, (s + l) | 0]));
  const reference = { sequence: w.sequence, offsets: w.refOffsets };
  const groups = BigInt64Array.from(w.groups.map((g) => BigInt.asIntN(64, g)));
  const shifts = w.shifts ? Int32Array.from(w.shifts) : undefined;
  const q = { regions, ploidy: d.ploidy, groups, ...(shifts ? { shifts } : {}) };
  const tracks = Float32Array.from({ length: d.trackLen }, (_, i) => i / 2);
  return {
    diffs: { ...q, genotypes, variants },
    haplotypes: { ...q, genotypes, variants, reference, outOffsets: w.outOffsets },
    reference: { regions, reference, outOffsets: w.refOutOffsets },
    tracks: {
      regions,
      groups: BigInt64Array.from(w.regions.map((_, i) => BigInt(i % d.nGroups))),
      intervals: {
        starts: Int32Array.from(w.itvStarts),
        ends: Int32Array.from(w.itvEnds),
        values: Float32Array.from(w.itvStarts, (_, i) => i + 1),
        offsets: w.itvOffsets,
      },
      outOffsets: w.trackOutOffsets,
    },
    realign: {
      ...q,
      genotypes,
      variants: { starts: variants.starts, ilens: variants.ilens },
      tracks,
      trackOffsets: w.trackOffsets,
      outOffsets: w.outOffsets,
      fill: w.fill,
    },
    gather: { groups: BigInt64Array.from(w.gatherGroups), genotypes, variants },
    rows: { data: new Uint8Array(w.rowsData), offsets: w.rowsOffsets },
    rowsF32: { data: new Float32Array(w.rowsData), offsets: w.rowsOffsets },
  };
}

// ---------------------------------------------------------------------------
// Calls and their checks
// ---------------------------------------------------------------------------

const last = (offsets) => (offsets.length ? offsets[offsets.length - 1] : 0n);
const bytesOf = (...arrays) => arrays.reduce((a, x) => a + BigInt(x.byteLength), 0n);

/** Throws (fails the property) unless `out` has the size `input` asks for, within the cap. */
function checkSize(kernel, input, out) {
  const fail = (why) => {
    throw new Error(`${kernel}: ${why}`);
  };
  switch (kernel) {
    case 'diffs':
      if (out.length !== input.groups.length)
        fail(`length ${out.length} != ${input.groups.length}`);
      return;
    case 'haplotypes':
    case 'reference':
    case 'tracks':
    case 'realign':
      if (BigInt(out.length) !== last(input.outOffsets)) fail(`length ${out.length}`);
      if (bytesOf(out) > cap) fail(`${out.byteLength} bytes past the cap ${cap}`);
      return;
    case 'count':
      if (out.offsets.length !== input.groups.length + 1) fail('offsets length');
      return;
    case 'gather': {
      const n = Number(last(out.offsets));
      if (out.offsets.length !== input.groups.length + 1) fail('offsets length');
      if (out.start.length !== n || out.ilen.length !== n) fail('start/ilen length');
      if (out.altOffsets.length !== n + 1) fail('altOffsets length');
      if (BigInt(out.alt.length) !== last(out.altOffsets)) fail('alt length');
      const total = bytesOf(out.offsets, out.start, out.ilen, out.alt, out.altOffsets);
      if (total > cap) fail(`${total} bytes past the cap ${cap}`);
      return;
    }
    case 'rc':
    case 'reverse':
      if (out !== input.data) fail('not the input array');
      return;
  }
}

const typed = {
  diffs: [
    (i) => gvl.getDiffsSync(i, { parallel: false }),
    (i) => gvl.getDiffs(i, { parallel: true }),
  ],
  haplotypes: [
    (i) => gvl.reconstructHaplotypesSync(i, { parallel: true }),
    (i) => gvl.reconstructHaplotypes(i),
  ],
  reference: [(i) => gvl.getReferenceSync(i), (i) => gvl.getReference(i, { parallel: true })],
  tracks: [
    (i) => gvl.intervalsToTracksSync(i, { parallel: true }),
    (i) => gvl.intervalsToTracks(i),
  ],
  realign: [(i) => gvl.realignTracksSync(i), (i) => gvl.realignTracks(i, { parallel: true })],
  count: [(i) => gvl.countVariantsSync(i), (i) => gvl.countVariants(i, { parallel: true })],
  gather: [(i) => gvl.gatherVariantsSync(i, { parallel: true }), (i) => gvl.gatherVariants(i)],
  rc: [(i) => gvl.reverseComplementSync(i), (i) => gvl.reverseComplement(i, { parallel: true })],
  reverse: [(i) => gvl.reverseRowsSync(i, { parallel: true }), (i) => gvl.reverseRows(i)],
};

const padded = (i) => ({ ...i, padChar: 78 });
/** The raw binding: no TypeScript checks, outputs allocated in Rust. */
const raw = {
  diffs: (i, p) => native.getDiffsSync(i, p),
  haplotypes: (i, p) => native.reconstructHaplotypesSync(padded(i), p),
  reference: (i, p) => native.getReferenceSync(padded(i), p),
  tracks: (i, p) => native.intervalsToTracksSync(i, p),
  realign: (i, p) => native.realignTracksSync(i, p),
  count: (i, p) => native.countVariantsSync(i, p),
  gather: (i, p) => native.gatherVariantsSync(i, p),
  rc: (i, p) => native.reverseComplementSync(i.data, i.offsets, undefined, p),
  reverse: (i, p) => native.reverseRowsSync(i.data, i.offsets, undefined, p),
};

/** The raw binding's async forms (AsyncTask on a libuv thread). */
const rawAsync = {
  diffs: (i, p) => native.getDiffs(i, p),
  haplotypes: (i, p) => native.reconstructHaplotypes(padded(i), p),
  reference: (i, p) => native.getReference(padded(i), p),
  tracks: (i, p) => native.intervalsToTracks(i, p),
  realign: (i, p) => native.realignTracks(i, p),
  count: (i, p) => native.countVariants(i, p),
  gather: (i, p) => native.gatherVariants(i, p),
  rc: (i, p) => native.reverseComplement(i.data, i.offsets, undefined, p),
  reverse: (i, p) => native.reverseRows(i.data, i.offsets, undefined, p),
};

const inputOf = (c, kernel) =>
  kernel === 'count'
    ? c.gather
    : kernel === 'rc'
      ? c.rows
      : kernel === 'reverse'
        ? c.rowsF32
        : c[kernel];

const stats = { calls: 0, ok: 0, codes: {} };

function expectTyped(kernel, err) {
  const e = toNativeError(err);
  if (!(e instanceof gvl.NativeError) || !/^GVL_[A-Z_]+$/.test(e.code)) {
    throw new Error(`${kernel}: untyped error ${err?.name}: ${err?.message}`);
  }
  if (e.code === 'GVL_NATIVE_PANIC') throw new Error(`${kernel}: ${e.message}`);
  // One error family: the message states the problem once, without its code.
  if (e.message.includes(`${e.code}:`)) throw new Error(`${kernel}: message ${e.message}`);
  stats.codes[e.code] = (stats.codes[e.code] ?? 0) + 1;
}

async function call(kernel, input, run) {
  stats.calls++;
  if (stats.calls % 25 === 0) globalThis.gc?.();
  let out;
  try {
    out = await run(input);
  } catch (err) {
    expectTyped(kernel, err);
    return undefined;
  }
  checkSize(kernel, input, out);
  stats.ok++;
  return out;
}

/** As the dataset does: ragged rows of `region length + diff`, then reconstruct and realign. */
async function pipeline(c) {
  const diffs = await call('diffs', c.diffs, (i) => gvl.getDiffs(i));
  if (!diffs) return;
  const { regions, ploidy } = c.diffs;
  const outOffsets = new BigInt64Array(diffs.length + 1);
  let acc = 0n;
  for (let k = 0; k < diffs.length; k++) {
    const q = Math.floor(k / ploidy);
    const len = BigInt(regions[3 * q + 2] - regions[3 * q + 1]) + BigInt(diffs[k]);
    acc += len < 0n ? 0n : len;
    outOffsets[k + 1] = acc;
  }
  await call('haplotypes', { ...c.haplotypes, outOffsets }, (i) => gvl.reconstructHaplotypes(i));
  await call('realign', { ...c.realign, outOffsets }, (i) => gvl.realignTracksSync(i));
}

// ---------------------------------------------------------------------------
// Run
// ---------------------------------------------------------------------------

// Warm-up: load everything, build the pool, allocate one output at the cap.
gvl.getReferenceSync(
  {
    regions: new Int32Array([0, 0, 1]),
    reference: { sequence: new Uint8Array([65]), offsets: new BigInt64Array([0n, 1n]) },
    outOffsets: new BigInt64Array([0n, cap]),
  },
  { parallel: true },
);
globalThis.gc?.();
const hwmBaseline = status('VmHWM');
const peakBaseline = status('VmPeak');

let counterexample = null;
try {
  await fc.assert(
    fc.asyncProperty(
      worldArb,
      fc.constantFrom(...Object.keys(typed)),
      fc.boolean(),
      async (c, kernel, parallel) => {
        const input = inputOf(c, kernel);
        for (const run of typed[kernel]) await call(kernel, input, run);
        await call(kernel, input, (i) => raw[kernel](i, parallel));
        await call(kernel, input, (i) => rawAsync[kernel](i, !parallel));
        if (kernel === 'diffs') await pipeline(c);
      },
    ),
    { seed, numRuns, endOnFailure: true },
  );
  // The size check itself, against exact BigInt arithmetic: element counts at
  // every edge (negative, past 2^64), any element size.
  await fc.assert(
    fc.property(
      fc.array(
        fc.record({
          elements: fc.oneof(size, fc.constantFrom(2n ** 64n - 1n, 2n ** 64n, 2n ** 70n)),
          elemSize: fc.constantFrom(0, 1, 4, 8, 2 ** 32 - 1),
        }),
        { maxLength: 5 },
      ),
      (cols) => {
        stats.calls++;
        // Columns are read in order: a negative count, or one of 2^64 or more
        // (of non-zero size), fails at once; otherwise the exact sum decides.
        const first = cols.find(
          (c) => c.elements < 0n || (c.elements >= 2n ** 64n && c.elemSize > 0),
        );
        const want = cols.reduce((a, c) => a + c.elements * BigInt(c.elemSize), 0n);
        const expected = first
          ? first.elements < 0n
            ? { code: 'GVL_INVALID_ARGUMENT' }
            : { code: 'GVL_OUTPUT_TOO_LARGE', value: '>= 2^64' }
          : want > cap
            ? {
                code: 'GVL_OUTPUT_TOO_LARGE',
                value:
                  want >= 2n ** 64n ? '>= 2^64' : want > 2n ** 53n ? String(want) : Number(want),
              }
            : { bytes: want };
        const columns = cols.map((c) => ({
          param: 'p',
          elements: c.elements,
          elemSize: c.elemSize,
          dtype: 'x',
        }));
        let got;
        try {
          got = { bytes: BigInt(native.checkOutputBytes(columns)) };
        } catch (err) {
          const e = toNativeError(err);
          got =
            e.code === 'GVL_INVALID_ARGUMENT' ? { code: e.code } : { code: e.code, value: e.value };
          stats.codes[e.code] = (stats.codes[e.code] ?? 0) + 1;
        }
        const show = (x) => JSON.stringify(x, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v));
        if (show(got) !== show(expected))
          throw new Error(`got ${show(got)}, expected ${show(expected)}`);
        if (got.bytes !== undefined) stats.ok++;
      },
    ),
    { seed, numRuns, endOnFailure: true },
  );
} catch (err) {
  counterexample = String(err?.message ?? err).slice(0, 4000);
}
globalThis.gc?.();

process.stdout.write(
  `${JSON.stringify({
    cap: Number(cap),
    ...stats,
    counterexample,
    hwmBaseline,
    hwmEnd: status('VmHWM'),
    peakBaseline,
    peakEnd: status('VmPeak'),
  })}\n`,
);
