/**
 * The variant-field module on hand-made tables: which columns are INFO fields, their
 * dtypes across record batches, the AF keep mask's float32 comparison, the gathers.
 */
import {
  Float32,
  Float64,
  Int32,
  Int64,
  makeVector,
  Table,
  Uint8,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import type { VariantTable } from '../src/open.js';
import { DEFAULT_SETTINGS, validateSettings } from '../src/settings.js';
import {
  afKeepMask,
  availableVarFields,
  gatherColumn,
  gatherRef,
  readInfoColumns,
} from '../src/var-fields.js';

const bad = (message: string, value: unknown, index: number | null) =>
  Object.assign(new Error(message), { value, index });

function table(): Table {
  const part = (from: number) =>
    new Table({
      CHROM: vectorFromArray(['1', '1', '1'], new Utf8()),
      POS: makeVector(Int32Array.of(from + 1, from + 2, from + 3)),
      ILEN: makeVector(Int32Array.of(0, 0, 0)),
      AF: vectorFromArray([0.1, from === 0 ? null : 0.5, 0.75], new Float32()),
      AC: makeVector(Int32Array.of(from, from + 1, from + 2)),
      N: makeVector(BigInt64Array.of(1n, 2n, BigInt(from))),
      DB: makeVector(Uint8Array.of(1, 0, 1)),
      Q: vectorFromArray([1.5, 2.5, 3.5], new Float64()),
      NOTE: vectorFromArray(['a', 'b', 'c'], new Utf8()),
    });
  // Two record batches; the second one sliced, so its buffers start mid-way.
  const second = part(10).slice(0, 3);
  return part(0).concat(second);
}

describe('INFO columns of a variant table', () => {
  it('every numeric column but POS/ILEN, in file order, its dtype kept, across batches', () => {
    const info = readInfoColumns(table(), bad);
    expect([...info.keys()]).toEqual(['AF', 'AC', 'N', 'DB', 'Q']);
    const af = info.get('AF') as Float32Array;
    expect(af).toBeInstanceOf(Float32Array);
    expect([...af]).toEqual([Math.fround(0.1), Number.NaN, 0.75, Math.fround(0.1), 0.5, 0.75]);
    expect(info.get('AC')).toEqual(Int32Array.of(0, 1, 2, 10, 11, 12));
    expect(info.get('N')).toEqual(BigInt64Array.of(1n, 2n, 0n, 1n, 2n, 10n));
    expect(info.get('DB')).toEqual(Uint8Array.of(1, 0, 1, 1, 0, 1));
    expect(info.get('Q')).toBeInstanceOf(Float64Array);
    expect(info.get('AF')?.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  it('an integer column with a null is refused, naming the row', () => {
    const t = new Table({
      POS: makeVector(Int32Array.of(1, 2, 3)),
      AC: vectorFromArray([1, null, 3], new Int32()),
    });
    expect(() => readInfoColumns(t, bad)).toThrow(
      expect.objectContaining({ index: 1, message: expect.stringContaining('AC[1] is null') }),
    );
    const wide = new Table({ AN: vectorFromArray([1n, null], new Int64()) });
    expect(() => readInfoColumns(wide, bad)).toThrow(expect.objectContaining({ index: 1 }));
    const flags = new Table({ F: vectorFromArray([1, 0], new Uint8()) });
    expect(readInfoColumns(flags, bad).get('F')).toEqual(Uint8Array.of(1, 0));
  });
});

function variants(info: Record<string, Float32Array | Int32Array>): VariantTable {
  const enc = new TextEncoder();
  return {
    start: Int32Array.of(10, 20, 30),
    ilen: Int32Array.of(0, -1, 2),
    alt: enc.encode('GAACG'),
    altOffsets: BigInt64Array.of(0n, 1n, 2n, 5n),
    ref: enc.encode('TCGA'),
    refOffsets: BigInt64Array.of(0n, 1n, 3n, 4n),
    info: new Map(Object.entries(info)),
  };
}

describe('variant fields and the AF filter', () => {
  it('available fields: built-ins, INFO columns, then ref when the table has REF', () => {
    const v = variants({ AF: Float32Array.of(0.1, 0.2, 0.3) });
    expect(availableVarFields(v)).toEqual(['alt', 'ilen', 'start', 'AF', 'ref']);
    expect(availableVarFields({ ...v, ref: null, refOffsets: null })).toEqual([
      'alt',
      'ilen',
      'start',
      'AF',
    ]);
    expect(availableVarFields(null)).toEqual([]);
  });

  it('bounds are compared in float32 as numpy compares a float32 column with a float', () => {
    // 0.1 as float32 is 0.100000001490116...; numpy 2 compares in float32, so AF == 0.1.
    const v = variants({ AF: Float32Array.of(0.1, 0.3, Number.NaN) });
    expect(afKeepMask(v, 0.1, null)).toEqual(Uint8Array.of(1, 1, 0));
    expect(afKeepMask(v, null, 0.1)).toEqual(Uint8Array.of(1, 0, 0));
    expect(afKeepMask(v, 0.2, 0.3)).toEqual(Uint8Array.of(0, 1, 0));
    expect(afKeepMask(v, null, null)).toBeUndefined();
    // Computed once per table and bounds.
    expect(afKeepMask(v, 0.2, 0.3)).toBe(afKeepMask(v, 0.2, 0.3));
  });

  it('option checks: names, [0, 1] bounds, minAf <= maxAf', () => {
    const ok = { varFields: ['AF'], minAf: 0, maxAf: 1 };
    expect(() => validateSettings({ ...DEFAULT_SETTINGS, ...ok })).not.toThrow();
    for (const s of [
      { ...ok, minAf: 0.6, maxAf: 0.5 },
      { ...ok, minAf: -1e-9 },
      { ...ok, maxAf: Number.POSITIVE_INFINITY },
      { ...ok, varFields: [1] as never },
    ])
      expect(() => validateSettings({ ...DEFAULT_SETTINGS, ...s }), JSON.stringify(s)).toThrow(
        expect.objectContaining({ code: 'GVL_INVALID_ARGUMENT' }),
      );
  });

  it('gathers a column and REF by variant index; a dummy (-1) gets NaN / 0 and REF N', () => {
    const v = variants({ AF: Float32Array.of(0.1, 0.2, 0.3), AC: Int32Array.of(4, 5, 6) });
    const idx = Int32Array.of(2, 0, -1, 1);
    expect(gatherColumn(v.info.get('AF') as Float32Array, idx)).toEqual(
      Float32Array.of(0.3, 0.1, Number.NaN, 0.2),
    );
    expect(gatherColumn(v.info.get('AC') as Int32Array, idx)).toEqual(Int32Array.of(6, 4, 0, 5));
    // Rows: [2, 0] and [-1, 1]; the second row is reverse-complemented (CG -> CG, N -> N).
    const ref = gatherRef(v, idx, BigInt64Array.of(0n, 2n, 4n), Uint8Array.of(0, 1));
    expect(new TextDecoder().decode(ref.data)).toBe('ATNCG');
    expect(ref.offsets).toEqual(BigInt64Array.of(0n, 1n, 2n, 3n, 5n));
    const rc = gatherRef(v, Int32Array.of(0, 2), BigInt64Array.of(0n, 2n), Uint8Array.of(1));
    expect(new TextDecoder().decode(rc.data)).toBe('AT');
  });
});
