import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AnnotatedHaps,
  Dataset as DatasetClass,
  type Dense,
  dummyDataset,
  isGvlError,
  parseBed,
  type Ragged,
  type RaggedAnnotatedHaps,
  write,
} from '../src/index.js';
import { copyTinyVcf } from './helpers.js';

const COMP: Record<number, number> = { 65: 84, 67: 71, 71: 67, 84: 65, 78: 78 };

/** Concatenation of typed-array rows. */
function concat<T extends Uint8Array | Int32Array | Float32Array>(parts: T[]): number[] {
  return parts.flatMap((p) => [...p]);
}

async function codeOf(f: () => unknown): Promise<string> {
  try {
    await f();
  } catch (e) {
    if (isGvlError(e)) return `${e.code}: ${e.message}`;
    throw e;
  }
  return 'no error';
}

describe('spliced reads (dummy dataset)', () => {
  let ds: DatasetClass<'haplotypes' | 'reference', boolean, 'ragged'>;
  beforeAll(async () => {
    ds = await dummyDataset();
  });
  afterAll(() => {
    if (ds) rmSync(dirname(ds.path), { recursive: true, force: true });
  });

  const spliced = () => ds.withSettings({ spliceInfo: ['gene', 'exon'] });

  it('regions become transcripts in order of first appearance; exons sorted by the order column; getSpliceBed reports them', () => {
    const sp = spliced();
    expect(sp.isSpliced).toBe(true);
    expect(sp.nRegions).toBe(2);
    expect(sp.shape).toEqual([2, 4]);
    expect(sp.getSpliceBed().map((t) => [t.id, t.regions, t.strand])).toEqual([
      ['tp53', [2, 3, 0], 1],
      ['shh', [1], -1],
    ]);
    // One column: exons in BED order.
    expect(ds.withSettings({ spliceInfo: 'gene' }).getSpliceBed()[0]?.regions).toEqual([0, 2, 3]);
    // Turning splicing off restores the regions.
    const off = sp.withSettings({ spliceInfo: null });
    expect(off.isSpliced).toBe(false);
    expect(off.nRegions).toBe(4);
    // Subsets address transcripts, by index or id.
    expect(
      sp
        .subsetTo({ regions: 'shh' })
        .getSpliceBed()
        .map((t) => t.id),
    ).toEqual(['shh']);
    expect(sp.subsetTo({ regions: [1] }).toFullDataset().nRegions).toBe(2);
  });

  it('each (transcript, sample, ploid) row is the unspliced rows of its exons concatenated in transcript order: haplotypes, reference, annotated, tracks', async () => {
    for (const info of [['gene', 'exon'] as const, 'gene']) {
      const sp = ds.withSettings({ spliceInfo: info });
      const bed = sp.getSpliceBed();
      const un = ds;
      const cases: [string, (d: typeof ds) => Promise<unknown>][] = [
        ['haplotypes', (d) => d.withTracks(false).get()],
        ['reference', (d) => d.withTracks(false).withSeqs('reference').get()],
        ['tracks', (d) => d.withSeqs(null).get()],
        ['realigned tracks', async (d) => ((await d.get()) as [unknown, unknown])[1]],
      ];
      for (const [what, read] of cases) {
        const whole = (await read(sp)) as Ragged<Uint8Array | Float32Array>;
        const parts = (await read(un)) as Ragged<Uint8Array | Float32Array>;
        const inner = parts.dims.slice(2);
        expect(whole.dims, what).toEqual([2, 4, ...inner]);
        const K = inner.reduce((a, b) => a * b, 1);
        for (let t = 0; t < bed.length; t++) {
          for (let s = 0; s < 4; s++) {
            for (let k = 0; k < K; k++) {
              const want = concat(
                (bed[t]?.regions ?? []).map((r) => parts.row((r * 4 + s) * K + k)),
              );
              expect([...whole.row((t * 4 + s) * K + k)], `${what} ${t} ${s} ${k}`).toEqual(want);
            }
          }
        }
      }
      const ann = (await sp.withTracks(false).withSeqs('annotated').get()) as RaggedAnnotatedHaps;
      const annUn = (await un.withTracks(false).withSeqs('annotated').get()) as RaggedAnnotatedHaps;
      for (const key of ['haps', 'varIdxs', 'refCoords'] as const) {
        for (let t = 0; t < bed.length; t++)
          for (let s = 0; s < 4; s++)
            expect([...ann[key].row(t * 4 + s)]).toEqual(
              concat((bed[t]?.regions ?? []).map((r) => annUn[key].row(r * 4 + s) as Uint8Array)),
            );
      }
    }
  });

  it("a '-' strand transcript is reverse-complemented with rcNeg and read forward without it", async () => {
    const sp = spliced().withTracks(false);
    const fwd = spliced().withTracks(false).withSettings({ rcNeg: false });
    const a = (await sp.get('shh', 'Toph')) as Ragged<Uint8Array>;
    const b = (await fwd.get('shh', 'Toph')) as Ragged<Uint8Array>;
    expect(Buffer.from(b.row(0)).toString()).toBe('TTNN');
    expect([...a.row(0)]).toEqual([...b.row(0)].reverse().map((x) => COMP[x] ?? x));
  });

  it("'variable' pads each output to its longest transcript row (N, 0, -1, 2^31 - 1); indexing shapes follow get()", async () => {
    const sp = spliced();
    const [haps, tracks] = (await sp.withLen('variable').get()) as [
      Dense<Uint8Array>,
      Dense<Float32Array>,
    ];
    const [rh] = (await sp.get()) as [Ragged<Uint8Array>, Ragged<Float32Array>];
    expect(haps.shape).toEqual([2, 4, 1, 11]);
    expect(tracks.shape).toEqual([2, 4, 2, 1, 11]);
    expect(haps.data).toEqual(rh.toPadded(78, 11).data);
    const ann = (await sp
      .withTracks(false)
      .withSeqs('annotated')
      .withLen('variable')
      .get([1], ['Aang', 'Toph'])) as AnnotatedHaps;
    expect(ann.haps.shape).toEqual([2, 1, 4]); // two lists pair up
    expect([...ann.varIdxs.data.subarray(0, 4)].slice(1)).toEqual([-1, -1, -1]);
    expect(ann.refCoords.data[3]).toBe(2 ** 31 - 1);
    const one = (await sp.withTracks(false).get(0, 'Katara')) as Ragged<Uint8Array>;
    expect(one.shape).toEqual([1, null]);
    expect(Buffer.from(one.row(0)).toString()).toBe('ACNCN');
  });

  it('batches and the loader iterate (transcript, sample) pairs with the same rows as get()', async () => {
    const sp = spliced().withTracks(false);
    const all = (await sp.get()) as Ragged<Uint8Array>;
    const rows: string[] = [];
    for await (const b of sp.batches({ batchSize: 3 }))
      for (let i = 0; i < (b.data as Ragged<Uint8Array>).length; i++)
        rows.push(Buffer.from((b.data as Ragged<Uint8Array>).row(i)).toString());
    expect(rows).toEqual(Array.from({ length: 8 }, (_, i) => Buffer.from(all.row(i)).toString()));
    const fromLoader: string[] = [];
    const loader = sp.loader({ batchSize: 5 });
    for await (const b of loader)
      for (let i = 0; i < (b.data as Ragged<Uint8Array>).length; i++)
        fromLoader.push(Buffer.from((b.data as Ragged<Uint8Array>).row(i)).toString());
    expect(fromLoader).toEqual(rows);
  });

  it('Dataset.open takes spliceInfo as an option, checked at open', async () => {
    const reference = join(dirname(ds.path), 'dummy.fa');
    const opened = await DatasetClass.open(ds.path, { reference, spliceInfo: ['gene', 'exon'] });
    expect(opened.isSpliced).toBe(true);
    expect(opened.settings.spliceInfo).toEqual(['gene', 'exon']);
    expect(opened.getSpliceBed()).toEqual(spliced().getSpliceBed());
    expect(
      await codeOf(() => DatasetClass.open(ds.path, { reference, spliceInfo: 'nope' })),
    ).toMatch(/^GVL_BAD_SPLICE_INFO: spliceInfo column "nope"/);
    expect(
      await codeOf(() => DatasetClass.open(ds.path, { reference, spliceInfo: 'gene', jitter: 1 })),
    ).toMatch(/^GVL_INVALID_ARGUMENT: jitter 1/);
  });

  it('bad splice info and settings splicing cannot honour are typed errors naming the value, before any read', async () => {
    expect(await codeOf(() => ds.withSettings({ spliceInfo: 'transcript' }))).toMatch(
      /^GVL_BAD_SPLICE_INFO: spliceInfo column "transcript" is not in .*expected one of chrom, chromStart, chromEnd, strand, gene, exon$/,
    );
    expect(await codeOf(() => ds.withSettings({ spliceInfo: ['gene', 'rank'] }))).toMatch(
      /^GVL_BAD_SPLICE_INFO: spliceInfo column "rank"/,
    );
    expect(
      await codeOf(() =>
        ds.withSettings({ spliceInfo: ['gene'] as unknown as readonly [string, string] }),
      ),
    ).toMatch(/^GVL_INVALID_ARGUMENT: spliceInfo \["gene"\] is invalid/);
    // Grouping by exon number puts regions 1 (-) and 2 (+) in one transcript.
    expect(await codeOf(() => ds.withSettings({ spliceInfo: 'exon' }))).toMatch(
      /^GVL_BAD_SPLICE_INFO: transcript "1" has exons on both strands \(BED rows 1, 2\)/,
    );
    const sp = spliced();
    expect(await codeOf(() => sp.withSettings({ jitter: 1 }))).toMatch(
      /^GVL_INVALID_ARGUMENT: jitter 1 is invalid: expected 0 on a spliced dataset/,
    );
    expect(
      await codeOf(() => ds.withSettings({ jitter: 1 }).withSettings({ spliceInfo: 'gene' })),
    ).toMatch(/^GVL_INVALID_ARGUMENT: jitter 1/);
    expect(await codeOf(() => sp.withSettings({ deterministic: false }))).toMatch(
      /^GVL_INVALID_ARGUMENT: deterministic false/,
    );
    expect(await codeOf(() => sp.withLen(3))).toMatch(/^GVL_INVALID_ARGUMENT: output length 3/);
    expect(await codeOf(() => ds.withLen(3).withSettings({ spliceInfo: 'gene' }))).toMatch(
      /^GVL_INVALID_ARGUMENT: output length 3/,
    );
    expect(await codeOf(() => sp.withSeqs('variants'))).toMatch(/^GVL_MODE_UNAVAILABLE/);
    expect(await codeOf(() => sp.haplotypeLengths())).toMatch(
      /^GVL_MODE_UNAVAILABLE: haplotypeLengths/,
    );
    expect(await codeOf(() => sp.nVariants())).toMatch(/^GVL_MODE_UNAVAILABLE: nVariants/);
    expect(await codeOf(() => ds.getSpliceBed())).toMatch(
      /^GVL_MODE_UNAVAILABLE: this dataset is not spliced/,
    );
    expect(await codeOf(() => sp.get('brca1'))).toMatch(/^GVL_UNKNOWN_REGION: region "brca1"/);
    expect(await codeOf(() => sp.get(2))).toMatch(/^GVL_INDEX_OUT_OF_RANGE: region index 2/);
  });
});

