import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dataset, type RaggedVariants, write } from '../src/index.js';
import { chr20, hasChr20, peerMissing, runPeer, suiteName } from './helpers.js';

const missing = hasChr20 ? [] : [`real data not found at ${chr20.vcf} (set GVL_DATA_DIR)`];

type Row = [number[], number[], string[]];

/** Every row of a variants output: starts, ilens, ALT alleles. */
function rowsOf(v: RaggedVariants): Row[] {
  const text = new TextDecoder();
  const rows: Row[] = [];
  for (let k = 0; k + 1 < v.offsets.length; k++) {
    const a = Number(v.offsets[k]);
    const b = Number(v.offsets[k + 1]);
    const alts: string[] = [];
    for (let j = a; j < b; j++) alts.push(text.decode(v.alt.row(j)));
    rows.push([[...v.start.subarray(a, b)], [...v.ilen.subarray(a, b)], alts]);
  }
  return rows;
}

describe.skipIf(missing.length > 0)(suiteName('unphasedUnion and dummyVariant', missing), () => {
  let dir = '';
  let ds: Dataset<'variants', false, 'ragged'>;
  const regions = Array.from({ length: 61 }, (_, i) => i * 8);
  const samples = [0, 57, 123, 299];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gvl-variant-settings-'));
    await write(join(dir, 'chr20.gvl'), {
      bed: chr20.bed2kb,
      variants: chr20.vcf,
      progress: false,
      onWarning: () => undefined,
    });
    const opened = await Dataset.open(join(dir, 'chr20.gvl'), { reference: chr20.fasta });
    ds = opened.withSeqs('variants').withTracks(false);
  }, 120_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the union row of an item is its haplotype rows concatenated; counts sum', async () => {
    const sub = ds.subsetTo({ regions, samples });
    const plain = rowsOf((await sub.get()) as RaggedVariants);
    const union = sub.withSettings({ unphasedUnion: true });
    expect(union.ploidy).toBe(1);
    const folded = (await union.get()) as RaggedVariants;
    expect(folded.shape).toEqual([regions.length, samples.length, 1, null]);
    const rows = rowsOf(folded);
    expect(rows.length).toBe(plain.length / 2);
    rows.forEach((row, i) => {
      const [h0, h1] = [plain[2 * i] as Row, plain[2 * i + 1] as Row];
      expect(row).toEqual([
        [...h0[0], ...h1[0]],
        [...h0[1], ...h1[1]],
        [...h0[2], ...h1[2]],
      ]);
    });
    const counts = await union.nVariants();
    expect(counts.shape).toEqual([regions.length, samples.length, 1]);
    const perHap = await sub.nVariants();
    expect([...counts.data]).toEqual(
      Array.from(counts.data, (_, i) => (perHap.data[2 * i] ?? 0) + (perHap.data[2 * i + 1] ?? 0)),
    );
  });

  it('the dummy fills exactly the empty rows, reverse-complemented on - strands', async () => {
    const sub = ds.subsetTo({ regions, samples });
    const plain = rowsOf((await sub.get()) as RaggedVariants);
    const dummy = { start: 7, ilen: -1, alt: 'AC' };
    const filled = rowsOf(
      (await sub.withSettings({ dummyVariant: dummy }).get()) as RaggedVariants,
    );
    expect(filled.length).toBe(plain.length);
    let empties = 0;
    filled.forEach((row, k) => {
      const p = plain[k] as Row;
      if (p[0].length > 0) {
        expect(row).toEqual(p);
        return;
      }
      empties++;
      const region = regions[Math.floor(k / (2 * samples.length))] as number;
      const minus = ds.region(region).strand === -1;
      expect(row).toEqual([[7], [-1], [minus ? 'GT' : 'AC']]);
    });
    expect(empties).toBeGreaterThan(0);
  });

  it('are refused where the peer refuses them', async () => {
    expect(() => ds.withSeqs('haplotypes').withSettings({ unphasedUnion: true })).toThrow(
      expect.objectContaining({ code: 'GVL_INVALID_MODE' }),
    );
    expect(() => ds.withSettings({ unphasedUnion: true }).withSeqs('haplotypes')).toThrow(
      expect.objectContaining({ code: 'GVL_INVALID_MODE' }),
    );
    const dummied = ds.withSettings({ dummyVariant: {} });
    await expect(dummied.withSeqs('reference').get(0, 0)).rejects.toMatchObject({
      code: 'GVL_INVALID_MODE',
    });
    expect(() => ds.withSettings({ dummyVariant: { start: 0.5 } })).toThrow(
      expect.objectContaining({
        code: 'GVL_INVALID_ARGUMENT',
        param: 'dummyVariant.start',
        value: 0.5,
      }),
    );
    expect(() => ds.withSettings({ unphasedUnion: 'yes' as never })).toThrow(
      expect.objectContaining({ code: 'GVL_INVALID_ARGUMENT' }),
    );
  });

  describe.skipIf(peerMissing.length > 0)(
    suiteName('against the Python genvarloader', peerMissing),
    () => {
      it('equal rows with unphased_union, dummy_variant and both, every 8th window x 4 samples', async () => {
        const modes = {
          union: { unphased_union: true, dummy: null },
          dummy: { unphased_union: false, dummy: { start: -1, ilen: 0, alt: 'N' } },
          both: { unphased_union: true, dummy: { start: 12, ilen: 3, alt: 'ACG' } },
        };
        const names = samples.map((s) => ds.samples[s] as string);
        const spec = JSON.stringify({ regions, samples: names, modes });
        const peer: { ploidy: Record<string, number>; rows: Record<string, Row[]> } = JSON.parse(
          runPeer('variant_settings.py', [join(dir, 'chr20.gvl'), '<reference>', spec]),
        );
        for (const [name, mode] of Object.entries(modes)) {
          const view = ds.subsetTo({ regions, samples }).withSettings({
            unphasedUnion: mode.unphased_union,
            dummyVariant: mode.dummy,
          });
          expect(view.ploidy, name).toBe(peer.ploidy[name]);
          const ours = rowsOf((await view.get()) as RaggedVariants);
          const theirs = peer.rows[name] as Row[];
          expect(ours.length, name).toBe(theirs.length);
          const differ = ours.flatMap((row, k) =>
            JSON.stringify(row) === JSON.stringify(theirs[k]) ? [] : [k],
          );
          expect(differ, `${name}: rows that differ from the peer's`).toEqual([]);
        }
      }, 300_000);
    },
  );
});
