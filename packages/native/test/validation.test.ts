/**
 * Each option is checked in one place. Values (enums, ranges, an insertion
 * fill's parameters, seeds, the pad byte) are checked by the addon alone: the
 * raw binding rejects them with the same code, parameter and value as the
 * typed wrapper, which passes them through. The kernel table is read off the
 * generated binding's types.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { native } from '../src-ts/binding.js';
import { toNativeError } from '../src-ts/errors.js';
import * as gvl from '../src-ts/index.js';
import type { InputKernel, NativeInput, NativeOut, NativeResult } from '../src-ts/kernel.js';

const big = (xs: number[]) => BigInt64Array.from(xs.map(BigInt));

/** What a call threw, as the typed wrappers surface it. */
function thrown(fn: () => unknown): { code?: string; param?: string; value?: unknown } {
  try {
    fn();
  } catch (err) {
    const e = toNativeError(err) as { code?: string; param?: string; value?: unknown };
    return { code: e.code, param: e.param, value: e.value };
  }
  throw new Error('expected the call to throw');
}

const realign = {
  regions: new Int32Array([0, 0, 4]),
  ploidy: 1,
  groups: big([0]),
  genotypes: { offsets: big([0, 1]), variantIdxs: Int32Array.of(0) },
  variants: { starts: Int32Array.of(1), ilens: Int32Array.of(2) },
  tracks: Float32Array.of(1, 2, 3, 4),
  trackOffsets: big([0, 4]),
  outOffsets: big([0, 6]),
};

const reference = {
  regions: new Int32Array([0, -2, 3]),
  reference: { sequence: new TextEncoder().encode('ACGTA'), offsets: big([0, 5]) },
  outOffsets: big([0, 5]),
};

describe('option values are checked by the addon, once', () => {
  const fills: [unknown, string, unknown][] = [
    [{ kind: 'cubic' }, 'fill.kind', 'cubic'],
    [{ kind: 'flankSample', flankWidth: -1 }, 'fill.flankWidth', -1],
    [{ kind: 'flankSample', flankWidth: 2.5 }, 'fill.flankWidth', 2.5],
    [{ kind: 'interpolate', order: 33 }, 'fill.order', 33],
    [{ kind: 'interpolate', order: -2 }, 'fill.order', -2],
  ];
  it.each(fills)('fill %j: the raw binding and the wrapper agree (%s)', (fill, param, value) => {
    const raw = thrown(() => native.realignTracksSync({ ...realign, fill } as never, false));
    const wrapped = thrown(() => gvl.realignTracksSync({ ...realign, fill } as never));
    expect(raw).toStrictEqual({ code: 'GVL_INVALID_ARGUMENT', param, value });
    expect(wrapped).toStrictEqual(raw);
  });

  it.each(fills)("checkInsertionFill(%j) is the kernels' own check (%s)", (fill, param, value) => {
    const at = param.replace(/^fill/, 'insertionFill.x');
    expect(thrown(() => gvl.checkInsertionFill(fill as never, 'insertionFill.x'))).toStrictEqual({
      code: 'GVL_INVALID_ARGUMENT',
      param: at,
      value,
    });
    const ok = { kind: 'interpolate', order: 32 } as const;
    expect(gvl.checkInsertionFill(ok)).toBe(ok);
    expect(thrown(() => gvl.checkInsertionFill(7 as never))).toMatchObject({
      param: 'fill',
      value: 7,
    });
  });

  it.each([
    [300, 300],
    [-1, -1],
    [3.5, 3.5],
    ['€', 8364],
  ])('padChar %j is refused by the addon', (padChar, value) => {
    const wrapped = thrown(() => gvl.getReferenceSync({ ...reference, padChar }));
    expect(wrapped).toStrictEqual({ code: 'GVL_INVALID_ARGUMENT', param: 'padChar', value });
    if (typeof padChar === 'number') {
      const raw = thrown(() => native.getReferenceSync({ ...reference, padChar }, false));
      expect(raw).toStrictEqual(wrapped);
    }
  });

  it('a one-character padChar is converted on the JS side only', () => {
    const bytes = (padChar: number | string) =>
      new TextDecoder().decode(gvl.getReferenceSync({ ...reference, padChar }));
    expect(bytes('-')).toBe('--ACG');
    expect(bytes(45)).toBe('--ACG');
    expect(() => gvl.getReferenceSync({ ...reference, padChar: 'NN' })).toThrow(
      expect.objectContaining({ code: 'GVL_INVALID_ARGUMENT', param: 'padChar', value: 'NN' }),
    );
  });

  it('an absent fill or kind is repeat5p; a seed outside uint64 is refused by the addon', () => {
    const run = (fill?: gvl.InsertionFill) => [...gvl.realignTracksSync({ ...realign, fill })];
    expect(run()).toStrictEqual([1, 2, 2, 2, 3, 4]);
    expect(run({} as never)).toStrictEqual(run({ kind: 'repeat5p' }));
    for (const baseSeed of [-1n, 1n << 64n]) {
      const raw = thrown(() => native.realignTracksSync({ ...realign, baseSeed }, false));
      expect(raw).toMatchObject({ code: 'GVL_INVALID_ARGUMENT', param: 'baseSeed' });
      expect(thrown(() => gvl.realignTracksSync({ ...realign, baseSeed }))).toStrictEqual(raw);
    }
    expect(thrown(() => gvl.realignTracksSync({ ...realign, baseSeed: 1 as never }))).toMatchObject(
      { code: 'GVL_INVALID_ARGUMENT', param: 'baseSeed', value: 1 },
    );
  });
});

