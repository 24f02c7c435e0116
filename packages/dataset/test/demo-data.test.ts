/**
 * Where the main job finds its data: the copy shipped in `@gvl/example-data` unless
 * `--data` / `GVL_DATA_DIR` name another folder. Needs nothing outside the repository.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chr20, exampleDataDir } from '@gvl/example-data';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findData, runMainJob } from '../src/cli/index.js';
import { isGvlError } from '../src/index.js';

describe('the main job data', () => {
  let saved: string | undefined;
  beforeEach(() => {
    saved = process.env.GVL_DATA_DIR;
    delete process.env.GVL_DATA_DIR;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.GVL_DATA_DIR;
    else process.env.GVL_DATA_DIR = saved;
  });

  it('defaults to the copy in @gvl/example-data', () => {
    expect(findData()).toBe(exampleDataDir);
    expect(join(findData(), '1kg-chr20')).toBe(resolve(chr20.dir));
  });

  it('a folder named by --data or GVL_DATA_DIR is used, or refused; never replaced', () => {
    expect(findData(exampleDataDir)).toBe(resolve(exampleDataDir));
    const empty = mkdtempSync(join(tmpdir(), 'gvl-nodata-'));
    try {
      for (const named of ['arg', 'env'] as const) {
        if (named === 'env') process.env.GVL_DATA_DIR = empty;
        let err: unknown;
        try {
          findData(named === 'arg' ? empty : undefined);
        } catch (e) {
          err = e;
        }
        expect(isGvlError(err, 'GVL_UNREADABLE')).toBe(true);
        expect((err as Error).message).toContain(empty);
        expect((err as Error).message).toContain(named === 'arg' ? '--data' : 'GVL_DATA_DIR');
      }
      // an empty GVL_DATA_DIR counts as unset
      process.env.GVL_DATA_DIR = '';
      expect(findData()).toBe(exampleDataDir);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('runs end to end on the shipped data with nothing else', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gvl-demo-'));
    try {
      const report = await runMainJob({ out: join(dir, 'demo.gvl'), checkPairs: 32 });
      expect(report.regions).toBe(488);
      expect(report.samples).toBe(chr20.samples);
      expect(report.haplotypes).toBe(488 * chr20.samples * chr20.ploidy);
      expect(report.checkedPairs).toBe(32);
      expect(report.mismatches).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
