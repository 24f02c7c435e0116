import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { isGvlError, parseBed, readBed } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'gvl-bed-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function errorOf(f: () => unknown): { code: string; message: string } | undefined {
  try {
    f();
  } catch (e) {
    if (isGvlError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  return undefined;
}

describe('parseBed', () => {
  it('reads BED6 with the peer column types and nulls for "."', () => {
    const b = parseBed(
      'track name=x\n#c\n20\t10\t20\tw0\t0.5\t+\n20\t5\t9\t.\t.\t.\r\n\nchr1\t0\t1\tw2\t3\t-\n',
    );
    expect(b.length).toBe(3);
    expect(b.nColumns).toBe(6);
    expect(b.chrom).toEqual(['20', '20', 'chr1']);
    expect([...b.chromStart]).toEqual([10, 5, 0]);
    expect([...b.chromEnd]).toEqual([20, 9, 1]);
    expect(b.name).toEqual(['w0', null, 'w2']);
    expect(b.score).toEqual([0.5, null, 3]);
    expect(b.strand).toEqual(['+', null, '-']);
  });

  it('reads BED3 without optional columns', () => {
    const b = parseBed('1\t0\t100\n');
    expect(b.nColumns).toBe(3);
    expect(b.name).toBeUndefined();
    expect(b.strand).toBeUndefined();
  });

  it.each([
    ['1\t10\t10\n', 'chromEnd <= chromStart'],
    ['1\t10\t5\n', 'chromEnd <= chromStart'],
    ['1\t-1\t5\n', 'must be an integer >= 0'],
    ['1\t1.5\t5\n', 'must be integers'],
    ['1\t1\n', 'expected BED3 to BED6'],
    ['1\t1\t2\ta\t0\t+\tx\n', 'expected BED3 to BED6'],
    ['1\t1\t2\n1\t1\t2\tx\n', 'earlier lines have 3'],
    ['1\t1\t2\tn\t0\t*\n', "must be '+', '-' or '.'"],
    ['1\t1\t2\tn\tabc\n', 'not a number'],
    ['# only a comment\n', 'has no regions'],
  ])('rejects %j with GVL_BAD_BED', (text, fragment) => {
    const e = errorOf(() => parseBed(text, 'x.bed'));
    expect(e?.code).toBe('GVL_BAD_BED');
    expect(e?.message).toContain(fragment);
  });

  it('names the line of the error', () => {
    expect(errorOf(() => parseBed('1\t0\t5\n1\t9\t3\n', 'r.bed'))?.message).toMatch(
      /^r\.bed:2: 1:9-3 has chromEnd <= chromStart/,
    );
  });
});

describe('readBed', () => {
  it('reads gzipped files', async () => {
    const p = join(dir, 'a.bed.gz');
    writeFileSync(p, gzipSync('20\t1\t2\n'));
    expect((await readBed(p)).chrom).toEqual(['20']);
  });

  it('fails with GVL_UNREADABLE on a missing file', async () => {
    await expect(readBed(join(dir, 'missing.bed'))).rejects.toMatchObject({
      code: 'GVL_UNREADABLE',
    });
  });
});
