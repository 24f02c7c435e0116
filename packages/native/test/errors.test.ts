// Bad inputs: each gives its typed error (class, code, offending parameter),
// sync and async, and the process stays alive and keeps computing correctly.

import { isGvlError } from '@gvl/errors';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { native } from '../src-ts/binding.js';
import { toNativeError } from '../src-ts/errors.js';
import * as gvl from '../src-ts/index.js';
import { hooks } from './helpers/test-hooks.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

/** The haplotypes input, plus an `rcMask` for the gather cases (ignored by reconstructHaplotypes). */
type Input = gvl.HaplotypesInput & { rcMask?: Uint8Array };

function good(): Input {
  return {
    regions: new Int32Array([0, 2, 8]),
    ploidy: 1,
    groups: new BigInt64Array([0n]),
    genotypes: { offsets: new BigInt64Array([0n, 1n]), variantIdxs: new Int32Array([0]) },
    variants: {
      starts: new Int32Array([3]),
      ilens: new Int32Array([2]),
      alts: enc.encode('TGG'),
      altOffsets: new BigInt64Array([0n, 3n]),
    },
    reference: { sequence: enc.encode('ACGTACGTAC'), offsets: new BigInt64Array([0n, 10n]) },
    outOffsets: new BigInt64Array([0n, 8n]),
    rcMask: new Uint8Array([1]),
  };
}

type Kernel = 'reconstructHaplotypes' | 'gatherVariants';
/** Kernels covered by a case that names none. */
const HAPLOTYPES_ONLY: Kernel[] = ['reconstructHaplotypes'];
const BOTH: Kernel[] = ['reconstructHaplotypes', 'gatherVariants'];

/** The gather input within a (possibly mutated) haplotypes input; non-objects pass through. */
function gatherInput(i: unknown): gvl.GatherVariantsInput {
  if (typeof i !== 'object' || i === null) return i as gvl.GatherVariantsInput;
  const { groups, genotypes, variants, rcMask } = i as Input;
  return { groups, genotypes, variants, ...(rcMask ? { rcMask } : {}) };
}

type Options = gvl.AsyncKernelOptions<Uint8Array>;
const run: Record<
  Kernel,
  {
    sync: (i: unknown, o?: Options) => unknown;
    async: (i: unknown, o?: Options) => Promise<unknown>;
  }
> = {
  reconstructHaplotypes: {
    sync: (i, o) => gvl.reconstructHaplotypesSync(i as gvl.HaplotypesInput, o),
    async: (i, o) => gvl.reconstructHaplotypes(i as gvl.HaplotypesInput, o),
  },
  gatherVariants: {
    sync: (i, o) => gvl.gatherVariantsSync(gatherInput(i), o as gvl.GatherOptions),
    async: (i, o) => gvl.gatherVariants(gatherInput(i), o as gvl.AsyncGatherOptions),
  },
};

type Mutate = (i: Input) => unknown;
interface BadCase {
  name: string;
  /** Kernels this case is run against (default: reconstructHaplotypes only). */
  kernels?: Kernel[];
  mutate: Mutate;
  options?: gvl.AsyncKernelOptions<Uint8Array>;
  cls: new (...args: never[]) => gvl.NativeError;
  code: gvl.NativeErrorCode;
  param: string;
  index?: number;
  value?: unknown;
}

const set =
  (f: (i: Input) => void): Mutate =>
  (i) => {
    f(i);
    return i;
  };

