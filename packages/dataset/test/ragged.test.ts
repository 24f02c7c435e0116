import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isGvlError, offsetsFromLengths, Ragged } from '../src/index.js';

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return isGvlError(e) ? e.code : 'not a GvlError';
  }
  return undefined;
}

describe('Ragged', () => {
  const data = new Uint8Array([1, 2, 3, 4, 5, 6]);
  const r = Ragged.fromLengths(data, [2, 0, 4]);

  it('exposes data, int64 offsets, shape and length', () => {
    expect(r.data).toBe(data);
    expect(r.offsets).toEqual(new BigInt64Array([0n, 2n, 2n, 6n]));
    expect(r.shape).toEqual([3, null]);
    expect(r.length).toBe(3);
    expect(r.dims).toEqual([3]);
    expect([...r.lengths()]).toEqual([2, 0, 4]);
  });

  it('rows are zero-copy views', () => {
    const row = r.row(2);
    expect([...row]).toEqual([3, 4, 5, 6]);
    expect(row.buffer).toBe(data.buffer);
    row[0] = 99;
    expect(data[2]).toBe(99);
    row[0] = 3;
    expect([...r.row(-1)]).toEqual([3, 4, 5, 6]);
    expect(r.row(1).length).toBe(0);
  });

  it('indexes multi-dimensional shapes row-major', () => {
    // 2 queries × 2 ploids
    const h = Ragged.fromLengths(new Uint8Array([65, 67, 71, 84, 78]), [1, 2, 0, 2], [2, 2]);
    expect(h.shape).toEqual([2, 2, null]);
    expect(String.fromCharCode(...h.at(0, 1))).toBe('CG');
    expect(String.fromCharCode(...h.at(1, 1))).toBe('TN');
    expect(h.at(1, 0).length).toBe(0);
    expect(codeOf(() => h.at(2, 0))).toBe('GVL_INVALID_RAGGED');
    expect(codeOf(() => h.at(0))).toBe('GVL_INVALID_RAGGED');
    expect(h.reshape([4]).shape).toEqual([4, null]);
    expect(codeOf(() => h.reshape([3]))).toBe('GVL_INVALID_RAGGED');
  });

  it('pads and truncates to dense', () => {
    expect(r.toPadded(0)).toEqual({
      data: new Uint8Array([1, 2, 0, 0, 0, 0, 0, 0, 3, 4, 5, 6]),
      shape: [3, 4],
    });
    expect(r.toPadded(78, 3)).toEqual({
      data: new Uint8Array([1, 2, 78, 78, 78, 78, 3, 4, 5]),
      shape: [3, 3],
    });
    expect(r.toPadded(0, 0)).toEqual({ data: new Uint8Array(0), shape: [3, 0] });
    const f = Ragged.fromLengths(new Float32Array([0.5, 1.5, 2.5]), [1, 2], [1, 2]);
    expect(f.toPadded(Number.NaN)).toEqual({
      data: new Float32Array([0.5, Number.NaN, 1.5, 2.5]),
      shape: [1, 2, 2],
    });
    const b = Ragged.fromLengths(new BigInt64Array([7n]), [0, 1]);
    expect(b.toPadded(-1n).data).toEqual(new BigInt64Array([-1n, 7n]));
    expect(codeOf(() => r.toPadded(0, -1))).toBe('GVL_INVALID_RAGGED');
  });

  it('slices rows without copying', () => {
    const s = r.rows(1, 3);
    expect(s.shape).toEqual([2, null]);
    expect(s.data).toBe(data);
    expect(s.offsets.buffer).toBe(r.offsets.buffer);
    expect([...s.row(1)]).toEqual([3, 4, 5, 6]);
    expect(codeOf(() => r.rows(2, 5))).toBe('GVL_INVALID_RAGGED');
  });

  it('iterates rows', () => {
    expect([...r].map((x) => [...x])).toEqual([[1, 2], [], [3, 4, 5, 6]]);
  });

  it('addresses offsets beyond 2^31 (int64 semantics)', () => {
    const big = 2n ** 33n;
    // A view whose offsets exceed int32: validate against a data length that covers them.
    const fake = { length: Number(big) + 1 } as unknown as Uint8Array;
    const v = Ragged.fromOffsets(fake, [big - 1n, big]);
    expect(v.offsets[1]).toBe(big);
    expect(v.lengths()[0]).toBe(1);
  });

  it('rejects invalid offsets, lengths and shapes', () => {
    expect(codeOf(() => Ragged.fromOffsets(data, []))).toBe('GVL_INVALID_RAGGED');
    expect(codeOf(() => Ragged.fromOffsets(data, [0, 3, 2]))).toBe('GVL_INVALID_RAGGED');
    expect(codeOf(() => Ragged.fromOffsets(data, [-1, 2]))).toBe('GVL_INVALID_RAGGED');
    expect(codeOf(() => Ragged.fromOffsets(data, [0, 7]))).toBe('GVL_INVALID_RAGGED');
    expect(codeOf(() => Ragged.fromOffsets(data, [0, 1.5]))).toBe('GVL_INVALID_RAGGED');
    expect(codeOf(() => Ragged.fromLengths(data, [2, 2]))).toBe('GVL_INVALID_RAGGED');
    expect(codeOf(() => Ragged.fromLengths(data, [7, -1]))).toBe('GVL_INVALID_RAGGED');
    expect(codeOf(() => Ragged.fromLengths(data, [2, 0, 4], [2, 2]))).toBe('GVL_INVALID_RAGGED');
    expect(codeOf(() => r.row(3))).toBe('GVL_INVALID_RAGGED');
    expect(() => Ragged.fromLengths(data, [6, 0], [2, 1])).not.toThrow();
  });

  it('builds empty arrays', () => {
    const e = Ragged.empty(Uint8Array, [2, 3]);
    expect(e.shape).toEqual([2, 3, null]);
    expect(e.length).toBe(6);
    expect(e.toPadded(78)).toEqual({ data: new Uint8Array(0), shape: [2, 3, 0] });
  });
});

