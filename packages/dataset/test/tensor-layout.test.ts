/**
 * The runtime-independent half of the tensor adapters: which arrays of an output become
 * which tensors (tensor-layout.ts), and how an optional runtime is found or reported
 * missing (optional-runtime.ts). No ML runtime is needed.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { isGvlError, Ragged, RuntimeUnavailableError, type TypedArray } from '../src/index.js';
import { loadRuntime } from '../src/optional-runtime.js';
import type { RaggedVariants } from '../src/output.js';
import { mapOutput } from '../src/tensor-layout.js';
import { pkgDir } from './helpers.js';
import { hasOrt } from './runtimes.js';

interface Leaf {
  data: TypedArray;
  dims: readonly number[];
  path: string;
}
const leaf = (data: TypedArray, dims: readonly number[], path: string): Leaf => ({
  data,
  dims,
  path,
});

function notFound(id: string): Error {
  return Object.assign(new Error(`Cannot find module '${id}'\nRequire stack:\n- x.js`), {
    code: 'MODULE_NOT_FOUND',
  });
}

describe('mapOutput', () => {
  it('a dense array is one tensor of its shape, holding the same array', () => {
    const data = new Uint8Array(2 * 2 * 3);
    const out = mapOutput({ data, shape: [2, 2, 3] }, leaf);
    expect(out.data).toBe(data);
    expect(out.dims).toEqual([2, 2, 3]);
  });

  it('a one-hot float32 [..., length, alphabet] maps like any dense array', () => {
    const data = new Float32Array(2 * 2 * 5 * 4);
    const out = mapOutput({ data, shape: [2, 2, 5, 4] }, leaf);
    expect(out.data).toBe(data);
    expect(out.dims).toEqual([2, 2, 5, 4]);
  });

  it('ragged one-hot: values viewed [bases, alphabet], offsets in bases, both the same arrays', () => {
    const offsets = new BigInt64Array([0n, 3n, 5n]);
    const data = new Float32Array(5 * 4);
    const out = mapOutput({ data, offsets, shape: [2, null, 4] as const }, leaf);
    expect(out.values.data).toBe(data);
    expect(out.values.dims).toEqual([5, 4]);
    expect(out.offsets.data).toBe(offsets);
    expect(out.offsets.dims).toEqual([3]);
    const bad = (() => {
      try {
        mapOutput({ data: new Float32Array(6), offsets, shape: [2, null, 4] as const }, leaf);
      } catch (e) {
        return e;
      }
    })();
    expect(isGvlError(bad, 'GVL_INVALID_ARGUMENT')).toBe(true);
  });

  it('a ragged array is flat values plus its int64 offsets, both the same arrays', () => {
    const r = Ragged.fromLengths(new Uint8Array([65, 67, 71, 84, 84]), [1, 2, 0, 2], [2, 2]);
    const out = mapOutput(r, leaf);
    expect(out.values.data).toBe(r.data);
    expect(out.values.dims).toEqual([5]);
    expect(out.offsets.data).toBe(r.offsets);
    expect(out.offsets.dims).toEqual([5]);
    expect(out.offsets.path).toBe('output.offsets');
  });

  it('variants: offsets, start, ilen and the ragged ALT alleles', () => {
    const v: RaggedVariants = {
      shape: [1, 2, null],
      offsets: new BigInt64Array([0n, 2n, 3n]),
      start: new Int32Array([10, 20, 30]),
      ilen: new Int32Array([0, -2, 3]),
      alt: Ragged.fromLengths(new Uint8Array([65, 67, 71, 84, 65, 67]), [1, 1, 4], [3]),
    };
    const out = mapOutput(v, leaf);
    expect(out.offsets.data).toBe(v.offsets);
    expect(out.start.data).toBe(v.start);
    expect(out.ilen.data).toBe(v.ilen);
    expect(out.alt.values.data).toBe(v.alt.data);
    expect(out.alt.offsets.data).toBe(v.alt.offsets);
    expect(out.alt.offsets.dims).toEqual([4]);
  });

  it('annotated haplotypes, dense and ragged, and a [seqs, tracks] pair', () => {
    const dense = {
      haps: { data: new Uint8Array(4), shape: [1, 2, 2] },
      varIdxs: { data: new Int32Array(4), shape: [1, 2, 2] },
      refCoords: { data: new Int32Array(4), shape: [1, 2, 2] },
    };
    const d = mapOutput(dense, leaf);
    expect(d.varIdxs.data).toBe(dense.varIdxs.data);
    expect(d.refCoords.dims).toEqual([1, 2, 2]);

    const lengths = [1, 3];
    const ragged = {
      haps: Ragged.fromLengths(new Uint8Array(4), lengths, [1, 2]),
      varIdxs: Ragged.fromLengths(new Int32Array(4), lengths, [1, 2]),
      refCoords: Ragged.fromLengths(new Int32Array(4), lengths, [1, 2]),
    };
    const r = mapOutput(ragged, leaf);
    expect(r.haps.values.data).toBe(ragged.haps.data);
    expect(r.refCoords.offsets.data).toBe(ragged.refCoords.offsets);

    const tracks = { data: new Float32Array(8), shape: [1, 2, 2, 2] };
    const [s, t] = mapOutput([dense.haps, tracks], leaf);
    expect(s.data).toBe(dense.haps.data);
    expect(t.data).toBe(tracks.data);
    expect(t.path).toBe('output[1]');
  });

  it('a shape that does not match the data is GVL_INVALID_ARGUMENT naming the field', () => {
    const bad = { data: new Float32Array(7), shape: [2, 4] };
    expect(() => mapOutput([{ data: new Uint8Array(2), shape: [2] }, bad], leaf)).toThrow(
      expect.objectContaining({
        code: 'GVL_INVALID_ARGUMENT',
        message: expect.stringMatching(/^output\[1\]: shape \[2, 4\] holds 8 elements, data has 7/),
      }),
    );
    expect(() => mapOutput({ data: new Uint8Array(2), shape: [-2, -1] }, leaf)).toThrow(
      expect.objectContaining({ code: 'GVL_INVALID_ARGUMENT' }),
    );
  });

  it('something that is no output is GVL_INVALID_ARGUMENT, and nothing is made', () => {
    let made = 0;
    const count = (d: TypedArray, dims: readonly number[], path: string) => {
      made++;
      return leaf(d, dims, path);
    };
    expect(() => mapOutput({ foo: 1 } as never, count)).toThrow(
      expect.objectContaining({ code: 'GVL_INVALID_ARGUMENT' }),
    );
    expect(() => mapOutput([1, 2, 3] as never, count)).toThrow(/2 items/);
    expect(made).toBe(0);
  });
});

describe('loadRuntime', () => {
  const candidates = [
    { id: 'rt-a', install: 'npm install rt-a' },
    { id: 'rt-b', install: 'npm install rt-b' },
  ];

  it('returns the first candidate installed', () => {
    const mod = { name: 'b' };
    const req = (id: string) => {
      if (id === 'rt-b') return mod;
      throw notFound(id);
    };
    expect(loadRuntime('x', candidates, req)).toEqual({ id: 'rt-b', module: mod });
  });

  it('none installed: GVL_RUNTIME_UNAVAILABLE saying what to install', () => {
    const req = (id: string) => {
      throw notFound(id);
    };
    let caught: unknown;
    try {
      loadRuntime('@gvl/dataset/x', candidates, req);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(RuntimeUnavailableError);
    expect(isGvlError(caught, 'GVL_RUNTIME_UNAVAILABLE')).toBe(true);
    const e = caught as RuntimeUnavailableError;
    expect(e.value).toBe('rt-a');
    expect(e.message).toContain('npm install rt-a');
    expect(e.message).toContain('npm install rt-b');
  });

  it('installed but broken (its own dependency missing): not skipped, the cause kept', () => {
    const broken = notFound('libtensorflow-binding');
    const req = (id: string) => {
      if (id === 'rt-a') throw broken;
      return {};
    };
    let caught: unknown;
    try {
      loadRuntime('x', candidates, req);
    } catch (e) {
      caught = e;
    }
    expect(isGvlError(caught, 'GVL_RUNTIME_UNAVAILABLE')).toBe(true);
    expect((caught as Error).message).toMatch(/'rt-a' is installed but failed to load/);
    expect((caught as Error).cause).toBe(broken);
  });
});

describe('entry points load runtimes lazily', () => {
  // In a fresh process, as a user would: CommonJS runtimes show up in require.cache
  // once loaded (onnxruntime-node and TensorFlow.js are CommonJS packages).
  const probe = (code: string) => {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], {
      cwd: pkgDir,
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    return JSON.parse(r.stdout) as string[];
  };
  const LOADED = `import { createRequire } from 'node:module';
const cache = () => Object.keys(createRequire(import.meta.url).cache)
  .filter((k) => /onnxruntime|@tensorflow/.test(k));`;

  it('importing @gvl/dataset, /onnx and /tfjs loads no runtime', () => {
    const loaded = probe(`${LOADED}
await import('@gvl/dataset');
await import('@gvl/dataset/onnx');
await import('@gvl/dataset/tfjs');
console.log(JSON.stringify(cache()));`);
    expect(loaded).toEqual([]);
  });

  it.skipIf(!hasOrt)('the first ortTensors() call loads onnxruntime-node', () => {
    const loaded = probe(`${LOADED}
const { ortTensors } = await import('@gvl/dataset/onnx');
const before = cache().length;
ortTensors({ data: new Uint8Array(2), shape: [1, 2] });
console.log(JSON.stringify([String(before), ...cache()]));`);
    expect(loaded[0]).toBe('0');
    expect(loaded.some((k) => k.includes('onnxruntime-node'))).toBe(true);
  });

  it('require() of the entry points works (no top-level await)', () => {
    const r = spawnSync(
      process.execPath,
      [
        '-e',
        `const o = require('@gvl/dataset/onnx'); const t = require('@gvl/dataset/tfjs');
console.log(typeof o.ortTensors, typeof t.tfTensors);`,
      ],
      { cwd: pkgDir, encoding: 'utf8' },
    );
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('function function');
  });
});
