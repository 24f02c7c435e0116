/**
 * `concat` of datasets with bigWig tracks (the hg38 chr16 fixture: real bigWigs, a VCF of
 * hand-placed SNVs and indels): the track files are merged with the genotypes, equal to
 * `write` of the whole on the region axis and byte-identical to the Python
 * genvarloader's `concat` on both axes; a dataset whose tracks differ is refused.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConcatError, concat, Dataset, Ragged, write } from '../src/index.js';
import { type Chr16Fixture, makeChr16Fixture } from './chr16-fixture.js';
import {
  hasChr16,
  hasTabix,
  oraclePython,
  oracleReason,
  peerMissing,
  pkgDir,
  suiteName,
} from './helpers.js';

const missing = [
  ...(hasChr16 ? [] : ['hg38-chr16-chunk data not found (set GVL_DATA_DIR)']),
  ...(hasTabix ? [] : [oracleReason('tabix')]),
];

const TRACK_FILES = ['signal', 'gc'].flatMap((t) =>
  ['starts', 'ends', 'values', 'offsets'].map((f) => `intervals/${t}/${f}.npy`),
);
const GENO_FILES = ['genotypes/offsets.npy', 'genotypes/variant_idxs.npy'];

function sameBytes(a: string, b: string, files: readonly string[]): void {
  for (const f of files) {
    const x = readFileSync(join(a, f));
    const y = readFileSync(join(b, f));
    expect(x.equals(y), `${f}: ${x.length} vs ${y.length} bytes`).toBe(true);
  }
}

describe.skipIf(missing.length > 0)(suiteName('concat with tracks (chr16)', missing), () => {
  let dir = '';
  let fx: Chr16Fixture;
  const p = (name: string) => join(dir, name);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gvl-concat-tracks-'));
    fx = makeChr16Fixture(join(dir, 'chr16'));
    const lines = readFileSync(fx.bed, 'utf8').trim().split('\n');
    // Rows b, c | a: the merge re-sorts them to a, b, c.
    writeFileSync(p('x.bed'), `${lines[0]}\n${lines[2]}\n`);
    writeFileSync(p('y.bed'), `${lines[1]}\n`);
    const base = {
      variants: fx.sortedVcf,
      reference: fx.reference,
      tracks: fx.tracks,
      maxJitter: 10,
      progress: false,
      onWarning: () => undefined,
    };
    await write(p('whole.gvl'), { ...base, bed: fx.bed });
    await write(p('x.gvl'), { ...base, bed: p('x.bed') });
    await write(p('y.gvl'), { ...base, bed: p('y.bed') });
    await write(p('al.gvl'), { ...base, bed: fx.bed, samples: ['s_al'] });
    await write(p('gc.gvl'), { ...base, bed: fx.bed, samples: ['s_gc'] });
    await write(p('notracks.gvl'), { ...base, tracks: [], bed: p('y.bed') });
    await concat(p('rc.gvl'), [p('x.gvl'), p('y.gvl')], { axis: 'regions' });
    await concat(p('sc.gvl'), [p('gc.gvl'), p('al.gvl')], { axis: 'samples' });
  }, 120_000);
  afterAll(() => {
    if (dir && !process.env.GVL_KEEP_TMP) rmSync(dir, { recursive: true, force: true });
  });

  it('region axis: track and genotype files byte-identical to write of the whole; tracks read equal', async () => {
    sameBytes(p('rc.gvl'), p('whole.gvl'), [...TRACK_FILES, ...GENO_FILES]);
    const read = async (path: string, regions: number[]) => {
      const ds = (await Dataset.open(path, { reference: fx.reference }))
        .withTracks(['signal', 'gc'])
        .withSeqs(null)
        .withLen('ragged')
        .subsetTo({ regions, samples: ['s_al', 's_gc'] });
      const t = (await ds.get()) as Ragged<Float32Array>;
      expect(t).toBeInstanceOf(Ragged);
      expect(t.data.length).toBeGreaterThan(0);
      return {
        data: createHash('sha256').update(t.data).digest('hex'),
        offsets: Array.from(t.offsets, String).join(','),
      };
    };
    // Input order of the merge: b, c (x.bed), a (y.bed); of the whole: b, a, c.
    expect(await read(p('rc.gvl'), [0, 1, 2])).toEqual(await read(p('whole.gvl'), [0, 2, 1]));
  });

  it('sample axis: genotype files byte-identical to write of the whole', () => {
    sameBytes(p('sc.gvl'), p('whole.gvl'), GENO_FILES);
  });

  it('GVL_CONCAT_MISMATCH when one input has tracks and the other not', async () => {
    const e = await concat(p('refused.gvl'), [p('x.gvl'), p('notracks.gvl')], {
      axis: 'regions',
    }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(ConcatError);
    expect(e).toMatchObject({
      code: 'GVL_CONCAT_MISMATCH',
      input: 1,
      field: 'tracks',
      value: [],
    });
  });

  describe.skipIf(peerMissing.length > 0)(
    suiteName("against the Python genvarloader's concat", peerMissing),
    () => {
      for (const [axis, out, inputs] of [
        ['regions', 'rc.gvl', ['x.gvl', 'y.gvl']],
        ['samples', 'sc.gvl', ['gc.gvl', 'al.gvl']],
      ] as const) {
        it(`${axis} axis: metadata, regions, genotypes and every track file byte-identical`, () => {
          const theirs = p(`peer-${out}`);
          const jobs = [{ out: theirs, axis, inputs: inputs.map((x) => p(x)) }];
          const r = spawnSync(
            oraclePython,
            [join(pkgDir, 'test', 'oracle', 'concat.py'), JSON.stringify(jobs)],
            { encoding: 'utf8' },
          );
          expect(r.status, r.stderr).toBe(0);
          expect(JSON.parse(r.stdout).errors).toEqual([null]);
          sameBytes(p(out), theirs, [
            'metadata.json',
            'regions.npy',
            'genotypes/variants.arrow',
            ...GENO_FILES,
            ...TRACK_FILES,
          ]);
        }, 60_000);
      }
    },
  );
});
