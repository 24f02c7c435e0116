import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AnnotatedHaps,
  Dataset,
  type Dense,
  type Ragged,
  type RaggedAnnotatedHaps,
  write,
} from '../src/index.js';
import { chr20, hasChr20, peerMissing, runPeer, suiteName } from './helpers.js';

const missing = hasChr20 ? [] : [`real data not found at ${chr20.vcf} (set GVL_DATA_DIR)`];
const COMP: Record<number, number> = { 65: 84, 67: 71, 71: 67, 84: 65, 78: 78 };
/** Transcript sizes, cycled: 3, 1, 4, 2 exons. */
const SIZES = [3, 1, 4, 2];
const N_WINDOWS = 60;
const SAMPLES = ['HG00096', 'HG00097', 'HG00099', 'HG00100', 'HG00101'];

const sha = (b: Uint8Array | Int32Array) =>
  createHash('sha256')
    .update(new Uint8Array(b.buffer, b.byteOffset, b.byteLength))
    .digest('hex');

/**
 * A splice BED from the first 60 windows of windows_2kb.bed: consecutive windows form
 * transcripts of 3, 1, 4, 2, … exons, even transcripts on `+`, odd ones on `-`; `score`
 * is the transcript number and `name` `txNN.eK` with K the exon number on the
 * transcript's strand (so on `-`, exon 1 is the last window).
 */
function spliceBed(): string {
  const lines = readFileSync(chr20.bed2kb, 'utf8').split('\n').filter(Boolean).slice(0, N_WINDOWS);
  const out: string[] = [];
  let t = 0;
  let k = 0;
  for (const line of lines) {
    const [c, s, e] = line.split('\t');
    const n = SIZES[t % SIZES.length] as number;
    const minus = t % 2 === 1;
    k++;
    const exon = minus ? n - k + 1 : k;
    out.push(
      [c, s, e, `tx${String(t).padStart(2, '0')}.e${exon}`, t, minus ? '-' : '+'].join('\t'),
    );
    if (k === n) {
      k = 0;
      t++;
    }
  }
  return `${out.join('\n')}\n`;
}

function rowsOf(a: Ragged<Uint8Array> | Dense<Uint8Array>, i: number): Uint8Array {
  if ('offsets' in a) return a.row(i);
  const L = a.shape[a.shape.length - 1] as number;
  return a.data.subarray(i * L, (i + 1) * L);
}

