/**
 * Interval-table tracks, `addTracks` and `writeTransformedTrack` on small synthetic
 * tables: what is stored (intervals overlapping each window, whole, as the peer's
 * `Table`), typed errors naming the file and line, and atomicity: a failing, aborted or
 * killed update leaves the complete old (or the complete new) dataset.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exchangePaths } from '@gvl/native';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/index.js';
import {
  addTracks,
  Dataset,
  Ragged,
  recoverInterruptedWrite,
  type TableTrack,
  write,
  writeTransformedTrack,
} from '../src/index.js';
import {
  capture,
  copyTinyVcf,
  pkgDir,
  readFloat32,
  readInt32,
  readInt64,
  suiteName,
} from './helpers.js';

let dir = '';
let bed = '';
let base = '';

function tree(root: string): string {
  const out: [string, string][] = [];
  const walk = (d: string, rel: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : 1,
    )) {
      const r = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) walk(join(d, e.name), r);
      else
        out.push([
          r,
          createHash('sha256')
            .update(readFileSync(join(d, e.name)))
            .digest('hex'),
        ]);
    }
  };
  walk(root, '');
  return JSON.stringify(out);
}

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const table = (name: string, a: string, b: string): TableTrack => ({
  name,
  table: { a: file(`${name}-a.bedGraph`, a), b: file(`${name}-b.bedGraph`, b) },
});

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gvl-add-tracks-'));
  // Windows (no jitter): chr1 [3, 20) and [100, 110); chr2 [0, 10).
  bed = file('r.bed', 'chr1\t3\t20\nchr2\t0\t10\nchr1\t100\t110\n');
  base = join(dir, 'base.gvl');
  await write(base, {
    bed,
    tracks: [
      table(
        'cov',
        '# a comment\ntrack type=bedGraph\nchr1\t0\t5\t2\nchr1\t5\t12\t1\nchr1\t15\t30\t3\nchr1\t105\t107\t0.5\n',
        'chr1 2 40 4\nchr2 8 9 -1\n',
      ),
    ],
    progress: false,
  });
});
afterAll(() => {
  if (dir && !process.env.GVL_KEEP_TMP) rmSync(dir, { recursive: true, force: true });
});

describe('interval-table tracks', () => {
  it('store, per window and sample, the whole intervals overlapping the window', () => {
    const t = join(base, 'intervals', 'cov');
    // On-disk order chr1:[3,20), chr1:[100,110), chr2:[0,10); samples a, b.
    expect([...readInt64(join(t, 'offsets.npy'))]).toEqual([0n, 3n, 4n, 5n, 5n, 5n, 6n]);
    expect([...readInt32(join(t, 'starts.npy'))]).toEqual([0, 5, 15, 2, 105, 8]);
    expect([...readInt32(join(t, 'ends.npy'))]).toEqual([5, 12, 30, 40, 107, 9]);
    expect([...readFloat32(join(t, 'values.npy'))]).toEqual([2, 1, 3, 4, 0.5, -1]);
  });

  it('read as the painted windows', async () => {
    const ds = (await Dataset.open(base)).withTracks('cov');
    const a = (await ds.get(0, 'a')) as Ragged<Float32Array>;
    expect([...a.row(0)]).toEqual([2, 2, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 3, 3, 3, 3, 3]);
  });

  const cases: [string, string, string, number][] = [
    ['too few columns', 'chr1\t0\t5\n', 'GVL_BAD_TABLE', 1],
    ['a non-integer start', 'chr1\t0\t5\t1\nchr1\t5.5\t7\t1\n', 'GVL_BAD_TABLE', 2],
    ['an empty interval', 'track\nchr1\t9\t9\t1\n', 'GVL_BAD_TABLE', 2],
    ['a non-numeric value', 'chr1\t0\t5\tabc\n', 'GVL_BAD_TABLE', 1],
    [
      'unsorted intervals',
      'chr1\t10\t20\t1\nchr2\t0\t3\t1\nchr1\t0\t5\t1\n',
      'GVL_UNSORTED_TABLE',
      3,
    ],
    ['overlapping intervals', 'chr1\t0\t10\t1\nchr1\t9\t12\t1\n', 'GVL_TABLE_OVERLAP', 2],
  ];
  for (const [what, text, code, line] of cases) {
    it(`${what}: ${code} naming the file and line ${line}; nothing is written`, async () => {
      const p = file(`bad-${code}-${line}.bedGraph`, text);
      const out = join(dir, `bad-${code}-${line}.gvl`);
      const err = await write(out, {
        bed,
        tracks: [{ name: 't', table: { a: p } }],
        progress: false,
      }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code, value: { file: p, line } });
      expect((err as Error).message).toContain(`${p}:${line}`);
      expect(existsSync(out)).toBe(false);
    });
  }

  it('one table for every sample needs sampleColumn; contigs that match none are GVL_UNKNOWN_CONTIG', async () => {
    const p = file('one.tsv', 'chr1\t0\t5\t1\ta\n');
    await expect(
      write(join(dir, 'x.gvl'), { bed, tracks: [{ name: 't', table: p }] }),
    ).rejects.toMatchObject({ code: 'GVL_BAD_TABLE' });
    const other = file('other.bedGraph', 'chrX\t0\t5\t1\n');
    await expect(
      write(join(dir, 'x.gvl'), { bed, tracks: [{ name: 't', table: { a: other } }] }),
    ).rejects.toMatchObject({ code: 'GVL_UNKNOWN_CONTIG' });
    // An output that contains an input table is refused before anything is written.
    const nested = join(dir, 'nested');
    mkdirSync(nested);
    const inside = join(nested, 'in.bedGraph');
    writeFileSync(inside, 'chr1\t0\t5\t1\n');
    await expect(
      write(nested, { bed, tracks: [{ name: 't', table: { a: inside } }], overwrite: true }),
    ).rejects.toMatchObject({ code: 'GVL_OUTPUT_CONTAINS_INPUT' });
    await expect(
      write(nested, { bed, annotTracks: { t: inside }, overwrite: true }),
    ).rejects.toMatchObject({ code: 'GVL_OUTPUT_CONTAINS_INPUT' });
    expect(readdirSync(nested)).toEqual(['in.bedGraph']);
    const gz = join(dir, 'broken.bedGraph.gz');
    writeFileSync(gz, Buffer.from([0x1f, 0x8b, 0x08, 0x00, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
    await expect(
      write(join(dir, 'x.gvl'), { bed, tracks: [{ name: 't', table: { a: gz } }] }),
    ).rejects.toMatchObject({ code: 'GVL_UNREADABLE', value: gz });
  });
});

describe('addTracks and writeTransformedTrack errors leave the dataset unchanged', () => {
  it('a track lacking a dataset sample: GVL_UNKNOWN_SAMPLE', async () => {
    const before = tree(base);
    await expect(
      addTracks(base, {
        tracks: [{ name: 'x', table: { a: file('x.bedGraph', 'chr1\t0\t5\t1\n') } }],
      }),
    ).rejects.toMatchObject({ code: 'GVL_UNKNOWN_SAMPLE', value: ['b'] });
    expect(tree(base)).toBe(before);
  });

  it('an unknown track, a bad result, a throwing transform, an abort', async () => {
    const before = tree(base);
    const id = (_r: Int32Array, _s: Int32Array, t: Ragged<Float32Array>) => t;
    await expect(writeTransformedTrack(base, 'n', 'nope', id)).rejects.toMatchObject({
      code: 'GVL_UNKNOWN_TRACK',
      value: 'nope',
    });
    await expect(writeTransformedTrack(base, 'cov', 'cov', id)).rejects.toMatchObject({
      code: 'GVL_TRACK_EXISTS',
    });
    const short = (_r: Int32Array, _s: Int32Array, t: Ragged<Float32Array>) =>
      Ragged.fromLengths(new Float32Array(t.data.length - 1), [
        ...Array.from({ length: t.length - 1 }, (_, k) => t.row(k).length),
        t.row(t.length - 1).length - 1,
      ]);
    await expect(writeTransformedTrack(base, 'n', 'cov', short)).rejects.toMatchObject({
      code: 'GVL_BAD_TRANSFORM',
      value: { row: 5, length: 9 },
    });
    await expect(
      writeTransformedTrack(base, 'n', 'cov', () => new Float32Array(3) as never),
    ).rejects.toMatchObject({ code: 'GVL_BAD_TRANSFORM' });
    let calls = 0;
    const boom = () => {
      if (++calls === 2) throw new Error('user transform failed');
      return id;
    };
    await expect(
      writeTransformedTrack(base, 'n', 'cov', (r, s, t) => boom()(r, s, t), { maxMem: 1 }),
    ).rejects.toThrow('user transform failed');
    expect(calls).toBe(2); // one region per chunk: the first chunk was written, then it failed
    const ctrl = new AbortController();
    await expect(
      writeTransformedTrack(
        base,
        'n',
        'cov',
        (r, s, t) => {
          ctrl.abort();
          return id(r, s, t);
        },
        { maxMem: 1, signal: ctrl.signal },
      ),
    ).rejects.toMatchObject({ code: 'GVL_ABORTED' });
    expect(tree(base)).toBe(before);
    expect(readdirSync(dir).filter((e) => e.startsWith('.base.gvl.'))).toEqual([]);
  });
});

describe('addTracks on a dataset with genotypes', () => {
  it('links the genotype files (same inodes), leaves haplotypes as they were, and adds the track', async () => {
    const vcf = copyTinyVcf(dir, 'tiny');
    const ds = join(dir, 'geno.gvl');
    const regions = file('geno.bed', '1\t90\t210\n1\t1000\t1100\n');
    await write(ds, { bed: regions, variants: vcf, progress: false, onWarning: () => undefined });
    const json = (x: unknown) =>
      JSON.stringify(x, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v));
    const before = (await Dataset.open(ds)).withSeqs('variants');
    const got0 = json(await before.get([0, 1], ['A', 'B']));
    const ino = (rel: string) => statSync(join(ds, rel)).ino;
    const inodes = [
      'genotypes/variants.arrow',
      'genotypes/offsets.npy',
      'genotypes/variant_idxs.npy',
    ].map(ino);
    const t = file('geno.tsv', '1\t95\t120\t2.5\tA\n1\t100\t101\t-1\tB\n');
    await addTracks(ds, { tracks: [{ name: 'cov', table: t, sampleColumn: 4 }], progress: false });
    expect(
      ['genotypes/variants.arrow', 'genotypes/offsets.npy', 'genotypes/variant_idxs.npy'].map(ino),
    ).toEqual(inodes);
    const after = await Dataset.open(ds);
    expect(json(await after.withSeqs('variants').withTracks(false).get([0, 1], ['A', 'B']))).toBe(
      got0,
    );
    const cov = (await after.withSeqs(null).withTracks('cov').get(0, 'A')) as Ragged<Float32Array>;
    expect([...cov.row(0)].slice(0, 31)).toEqual([...Array(5).fill(0), ...Array(25).fill(2.5), 0]);
  });
});

describe('addTracks through a symlink', () => {
  it('updates the dataset the link points to and keeps the link', async () => {
    const real = join(dir, 'linked-real.gvl');
    await write(real, {
      bed,
      tracks: [table('one', 'chr1 0 50 1\n', 'chr1 0 50 2\n')],
      progress: false,
    });
    const link = join(dir, 'linked.gvl');
    symlinkSync(real, link, 'dir');
    await addTracks(link, {
      tracks: [table('two', 'chr1 0 50 3\n', 'chr1 0 50 4\n')],
      progress: false,
    });
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe(real);
    for (const p of [link, real]) {
      const ds = await Dataset.open(p);
      expect(ds.availableTracks).toEqual(['one', 'two']);
      const two = (await ds.withSeqs(null).withTracks('two').get(0, 'b')) as Ragged<Float32Array>;
      expect([...two.row(0)]).toEqual(Array(17).fill(4));
    }
  });
});

describe('gvl write --table/--annot and gvl add-tracks', () => {
  it('write the same files as the API; usage errors exit 64, a taken name exits 2', async () => {
    const a = file('cli-a.bedGraph', 'chr1\t0\t5\t2\nchr1\t15\t30\t3\n');
    const b = file('cli-b.bedGraph', 'chr2\t8\t9\t-1\n');
    const feat = file('cli-feat.bed', 'chr1\t0\t30\tf\t5\nchr1\t2\t4\tg\t1\nchr2\t0\t1\th\t2\n');
    const api = join(dir, 'cli-api.gvl');
    await write(api, {
      bed,
      tracks: [{ name: 'cov', table: { a, b } }],
      annotTracks: { feat },
      progress: false,
    });
    const viaWrite = join(dir, 'cli-write.gvl');
    const c = capture();
    const flags = ['--table', `cov:a=${a}`, '--table', `cov:b=${b}`, '--no-progress'];
    expect(
      await main(['write', viaWrite, '--bed', bed, ...flags, '--annot', `feat=${feat}`], c.io),
    ).toBe(0);
    expect(tree(viaWrite)).toBe(tree(api));
    const viaAdd = join(dir, 'cli-add.gvl');
    expect(await main(['write', viaAdd, '--bed', bed, ...flags], c.io)).toBe(0);
    expect(
      await main(['add-tracks', viaAdd, '--annot', `feat=${feat}`, '--no-progress'], c.io),
    ).toBe(0);
    expect(tree(viaAdd)).toBe(tree(api));
    const e = capture();
    expect(await main(['add-tracks', viaAdd, '--annot', `feat=${feat}`], e.io)).toBe(2);
    expect(e.err.join('')).toMatch(/^GVL_TRACK_EXISTS: /);
    expect(await main(['add-tracks', viaAdd, '--annot', 'feat'], e.io)).toBe(64);
    expect(await main(['add-tracks', viaAdd], e.io)).toBe(64);
    expect(await main(['write', join(dir, 'y.gvl'), '--bed', bed, '--table', 'nope'], e.io)).toBe(
      64,
    );
  });
});

const dist = join(pkgDir, 'dist', 'index.js');
const missingDist = existsSync(dist) ? [] : ['dist/ not built (pnpm build)'];

describe.skipIf(missingDist.length > 0)(
  suiteName('addTracks killed at every commit step', missingDist),
  () => {
    let OLD = '';
    let NEW = '';
    let extra = '';
    const script = (target: string) =>
      `import('${dist}').then((m) => m.addTracks(${JSON.stringify(target)}, { tracks: [{ name: 'more', table: ${JSON.stringify(extra)}, sampleColumn: 4 }], progress: false }))`;

    beforeAll(async () => {
      extra = file('more.tsv', 'chr1\t0\t50\t7\ta\nchr1\t0\t50\t8\tb\nchr2\t1\t2\t9\tb\n');
      OLD = tree(base);
      const done = join(dir, 'new-ref.gvl');
      cpSync(base, done, { recursive: true });
      await addTracks(done, { tracks: [{ name: 'more', table: extra, sampleColumn: 4 }] });
      NEW = tree(done);
      expect(NEW).not.toBe(OLD);
    });

    const plans: { name: string; env: Record<string, string>; expected: string[] }[] = [
      {
        name: 'fallback',
        env: { GVL_TEST_COMMIT_NO_EXCHANGE: '1' },
        expected: ['old', 'missing', 'new', 'new', 'new'],
      },
      { name: 'exchange', env: {}, expected: ['old', 'new', 'new'] },
    ];

    for (const p of plans) {
      it(`${p.name}: the dataset is the old or the new one; recovery completes it`, async (ctx) => {
        if (p.name === 'exchange') {
          mkdirSync(join(dir, 'probe-a'));
          mkdirSync(join(dir, 'probe-b'));
          if (!exchangePaths(join(dir, 'probe-a'), join(dir, 'probe-b')))
            ctx.skip('the temp file system cannot exchange paths (renameat2 EXCHANGE)');
        }
        for (let n = 1; n <= p.expected.length; n++) {
          const parent = join(dir, `kill-${p.name}-${n}`);
          mkdirSync(parent);
          const out = join(parent, 'out.gvl');
          cpSync(base, out, { recursive: true });
          const r = spawnSync(process.execPath, ['-e', script(out)], {
            encoding: 'utf8',
            env: { ...process.env, ...p.env, GVL_TEST_COMMIT_KILL: String(n) },
          });
          expect(r.signal, r.stderr).toBe('SIGKILL');
          const state = existsSync(out)
            ? tree(out) === OLD
              ? 'old'
              : tree(out) === NEW
                ? 'new'
                : 'other'
            : 'missing';
          expect(state, `kill before step ${n}`).toBe(p.expected[n - 1]);
          await recoverInterruptedWrite(out);
          expect([OLD, NEW]).toContain(tree(out));
          expect(readdirSync(parent)).toEqual(['out.gvl']);
          await Dataset.open(out);
        }
      }, 120_000);
    }
  },
);
