// The output cap counts bytes (elements × element size, all of a call's
// outputs together), is checked before allocating, is configurable
// (configureLimits, GVL_MAX_OUTPUT_BYTES) and fails with a typed
// GVL_OUTPUT_TOO_LARGE; length arithmetic never wraps (two ILEN = 2^31 - 1).
import { afterAll, describe, expect, it } from 'vitest';
import { native } from '../src-ts/binding.js';
import { toNativeError } from '../src-ts/errors.js';
import * as gvl from '../src-ts/index.js';
import { DIST, runNode } from './helpers/run-node.js';

const enc = new TextEncoder();
const GiB = 2 ** 30;

afterAll(() => {
  gvl.configureLimits({ maxOutputBytes: 4 * GiB });
});

/** The typed error `f` throws (sync) or `undefined`. */
function thrown(f: () => unknown): gvl.NativeError | undefined {
  try {
    f();
  } catch (err) {
    const e = toNativeError(err);
    if (e instanceof gvl.NativeError) return e;
    throw err;
  }
  return undefined;
}

const tracksInput = (rowLength: bigint): gvl.TracksInput => ({
  regions: new Int32Array([0, 0, 4]),
  groups: new BigInt64Array([0n]),
  intervals: {
    starts: new Int32Array([1]),
    ends: new Int32Array([3]),
    values: new Float32Array([2.5]),
    offsets: new BigInt64Array([0n, 1n]),
  },
  outOffsets: new BigInt64Array([0n, rowLength]),
});

const referenceInput = (rowLength: bigint) => ({
  regions: new Int32Array([0, 0, 4]),
  reference: { sequence: enc.encode('ACGT'), offsets: new BigInt64Array([0n, 4n]) },
  outOffsets: new BigInt64Array([0n, rowLength]),
});

/** `rows` rows of one group of `k` variants with 3-byte ALTs. */
function gatherInput(rows: number, k: number): gvl.GatherVariantsInput {
  return {
    groups: new BigInt64Array(rows),
    genotypes: { offsets: new BigInt64Array([0n, BigInt(k)]), variantIdxs: new Int32Array(k) },
    variants: {
      starts: new Int32Array([5]),
      ilens: new Int32Array([2]),
      alts: enc.encode('TGG'),
      altOffsets: new BigInt64Array([0n, 3n]),
    },
  };
}
/** Bytes of the five gathered columns: offsets, start, ilen, altOffsets, alt. */
/** offsets, start, ilen, variantIdx, altOffsets and the ALT bytes (3 per variant). */
const gatherBytes = (rows: number, k: number) =>
  8 * (rows + 1) + 4 * rows * k * 3 + 8 * (rows * k + 1) + 3 * rows * k;