const table: BadCase[] = [
  {
    name: 'input not an object',
    kernels: BOTH,
    mutate: () => 42,
    cls: gvl.InvalidArgumentError,
    code: 'GVL_INVALID_ARGUMENT',
    param: 'input',
  },
  {
    name: 'regions of the wrong dtype',
    mutate: set((i) => {
      (i as { regions: unknown }).regions = new Float64Array(3);
    }),
    cls: gvl.InvalidArgumentError,
    code: 'GVL_INVALID_ARGUMENT',
    param: 'regions',
  },
  {
    name: 'regions not (n, 3)',
    mutate: set((i) => {
      i.regions = new Int32Array(4);
    }),
    cls: gvl.InvalidArgumentError,
    code: 'GVL_INVALID_ARGUMENT',
    param: 'regions.length',
    value: 4,
  },
  {
    name: 'ploidy 0',
    mutate: set((i) => {
      i.ploidy = 0;
    }),
    cls: gvl.InvalidArgumentError,
    code: 'GVL_INVALID_ARGUMENT',
    param: 'ploidy',
    value: 0,
  },
  {
    name: 'ploidy not an integer',
    mutate: set((i) => {
      i.ploidy = 1.5;
    }),
    cls: gvl.InvalidArgumentError,
    code: 'GVL_INVALID_ARGUMENT',
    param: 'ploidy',
    value: 1.5,
  },
  {
    name: 'groups of the wrong length',
    mutate: set((i) => {
      i.groups = new BigInt64Array(2);
    }),
    cls: gvl.InvalidArgumentError,
    code: 'GVL_INVALID_ARGUMENT',
    param: 'groups.length',
    value: 2,
  },
  {
    name: 'groups as Int32Array',
    kernels: BOTH,
    mutate: set((i) => {
      (i as { groups: unknown }).groups = new Int32Array(1);
    }),
    cls: gvl.InvalidArgumentError,
    code: 'GVL_INVALID_ARGUMENT',
    param: 'groups',
  },
  {
    name: 'group out of range',
    kernels: BOTH,
    mutate: set((i) => {
      i.groups = new BigInt64Array([5n]);
    }),
    cls: gvl.IndexOutOfRangeError,
    code: 'GVL_INDEX_OUT_OF_RANGE',
    param: 'groups',
    index: 0,
    value: 5,
  },
  {
    name: 'negative group',
    kernels: BOTH,
    mutate: set((i) => {
      i.groups = new BigInt64Array([-1n]);
    }),
    cls: gvl.IndexOutOfRangeError,
    code: 'GVL_INDEX_OUT_OF_RANGE',
    param: 'groups',
    index: 0,
    value: -1,
  },
  {
    name: 'negative shift',
    mutate: set((i) => {
      i.shifts = new Int32Array([-2]);
    }),
    cls: gvl.InvalidArgumentError,
    code: 'GVL_INVALID_ARGUMENT',
    param: 'shifts',
    index: 0,
    value: -2,
  },
  {
    name: 'shifts of the wrong length',
    mutate: set((i) => {
      i.shifts = new Int32Array(3);
    }),
    cls: gvl.InvalidArgumentError,
    code: 'GVL_INVALID_ARGUMENT',
    param: 'shifts.length',
    value: 3,
  },
  {
    name: 'genotype offsets past variantIdxs',
    kernels: BOTH,
    mutate: set((i) => {
      i.genotypes.offsets = new BigInt64Array([0n, 9n]);
    }),
    cls: gvl.IndexOutOfRangeError,
    code: 'GVL_INDEX_OUT_OF_RANGE',
    param: 'genotypes.offsets',
    index: 0,
    value: 9,
  },
  {
    name: 'decreasing genotype offsets',
    kernels: BOTH,
    mutate: set((i) => {
      i.genotypes.offsets = new BigInt64Array([1n, 0n]);
    }),
    cls: gvl.IndexOutOfRangeError,
    code: 'GVL_INDEX_OUT_OF_RANGE',
    param: 'genotypes.offsets',
    index: 0,
    value: 1,
  },
  {
    name: 'variant index out of range',
    kernels: BOTH,
    mutate: set((i) => {
      i.genotypes.variantIdxs = new Int32Array([7]);
    }),
    cls: gvl.IndexOutOfRangeError,
    code: 'GVL_INDEX_OUT_OF_RANGE',
    param: 'genotypes.variantIdxs',
    index: 0,
    value: 7,
  },
  {
    name: 'ilens shorter than starts',
    kernels: BOTH,
    mutate: set((i) => {
      i.variants.ilens = new Int32Array(0);
    }),
    cls: gvl.InvalidArgumentError,
    code: 'GVL_INVALID_ARGUMENT',
    param: 'variants.ilens.length',
    value: 0,
  },
  {
    name: 'altOffsets of the wrong length',
    kernels: BOTH,
    mutate: set((i) => {
      i.variants.altOffsets = new BigInt64Array([0n]);
    }),
    cls: gvl.InvalidArgumentError,
    code: 'GVL_INVALID_ARGUMENT',
    param: 'variants.altOffsets.length',
    value: 1,
  },
  {
    name: 'altOffsets past alts',
    kernels: BOTH,
    mutate: set((i) => {
      i.variants.altOffsets = new BigInt64Array([0n, 30n]);
    }),
    cls: gvl.IndexOutOfRangeError,
    code: 'GVL_INDEX_OUT_OF_RANGE',
    param: 'variants.altOffsets',
    index: 0,
    value: 30,
  },
  {
    name: 'alts missing',
    kernels: BOTH,
    mutate: set((i) => {
      (i.variants as { alts?: unknown }).alts = undefined;
    }),
    cls: gvl.InvalidArgumentError,
    code: 'GVL_INVALID_ARGUMENT',
    param: 'variants.alts',
  },
  {
    name: 'variant start off its contig',
    mutate: set((i) => {
      i.variants.starts = new Int32Array([10]);
    }),
    cls: gvl.IndexOutOfRangeError,
    code: 'GVL_INDEX_OUT_OF_RANGE',
    param: 'variants.starts',
    index: 0,
    value: 10,
  },
  {
    name: 'negative variant start',
    mutate: set((i) => {
      i.variants.starts = new Int32Array([-1]);
    }),
    cls: gvl.IndexOutOfRangeError,
    code: 'GVL_INDEX_OUT_OF_RANGE',
    param: 'variants.starts',
    index: 0,
    value: -1,
  },
  {
    name: 'contig index out of range',
    mutate: set((i) => {
      i.regions = new Int32Array([3, 2, 8]);
    }),
    cls: gvl.IndexOutOfRangeError,
    code: 'GVL_INDEX_OUT_OF_RANGE',
    param: 'regions',
    index: 0,
    value: 3,
  },
  {
    name: 'reference offsets past the sequence',
    mutate: set((i) => {
      i.reference.offsets = new BigInt64Array([0n, 11n]);
    }),
    cls: gvl.IndexOutOfRangeError,
    code: 'GVL_INDEX_OUT_OF_RANGE',
    param: 'reference.offsets',
    index: 1,
    value: 11,
  },
  {
    name: 'decreasing reference offsets',
    mutate: set((i) => {
      i.reference.offsets = new BigInt64Array([0n, 6n, 4n]);
    }),
    cls: gvl.InvalidArgumentError,
    code: 'GVL_INVALID_ARGUMENT',
    param: 'reference.offsets',
    index: 2,
    value: 4,
  },
  {
    name: 'outOffsets not starting at 0',
    mutate: set((i) => {
      i.outOffsets = new BigInt64Array([1n, 8n]);
    }),
    cls: gvl.InvalidArgumentError,
    code: 'GVL_INVALID_ARGUMENT',
    param: 'outOffsets',
    index: 0,
    value: 1,
  },
  {
    name: 'decreasing outOffsets',
    mutate: set((i) => {
      i.outOffsets = new BigInt64Array([0n, -3n]);
    }),
    cls: gvl.InvalidArgumentError,
    code: 'GVL_INVALID_ARGUMENT',
    param: 'outOffsets',
    index: 1,
    value: -3,
  },
  {
    name: 'outOffsets of the wrong length',
    mutate: set((i) => {
      i.outOffsets = new BigInt64Array([0n]);
    }),
    cls: gvl.InvalidArgumentError,
    code: 'GVL_INVALID_ARGUMENT',
    param: 'outOffsets.length',
    value: 1,
  },
  {
    name: 'absurd output size (past the byte cap)',
    mutate: set((i) => {
      i.outOffsets = new BigInt64Array([0n, 1n << 40n]);
    }),
    cls: gvl.OutputTooLargeError,
    code: 'GVL_OUTPUT_TOO_LARGE',
    param: 'outOffsets',
    index: 1,
    value: 2 ** 40,
  },
  {
    name: 'output size near int64 max',
    mutate: set((i) => {
      i.outOffsets = new BigInt64Array([0n, (1n << 63n) - 1n]);
    }),
    cls: gvl.OutputTooLargeError,
    code: 'GVL_OUTPUT_TOO_LARGE',
    param: 'outOffsets',
    index: 1,
    value: '9223372036854775807',
  },
  {
    name: 'padChar out of range',
    mutate: set((i) => {
      i.padChar = 300;
    }),
    cls: gvl.InvalidArgumentError,
    code: 'GVL_INVALID_ARGUMENT',
    param: 'padChar',
    value: 300,
  },
  {
    name: 'unknown parallel mode',
    kernels: BOTH,
    mutate: (i) => i,
    options: { parallel: 'yes' as unknown as boolean },
    cls: gvl.InvalidArgumentError,
    code: 'GVL_INVALID_ARGUMENT',
    param: 'parallel',
    value: 'yes',
  },
  {
    name: 'out of the wrong length',
    mutate: (i) => i,
    options: { out: new Uint8Array(3) },
    cls: gvl.InvalidArgumentError,
    code: 'GVL_INVALID_ARGUMENT',
    param: 'out.length',
    value: 3,
  },
  {
    name: 'out of the wrong dtype',
    mutate: (i) => i,
    options: { out: new Float32Array(8) as unknown as Uint8Array },
    cls: gvl.InvalidArgumentError,
    code: 'GVL_INVALID_ARGUMENT',
    param: 'options.out',
  },
  {
    name: 'rcMask of the wrong length',
    kernels: ['gatherVariants'],
    mutate: set((i) => {
      i.rcMask = new Uint8Array(2);
    }),
    cls: gvl.InvalidArgumentError,
    code: 'GVL_INVALID_ARGUMENT',
    param: 'rcMask.length',
    value: 2,
  },
  {
    name: 'rcMask of the wrong dtype',
    kernels: ['gatherVariants'],
    mutate: set((i) => {
      (i as { rcMask: unknown }).rcMask = [1];
    }),
    cls: gvl.InvalidArgumentError,
    code: 'GVL_INVALID_ARGUMENT',
    param: 'rcMask',
  },
  {
    name: 'an out option (gatherVariants sizes and allocates its columns)',
    kernels: ['gatherVariants'],
    mutate: (i) => i,
    options: { out: new Uint8Array(8) },
    cls: gvl.InvalidArgumentError,
    code: 'GVL_INVALID_ARGUMENT',
    param: 'options.out',
  },
];

