/**
 * What `overwrite` may replace, and outputs that would swallow an input: every refusal is
 * a typed error naming the path, raised before anything is created, and leaves the path
 * and its siblings exactly as they were. Datasets written by `write()` and by the Python
 * peer are both replaceable.
 */
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/index.js';
import { type GvlErrorCode, isGvlError, type WriteOptions, write } from '../src/index.js';
import {
  capture,
  copyTinyVcf,
  hasOracle,
  hasTabix,
  oraclePython,
  oracleReason,
  suiteName,
} from './helpers.js';

let dir: string;
let bed: string;
/** A bgzipped, indexed VCF when bgzip/tabix exist; otherwise a path that is never read. */
let vcf: string;

/** Every file under `root` with its content, to prove nothing changed. */
function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, rel: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const r = `${rel}/${e.name}`;
      if (e.isDirectory()) walk(join(d, e.name), r);
      else if (e.isSymbolicLink()) out[r] = '-> link';
      else out[r] = readFileSync(join(d, e.name), 'latin1');
    }
  };
  walk(root, '');
  return out;
}

async function rejection(out: string, o: Partial<WriteOptions>): Promise<unknown> {
  try {
    await write(out, { bed, variants: vcf, progress: false, onWarning: () => undefined, ...o });
  } catch (e) {
    return e;
  }
  return undefined;
}

