import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dataset, type Ragged, type RaggedVariants, write } from '../src/index.js';
import { chr20, hasChr20, peerMissing, runPeer, suiteName } from './helpers.js';

const missing = hasChr20 ? [] : [`real data not found at ${chr20.vcf} (set GVL_DATA_DIR)`];

/** A C-order int32 `.npy` of any rank (the oracle writes them contiguous). */
function readNpy(path: string): { shape: number[]; data: Int32Array } {
  const b = readFileSync(path);
  const hlen = b.readUInt16LE(8);
  const header = b.subarray(10, 10 + hlen).toString('latin1');
  if (!header.includes("'descr': '<i4'") || header.includes("'fortran_order': True"))
    throw new Error(`${path}: expected a C-order little-endian int32 array, got ${header}`);
  const shape = [...(/'shape': \(([^)]*)\)/.exec(header)?.[1] ?? '').matchAll(/\d+/g)].map((m) =>
    Number(m[0]),
  );
  const body = b.subarray(10 + hlen);
  const data = new Int32Array(
    body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength),
  );
  return { shape, data };
}

/** `'none'`, or how many elements differ from the peer's array and the first few. */
function mismatches(ours: Int32Array | undefined, peer: { data: Int32Array }): string {
  if (!ours) return 'ours is null';
  if (ours.length !== peer.data.length) return `length ${ours.length} vs ${peer.data.length}`;
  const bad: string[] = [];
  for (let k = 0; k < ours.length; k++)
    if (ours[k] !== peer.data[k]) bad.push(`[${k}] ${ours[k]} vs ${peer.data[k]}`);
  return bad.length === 0 ? 'none' : `${bad.length} differ: ${bad.slice(0, 5).join(', ')}`;
}

/** Row lengths of ragged output offsets. */
function rowLengths(offsets: BigInt64Array): number[] {
  return Array.from({ length: offsets.length - 1 }, (_, k) =>
    Number((offsets[k + 1] as bigint) - (offsets[k] as bigint)),
  );
}