describe.skipIf(missing.length > 0)(suiteName('spliced reads on chr20', missing), () => {
  let dir = '';
  let dsPath = '';
  let ds: Dataset<'haplotypes' | 'reference', boolean, 'ragged'>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gvl-splice-'));
    dsPath = join(dir, 'splice.gvl');
    const bed = join(dir, 'splice.bed');
    writeFileSync(bed, spliceBed());
    await write(dsPath, {
      bed,
      variants: chr20.vcf,
      reference: chr20.fasta,
      progress: false,
      onWarning: () => undefined,
    });
    ds = (await Dataset.open(dsPath, { reference: chr20.fasta })).withTracks(false);
  }, 180_000);
  afterAll(() => {
    if (dir && !process.env.GVL_KEEP_TMP) rmSync(dir, { recursive: true, force: true });
  });

  it('24 transcripts; exons ordered by the order column (descending coordinates on -)', () => {
    const sp = ds.withSettings({ spliceInfo: ['score', 'name'] });
    const bed = sp.getSpliceBed();
    expect(bed).toHaveLength(24);
    for (const [t, tx] of bed.entries()) {
      expect(tx.strand).toBe(t % 2 === 1 ? -1 : 1);
      expect(tx.regions).toHaveLength(SIZES[t % SIZES.length] as number);
      const starts = tx.chromStart;
      const sorted = [...starts].sort((a, b) => (tx.strand === 1 ? a - b : b - a));
      expect(starts).toEqual(sorted);
    }
  });

  it("a '-' transcript with exons listed 5'→3' is the reverse complement of its forward-strand exons joined in genome order (reference and haplotypes)", async () => {
    const sp = ds.withSettings({ spliceInfo: ['score', 'name'] });
    const fwd = ds.withSettings({ spliceInfo: 'score', rcNeg: false });
    const samples = SAMPLES.slice(0, 2);
    let checked = 0;
    for (const kind of ['reference', 'haplotypes'] as const) {
      const a = (await sp.withSeqs(kind).get(undefined, samples)) as Ragged<Uint8Array>;
      const b = (await fwd.withSeqs(kind).get(undefined, samples)) as Ragged<Uint8Array>;
      expect(a.offsets).toEqual(b.offsets);
      const perTranscript = a.length / 24;
      for (let t = 0; t < 24; t++) {
        for (let i = t * perTranscript; i < (t + 1) * perTranscript; i++) {
          const want =
            t % 2 === 1 ? [...b.row(i)].reverse().map((x) => COMP[x] ?? x) : [...b.row(i)];
          expect(Buffer.compare(Buffer.from(a.row(i)), Buffer.from(want)), `${kind} row ${i}`).toBe(
            0,
          );
          if (t % 2 === 1 && (SIZES[t % SIZES.length] as number) > 1) checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(0);
  }, 120_000);

  it('GVL_FORCE_PARALLEL=1 equals serial: haplotypes and annotated, every transcript x 5 samples', async () => {
    const sp = ds.withSettings({ spliceInfo: ['score', 'name'] }).subsetTo({ samples: SAMPLES });
    for (const kind of ['haplotypes', 'annotated'] as const) {
      const view = sp.withSeqs(kind);
      const serial = await view.withSettings({ parallel: false }).get();
      const saved = process.env.GVL_FORCE_PARALLEL;
      process.env.GVL_FORCE_PARALLEL = '1';
      let forced: typeof serial;
      try {
        forced = await view.withSettings({ parallel: 'auto' }).get();
      } finally {
        if (saved === undefined) delete process.env.GVL_FORCE_PARALLEL;
        else process.env.GVL_FORCE_PARALLEL = saved;
      }
      const pairs =
        kind === 'haplotypes'
          ? [[forced as Ragged<Uint8Array>, serial as Ragged<Uint8Array>]]
          : (['haps', 'varIdxs', 'refCoords'] as const).map((k) => [
              (forced as RaggedAnnotatedHaps)[k],
              (serial as RaggedAnnotatedHaps)[k],
            ]);
      for (const [f, s] of pairs) {
        expect(sha((f as Ragged<Uint8Array>).data)).toBe(sha((s as Ragged<Uint8Array>).data));
        expect((f as Ragged<Uint8Array>).offsets).toEqual((s as Ragged<Uint8Array>).offsets);
        expect((f as Ragged<Uint8Array>).shape).toEqual([24, 5, 2, null]);
      }
    }
  }, 120_000);

  it("'variable' equals the ragged rows padded with N to the longest transcript", async () => {
    const sp = ds.withSettings({ spliceInfo: ['score', 'name'] }).subsetTo({ samples: SAMPLES });
    const rag = (await sp.get()) as Ragged<Uint8Array>;
    const dense = (await sp.withLen('variable').get()) as Dense<Uint8Array>;
    const L = dense.shape[3] as number;
    expect(dense.shape.slice(0, 3)).toEqual([24, 5, 2]);
    let longest = 0;
    for (let i = 0; i < rag.length; i++) {
      const r = rag.row(i);
      longest = Math.max(longest, r.length);
      const d = rowsOf(dense, i);
      expect(Buffer.compare(Buffer.from(d.subarray(0, r.length)), Buffer.from(r))).toBe(0);
      expect(d.subarray(r.length).every((x) => x === 78)).toBe(true);
    }
    expect(L).toBe(longest);
    const ann = (await sp.withSeqs('annotated').withLen('variable').get()) as AnnotatedHaps;
    expect(Buffer.compare(Buffer.from(ann.haps.data), Buffer.from(dense.data))).toBe(0);
  }, 120_000);

  describe.skipIf(peerMissing.length > 0)(
    suiteName('equals genvarloader 0.43.1', peerMissing),
    () => {
      for (const info of [['score', 'name'], 'score'] as const) {
        it(`spliceInfo ${JSON.stringify(info)}: haplotypes, reference and annotated haplotypes per (transcript, sample, ploid) equal the peer's`, async () => {
          const spec = {
            splice_info: info,
            samples: SAMPLES,
            kinds: ['haplotypes', 'reference', 'annotated'],
          };
          const peer = JSON.parse(
            runPeer('splice_digests.py', [dsPath, '<reference>', JSON.stringify(spec)]),
          ) as {
            version: string;
            n_rows: number;
            results: Record<string, (number | string)[][]>;
          };
          expect(peer.version).toBe('0.43.1');
          const sp = ds.withSettings({ spliceInfo: info }).subsetTo({ samples: SAMPLES });
          expect(sp.nRegions).toBe(peer.n_rows);
          const haps = (await sp.get()) as Ragged<Uint8Array>;
          const ref = (await sp.withSeqs('reference').get()) as Ragged<Uint8Array>;
          const ann = (await sp.withSeqs('annotated').get()) as RaggedAnnotatedHaps;
          const digests = (r: Ragged<Uint8Array>) =>
            Array.from({ length: r.length }, (_, i) => [r.row(i).length, sha(r.row(i))]);
          expect(digests(haps)).toEqual(peer.results.haplotypes);
          expect(digests(ref)).toEqual(peer.results.reference);
          expect(
            Array.from({ length: ann.haps.length }, (_, i) => [
              ann.haps.row(i).length,
              sha(ann.haps.row(i)),
              sha(ann.varIdxs.row(i)),
              sha(ann.refCoords.row(i)),
            ]),
          ).toEqual(peer.results.annotated);
          // The comparison covers both strands and insertions/deletions: lengths vary.
          expect(new Set(digests(haps).map((d) => d[0])).size).toBeGreaterThan(4);
        }, 300_000);
      }
    },
  );
});