describe('transcript columns written from a BedTable', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gvl-splice-cols-'));
    const seq = 'ACGT'.repeat(500);
    writeFileSync(join(dir, 'ref.fa'), `>1\n${seq}\n`);
    writeFileSync(
      join(dir, 'ref.fa.fai'),
      `1\t${seq.length}\t3\t${seq.length}\t${seq.length + 1}\n`,
    );
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  // Exons around the SNV at 1:100 and the deletion at 1:150 (VCF 1-based), two transcripts.
  const bed = () =>
    parseBed(
      [
        '1\t140\t160\te1\t0\t-',
        '1\t90\t110\te2\t0\t-',
        '1\t10\t20\te3\t0\t+',
        '1\t95\t105\te4\t0\t+',
      ].join('\n'),
    );

  it('extra columns land in input_regions.arrow and drive spliceInfo', async () => {
    const out = join(dir, 'cols.gvl');
    await write(out, {
      bed: { ...bed(), columns: { transcript: ['tA', 'tA', 'tB', 'tB'], exon: [1, 2, 2, 1] } },
      variants: copyTinyVcf(dir),
      progress: false,
      onWarning: () => undefined,
    });
    const ds = (await DatasetClass.open(out, { reference: join(dir, 'ref.fa') })).withTracks(false);
    const sp = ds.withSettings({ spliceInfo: ['transcript', 'exon'] });
    expect(sp.getSpliceBed().map((t) => [t.id, t.regions, t.strand])).toEqual([
      ['tA', [0, 1], -1],
      ['tB', [3, 2], 1],
    ]);
    const whole = (await sp.get()) as Ragged<Uint8Array>;
    const parts = (await ds.get()) as Ragged<Uint8Array>;
    expect(whole.shape).toEqual([2, 2, 2, null]);
    for (const [t, exons] of [
      [0, [0, 1]],
      [1, [3, 2]],
    ] as const)
      for (let s = 0; s < 2; s++)
        for (let p = 0; p < 2; p++)
          expect([...whole.row((t * 2 + s) * 2 + p)]).toEqual(
            concat(exons.map((r) => parts.row((r * 2 + s) * 2 + p))),
          );
    // The deletion (CGT>C at 1:150; sample A, hap 0; samples sorted A, B) shortens tA by 2.
    expect(whole.row(0).length).toBe(38); // row (tA, A, hap 0)
    expect(whole.row(2).length).toBe(40); // row (tA, B, hap 0): no deletion
  });

  it('a bad extra column is GVL_BAD_BED naming it, and nothing is written', async () => {
    const cases: [Record<string, (string | number | null)[]>, RegExp][] = [
      [{ strand: ['a', 'a', 'b', 'b'] }, /extra column "strand" is reserved/],
      [
        { transcript: ['a', 'b'] },
        /extra column "transcript" has 2 values: expected one per region \(4\)/,
      ],
      [{ exon: [1, 'two', 3, 4] }, /extra column "exon" row 1 is "two": expected a finite number/],
    ];
    for (const [columns, message] of cases) {
      const out = join(dir, 'bad.gvl');
      const code = await codeOf(() =>
        write(out, { bed: { ...bed(), columns }, variants: copyTinyVcf(dir), progress: false }),
      );
      expect(code).toMatch(/^GVL_BAD_BED: /);
      expect(code).toMatch(message);
      expect(existsSync(out)).toBe(false);
    }
  });
});