describe('the output cap', () => {
  it('defaults to 4 GiB, or GVL_MAX_OUTPUT_BYTES read once; a bad value is a typed error', () => {
    const script = `
      const g = await import(${JSON.stringify(DIST)});
      const r = {};
      try { r.info = g.limitsInfo(); } catch (e) { r.info = { code: e.code, param: e.param, value: e.value }; }
      process.env.GVL_MAX_OUTPUT_BYTES = '1';
      try { r.again = g.limitsInfo(); } catch (e) { r.again = { code: e.code, param: e.param, value: e.value }; }
      try {
        g.getReferenceSync({ regions: new Int32Array([0, 0, 1]),
          reference: { sequence: new Uint8Array([65]), offsets: new BigInt64Array([0n, 1n]) },
          outOffsets: new BigInt64Array([0n, 2048n]) });
        r.kernel = 'ok';
      } catch (e) { r.kernel = e.code; }
      r.configured = g.configureLimits({ maxOutputBytes: 4096 });
      console.log(JSON.stringify(r));`;
    const cases: [string | undefined, unknown, unknown][] = [
      [undefined, { maxOutputBytes: 4 * GiB, source: 'default' }, 'ok'],
      ['1K', { maxOutputBytes: 1024, source: 'env' }, 'GVL_OUTPUT_TOO_LARGE'],
      ['2048', { maxOutputBytes: 2048, source: 'env' }, 'ok'],
      ['6GiB', { maxOutputBytes: 6 * GiB, source: 'env' }, 'ok'],
      [
        '4 GB',
        { code: 'GVL_INVALID_ARGUMENT', param: 'GVL_MAX_OUTPUT_BYTES', value: '4 GB' },
        'GVL_INVALID_ARGUMENT',
      ],
      [
        '0',
        { code: 'GVL_INVALID_ARGUMENT', param: 'GVL_MAX_OUTPUT_BYTES', value: '0' },
        'GVL_INVALID_ARGUMENT',
      ],
    ];
    for (const [env, info, kernel] of cases) {
      const { status, stderr, result } = runNode<Record<string, unknown>>(script, {
        GVL_MAX_OUTPUT_BYTES: env,
      });
      expect(status, stderr).toBe(0);
      expect(result.info, String(env)).toStrictEqual(info);
      // Read once: changing the variable later changes nothing.
      expect(result.again).toStrictEqual(info);
      expect(result.kernel, String(env)).toBe(kernel);
      // configureLimits replaces the environment's value, even a bad one.
      expect(result.configured).toStrictEqual({ maxOutputBytes: 4096, source: 'configureLimits' });
    }
  });

  it('configureLimits validates its option and limitsInfo reports it', () => {
    for (const bad of [0, -1, 1.5, 2 ** 53, Number.NaN, '4096', undefined]) {
      const e = thrown(() => gvl.configureLimits({ maxOutputBytes: bad as number }));
      expect(e).toBeInstanceOf(gvl.InvalidArgumentError);
      expect(e?.param).toBe('maxOutputBytes');
    }
    expect(thrown(() => gvl.configureLimits(null as never))?.code).toBe('GVL_INVALID_ARGUMENT');
    // the raw binding checks too
    expect(thrown(() => native.configureLimits(0.5))?.param).toBe('maxOutputBytes');
    expect(gvl.configureLimits({ maxOutputBytes: 2 ** 53 - 1 })).toStrictEqual({
      maxOutputBytes: 2 ** 53 - 1,
      source: 'configureLimits',
    });
    expect(gvl.limitsInfo().maxOutputBytes).toBe(2 ** 53 - 1);
  });

  it('counts bytes, not elements: float32 rows get a quarter of the uint8 elements', async () => {
    gvl.configureLimits({ maxOutputBytes: 4096 });
    // uint8: 4096 elements fit, 4097 do not
    expect(gvl.getReferenceSync(referenceInput(4096n)).length).toBe(4096);
    expect(native.getReferenceSync(referenceInput(4096n), false).length).toBe(4096);
    // float32: 1024 elements (4096 bytes) fit, with the interval painted
    const t = gvl.intervalsToTracksSync(tracksInput(1024n));
    expect(t.length).toBe(1024);
    expect(Array.from(t.subarray(0, 4))).toStrictEqual([0, 2.5, 2.5, 0]);
    for (const [call, what] of [
      [() => gvl.getReferenceSync(referenceInput(4097n)), 4097],
      [() => native.getReferenceSync(referenceInput(4097n), true), 4097],
      [() => gvl.intervalsToTracksSync(tracksInput(1025n)), 4100],
      [() => native.intervalsToTracksSync(tracksInput(1025n), false), 4100],
    ] as const) {
      const e = thrown(call);
      expect(e).toBeInstanceOf(gvl.OutputTooLargeError);
      expect(e).toMatchObject({
        code: 'GVL_OUTPUT_TOO_LARGE',
        param: 'outOffsets',
        index: 1,
        value: what,
      });
      expect(e?.message).toContain(`would take ${what} bytes, more than the limit of 4096 bytes`);
      expect(e?.message).toContain('use a smaller batch');
    }
    // async forms reject (never throw synchronously)
    await expect(gvl.intervalsToTracks(tracksInput(1025n))).rejects.toBeInstanceOf(
      gvl.OutputTooLargeError,
    );
    // int32 diffs: 1024 rows fit, 1025 do not (param groups)
    const diffs = (rows: number): gvl.DiffsInput => ({
      regions: new Int32Array(3 * rows),
      ploidy: 1,
      groups: new BigInt64Array(rows),
      genotypes: { offsets: new BigInt64Array([0n, 0n]), variantIdxs: new Int32Array(0) },
      variants: { starts: new Int32Array(0), ilens: new Int32Array(0) },
    });
    expect(gvl.getDiffsSync(diffs(1024)).length).toBe(1024);
    expect(thrown(() => gvl.getDiffsSync(diffs(1025)))).toMatchObject({
      code: 'GVL_OUTPUT_TOO_LARGE',
      param: 'groups',
      value: 4100,
    });
  });

  it('sums all the columns of gatherVariants, typed wrapper and raw binding alike', async () => {
    const [rows, k] = [16, 8];
    const bytes = gatherBytes(rows, k);
    gvl.configureLimits({ maxOutputBytes: bytes });
    const v = gvl.gatherVariantsSync(gatherInput(rows, k));
    expect(v.start.length).toBe(rows * k);
    expect(new TextDecoder().decode(v.alt.subarray(0, 6))).toBe('TGGTGG');
    expect(native.gatherVariantsSync(gatherInput(rows, k), true).alt.length).toBe(3 * rows * k);
    gvl.configureLimits({ maxOutputBytes: bytes - 1 });
    for (const call of [
      () => gvl.gatherVariantsSync(gatherInput(rows, k)),
      () => native.gatherVariantsSync(gatherInput(rows, k), false),
    ]) {
      expect(thrown(call)).toMatchObject({
        code: 'GVL_OUTPUT_TOO_LARGE',
        param: 'groups',
        value: bytes,
      });
    }
    await expect(gvl.gatherVariants(gatherInput(rows, k))).rejects.toMatchObject({
      code: 'GVL_OUTPUT_TOO_LARGE',
    });
    // The counting pass alone allocates only the offsets: it still runs.
    expect(gvl.countVariantsSync(gatherInput(rows, k)).altBytes).toBe(3 * rows * k);
  });

  it('a caller-provided out is not allocated and not counted', () => {
    gvl.configureLimits({ maxOutputBytes: 16 });
    const out = new Float32Array(1024);
    expect(gvl.intervalsToTracksSync(tracksInput(1024n), { out })).toBe(out);
    expect(out[1]).toBe(2.5);
  });

  it('sizes past 2^53 and 2^64 are typed errors, with the bytes as an exact string', () => {
    gvl.configureLimits({ maxOutputBytes: 4 * GiB });
    // 2^62 float32 elements = 2^64 bytes: wraps to 0 in unchecked u64 arithmetic
    for (const call of [
      () => gvl.intervalsToTracksSync(tracksInput(1n << 62n)),
      () => native.intervalsToTracksSync(tracksInput(1n << 62n), false),
    ]) {
      expect(thrown(call)).toMatchObject({ code: 'GVL_OUTPUT_TOO_LARGE', value: '>= 2^64' });
    }
    const e = thrown(() => gvl.intervalsToTracksSync(tracksInput((1n << 61n) + 1n)));
    expect(e).toMatchObject({
      code: 'GVL_OUTPUT_TOO_LARGE',
      value: String(((1n << 61n) + 1n) * 4n),
    });
    for (const n of [2n ** 31n - 1n, 2n ** 31n, 2n ** 32n - 1n, 2n ** 32n]) {
      expect(thrown(() => gvl.intervalsToTracksSync(tracksInput(n)))?.code).toBe(
        'GVL_OUTPUT_TOO_LARGE',
      );
    }
  });
});