describe('DatasetSource request options', () => {
  const text = new TextEncoder();
  const source = () =>
    gvl.DatasetSource.create({
      regions: new Int32Array([0, 2, 6, 1]),
      rIdxMap: Int32Array.of(0),
      nSamples: 1,
      ploidy: 1,
      reference: { sequence: text.encode('AACGTTTG'), offsets: big([0, 8]) },
      genotypes: { offsets: big([0, 1]), variantIdxs: Int32Array.of(0) },
      variants: {
        starts: Int32Array.of(3),
        ilens: Int32Array.of(2),
        alts: text.encode('GAC'),
        altOffsets: big([0, 3]),
      },
      tracks: [
        {
          intervals: {
            starts: Int32Array.of(0),
            ends: Int32Array.of(8),
            values: Float32Array.of(1.5),
            offsets: big([0, 1]),
          },
          annotation: true,
        },
      ],
    });
  const base = {
    regionIdx: Int32Array.of(0),
    sampleIdx: Int32Array.of(0),
    rcNeg: false,
    seqs: 'haplotypes' as const,
    tracks: [0, 0],
    realign: true,
  };

  it('fills are checked per requested track, holes and an empty list default to repeat5p', () => {
    const src = source();
    const bad = { kind: 'interpolate', order: 40 } as const;
    expect(thrown(() => src.getSync({ ...base, fills: [undefined, bad] }))).toStrictEqual({
      code: 'GVL_INVALID_ARGUMENT',
      param: 'request.fills[1].order',
      value: 40,
    });
    expect(
      thrown(() => src.getSync({ ...base, fills: [{ kind: 'constant', value: 0 }] })),
    ).toStrictEqual({ code: 'GVL_INVALID_ARGUMENT', param: 'request.fills.length', value: 1 });
    const tracks = (fills?: (gvl.InsertionFill | undefined)[]) => [
      ...(src.getSync({ ...base, fills }).tracks?.data ?? []),
    ];
    const repeat = tracks([{ kind: 'repeat5p' }, { kind: 'repeat5p' }]);
    expect(tracks()).toStrictEqual(repeat);
    expect(tracks([])).toStrictEqual(repeat);
    expect(tracks([undefined, { kind: 'repeat5p' }])).toStrictEqual(repeat);
    expect(tracks([{ kind: 'constant', value: 9 }, undefined])).not.toStrictEqual(repeat);
  });

  it('seqs and the seed are checked by the addon, naming the request field', () => {
    const src = source();
    expect(thrown(() => src.getSync({ ...base, seqs: 'variants' as never }))).toStrictEqual({
      code: 'GVL_INVALID_ARGUMENT',
      param: 'request.seqs',
      value: 'variants',
    });
    expect(thrown(() => src.getSync({ ...base, baseSeed: -5n }))).toMatchObject({
      code: 'GVL_INVALID_ARGUMENT',
      param: 'request.baseSeed',
    });
  });
});

