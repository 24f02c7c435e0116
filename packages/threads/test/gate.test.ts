import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BYTES_PER_THREAD, forceParallel, shouldParallelize } from '../src/index.js';

describe('GVL_FORCE_PARALLEL and the size gate', () => {
  let saved: string | undefined;
  beforeEach(() => {
    saved = process.env.GVL_FORCE_PARALLEL;
    delete process.env.GVL_FORCE_PARALLEL;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.GVL_FORCE_PARALLEL;
    else process.env.GVL_FORCE_PARALLEL = saved;
  });

  it.each(['1', 'true', 'TRUE', 'Yes', 'on', ' on '])('%j forces parallel', (v) => {
    expect(forceParallel({ GVL_FORCE_PARALLEL: v })).toBe(true);
  });

  it.each(['0', 'false', 'no', 'off', '', '2', 'y', 'enabled'])('%j does not', (v) => {
    expect(forceParallel({ GVL_FORCE_PARALLEL: v })).toBe(false);
  });

  it('threshold is threads x 1 MiB (4 threads: 4 MiB - 1 -> false, 4 MiB -> true)', () => {
    expect(BYTES_PER_THREAD).toBe(1024 * 1024);
    expect(shouldParallelize(4 * 1024 * 1024 - 1, 4)).toBe(false);
    expect(shouldParallelize(4 * 1024 * 1024, 4)).toBe(true);
    expect(shouldParallelize(0, 1)).toBe(false);
  });

  it('is read live from process.env', () => {
    expect(shouldParallelize(10, 4)).toBe(false);
    process.env.GVL_FORCE_PARALLEL = 'yes';
    expect(shouldParallelize(10, 4)).toBe(true);
    process.env.GVL_FORCE_PARALLEL = 'no';
    expect(shouldParallelize(10, 4)).toBe(false);
  });

  it.each([
    [-1, 4, 'totalBytes'],
    [Number.NaN, 4, 'totalBytes'],
    [Number.POSITIVE_INFINITY, 4, 'totalBytes'],
    [10, 0, 'threads'],
    [10, 1.5, 'threads'],
  ])('bad arguments (%s, %s) throw GVL_INVALID_ARGUMENT naming %s', (bytes, threads, variable) => {
    expect(() => shouldParallelize(bytes, threads)).toThrow(
      expect.objectContaining({ code: 'GVL_INVALID_ARGUMENT', variable }),
    );
  });
});