const cases = table.flatMap((c) =>
  (c.kernels ?? HAPLOTYPES_ONLY).map((kernel) => ({ ...c, kernel })),
);

describe('bad inputs give typed errors', () => {
  it.each(cases)('sync $kernel: $name -> $code', (c) => {
    const input = c.mutate(good());
    let caught: unknown;
    try {
      run[c.kernel].sync(input, c.options);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(c.cls);
    expect(caught).toBeInstanceOf(gvl.NativeError);
    const e = caught as gvl.NativeError;
    expect(e.code).toBe(c.code);
    // one error family; the message states the problem once, without the code
    expect(isGvlError(e, c.code)).toBe(true);
    expect(e.message).not.toMatch(/GVL_[A-Z_]+: /);
    expect(e.param).toBe(c.param);
    if (c.index !== undefined) expect(e.index).toBe(c.index);
    if (c.value !== undefined) expect(e.value).toStrictEqual(c.value);
  });

  it.each(cases)(
    'async $kernel: $name -> $code (rejects, never throws synchronously)',
    async (c) => {
      const input = c.mutate(good());
      const pending = run[c.kernel].async(input, c.options);
      await expect(pending).rejects.toBeInstanceOf(c.cls);
      await expect(pending).rejects.toMatchObject({ code: c.code, param: c.param });
    },
  );

  it('the process stays alive and computes correctly afterwards', async () => {
    expect(dec.decode(gvl.reconstructHaplotypesSync(good()))).toBe('GTGGACGT');
    expect(dec.decode(await gvl.reconstructHaplotypes(good(), { parallel: true }))).toBe(
      'GTGGACGT',
    );
    expect(dec.decode(gvl.gatherVariantsSync(gatherInput(good())).alt)).toBe('CCA');
    expect(
      dec.decode((await gvl.gatherVariants(gatherInput(good()), { parallel: true })).alt),
    ).toBe('CCA');
  });

  it('gatherVariants output columns must fit and alias nothing (raw binding)', () => {
    const input = gatherInput(good());
    const out = (): gvl.GatheredVariants => ({
      offsets: new BigInt64Array(2),
      start: new Int32Array(1),
      ilen: new Int32Array(1),
      alt: new Uint8Array(3),
      altOffsets: new BigInt64Array(2),
      variantIdx: new Int32Array(1),
    });
    expect(dec.decode(native.gatherVariantsSync(input, true, out()).alt)).toBe('CCA');
    const sync = (o: gvl.GatheredVariants) => {
      try {
        native.gatherVariantsSync(input, false, o);
      } catch (err) {
        throw toNativeError(err);
      }
    };
    expect(() => sync({ ...out(), alt: new Uint8Array(4) })).toThrow(
      expect.objectContaining({ code: 'GVL_INVALID_ARGUMENT', param: 'out.alt.length', value: 4 }),
    );
    expect(() => sync({ ...out(), altOffsets: new BigInt64Array(1) })).toThrow(
      expect.objectContaining({ code: 'GVL_INVALID_ARGUMENT', param: 'out.altOffsets.length' }),
    );
    const shared = new Int32Array(2);
    expect(() =>
      sync({ ...out(), start: shared.subarray(0, 1), ilen: shared.subarray(0, 1) }),
    ).toThrow(
      expect.objectContaining({
        code: 'GVL_INVALID_ARGUMENT',
        param: 'out.ilen',
        value: 'out.start',
      }),
    );
    expect(() => sync({ ...out(), alt: input.variants.alts })).toThrow(
      expect.objectContaining({
        code: 'GVL_INVALID_ARGUMENT',
        param: 'out.alt',
        value: 'variants.alts',
      }),
    );
    expect(() => gvl.countVariantsSync(input, { out: input.genotypes.offsets })).toThrow(
      expect.objectContaining({
        code: 'GVL_INVALID_ARGUMENT',
        param: 'out',
        value: 'genotypes.offsets',
      }),
    );
  });

  it('an output aliasing an input is refused', () => {
    const input = good();
    const shared = new Uint8Array(18);
    input.reference.sequence = shared.subarray(0, 10);
    input.reference.sequence.set(enc.encode('ACGTACGTAC'));
    expect(() =>
      gvl.reconstructHaplotypesSync(input, { out: shared.subarray(10, 18) }),
    ).not.toThrow();
    expect(() => gvl.reconstructHaplotypesSync(input, { out: shared.subarray(6, 14) })).toThrow(
      expect.objectContaining({
        code: 'GVL_INVALID_ARGUMENT',
        param: 'out',
        value: 'reference.sequence',
      }),
    );
  });

  it('other kernels name their parameters too', async () => {
    const tracks = {
      regions: new Int32Array([0, 0, 4]),
      groups: new BigInt64Array([1n]),
      intervals: {
        starts: new Int32Array([0]),
        ends: new Int32Array([2]),
        values: new Float32Array([1]),
        offsets: new BigInt64Array([0n, 1n]),
      },
      outOffsets: new BigInt64Array([0n, 4n]),
    };
    await expect(gvl.intervalsToTracks(tracks)).rejects.toMatchObject({
      code: 'GVL_INDEX_OUT_OF_RANGE',
      param: 'groups',
      index: 0,
      value: 1,
    });
    const realign = {
      regions: new Int32Array([0, 0, 4]),
      ploidy: 1,
      groups: new BigInt64Array([0n]),
      genotypes: { offsets: new BigInt64Array([0n, 0n]), variantIdxs: new Int32Array(0) },
      variants: { starts: new Int32Array(0), ilens: new Int32Array(0) },
      tracks: new Float32Array(4),
      trackOffsets: new BigInt64Array([0n, 4n]),
      outOffsets: new BigInt64Array([0n, 4n]),
    };
    expect(() => gvl.realignTracksSync({ ...realign, fill: { kind: 'cubic' } as never })).toThrow(
      expect.objectContaining({ code: 'GVL_INVALID_ARGUMENT', param: 'fill.kind', value: 'cubic' }),
    );
    expect(() =>
      gvl.realignTracksSync({ ...realign, fill: { kind: 'interpolate', order: 99 } }),
    ).toThrow(
      expect.objectContaining({ code: 'GVL_INVALID_ARGUMENT', param: 'fill.order', value: 99 }),
    );
    expect(() => gvl.realignTracksSync({ ...realign, baseSeed: -1n })).toThrow(
      expect.objectContaining({ code: 'GVL_INVALID_ARGUMENT', param: 'baseSeed' }),
    );
    expect(() =>
      gvl.realignTracksSync({ ...realign, trackOffsets: new BigInt64Array([0n, 9n]) }),
    ).toThrow(
      expect.objectContaining({ code: 'GVL_INDEX_OUT_OF_RANGE', param: 'trackOffsets', index: 1 }),
    );
    const data = new Uint8Array(4);
    expect(() => gvl.reverseComplementSync({ data, offsets: new BigInt64Array([0n, 5n]) })).toThrow(
      expect.objectContaining({
        code: 'GVL_INDEX_OUT_OF_RANGE',
        param: 'offsets',
        index: 1,
        value: 5,
      }),
    );
    expect(() =>
      gvl.reverseComplementSync({
        data,
        offsets: new BigInt64Array([0n, 2n]),
        rows: new Uint8Array(3),
      }),
    ).toThrow(
      expect.objectContaining({ code: 'GVL_INVALID_ARGUMENT', param: 'rows.length', value: 3 }),
    );
    expect(() => gvl.getDiffsSync({ ...realign, groups: new BigInt64Array([3n]) })).toThrow(
      expect.objectContaining({ code: 'GVL_INDEX_OUT_OF_RANGE', param: 'groups' }),
    );
    expect(() => gvl.xorshift64(-1n)).toThrow(
      expect.objectContaining({ code: 'GVL_INVALID_ARGUMENT', param: 'x' }),
    );
    expect(() => gvl.hash4(0n, 0n, 0n, 1n << 64n)).toThrow(
      expect.objectContaining({ code: 'GVL_INVALID_ARGUMENT', param: 'd' }),
    );
  });

  it('napi argument-conversion errors from the raw binding map to InvalidArgumentError', () => {
    let caught: unknown;
    try {
      native.getDiffsSync({ regions: new Float32Array(3) } as never, false);
    } catch (err) {
      caught = toNativeError(err);
    }
    expect(caught).toBeInstanceOf(gvl.InvalidArgumentError);
  });
});

describe('panics never cross the FFI', () => {
  it.each([false, true])('sync, parallel=%s: a caught panic is a NativePanicError', (parallel) => {
    let caught: unknown;
    try {
      hooks.debugPanicSync(parallel);
    } catch (err) {
      caught = toNativeError(err);
    }
    expect(caught).toBeInstanceOf(gvl.NativePanicError);
    expect((caught as gvl.NativeError).code).toBe('GVL_NATIVE_PANIC');
    expect((caught as Error).message).toContain('deliberate panic in row 37');
  });

  it.each([false, true])('async, parallel=%s', async (parallel) => {
    const caught = await hooks.debugPanic(parallel).then(
      () => null,
      (err: unknown) => toNativeError(err),
    );
    expect(caught).toBeInstanceOf(gvl.NativePanicError);
  });

  it('the pool keeps working after a panic in a pool thread', () => {
    for (let i = 0; i < 5; i++) {
      expect(() => hooks.debugPanicSync(true)).toThrow();
      expect(dec.decode(gvl.reconstructHaplotypesSync(good(), { parallel: true }))).toBe(
        'GTGGACGT',
      );
    }
  });
});

describe('the error classes', () => {
  // Each class with the code it carries, written out here (not read from errors.ts) so a
  // class that lost or swapped its code fails.
  const classes: [string, gvl.NativeErrorCode][] = [
    ['InvalidArgumentError', 'GVL_INVALID_ARGUMENT'],
    ['IndexOutOfRangeError', 'GVL_INDEX_OUT_OF_RANGE'],
    ['PoolConfiguredError', 'GVL_POOL_CONFIGURED'],
    ['PoolBuildError', 'GVL_POOL_BUILD_FAILED'],
    ['AllocationError', 'GVL_ALLOCATION_FAILED'],
    ['OutputTooLargeError', 'GVL_OUTPUT_TOO_LARGE'],
    ['AbortError', 'GVL_ABORTED'],
    ['NativePanicError', 'GVL_NATIVE_PANIC'],
    ['AddonConflictError', 'GVL_ADDON_CONFLICT'],
    ['UnsupportedPlatformError', 'GVL_UNSUPPORTED_PLATFORM'],
    ['NativeLoadError', 'GVL_NATIVE_LOAD_FAILED'],
  ];
  type Ctor = new (
    message: string,
    detail?: gvl.ErrorDetail,
    options?: { cause?: unknown },
  ) => gvl.NativeError;
  const ctor = (name: string) => (gvl as unknown as Record<string, Ctor>)[name] as Ctor;

  it.each(classes)('%s carries %s, its name, the detail and the cause', (name, code) => {
    const cause = new Error('below');
    const e = new (ctor(name))('what went wrong', { param: 'p', index: 3, value: 7 }, { cause });
    expect(e.code).toBe(code);
    expect(e.name).toBe(name);
    expect(e.message).toBe('what went wrong');
    expect([e.param, e.index, e.value, e.cause]).toEqual(['p', 3, 7, cause]);
    expect(e).toBeInstanceOf(ctor(name));
    expect(e).toBeInstanceOf(gvl.NativeError);
    expect(e).toBeInstanceOf(Error);
    expect(isGvlError(e, code)).toBe(true);
    for (const [other] of classes) if (other !== name) expect(e).not.toBeInstanceOf(ctor(other));
  });

  it.each(classes)('%s is rebuilt from the native encoding of %s', (name, code) => {
    const raw = new Error(
      `${code}: a message\n{"param":"outOffsets","index":2,"value":"9007199254740993"}`,
    );
    const e = toNativeError(raw) as gvl.NativeError;
    expect(e).toBeInstanceOf(ctor(name));
    expect([e.code, e.message, e.param, e.index, e.value, e.cause]).toEqual([
      code,
      'a message',
      'outOffsets',
      2,
      '9007199254740993',
      raw,
    ]);
  });

  it('the typings keep each class a NativeError with its one code', () => {
    expectTypeOf<gvl.InvalidArgumentError>().toMatchTypeOf<gvl.NativeError>();
    expectTypeOf<gvl.InvalidArgumentError['code']>().toEqualTypeOf<'GVL_INVALID_ARGUMENT'>();
    expectTypeOf<gvl.NativeLoadError['code']>().toEqualTypeOf<'GVL_NATIVE_LOAD_FAILED'>();
    expectTypeOf<gvl.AddonConflictError['code']>().toEqualTypeOf<'GVL_ADDON_CONFLICT'>();
    expectTypeOf<gvl.OutputTooLargeError['param']>().toEqualTypeOf<string | undefined>();
    expectTypeOf(gvl.AbortError).constructorParameters.toEqualTypeOf<
      [message: string, detail?: gvl.ErrorDetail, options?: { cause?: unknown }]
    >();
    const e: unknown = new gvl.PoolBuildError('m');
    if (e instanceof gvl.PoolBuildError)
      expectTypeOf(e.code).toEqualTypeOf<'GVL_POOL_BUILD_FAILED'>();
    expect(e).toBeInstanceOf(gvl.PoolBuildError);
  });

  it('the classes with extra fields default them', () => {
    expect(new gvl.AddonConflictError('m').loaded).toEqual({
      version: 'unknown',
      location: 'unknown',
    });
    expect(new gvl.UnsupportedPlatformError('m').supported).toEqual([]);
    const loaded = { version: '1.2.3', location: '/x' };
    expect(new gvl.AddonConflictError('m', {}, { loaded }).loaded).toBe(loaded);
  });
});
