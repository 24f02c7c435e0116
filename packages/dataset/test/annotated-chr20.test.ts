import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/index.js';
import {
  type AnnotatedHaps,
  Dataset,
  type Dense,
  loadReference,
  Ragged,
  type RaggedAnnotatedHaps,
  type Reference,
  write,
} from '../src/index.js';
import { type DatasetFiles, readDatasetFiles, type TrackIntervals } from '../src/open.js';
import { type Core, computeBatch } from '../src/read-pipeline.js';
import { capture, chr20, hasChr20, peerMissing, runPeer, suiteName } from './helpers.js';

const missing = hasChr20 ? [] : [`real data not found at ${chr20.vcf} (set GVL_DATA_DIR)`];
const COMP: Record<number, number> = { 65: 84, 67: 71, 71: 67, 84: 65, 78: 78 };
const PAST = 2 ** 31 - 1;
const MAX_JITTER = 16;

/** Row `i` of a ragged or dense output. */
function rowOf<T extends Uint8Array | Int32Array>(a: Ragged<T> | Dense<T>, i: number): T {
  if (a instanceof Ragged) return a.row(i);
  const L = a.shape[a.shape.length - 1] as number;
  return a.data.subarray(i * L, (i + 1) * L) as T;
}

function nRows<T extends Uint8Array | Int32Array>(a: Ragged<T> | Dense<T>): number {
  if (a instanceof Ragged) return a.length;
  const L = a.shape[a.shape.length - 1] as number;
  return a.data.length / L;
}

const sha = (b: Uint8Array | Int32Array | Float32Array) =>
  createHash('sha256')
    .update(new Uint8Array(b.buffer, b.byteOffset, b.byteLength))
    .digest('hex');

