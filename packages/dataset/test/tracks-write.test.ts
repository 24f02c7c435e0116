/**
 * Track writing on the real hg38 chr16 bigWigs: interval-table tracks (bedGraph dumps of
 * the bigWigs made here with @gmod/bbi, plain, gzipped, per sample or with a sample
 * column), annotation tracks at write, tracks added to an existing dataset and a track
 * transformed from another; checked against our own bigWig path and against the Python
 * genvarloader (pinned) writing the same tracks from the same inputs.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { BigWig } from '@gmod/bbi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addTracks,
  Dataset,
  Ragged,
  type TrackSpec,
  write,
  writeTransformedTrack,
} from '../src/index.js';
import {
  chr16Dir,
  hasChr16,
  hasOracle,
  oraclePython,
  peerMissing,
  pkgDir,
  suiteName,
} from './helpers.js';

const missing = hasChr16 ? [] : ['hg38-chr16-chunk data not found (set GVL_DATA_DIR)'];
const SAMPLES = ['s_al', 's_gc'] as const;
const BW = {
  s_al: join(chr16Dir, 'alignability.bw'),
  s_gc: join(chr16Dir, 'gc.bw'),
};
const JITTER = 10;

/** Relative path → sha256 of every file under `root`. */
function tree(root: string, sub = ''): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string, rel: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const r = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) walk(join(d, e.name), r);
      else
        out.set(
          r,
          createHash('sha256')
            .update(readFileSync(join(d, e.name)))
            .digest('hex'),
        );
    }
  };
  walk(join(root, sub), sub);
  return out;
}

/** bedGraph text of every interval of `path` on chr16 (values printed exactly). */
async function bedGraphOf(path: string, sample?: string): Promise<string> {
  const bw = new BigWig({ path });
  const header = await bw.getHeader();
  const id = header.refsByName.chr16 as number;
  const len = header.refsByNumber[id]?.length as number;
  expect(len).toBeGreaterThan(150_500);
  const f = await bw.getFeatures('chr16', 0, len);
  return f
    .map((x) => `chr16\t${x.start}\t${x.end}\t${x.score}${sample ? `\t${sample}` : ''}\n`)
    .join('');
}

/** Every (region, sample) track row of `names`, reference coordinates, forward strand. */
async function readAll(path: string, names: string[]): Promise<Float32Array[]> {
  const ds = (await Dataset.open(path))
    .withSeqs(null)
    .withTracks(names)
    .withSettings({ rcNeg: false });
  const rows: Float32Array[] = [];
  for (let r = 0; r < ds.nRegions; r++)
    for (const s of SAMPLES) {
      const out = (await ds.get(r, s)) as Ragged<Float32Array>;
      for (let t = 0; t < out.length; t++) rows.push(Float32Array.from(out.row(t)));
    }
  return rows;
}