function expectCode(err: unknown, code: GvlErrorCode, value: string): void {
  expect(isGvlError(err), String(err)).toBe(true);
  expect(isGvlError(err) && err.code).toBe(code);
  expect(isGvlError(err) && err.value).toBe(value);
  expect((err as Error).message).toContain(value);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gvl-overwrite-'));
  bed = join(dir, 'r.bed');
  writeFileSync(bed, '1\t90\t210\tr0\t0\t+\n1\t1000\t1100\tr1\t0\t-\n');
  vcf = copyTinyVcf(dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('overwrite refuses what is not a dataset (GVL_NOT_A_DATASET)', () => {
  const cases: { name: string; make: (out: string) => void }[] = [
    { name: 'a plain file', make: (out) => writeFileSync(out, 'my notes\n') },
    {
      name: 'a directory of user files',
      make: (out) => {
        mkdirSync(join(out, 'thesis'), { recursive: true });
        writeFileSync(join(out, 'thesis', 'ch1.tex'), '\\chapter{One}');
        writeFileSync(join(out, 'notes.txt'), 'keep me');
      },
    },
    {
      name: 'a dataset with a user file beside its entries',
      make: (out) => {
        mkdirSync(join(out, 'genotypes'), { recursive: true });
        writeFileSync(join(out, 'metadata.json'), '{"samples":[],"contigs":[],"n_regions":0}');
        writeFileSync(join(out, 'results.csv'), 'a,b\n');
      },
    },
    {
      name: 'a hidden file beside dataset entries',
      make: (out) => {
        mkdirSync(out);
        writeFileSync(join(out, 'metadata.json'), '{"samples":[],"contigs":[],"n_regions":0}');
        writeFileSync(join(out, '.git'), 'gitdir: elsewhere');
      },
    },
    {
      name: 'dataset entries without metadata.json',
      make: (out) => {
        mkdirSync(join(out, 'genotypes'), { recursive: true });
        writeFileSync(join(out, 'regions.npy'), 'x');
      },
    },
    {
      name: 'a metadata.json that is not the peer’s',
      make: (out) => {
        mkdirSync(out);
        writeFileSync(join(out, 'metadata.json'), '{"name":"my-package"}');
      },
    },
    {
      name: 'a metadata.json that is not JSON',
      make: (out) => {
        mkdirSync(out);
        writeFileSync(join(out, 'metadata.json'), 'samples: [a]');
      },
    },
    {
      name: 'a symbolic link to a dataset',
      make: (out) => {
        const real = `${out}-real`;
        mkdirSync(real);
        writeFileSync(join(real, 'metadata.json'), '{"samples":[],"contigs":[],"n_regions":0}');
        symlinkSync(real, out);
      },
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const parent = join(dir, `refuse-${cases.indexOf(c)}`);
      mkdirSync(parent);
      const out = join(parent, 'out');
      c.make(out);
      const before = snapshot(parent);
      const err = await rejection(out, { overwrite: true });
      expectCode(err, 'GVL_NOT_A_DATASET', out);
      expect(snapshot(parent)).toEqual(before);
    });
  }
});

describe('gvl write prints the refusals as CODE: message and exits 2', () => {
  it('--overwrite over user files, and an output holding the --bed', async () => {
    const parent = join(dir, 'cli');
    mkdirSync(join(parent, 'docs'), { recursive: true });
    writeFileSync(join(parent, 'docs', 'a.txt'), 'mine');
    cpSync(bed, join(parent, 'regions.bed'));
    const before = snapshot(parent);
    const c1 = capture();
    const docs = join(parent, 'docs');
    expect(await main(['write', docs, '--bed', bed, '--vcf', vcf, '--overwrite'], c1.io)).toBe(2);
    expect(c1.err.join('')).toMatch(
      /^GVL_NOT_A_DATASET: refusing to overwrite .*docs: it holds "a.txt"/,
    );
    const c2 = capture();
    const args = ['write', parent, '--bed', join(parent, 'regions.bed'), '--vcf', vcf];
    expect(await main([...args, '--overwrite'], c2.io)).toBe(2);
    expect(c2.err.join('')).toMatch(/^GVL_OUTPUT_CONTAINS_INPUT: output .*cli contains the BED/);
    expect(snapshot(parent)).toEqual(before);
  });
});

describe('an output path equal to or containing an input (GVL_OUTPUT_CONTAINS_INPUT)', () => {
  it('the directory holding the BED, with or without overwrite', async () => {
    const parent = join(dir, 'holds-bed');
    mkdirSync(parent);
    const myBed = join(parent, 'regions.bed');
    cpSync(bed, myBed);
    for (const overwrite of [false, true]) {
      const err = await rejection(parent, { bed: myBed, overwrite });
      expectCode(err, 'GVL_OUTPUT_CONTAINS_INPUT', parent);
      expect((err as Error).message).toContain(myBed);
    }
    expect(readdirSync(parent)).toEqual(['regions.bed']);
    expect(readdirSync(dir).filter((e) => e.startsWith('.holds-bed'))).toEqual([]);
  });

  it('the BED itself', async () => {
    const myBed = join(dir, 'self.bed');
    cpSync(bed, myBed);
    expectCode(
      await rejection(myBed, { bed: myBed, overwrite: true }),
      'GVL_OUTPUT_CONTAINS_INPUT',
      myBed,
    );
    expect(readFileSync(myBed, 'utf8')).toBe(readFileSync(bed, 'utf8'));
  });

  it('an ancestor of the VCF reached through a symlink, and a VCF index', async () => {
    const data = join(dir, 'data');
    mkdirSync(join(data, 'calls'), { recursive: true });
    writeFileSync(join(data, 'calls', 'c.vcf.gz'), 'not read');
    writeFileSync(join(data, 'calls', 'c.vcf.gz.tbi'), 'not read');
    const link = join(dir, 'data-link');
    symlinkSync(data, link);
    // The output is the real directory; the VCF is named through the link.
    const err = await rejection(data, { variants: join(link, 'calls', 'c.vcf.gz') });
    expectCode(err, 'GVL_OUTPUT_CONTAINS_INPUT', data);
    // The output is named through the link; the input by its real path.
    const err2 = await rejection(join(link, 'calls'), {
      variants: join(data, 'calls', 'c.vcf.gz'),
      overwrite: true,
    });
    expectCode(err2, 'GVL_OUTPUT_CONTAINS_INPUT', join(link, 'calls'));
    // A bigWig track file inside the output.
    const err3 = await rejection(join(data, 'calls'), {
      variants: undefined,
      tracks: [{ name: 'cov', paths: { A: join(data, 'calls', 'c.vcf.gz.tbi') } }],
    });
    expectCode(err3, 'GVL_OUTPUT_CONTAINS_INPUT', join(data, 'calls'));
    expect(readdirSync(join(data, 'calls')).sort()).toEqual(['c.vcf.gz', 'c.vcf.gz.tbi']);
  });

  it('a sibling with a common name prefix is not contained', async () => {
    // out = <dir>/r, input = <dir>/r.bed: a string prefix, not a path prefix.
    const err = await rejection(join(dir, 'r'), { bed: join(dir, 'r.bed') });
    expect(isGvlError(err, 'GVL_OUTPUT_CONTAINS_INPUT')).toBe(false);
  });
});

const tabixMissing = hasTabix ? [] : [oracleReason('tabix')];
describe.skipIf(tabixMissing.length > 0)(
  suiteName('overwrite replaces a dataset', tabixMissing),
  () => {
    it('an empty directory', async () => {
      const out = join(dir, 'empty');
      mkdirSync(out);
      const s = await write(out, {
        bed,
        variants: vcf,
        overwrite: true,
        progress: false,
        onWarning: () => undefined,
      });
      expect(s.nRegions).toBe(2);
      expect(existsSync(join(out, 'metadata.json'))).toBe(true);
    });

    it('a dataset written by write()', async () => {
      const out = join(dir, 'ours');
      const q = { progress: false, onWarning: () => undefined };
      await write(out, { bed, variants: vcf, ...q });
      await write(out, { bed, variants: vcf, maxJitter: 7, overwrite: true, ...q });
      expect(JSON.parse(readFileSync(join(out, 'metadata.json'), 'utf8')).max_jitter).toBe(7);
      expect(readdirSync(dir).filter((e) => e.startsWith('.ours.'))).toEqual([]);
    });

    const oracleMissing = hasOracle ? [] : [oracleReason('peer')];
    it.skipIf(oracleMissing.length > 0)(
      suiteName('a dataset written by the Python peer', oracleMissing),
      async () => {
        const work = join(dir, 'peer');
        mkdirSync(work);
        // The peer writes an index beside its VCF: give it its own copy.
        cpSync(vcf, join(work, 'v.vcf.gz'));
        cpSync(`${vcf}.tbi`, join(work, 'v.vcf.gz.tbi'));
        const out = join(work, 'peer.gvl');
        const py = spawnSync(
          oraclePython,
          [
            '-c',
            'import sys, genvarloader as gvl; gvl.write(sys.argv[1], bed=sys.argv[2], variants=sys.argv[3])',
            out,
            bed,
            join(work, 'v.vcf.gz'),
          ],
          { encoding: 'utf8' },
        );
        expect(py.status, py.stderr).toBe(0);
        const peerEntries = readdirSync(out).sort();
        expect(peerEntries).toContain('metadata.json');
        await write(out, {
          bed,
          variants: vcf,
          maxJitter: 3,
          overwrite: true,
          progress: false,
          onWarning: () => undefined,
        });
        expect(JSON.parse(readFileSync(join(out, 'metadata.json'), 'utf8')).max_jitter).toBe(3);
      },
    );
  },
);