describe.skipIf(missing.length > 0)(
  suiteName('haplotype lengths and variant counts', missing),
  () => {
    let dir = '';
    let ds: Dataset<'haplotypes', false, 'ragged'>;
    const regions = Array.from({ length: 61 }, (_, i) => i * 8);
    const samples = [0, 57, 123, 201, 299];

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'gvl-lengths-'));
      await write(join(dir, 'chr20.gvl'), {
        bed: chr20.bed2kb,
        variants: chr20.vcf,
        maxJitter: 64,
        progress: false,
        onWarning: () => undefined,
      });
      const opened = await Dataset.open(join(dir, 'chr20.gvl'), { reference: chr20.fasta });
      ds = opened.withSeqs('haplotypes').withTracks(false).withLen('ragged');
    }, 120_000);
    afterAll(() => {
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('at jitter 0, equal the lengths of the ragged haplotypes get() returns', async () => {
      const sub = ds.subsetTo({ regions, samples });
      const rows = (await sub.get()) as Ragged<Uint8Array>;
      const lengths = await sub.haplotypeLengths();
      expect(lengths?.shape).toEqual([regions.length, samples.length, 2]);
      expect([...(lengths?.data ?? [])]).toEqual(rowLengths(rows.offsets));
      // Indels move lengths away from the window width somewhere in this subset.
      expect(lengths?.data.some((n) => n !== 2048)).toBe(true);
    });

    it('count the variants withSeqs("variants") returns per haplotype', async () => {
      const sub = ds.withSeqs('variants').subsetTo({ regions, samples });
      const v = (await sub.get()) as RaggedVariants;
      const counts = await sub.nVariants();
      expect(counts.shape).toEqual([regions.length, samples.length, 2]);
      expect([...counts.data]).toEqual(rowLengths(v.offsets));
      expect(counts.data.some((n) => n > 0)).toBe(true);
    });

    it('take the shapes of get(): scalars, paired lists, one list, everything', async () => {
      expect((await ds.haplotypeLengths(3, 'HG00096'))?.shape).toEqual([2]);
      expect((await ds.nVariants([1, 2, 3], [0, 1, 2])).shape).toEqual([3, 2]);
      expect((await ds.nVariants([1, 2, 3], 0)).shape).toEqual([3, 1, 2]);
      const all = await ds.haplotypeLengths();
      expect(all?.shape).toEqual([488, 300, 2]);
      // Paired lists pick the same numbers as the full table.
      const pair = await ds.haplotypeLengths([5, 9], [7, 250]);
      expect([...(pair?.data ?? [])]).toEqual([
        all?.data[(5 * 300 + 7) * 2],
        all?.data[(5 * 300 + 7) * 2 + 1],
        all?.data[(9 * 300 + 250) * 2],
        all?.data[(9 * 300 + 250) * 2 + 1],
      ]);
    });

    it('are null / zeros where the peer gives None / zeros', async () => {
      expect(await ds.withSettings({ deterministic: false }).haplotypeLengths(0, 0)).toBeNull();
      expect(await ds.withSeqs('reference').haplotypeLengths(0, 0)).toBeNull();
      const zeros = await ds.withSeqs('reference').nVariants([0, 1], [0, 1]);
      expect(zeros.shape).toEqual([2, 1]);
      expect([...zeros.data]).toEqual([0, 0]);
    });

    it('a wider jitter window adds 2 × jitter to a haplotype without indels near its edges', async () => {
      const j0 = await ds.haplotypeLengths();
      const j64 = await ds.withSettings({ jitter: 64 }).haplotypeLengths();
      const d = (j64?.data ?? []).map((x, k) => x - (j0?.data[k] ?? 0));
      // Most haplotypes have no indel within 64 bp of either edge.
      const plain = d.filter((x) => x === 128).length;
      expect(plain / d.length).toBeGreaterThan(0.9);
      expect(d.some((x) => x !== 128)).toBe(true);
    });

    describe.skipIf(peerMissing.length > 0)(
      suiteName('against the Python genvarloader', peerMissing),
      () => {
        it('equal haplotype_lengths and n_variants for every region × sample, jitter 0 and 64, each index form', async () => {
          const queries: [unknown, unknown][] = [
            [null, null],
            [7, ds.samples[57]],
            [
              [0, 5, 487],
              [ds.samples[0], ds.samples[150], ds.samples[299]],
            ],
            [[2, 3], ds.samples[123]],
          ];
          const peer = new Map<string, { shape: number[]; data: Int32Array }>();
          const spec = JSON.stringify({ jitters: [0, 64], queries });
          runPeer(
            'lengths.py',
            [join(dir, 'chr20.gvl'), '<reference>', '<scratch>', spec],
            (at: string) => {
              for (const jitter of [0, 64])
                for (const q of queries.keys())
                  for (const kind of ['hl', 'nv'])
                    peer.set(
                      `${kind}_${jitter}_${q}`,
                      readNpy(join(at, `${kind}_${jitter}_${q}.npy`)),
                    );
            },
          );
          for (const jitter of [0, 64]) {
            const view = ds.withSettings({ jitter });
            for (const [q, [r, s]] of queries.entries()) {
              const args = [r ?? undefined, s ?? undefined] as [never, never];
              const hl = await view.haplotypeLengths(...args);
              const nv = await view.nVariants(...args);
              const peerHl = peer.get(`hl_${jitter}_${q}`) as { shape: number[]; data: Int32Array };
              const peerNv = peer.get(`nv_${jitter}_${q}`) as { shape: number[]; data: Int32Array };
              const where = `jitter ${jitter}, query ${JSON.stringify(queries[q])}`;
              expect(hl?.shape, `haplotype_lengths shape, ${where}`).toEqual(peerHl.shape);
              expect(nv.shape, `n_variants shape, ${where}`).toEqual(peerNv.shape);
              expect(mismatches(hl?.data, peerHl), `haplotype_lengths, ${where}`).toBe('none');
              expect(mismatches(nv.data, peerNv), `n_variants, ${where}`).toBe('none');
            }
          }
        }, 300_000);
      },
    );
  },
);