describe('Ragged properties', () => {
  const lengthsArb = fc.array(fc.nat({ max: 12 }), { maxLength: 40 });

  it('rows concatenate back to data and lengths round-trip', () => {
    fc.assert(
      fc.property(lengthsArb, (lengths) => {
        const total = lengths.reduce((a, b) => a + b, 0);
        const data = Int32Array.from({ length: total }, (_, i) => i * 3 - 7);
        const r = Ragged.fromLengths(data, lengths);
        expect([...r.lengths()]).toEqual(lengths);
        const joined: number[] = [];
        for (const row of r) joined.push(...row);
        expect(joined).toEqual([...data]);
        expect(r.offsets).toEqual(offsetsFromLengths(lengths));
      }),
    );
  });

  it('toPadded keeps each row prefix and fills the rest', () => {
    fc.assert(
      fc.property(
        lengthsArb,
        fc.option(fc.nat({ max: 15 }), { nil: undefined }),
        (lengths, width) => {
          const total = lengths.reduce((a, b) => a + b, 0);
          const data = Float64Array.from({ length: total }, (_, i) => i + 0.25);
          const r = Ragged.fromLengths(data, lengths);
          const d = r.toPadded(-1, width);
          const w = width ?? Math.max(0, ...lengths);
          expect(d.shape).toEqual([lengths.length, w]);
          for (let i = 0; i < lengths.length; i++) {
            const row = [...r.row(i)];
            const dense = [...d.data.subarray(i * w, (i + 1) * w)];
            const keep = Math.min(row.length, w);
            expect(dense.slice(0, keep)).toEqual(row.slice(0, keep));
            expect(dense.slice(keep).every((x) => x === -1)).toBe(true);
          }
        },
      ),
    );
  });

  it('rows(a, b) is the same as row(a + i)', () => {
    fc.assert(
      fc.property(
        lengthsArb.filter((l) => l.length > 0),
        fc.nat(),
        fc.nat(),
        (lengths, x, y) => {
          const n = lengths.length;
          const a = x % (n + 1);
          const b = a + (y % (n - a + 1));
          const total = lengths.reduce((s, l) => s + l, 0);
          const r = Ragged.fromLengths(
            Uint16Array.from({ length: total }, (_, i) => i),
            lengths,
          );
          const s = r.rows(a, b);
          expect(s.length).toBe(b - a);
          for (let i = 0; i < b - a; i++) expect(s.row(i)).toEqual(r.row(a + i));
        },
      ),
    );
  });
});