describe.skipIf(missing.length > 0)(suiteName('annotated haplotypes on chr20', missing), () => {
  let dir = '';
  let dsPath = '';
  let ds: Dataset;
  let files: DatasetFiles;
  let ref: Reference;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gvl-annotated-'));
    dsPath = join(dir, 'chr20.gvl');
    await write(dsPath, {
      bed: chr20.bed2kb,
      variants: chr20.vcf,
      reference: chr20.fasta,
      maxJitter: MAX_JITTER,
      progress: false,
      onWarning: () => undefined,
    });
    ds = await Dataset.open(dsPath, { reference: chr20.fasta });
    files = await readDatasetFiles(dsPath);
    ref = await loadReference(chr20.fasta, ['20']);
  }, 180_000);
  afterAll(() => {
    if (dir && !process.env.GVL_KEEP_TMP) rmSync(dir, { recursive: true, force: true });
  });

  /**
   * Checks every base of `ann` (rows in (item, ploid) order; `items` the input region
   * index of each item) against the reference and the variant table; returns counts.
   */
  function checkBases(ann: RaggedAnnotatedHaps | AnnotatedHaps, items: number[]) {
    const v = files.variants;
    if (!v) throw new Error('no variants');
    const contig = ref.data.subarray(Number(ref.offsets[0]), Number(ref.offsets[1]));
    const P = ds.ploidy ?? 1;
    const counts = { ref: 0, variant: 0, insertion: 0, reversed: 0 };
    expect(nRows(ann.haps)).toBe(items.length * P);
    for (let k = 0; k < items.length * P; k++) {
      const minus = ds.region(items[Math.floor(k / P)] as number).strand === -1;
      const h = rowOf(ann.haps, k);
      const vi = rowOf(ann.varIdxs, k);
      const rc = rowOf(ann.refCoords, k);
      expect(vi.length).toBe(h.length);
      expect(rc.length).toBe(h.length);
      if (minus) counts.reversed++;
      for (let j = 0; j < h.length; j++) {
        const idx = vi[j] as number;
        const c = rc[j] as number;
        if (idx === -1) {
          if (c >= 0 && c < contig.length) {
            const base = contig[c] as number;
            const want = minus ? (COMP[base] ?? base) : base;
            if (h[j] !== want)
              throw new Error(`row ${k} base ${j}: ${h[j]} != reference ${want} at ${c}`);
            counts.ref++;
          } else {
            expect(c === -1 || c === PAST, `row ${k} base ${j}: pad coordinate ${c}`).toBe(true);
            expect(h[j]).toBe(78);
          }
        } else {
          if (c !== v.start[idx])
            throw new Error(`row ${k} base ${j}: coordinate ${c} != variant ${idx} start`);
          counts.variant++;
          if ((v.ilen[idx] as number) > 0) counts.insertion++;
        }
      }
      // Along the haplotype, reference coordinates never go backwards (forwards on a
      // reversed row read from its end).
      for (let j = 1; j < rc.length; j++) {
        const [a, b] = minus
          ? [rc[j] as number, rc[j - 1] as number]
          : [rc[j - 1] as number, rc[j] as number];
        if (b < a && !(a === PAST || b === -1))
          throw new Error(`row ${k}: coordinates decrease at ${j}: ${a} -> ${b}`);
      }
    }
    return counts;
  }

  const SAMPLES = ['HG00096', 'HG00171', 'HG01504', 'NA06986', 'NA12878', 'NA20502'];
  function sampleSubset(): string[] {
    return SAMPLES.filter((s) => ds.samples.includes(s)).concat(ds.samples.slice(0, 2));
  }

  it('ragged: haps equal the haplotypes; reference bases equal the reference at refCoords; variant bases map to the variant start (all 488 windows)', async () => {
    const samples = sampleSubset();
    const view = ds.subsetTo({ samples });
    const ann = (await view.withSeqs('annotated').get()) as RaggedAnnotatedHaps;
    const haps = (await view.withSeqs('haplotypes').get()) as Ragged<Uint8Array>;
    expect(ann.haps.shape).toEqual([488, samples.length, 2, null]);
    expect(ann.varIdxs.shape).toEqual(ann.haps.shape);
    expect(ann.refCoords.shape).toEqual(ann.haps.shape);
    expect(ann.varIdxs.offsets).toEqual(ann.haps.offsets);
    expect(ann.refCoords.offsets).toEqual(ann.haps.offsets);
    expect(Buffer.compare(Buffer.from(ann.haps.data), Buffer.from(haps.data))).toBe(0);
    expect(ann.haps.offsets).toEqual(haps.offsets);
    const items = Array.from({ length: 488 * samples.length }, (_, i) =>
      Math.floor(i / samples.length),
    );
    const counts = checkBases(ann, items);
    expect(counts.ref).toBeGreaterThan(1_000_000);
    expect(counts.variant).toBeGreaterThan(1000);
    expect(counts.insertion).toBeGreaterThan(5);
    expect(counts.reversed).toBeGreaterThan(100);
  }, 120_000);

  it('fixed length 2048 with jitter 16: haps equal the haplotypes drawn with the same seed; every base checks', async () => {
    const samples = sampleSubset().slice(0, 3);
    const view = ds
      .subsetTo({ samples })
      .withLen(2048)
      .withSettings({ jitter: MAX_JITTER, seed: 3 });
    const ann = (await view.withSeqs('annotated').get()) as AnnotatedHaps;
    const haps = (await view
      .withSettings({ seed: 3 })
      .withSeqs('haplotypes')
      .get()) as Dense<Uint8Array>;
    expect(ann.haps.shape).toEqual([488, samples.length, 2, 2048]);
    expect(ann.varIdxs.shape).toEqual(ann.haps.shape);
    expect(Buffer.compare(Buffer.from(ann.haps.data), Buffer.from(haps.data))).toBe(0);
    const items = Array.from({ length: 488 * samples.length }, (_, i) =>
      Math.floor(i / samples.length),
    );
    const counts = checkBases(ann, items);
    expect(counts.variant).toBeGreaterThan(100);
  }, 120_000);

  it("'variable' pads varIdxs with -1 and refCoords with 2^31 - 1", async () => {
    // 40 windows x 4 samples: some haplotypes carry indels, so rows differ in length.
    const view = ds
      .withSeqs('annotated')
      .subsetTo({ regions: Array.from({ length: 40 }, (_, i) => i), samples: [0, 1, 2, 3] });
    const ann = (await view.withLen('variable').get()) as AnnotatedHaps;
    const rag = (await view.get()) as RaggedAnnotatedHaps;
    const L = ann.haps.shape[3] as number;
    let padded = 0;
    for (let k = 0; k < 40 * 4 * 2; k++) {
      const n = rag.haps.row(k).length;
      expect(rowOf(ann.varIdxs, k).subarray(0, n)).toEqual(rag.varIdxs.row(k));
      expect(rowOf(ann.refCoords, k).subarray(0, n)).toEqual(rag.refCoords.row(k));
      expect([...rowOf(ann.varIdxs, k).subarray(n)].every((x) => x === -1)).toBe(true);
      expect([...rowOf(ann.refCoords, k).subarray(n)].every((x) => x === PAST)).toBe(true);
      padded += L - n;
    }
    expect(padded).toBeGreaterThan(0);
  });

  it('GVL_FORCE_PARALLEL=1 equals serial for every window x 4 samples: haps, varIdxs, refCoords and offsets', async () => {
    const view = ds.withSeqs('annotated').subsetTo({ samples: sampleSubset().slice(0, 4) });
    const serial = (await view.withSettings({ parallel: false }).get()) as RaggedAnnotatedHaps;
    const saved = process.env.GVL_FORCE_PARALLEL;
    process.env.GVL_FORCE_PARALLEL = '1';
    let forced: RaggedAnnotatedHaps;
    try {
      forced = (await view.withSettings({ parallel: 'auto' }).get()) as RaggedAnnotatedHaps;
    } finally {
      if (saved === undefined) delete process.env.GVL_FORCE_PARALLEL;
      else process.env.GVL_FORCE_PARALLEL = saved;
    }
    for (const key of ['haps', 'varIdxs', 'refCoords'] as const) {
      expect(sha(forced[key].data), key).toBe(sha(serial[key].data));
      expect(forced[key].offsets, key).toEqual(serial[key].offsets);
    }
    expect(serial.haps.shape).toEqual([488, 4, 2, null]);
  }, 120_000);

  it('with realigned tracks: one DatasetSource call gives the haplotype bytes, the same tracks as with haplotypes, and the annotations of the tracks-free path', async () => {
    const { core, plan } = ds.internals;
    const R = files.metadata.n_regions;
    // An annotation track: per region, intervals of 37 bp with varying values.
    const starts: number[] = [];
    const ends: number[] = [];
    const values: number[] = [];
    const offsets = new BigInt64Array(R + 1);
    for (let r = 0; r < R; r++) {
      const s = files.regions[r * 4 + 1] as number;
      const e = files.regions[r * 4 + 2] as number;
      for (let x = s - MAX_JITTER; x < e + MAX_JITTER; x += 41) {
        starts.push(x);
        ends.push(x + 37);
        values.push(((x * 7) % 101) / 4);
      }
      offsets[r + 1] = BigInt(starts.length);
    }
    const track: TrackIntervals = {
      starts: Int32Array.from(starts),
      ends: Int32Array.from(ends),
      values: Float32Array.from(values),
      offsets,
      annotation: true,
    };
    const withTrack: Core = {
      files: { ...core.files, tracks: new Map([['t', track]]) },
      reference: core.reference,
    };
    const regionPos = Int32Array.from({ length: 40 }, (_, i) => i * 12);
    const samplePos = Int32Array.from({ length: 40 }, (_, i) => (i * 37) % 300);
    for (const length of ['ragged', 2048] as const) {
      const req = ds.batchRequest(regionPos, samplePos);
      const p = { ...plan, length, tracks: ['t'] };
      const [ann, tracks] = (await computeBatch(withTrack, { ...p, seqs: 'annotated' }, req)) as [
        RaggedAnnotatedHaps | AnnotatedHaps,
        Ragged<Float32Array> | Dense<Float32Array>,
      ];
      const [haps, hapTracks] = (await computeBatch(
        withTrack,
        { ...p, seqs: 'haplotypes' },
        req,
      )) as [Ragged<Uint8Array> | Dense<Uint8Array>, Ragged<Float32Array> | Dense<Float32Array>];
      const alone = (await computeBatch(core, { ...p, seqs: 'annotated', tracks: [] }, req)) as
        | RaggedAnnotatedHaps
        | AnnotatedHaps;
      expect(tracks.shape).toEqual(hapTracks.shape);
      expect(tracks.shape).toEqual(length === 'ragged' ? [40, 1, 2, null] : [40, 1, 2, 2048]);
      expect(sha(tracks.data)).toBe(sha(hapTracks.data));
      expect(sha(ann.haps.data)).toBe(sha(haps.data));
      expect(sha(ann.varIdxs.data)).toBe(sha(alone.varIdxs.data));
      expect(sha(ann.refCoords.data)).toBe(sha(alone.refCoords.data));
      expect(ann.varIdxs.shape).toEqual(alone.varIdxs.shape);
      expect([...ann.varIdxs.data].some((v) => v !== -1)).toBe(true);
    }
  });

  async function gvl(args: string[]) {
    const c = capture();
    const code = await main(args, c.io);
    return { code, out: c.out.join(''), err: c.err.join('') };
  }

  it('gvl get --seqs annotated prints one line per base and --json the arrays, both equal to the API (a - strand window)', async () => {
    const args = ['get', dsPath, '--reference', chr20.fasta, '--region', 'w0001', '--sample'];
    // A sample carrying a variant in w0001 on either haplotype.
    const want = (await ds
      .withSeqs('annotated')
      .subsetTo({ regions: [1] })
      .get()) as RaggedAnnotatedHaps;
    const s = Array.from({ length: ds.samples.length }, (_, i) => i).find((i) =>
      [0, 1].some((p) => want.varIdxs.row(i * 2 + p).some((x) => x !== -1)),
    ) as number;
    expect(s).toBeGreaterThanOrEqual(0);
    const sample = ds.samples[s] as string;
    const tsv = await gvl([...args, sample, '--seqs', 'annotated']);
    expect(tsv.code, tsv.err).toBe(0);
    const lines = tsv.out.trimEnd().split('\n');
    expect(lines[0]).toBe('haplotype\tpos\tbase\tvar_idx\tref_coord');
    const js = await gvl([...args, sample, '--seqs', 'annotated', '--json']);
    expect(js.code, js.err).toBe(0);
    const json = JSON.parse(js.out) as {
      haplotypes: { hap: number; sequence: string; varIdxs: number[]; refCoords: number[] }[];
    };
    let line = 1;
    for (const p of [0, 1]) {
      const h = json.haplotypes[p] as (typeof json.haplotypes)[number];
      const bytes = want.haps.row(s * 2 + p);
      expect(h.sequence).toBe(Buffer.from(bytes).toString('latin1'));
      expect(h.varIdxs).toEqual([...want.varIdxs.row(s * 2 + p)]);
      expect(h.refCoords).toEqual([...want.refCoords.row(s * 2 + p)]);
      for (let j = 0; j < bytes.length; j++, line++)
        expect(lines[line]).toBe(
          `w0001|${sample}|hap${p}\t${j}\t${h.sequence[j]}\t${h.varIdxs[j]}\t${h.refCoords[j]}`,
        );
    }
    expect(line).toBe(lines.length);
  });

  it('gvl get --seqs with an unknown kind, or annotated with --track, is a usage error (exit 64) before the dataset is opened', async () => {
    const base = [
      'get',
      join(dir, 'absent.gvl'),
      '--reference',
      chr20.fasta,
      '--region-index',
      '0',
    ];
    const bad = await gvl([...base, '--sample-index', '0', '--seqs', 'variants']);
    expect(bad.code).toBe(64);
    expect(bad.err).toContain(
      '--seqs "variants" is invalid: expected haplotypes, annotated or tokens',
    );
    const withTrack = await gvl([
      ...base,
      '--sample-index',
      '0',
      '--seqs',
      'annotated',
      '--track',
      'x',
    ]);
    expect(withTrack.code).toBe(64);
    expect(withTrack.err).toContain('--seqs annotated cannot be combined with --track');
  });

  describe.skipIf(peerMissing.length > 0)(
    suiteName('against the Python genvarloader', peerMissing),
    () => {
      const spec = {
        // Every window (strands alternate + / −).
        regions: Array.from({ length: 488 }, (_, i) => i),
        samples: ['HG00096', 'HG00171', 'HG01504', 'NA06986'],
        lengths: ['ragged', 2048, 1000] as (string | number)[],
      };

      it('all 488 windows x 4 samples, ragged / 2048 / 1000, both strands: haps, var_idxs and ref_coords equal genvarloader 0.43.1 row by row', async () => {
        const parsed = JSON.parse(
          runPeer('annotated_digests.py', [dsPath, '<reference>', JSON.stringify(spec)]),
        );
        expect(parsed.version).toBe('0.43.1');
        const theirs: Record<string, [number, string, string, string][]> = parsed.results;
        expect(spec.regions.some((r) => ds.region(r).strand === -1)).toBe(true);
        expect(spec.regions.some((r) => ds.region(r).strand === 1)).toBe(true);
        let variantRows = 0;
        for (const len of spec.lengths) {
          const view = ds
            .withSeqs('annotated')
            .withLen(len as 'ragged')
            .subsetTo({ regions: spec.regions, samples: spec.samples });
          const ann = (await view.get()) as RaggedAnnotatedHaps | AnnotatedHaps;
          const ours: [number, string, string, string][] = [];
          for (let k = 0; k < nRows(ann.haps); k++) {
            const vi = rowOf(ann.varIdxs, k);
            if (vi.some((x) => x !== -1)) variantRows++;
            ours.push([
              rowOf(ann.haps, k).length,
              sha(rowOf(ann.haps, k)),
              sha(vi),
              sha(rowOf(ann.refCoords, k)),
            ]);
          }
          const want = theirs[String(len)] ?? [];
          expect(ours.length, String(len)).toBe(488 * 4 * 2);
          expect(want.length, String(len)).toBe(ours.length);
          for (const [k, row] of ours.entries()) expect(row, `${len} row ${k}`).toEqual(want[k]);
        }
        expect(variantRows).toBeGreaterThan(1000);
      }, 300_000);
    },
  );
});