describe.skipIf(missing.length > 0)(
  suiteName('tracks from bigWigs and interval tables', missing),
  () => {
    let dir = '';
    let bed = '';
    let annotBed = '';
    const tables: Record<string, string> = {};
    let combined = '';
    let combinedGz = '';
    let full = '';
    let bigwigOnly = '';
    const tableTrack = (): TrackSpec => ({
      name: 'tab',
      table: { s_al: tables.s_al as string, s_gc: tables.s_gc as string },
    });

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'gvl-tracks-write-'));
      bed = join(dir, 'r.bed');
      // A region at the contig start (window starts at -5 with the jitter), a minus-strand
      // one, overlapping ones and one far away. Not 4 regions: genvarloader 0.43.1 reads a
      // square (4, 4) regions.npy transposed when it writes annotation tracks (polars guesses
      // the orientation of a square array).
      writeFileSync(
        bed,
        'chr16\t4000\t9000\tb\t0\t-\nchr16\t100\t5000\ta\t0\t+\nchr16\t150000\t150500\tc\t0\t+\nchr16\t5\t50\td\t0\t+\nchr16\t20000\t20300\te\t0\t+\n',
      );
      annotBed = join(dir, 'features.bed');
      writeFileSync(
        annotBed,
        'chr16\t0\t400\tf1\t3\nchr16\t300\t4200\tf2\t1.5\nchr16\t4100\t4500\tf3\t-2\nchr16\t149990\t150100\tf4\t7\n',
      );
      let all = '';
      for (const s of SAMPLES) {
        const text = await bedGraphOf(BW[s]);
        tables[s] = join(dir, `${s}.bedGraph`);
        writeFileSync(tables[s] as string, `track type=bedGraph name=${s}\n${text}`);
        writeFileSync(`${tables[s]}.gz`, gzipSync(readFileSync(tables[s] as string)));
        all += await bedGraphOf(BW[s], s);
      }
      combined = join(dir, 'both.tsv');
      writeFileSync(combined, all);
      combinedGz = join(dir, 'both.tsv.gz');
      writeFileSync(combinedGz, gzipSync(all));
      full = join(dir, 'full.gvl');
      await write(full, {
        bed,
        tracks: [{ name: 'sig', paths: BW }, tableTrack()],
        annotTracks: { gcAnnot: BW.s_gc, features: annotBed },
        maxJitter: JITTER,
        progress: false,
      });
      bigwigOnly = join(dir, 'bigwig-only.gvl');
      await write(bigwigOnly, {
        bed,
        tracks: [{ name: 'sig', paths: BW }],
        maxJitter: JITTER,
        progress: false,
      });
    }, 120_000);
    afterAll(() => {
      if (dir && !process.env.GVL_KEEP_TMP) rmSync(dir, { recursive: true, force: true });
    });

    it('a table track of a bigWig dump reads as the bigWig track, every region and sample', async () => {
      const sig = await readAll(full, ['sig']);
      const tab = await readAll(full, ['tab']);
      expect(sig.length).toBe(5 * 2);
      expect(tab).toEqual(sig);
      // Not vacuous: the tracks carry signal, and the two samples differ.
      expect(sig.some((r) => r.some((v) => v !== 0))).toBe(true);
      expect(sig[2]).not.toEqual(sig[3]);
    });

    it('gzipped, per-sample and sample-column tables write the same files', async () => {
      const want = tree(full, 'intervals/tab');
      expect(want.size).toBe(4);
      const variants: TrackSpec[] = [
        { name: 'tab', table: { s_al: `${tables.s_al}.gz`, s_gc: `${tables.s_gc}.gz` } },
        { name: 'tab', table: combined, sampleColumn: 4 },
        { name: 'tab', table: combinedGz, sampleColumn: 4 },
      ];
      for (const [i, t] of variants.entries()) {
        const out = join(dir, `variant-${i}.gvl`);
        await write(out, { bed, tracks: [t], maxJitter: JITTER, progress: false });
        expect(tree(out, 'intervals/tab')).toEqual(want);
      }
    });

    it('addTracks adds the files write produces, links the untouched files and keeps checksums valid', async () => {
      const target = join(dir, 'added.gvl');
      cpSync(bigwigOnly, target, { recursive: true });
      const before = statSync(join(target, 'intervals', 'sig', 'values.npy')).ino;
      const summary = await addTracks(target, {
        tracks: [tableTrack()],
        annotTracks: { gcAnnot: BW.s_gc, features: annotBed },
        progress: false,
      });
      expect(summary.tracks).toEqual(['tab']);
      expect(summary.annotTracks).toEqual(['gcAnnot', 'features']);
      const got = tree(target);
      const want = tree(full);
      got.delete('checksums.json');
      want.delete('checksums.json');
      expect(got).toEqual(want);
      // The existing track was linked, not rewritten.
      expect(statSync(join(target, 'intervals', 'sig', 'values.npy')).ino).toBe(before);
      // checksums.json lists the new files and Dataset.open checks them.
      const manifest = JSON.parse(readFileSync(join(target, 'checksums.json'), 'utf8'));
      expect(Object.keys(manifest.files)).toContain('intervals/tab/values.npy');
      expect(await readAll(target, ['tab', 'sig'])).toEqual(await readAll(full, ['tab', 'sig']));
      await expect(addTracks(target, { tracks: [tableTrack()] })).rejects.toMatchObject({
        code: 'GVL_TRACK_EXISTS',
        value: 'tab',
      });
      await expect(addTracks(target, { annotTracks: { sig: BW.s_gc } })).rejects.toMatchObject({
        code: 'GVL_TRACK_EXISTS',
        value: 'sig',
      });
      // overwrite replaces it (here with the same content).
      await addTracks(target, { tracks: [tableTrack()], overwrite: true, progress: false });
      expect(tree(target, 'intervals/tab')).toEqual(tree(full, 'intervals/tab'));
    });

    it('writeTransformedTrack stores the transform of the values read from the existing track', async () => {
      const target = join(dir, 'transformed.gvl');
      cpSync(bigwigOnly, target, { recursive: true });
      const f = (x: number) => (x > 0.5 ? Math.fround(2 * x + 1) : 0);
      const seen: number[] = [];
      await writeTransformedTrack(
        target,
        'sig2',
        'sig',
        (regionIdx, sampleIdx, t) => {
          expect(t.shape.length).toBe(3);
          expect(regionIdx.length).toBe(t.length);
          for (let k = 0; k < t.length; k++)
            seen.push((regionIdx[k] as number) * 2 + (sampleIdx[k] as number));
          return Ragged.fromOffsets(t.data.map(f), t.offsets, [t.length]);
        },
        { maxMem: 40_000 }, // several chunks
      );
      expect(seen.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      const old = await readAll(target, ['sig']);
      const now = await readAll(target, ['sig2']);
      expect(now).toEqual(old.map((r) => r.map(f)));
      expect(now.some((r) => r.some((v) => v !== 0))).toBe(true);
    });

    describe.skipIf(!hasOracle)(suiteName('against the Python genvarloader', peerMissing), () => {
      const spec = {
        max_jitter: JITTER,
        bigwigs: { sig: BW },
        tables: { tab: { path: combined, sample_column: true } },
        annot: {} as Record<string, string>,
        tracks: ['sig', 'tab'],
      };
      const peer = (args: string[]) =>
        JSON.parse(
          execFileSync(oraclePython, [join(pkgDir, 'test', 'oracle', 'tracks_write.py'), ...args], {
            encoding: 'utf8',
            maxBuffer: 1 << 26,
            stdio: ['ignore', 'pipe', 'pipe'],
          }),
        );

      it('the peer writes the same track and annotation files from the same bigWigs, tables and BED', () => {
        const out = join(dir, 'peer.gvl');
        spec.tables.tab.path = combined;
        spec.annot = { gcAnnot: BW.s_gc, features: annotBed };
        peer(['write', out, bed, JSON.stringify(spec)]);
        for (const sub of [
          'intervals/sig',
          'intervals/tab',
          'annot_intervals/gcAnnot',
          'annot_intervals/features',
        ])
          expect(tree(full, sub), sub).toEqual(tree(out, sub));
        const cmp = peer(['compare', full, out, JSON.stringify(spec)]);
        expect(cmp.mismatches).toEqual([]);
        expect(cmp.compared).toBe(5 * 2 * 2);
      }, 180_000);

      it('the peer adds the same tracks to a dataset as addTracks (its update)', () => {
        const target = join(dir, 'peer-update.gvl');
        cpSync(bigwigOnly, target, { recursive: true });
        rmSync(join(target, 'checksums.json'));
        peer([
          'update',
          target,
          JSON.stringify({
            tables: { tab: { path: combined, sample_column: true } },
            annot: { features: annotBed },
          }),
        ]);
        expect(tree(target, 'intervals/tab')).toEqual(tree(full, 'intervals/tab'));
        expect(tree(target, 'annot_intervals/features')).toEqual(
          tree(full, 'annot_intervals/features'),
        );
      }, 180_000);

      it('a transformed track equals the peer painting, transforming and run-length encoding the track', async () => {
        const target = join(dir, 'transformed-peer.gvl');
        cpSync(bigwigOnly, target, { recursive: true });
        await writeTransformedTrack(target, 'sig2', 'sig', (_r, _s, t) =>
          Ragged.fromOffsets(
            t.data.map((x) => (x > 0.5 ? Math.fround(2 * x + 1) : 0)),
            t.offsets,
            [t.length],
          ),
        );
        const expected = join(dir, 'expected-rle');
        mkdirSync(expected, { recursive: true });
        const r = peer(['rle', target, 'sig', expected]);
        expect(r.intervals).toBeGreaterThan(8);
        expect(tree(join(target, 'intervals', 'sig2'))).toEqual(tree(expected));
        const cmp = peer(['compare', target, target, JSON.stringify({ tracks: ['sig2'] })]);
        expect(cmp.mismatches).toEqual([]);
      }, 180_000);
    });
  },
);