describe('the kernel table is the generated binding', () => {
  it('lists exactly the kernels called as (input, parallel, out?, signal?)', () => {
    expectTypeOf<InputKernel>().toEqualTypeOf<
      | 'countVariants'
      | 'gatherVariants'
      | 'getDiffs'
      | 'getReference'
      | 'intervalsToTracks'
      | 'realignTracks'
      | 'reconstructHaplotypes'
    >();
    expectTypeOf<NativeOut<'getReference'>>().toEqualTypeOf<Uint8Array>();
    expectTypeOf<NativeOut<'realignTracks'>>().toEqualTypeOf<Float32Array>();
    expectTypeOf<NativeResult<'countVariants'>>().toEqualTypeOf<
      ReturnType<typeof native.countVariantsSync>
    >();
    expectTypeOf<NativeInput<'getDiffs'>>().toEqualTypeOf<
      Parameters<typeof native.getDiffsSync>[0]
    >();
    // Every name in the table is a function pair on the loaded binding.
    const names: InputKernel[] = [
      'countVariants',
      'gatherVariants',
      'getDiffs',
      'getReference',
      'intervalsToTracks',
      'realignTracks',
      'reconstructHaplotypes',
    ];
    for (const name of names) {
      expect(typeof native[name]).toBe('function');
      expect(typeof native[`${name}Sync`]).toBe('function');
    }
  });
});

describe('gatherVariants: folded rows and a placeholder variant', () => {
  const text = new TextEncoder();
  const input = {
    // groups: 0 = {v0, v1}, 1 = {}, 2 = {v1}
    groups: big([1, 1, 0, 2]),
    genotypes: { offsets: big([0, 2, 2, 3]), variantIdxs: Int32Array.of(0, 1, 1) },
    variants: {
      starts: Int32Array.of(4, 9),
      ilens: Int32Array.of(0, 2),
      alts: text.encode('GACT'),
      altOffsets: big([0, 1, 4]),
    },
  };

  it('two groups per row concatenate in order; the dummy fills only the empty row, rc with it', () => {
    const out = gvl.gatherVariantsSync({
      ...input,
      groupsPerRow: 2,
      rcMask: Uint8Array.of(1, 1),
      dummy: { alt: 'AAC' },
    });
    expect([...out.offsets]).toStrictEqual([0n, 1n, 4n]);
    expect([...out.start]).toStrictEqual([-1, 4, 9, 9]);
    expect([...out.ilen]).toStrictEqual([0, 0, 2, 2]);
    expect(new TextDecoder().decode(out.alt)).toBe('GTTCAGTAGT');
    const counts = gvl.countVariantsSync({ ...input, groupsPerRow: 2 });
    expect([...counts.offsets]).toStrictEqual([0n, 0n, 3n]);
  });

  it('a keep mask drops its variants from every row; a row left empty gets the dummy', () => {
    // Dropping v1: row 0 (groups 1, 1) stays empty, row 1 (groups 0, 2) keeps only v0.
    const out = gvl.gatherVariantsSync({
      ...input,
      groupsPerRow: 2,
      keep: Uint8Array.of(1, 0),
      dummy: { alt: 'N' },
    });
    expect([...out.offsets]).toStrictEqual([0n, 1n, 2n]);
    expect([...out.start]).toStrictEqual([-1, 4]);
    expect([...out.variantIdx]).toStrictEqual([-1, 0]);
    expect(new TextDecoder().decode(out.alt)).toBe('NG');
    const counts = gvl.countVariantsSync({ ...input, groupsPerRow: 2, keep: Uint8Array.of(1, 0) });
    expect([...counts.offsets]).toStrictEqual([0n, 0n, 1n]);
    expect(counts.altBytes).toBe(1);
  });

  it('bad values are refused by the addon, naming them', () => {
    const cases: [Record<string, unknown>, string, unknown][] = [
      [{ groupsPerRow: 3 }, 'groupsPerRow', 3],
      [{ groupsPerRow: 0 }, 'groupsPerRow', 0],
      [{ dummy: { start: 1.5 } }, 'dummy.start', 1.5],
      [{ dummy: { ilen: 2 ** 31 } }, 'dummy.ilen', 2 ** 31],
      [{ dummy: { alt: 'é' } }, 'dummy.alt', 'é'],
      [{ rcMask: Uint8Array.of(1) }, 'rcMask.length', 1],
      [{ keep: Uint8Array.of(1, 1, 1) }, 'keep.length', 3],
    ];
    for (const [extra, param, value] of cases) {
      expect(thrown(() => gvl.gatherVariantsSync({ ...input, ...extra } as never))).toStrictEqual({
        code: 'GVL_INVALID_ARGUMENT',
        param,
        value,
      });
    }
  });
});
