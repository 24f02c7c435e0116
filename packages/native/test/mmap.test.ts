// mapFile: the bytes of the file, as an ArrayBuffer over the mapping; a store into it
// never reaches the file; kernels read it unchanged; failures are node:fs-shaped errors.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDiffsSync, InvalidArgumentError, mapFile } from '../src-ts/index.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gvl-native-mmap-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('mapFile', () => {
  it('returns the bytes of the file, aligned for int64 views', () => {
    const want = BigInt64Array.from({ length: 1000 }, (_, i) => BigInt(i) * 3n - 7n);
    const f = join(dir, 'i64.bin');
    writeFileSync(f, want);
    const buf = mapFile(f);
    expect(buf).toBeInstanceOf(ArrayBuffer);
    expect(buf.byteLength).toBe(8000);
    expect(new BigInt64Array(buf)).toEqual(want);
  });

  it('a store into the buffer changes this copy only, never the file', () => {
    const f = join(dir, 'cow.bin');
    writeFileSync(f, Uint8Array.from([1, 2, 3, 4]));
    const view = new Uint8Array(mapFile(f));
    view[0] = 200;
    expect(view[0]).toBe(200);
    expect([...readFileSync(f)]).toEqual([1, 2, 3, 4]);
    expect([...new Uint8Array(mapFile(f))]).toEqual([1, 2, 3, 4]);
  });

  it('an empty file is an empty buffer', () => {
    const f = join(dir, 'empty.bin');
    writeFileSync(f, '');
    expect(mapFile(f).byteLength).toBe(0);
  });

  it('kernels read mapped typed arrays unchanged (getDiffs on mapped genotypes = on copies)', () => {
    const offsets = BigInt64Array.from([0n, 2n, 3n]);
    const idxs = Int32Array.from([0, 1, 1]);
    writeFileSync(join(dir, 'offsets.bin'), offsets);
    writeFileSync(join(dir, 'idxs.bin'), idxs);
    const input = (genotypes: { offsets: BigInt64Array; variantIdxs: Int32Array }) => ({
      regions: Int32Array.from([0, 0, 100, 0, 0, 100]),
      ploidy: 1,
      groups: BigInt64Array.from([0n, 1n]),
      genotypes,
      variants: { starts: Int32Array.from([10, 20]), ilens: Int32Array.from([2, -3]) },
    });
    const mapped = getDiffsSync(
      input({
        offsets: new BigInt64Array(mapFile(join(dir, 'offsets.bin'))),
        variantIdxs: new Int32Array(mapFile(join(dir, 'idxs.bin'))),
      }),
    );
    const copied = getDiffsSync(input({ offsets, variantIdxs: idxs }));
    expect([...mapped]).toEqual([...copied]);
    expect([...copied]).toEqual([-1, -3]);
  });

  it('maps in a worker thread (the addon loaded there) with the same bytes', async () => {
    const f = join(dir, 'worker.bin');
    writeFileSync(f, Int32Array.from([5, 6, 7]));
    const url = new URL('../dist/index.js', import.meta.url).href;
    const w = new Worker(
      `import(${JSON.stringify(url)}).then((m) => {
        const { parentPort, workerData } = require('node:worker_threads');
        parentPort.postMessage([...new Int32Array(m.mapFile(workerData))]);
      });`,
      { eval: true, workerData: f },
    );
    const got = await new Promise((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
    });
    await w.terminate();
    expect(got).toEqual([5, 6, 7]);
  });

  it('a missing file is ENOENT from open, a directory ENODEV from mmap, with path and syscall', () => {
    const missing = join(dir, 'missing.bin');
    expect(() => mapFile(missing)).toThrow(
      expect.objectContaining({ code: 'ENOENT', syscall: 'open', path: missing }),
    );
    expect(() => mapFile(dir)).toThrow(expect.objectContaining({ syscall: 'mmap', path: dir }));
  });

  it.each([[''], ['a\0b'], [42]])('path %j is GVL_INVALID_ARGUMENT', (p) => {
    const e = (() => {
      try {
        mapFile(p as string);
      } catch (x) {
        return x;
      }
    })();
    expect(e).toBeInstanceOf(InvalidArgumentError);
    expect(e).toMatchObject({ code: 'GVL_INVALID_ARGUMENT', param: 'path', value: p });
  });
});
