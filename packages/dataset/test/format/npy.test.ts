import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeNpyInt32Matrix, npyHeader, RawArrayWriter } from '../../src/format/npy.js';

const dir = mkdtempSync(join(tmpdir(), 'gvl-npy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npy', () => {
  it('writes the numpy 1.0 header padded to 64 bytes', () => {
    const h = npyHeader('<i4', [488, 4], true);
    expect(h.length).toBe(128);
    expect([...h.subarray(0, 10)]).toEqual([0x93, 78, 85, 77, 80, 89, 1, 0, 118, 0]);
    const text = new TextDecoder().decode(h.subarray(10));
    expect(text.startsWith("{'descr': '<i4', 'fortran_order': True, 'shape': (488, 4), }")).toBe(
      true,
    );
    expect(text.endsWith(' \n')).toBe(true);
    expect(
      new TextDecoder().decode(npyHeader('<i8', [5], false)).includes("'shape': (5,), }"),
    ).toBe(true);
  });

  it('encodes an int32 matrix in Fortran or C order', () => {
    const m = Int32Array.from([0, 1000, 2048, 1, 0, 2048, 4096, -1]);
    const f = encodeNpyInt32Matrix(m, 2, 4, true);
    const body = (b: Uint8Array) => [
      ...new Int32Array(b.slice(10 + (b[8] ?? 0) + (b[9] ?? 0) * 256).buffer),
    ];
    expect(f.length).toBe(128 + 32);
    expect(body(f)).toEqual([0, 0, 1000, 2048, 2048, 4096, 1, -1]);
    const c = encodeNpyInt32Matrix(m, 2, 4, false);
    expect(body(c)).toEqual([...m]);
    expect(new TextDecoder().decode(c.subarray(10, 128))).toContain(
      "'fortran_order': False, 'shape': (2, 4)",
    );
  });

  it('streams raw little-endian arrays with no header', () => {
    const p = join(dir, 'raw.npy');
    const w = new RawArrayWriter(p, 16);
    w.write(new BigInt64Array([0n, 2n ** 40n]));
    w.write(new Int32Array([7]));
    w.write(new Int32Array(10).fill(-1));
    w.close();
    w.close();
    const b = readFileSync(p);
    expect(b.length).toBe(16 + 4 + 40);
    expect(b.readBigInt64LE(8)).toBe(2n ** 40n);
    expect(b.readInt32LE(16)).toBe(7);
    expect(b.readInt32LE(56)).toBe(-1);
  });
});
