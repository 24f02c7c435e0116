import { Ragged } from '@gvl/dataset';
import { describe, expect, it } from 'vitest';
import { loadGolden } from '../src/goldens.js';
import { goldensDir } from '../src/paths.js';
import { cutOutput, firstDiff, parseVariantRow, rowKey, sha256 } from '../src/rows.js';
import { MODES, type ModeSpec, passRegions } from '../src/spec.js';

const mode = (id: string) => MODES.find((m) => m.id === id) as ModeSpec;
const ascii = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));

describe('rows', () => {
  it('cuts ragged and dense outputs into rows with lengths and offsets', () => {
    const r = Ragged.fromLengths(ascii('ACGTTG'), [1, 2, 0, 3], [2, 2]);
    const rows = cutOutput(mode('haplotypes-ragged'), r).seqs;
    expect(rows?.lengths).toEqual([1, 2, 0, 3]);
    expect(rows?.rows.map((b) => Buffer.from(b).toString())).toEqual(['A', 'CG', '', 'TTG']);
    expect([...(rows?.offsets ?? [])]).toEqual([0n, 1n, 3n, 3n, 6n]);
    const dense = cutOutput(mode('haplotypes-1000'), { data: ascii('ACGTAC'), shape: [3, 2] });
    expect(dense.seqs?.rows.map((b) => Buffer.from(b).toString())).toEqual(['AC', 'GT', 'AC']);
    expect(dense.seqs?.offsets).toBeNull();
  });

  it('cuts a dense one-hot output [..., L, A] into one row of L·A floats per haplotype', () => {
    // 2 haplotypes × 3 bases × 4 columns: rows 'ACN' and 'TTG' one-hot over ACGT.
    const hot = (b: string) => [...'ACGT'].map((c) => (c === b ? 1 : 0));
    const values = [...'ACN', ...'TTG'].flatMap(hot);
    const out = cutOutput(mode('onehot-2048'), {
      data: new Float32Array(values),
      shape: [1, 1, 2, 3, 4],
    }).seqs;
    expect(out?.dtype).toBe('float32');
    expect(out?.lengths).toEqual([3, 3]);
    const floats = (b: Uint8Array) => [...new Float32Array(b.slice().buffer)];
    expect(out?.rows.map(floats)).toEqual([values.slice(0, 12), values.slice(12)]);
    expect(() =>
      cutOutput(mode('onehot-2048'), { data: new Float32Array(6), shape: [1, 1, 2, 3] }),
    ).toThrow(/one-hot/);
  });

  it('serializes variant fields after each ALT: REF length, REF bytes, AF float32', () => {
    const alt = Ragged.fromLengths(ascii('TGA'), [1, 2], [2]);
    const ref = Ragged.fromLengths(ascii('CG'), [1, 1], [2]);
    const v = {
      shape: [1, 1, 2, null] as const,
      offsets: new BigInt64Array([0n, 2n, 2n]),
      start: new Int32Array([10, 20]),
      ilen: new Int32Array([0, 1]),
      alt,
      ref,
      info: { AF: new Float32Array([0.25, 0.5]) },
    };
    const out = cutOutput(mode('variants-af'), v as never).seqs;
    expect(out?.dtype).toBe('variantFields');
    expect(out?.lengths).toEqual([2, 0]);
    const want = Buffer.alloc(2 * (12 + 4 + 4) + 1 + 1 + 2 + 1);
    let o = 0;
    for (const [start, ilen, a, r, af] of [
      [10, 0, 'T', 'C', 0.25],
      [20, 1, 'GA', 'G', 0.5],
    ] as const) {
      o = want.writeInt32LE(start, o);
      o = want.writeInt32LE(ilen, o);
      o = want.writeInt32LE(a.length, o);
      o += want.write(a, o, 'latin1');
      o = want.writeInt32LE(r.length, o);
      o += want.write(r, o, 'latin1');
      o = want.writeFloatLE(af, o);
    }
    expect(Buffer.from(out?.rows[0] as Uint8Array)).toEqual(want);
    expect(out?.rows[1]?.length).toBe(0);
  });

  it('splits [seqs, tracks] of realigned modes and keys rows by sample, track and ploid', () => {
    const m = mode('realigned-ragged');
    const seqs = Ragged.fromLengths(ascii('AC'), [1, 1], [1, 2]);
    const tracks = Ragged.fromLengths(new Float32Array([1, 2, 3, 4]), [1, 1, 1, 1], [1, 2, 2]);
    const out = cutOutput(m, [seqs, tracks]);
    expect(out.seqs?.rows.length).toBe(2);
    expect(out.tracks?.dtype).toBe('float32');
    expect(rowKey(m, 'tracks', 3, ['sA'])).toEqual({ sample: 'sA', track: 'signal', hap: 1 });
    expect(rowKey(m, 'tracks', 9, ['sA', 'sB', 'sC'])).toEqual({
      sample: 'sC',
      track: 'gc',
      hap: 1,
    });
    expect(rowKey(mode('reference'), 'seqs', 2, ['x', 'y', 'z'])).toEqual({
      sample: 'z',
      track: null,
      hap: null,
    });
  });

  it('finds the first differing element of byte, float and variant rows', () => {
    expect(firstDiff('uint8', ascii('ACGT'), ascii('ACGT'))).toBeNull();
    expect(firstDiff('uint8', ascii('ACGT'), ascii('ACCT'))).toEqual({
      position: 2,
      a: "'G'",
      b: "'C'",
    });
    expect(firstDiff('uint8', ascii('AC'), ascii('ACG'))).toEqual({
      position: 2,
      a: '(end of row)',
      b: "'G'",
    });
    const f = (xs: number[]) => new Uint8Array(new Float32Array(xs).buffer);
    expect(firstDiff('float32', f([1, 2, 3]), f([1, 2.5, 3]))).toEqual({
      position: 1,
      a: '2',
      b: '2.5',
    });
    expect(firstDiff('float32', f([Number.NaN]), f([Number.NaN]))).toBeNull();
    const v = (items: [number, number, string][]) => {
      const parts = items.map(([s, i, a]) => {
        const b = Buffer.alloc(12 + a.length);
        b.writeInt32LE(s, 0);
        b.writeInt32LE(i, 4);
        b.writeInt32LE(a.length, 8);
        b.write(a, 12, 'latin1');
        return b;
      });
      return new Uint8Array(Buffer.concat(parts));
    };
    const a = v([
      [10, 0, 'A'],
      [20, 2, 'CGT'],
    ]);
    const b = v([
      [10, 0, 'A'],
      [20, -1, 'C'],
    ]);
    expect(parseVariantRow(a)).toEqual([
      { start: 10, ilen: 0, alt: 'A' },
      { start: 20, ilen: 2, alt: 'CGT' },
    ]);
    expect(firstDiff('variants', a, b)).toEqual({
      position: 1,
      a: 'start=20 ilen=2 alt=CGT',
      b: 'start=20 ilen=-1 alt=C',
    });
  });

  it('serializes an annotated haplotype as its bases, then int32 LE variant indices, then reference coordinates', () => {
    const m = mode('annotated-ragged');
    const haps = Ragged.fromLengths(ascii('ACGTA'), [2, 3], [1, 2]);
    const varIdxs = Ragged.fromLengths(new Int32Array([-1, 7, -1, -1, 9]), [2, 3], [1, 2]);
    const refCoords = Ragged.fromLengths(new Int32Array([100, 101, 200, 201, 201]), [2, 3], [1, 2]);
    const out = cutOutput(m, { haps, varIdxs, refCoords }).seqs;
    expect(out?.dtype).toBe('annotated');
    expect(out?.lengths).toEqual([2, 3]);
    expect([...(out?.offsets ?? [])]).toEqual([0n, 2n, 5n]);
    const row = Buffer.from(out?.rows[1] as Uint8Array);
    expect(row.length).toBe(3 * 9);
    expect(row.subarray(0, 3).toString('latin1')).toBe('GTA');
    expect([0, 1, 2].map((k) => row.readInt32LE(3 + 4 * k))).toEqual([-1, -1, 9]);
    expect([0, 1, 2].map((k) => row.readInt32LE(15 + 4 * k))).toEqual([200, 201, 201]);
    // Dense (fixed length): the same bytes per row, no offsets.
    const dense = cutOutput(mode('annotated-1000'), {
      haps: { data: ascii('ACGT'), shape: [2, 2] },
      varIdxs: { data: new Int32Array([-1, 3, -1, -1]), shape: [2, 2] },
      refCoords: { data: new Int32Array([5, 6, 9, 10]), shape: [2, 2] },
    }).seqs;
    expect(dense?.offsets).toBeNull();
    expect(dense?.lengths).toEqual([2, 2]);
    expect(Buffer.from(dense?.rows[0] as Uint8Array).readInt32LE(2 + 4)).toBe(3);
    // The first differing base names all three fields of both sides.
    const other = Buffer.from(out?.rows[1] as Uint8Array);
    other.writeInt32LE(8, 3 + 8);
    expect(firstDiff('annotated', out?.rows[1] as Uint8Array, new Uint8Array(other))).toEqual({
      position: 2,
      a: "'A' varIdx=9 refCoord=201",
      b: "'A' varIdx=8 refCoord=201",
    });
  });

  it('cuts haplotypeLengths / nVariants into one int32 row per (region, sample)', () => {
    const m = mode('lengths');
    const out = cutOutput(m, {
      data: new Int32Array([2048, 2047, 2050, 2048]),
      shape: [2, 2],
    }).seqs;
    expect(out?.dtype).toBe('int32');
    expect(out?.lengths).toEqual([2, 2]);
    expect(rowKey(m, 'seqs', 1, ['x', 'y'])).toEqual({ sample: 'y', track: null, hap: null });
    const i32 = (xs: number[]) => new Uint8Array(new Int32Array(xs).buffer);
    expect(firstDiff('int32', i32([2048, 2047]), i32([2048, 2046]))).toEqual({
      position: 1,
      a: '2047',
      b: '2046',
    });
  });

  it('keys unphasedUnion rows by (region, sample): one row per sample, no haplotype', () => {
    const m = mode('unphased-union');
    expect(rowKey(m, 'seqs', 3, ['a', 'b', 'c', 'd'])).toEqual({
      sample: 'd',
      track: null,
      hap: null,
    });
    expect(rowKey(mode('dummy-variant'), 'seqs', 3, ['a', 'b'])).toEqual({
      sample: 'b',
      track: null,
      hap: 1,
    });
  });

  it('sampled passes read both strands (odd strides over the alternating windows) from region 0', () => {
    const sampled = MODES.filter((m) => (m.passStride ?? 1) > 1);
    expect(sampled.map((m) => m.id)).toContain('annotated-ragged');
    for (const m of sampled) {
      const k = m.passStride as number;
      const rs = passRegions(m, 488);
      expect(k % 2, m.id).toBe(1);
      expect(rs[0]).toBe(0);
      expect(rs.length).toBe(Math.ceil(488 / k));
      expect(new Set(rs.map((r) => r % 2))).toEqual(new Set([0, 1]));
    }
    expect(passRegions(mode('haplotypes-ragged'), 488)).toHaveLength(488);
  });

  it('the dummyVariant goldens put the dummy exactly in the rows the variants goldens leave empty', () => {
    // The dummy serialized as a variants row: start -1, ilen 0, ALT 'N' (its own reverse complement).
    const dummy = Buffer.alloc(13);
    dummy.writeInt32LE(-1, 0);
    dummy.writeInt32LE(0, 4);
    dummy.writeInt32LE(1, 8);
    dummy.write('N', 12, 'latin1');
    const digest = sha256(dummy).subarray(0, 16);
    for (const source of ['bcftools', 'genvarloader'] as const) {
      const plain = loadGolden(goldensDir, source, 'variants')?.parts.seqs;
      const dummied = loadGolden(goldensDir, source, 'dummy-variant')?.parts.seqs;
      if (!plain || !dummied) throw new Error(`${source} variants goldens missing`);
      const lengths = (b64: string) => {
        const b = Buffer.from(b64, 'base64');
        return new Int32Array(b.buffer, b.byteOffset, b.byteLength / 4);
      };
      const [a, b] = [lengths(plain.lengths), lengths(dummied.lengths)];
      const [da, db] = [
        Buffer.from(plain.digests, 'base64'),
        Buffer.from(dummied.digests, 'base64'),
      ];
      let empty = 0;
      for (let k = 0; k < a.length; k++) {
        const [ra, rb] = [da.subarray(16 * k, 16 * k + 16), db.subarray(16 * k, 16 * k + 16)];
        if (a[k] === 0) {
          empty++;
          expect([b[k], rb.equals(digest)], `${source} row ${k}`).toEqual([1, true]);
        } else {
          expect([b[k], rb.equals(ra)], `${source} row ${k}`).toEqual([a[k], true]);
        }
      }
      expect(empty, source).toBeGreaterThan(0);
    }
  });
});