describe('length arithmetic never wraps', () => {
  /** Query `q` covers [0, 10) of contig 0 with variants `idxs` (of `ilens` at positions 1, 4, 7). */
  function diffsInput(ilens: number[], rows: number[][]): gvl.DiffsInput {
    const offsets = [0n];
    for (const r of rows) offsets.push((offsets.at(-1) ?? 0n) + BigInt(r.length));
    return {
      regions: Int32Array.from(rows.flatMap(() => [0, 0, 10])),
      ploidy: 1,
      groups: BigInt64Array.from(rows.map((_, i) => BigInt(i))),
      genotypes: {
        offsets: BigInt64Array.from(offsets),
        variantIdxs: Int32Array.from(rows.flat()),
      },
      variants: {
        starts: Int32Array.from(ilens.map((_, i) => 1 + 3 * i)),
        ilens: Int32Array.from(ilens),
      },
    };
  }
  const MAX = 2 ** 31 - 1;

  it('one ILEN of 2^31 - 1 is exact; two are a typed error naming the second, never -2', async () => {
    expect(Array.from(gvl.getDiffsSync(diffsInput([MAX, MAX], [[0]])))).toStrictEqual([MAX]);
    const input = diffsInput([MAX, MAX], [[0, 1]]);
    const errors = [
      thrown(() => gvl.getDiffsSync(input, { parallel: false })),
      thrown(() => gvl.getDiffsSync(input, { parallel: true })),
      await gvl.getDiffs(input).then(
        () => undefined,
        (e: unknown) => e as gvl.NativeError,
      ),
    ];
    for (const e of errors) {
      expect(e).toBeInstanceOf(gvl.InvalidArgumentError);
      expect(e).toMatchObject({ param: 'variants.ilens', index: 1, value: MAX });
      expect(e?.message).toContain('it reaches 4294967294');
    }
  });

  it('the first overflowing row is named, serial or parallel', () => {
    // rows 0..5; rows 2 and 4 overflow (row 2 through variant 1, row 4 through variant 2)
    const rows = [[0], [], [0, 1], [3], [1, 2], [0]];
    const input = diffsInput([MAX, MAX, MAX, -1], rows);
    const serial = thrown(() => gvl.getDiffsSync(input, { parallel: false }));
    const parallel = thrown(() => gvl.getDiffsSync(input, { parallel: true }));
    expect(serial?.message).toBe(parallel?.message);
    expect(serial).toMatchObject({ param: 'variants.ilens', index: 1 });
    expect(serial?.message).toContain('query 2, haplotype 0');
  });

  it('a corrupt ILEN cannot size a haplotype output past the cap', () => {
    gvl.configureLimits({ maxOutputBytes: 1 << 20 });
    const d = diffsInput([MAX], [[0]]);
    const [diff] = gvl.getDiffsSync(d);
    const rowLength = 10n + BigInt(diff ?? 0); // 2^31 + 9 bytes, as the dataset sizes rows
    const e = thrown(() =>
      gvl.reconstructHaplotypesSync({
        ...d,
        variants: { ...d.variants, alts: enc.encode('A'), altOffsets: new BigInt64Array([0n, 1n]) },
        reference: { sequence: enc.encode('ACGTACGTAC'), offsets: new BigInt64Array([0n, 10n]) },
        outOffsets: new BigInt64Array([0n, rowLength]),
      }),
    );
    expect(e).toMatchObject({
      code: 'GVL_OUTPUT_TOO_LARGE',
      param: 'outOffsets',
      value: Number(rowLength),
    });
  });
});
