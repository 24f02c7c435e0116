/**
 * The read path on the real 1000 Genomes chr20 data: haplotypes against `bcftools
 * consensus`, every output mode against the semantics, forced parallel against serial,
 * and the Python genvarloader (pinned) as an oracle on datasets written here and by it.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Dataset,
  type Dense,
  type OutputLength,
  Ragged,
  type RaggedVariants,
  verifyDataset,
  write,
} from '../src/index.js';
import { readBedFile, readTruth, type Truth, vEnd } from './chr20-truth.js';
import {
  chr20,
  hasBcftools,
  hasChr20,
  hasSamtools,
  oraclePython,
  oracleReason,
  peerMissing,
  pkgDir,
  readInt32,
  readInt64,
  run,
  runPeer,
  suiteName,
} from './helpers.js';

const missing = [
  ...(hasChr20 ? [] : [`real data not found at ${chr20.vcf} (set GVL_DATA_DIR)`]),
  ...(hasBcftools && hasSamtools ? [] : [oracleReason('bcftools'), oracleReason('samtools')]),
];

const COMP: Record<string, string> = { A: 'T', C: 'G', G: 'C', T: 'A' };
const rc = (s: string) =>
  [...s]
    .reverse()
    .map((c) => COMP[c] ?? c)
    .join('');
const ascii = (b: Uint8Array) =>
  Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');

function parseFasta(text: string): string[] {
  return text
    .split('>')
    .filter(Boolean)
    .map((rec) => rec.split('\n').slice(1).join(''));
}

/** Tiny deterministic PRNG for picking test cases. */
function lcg(seed: number) {
  let x = seed >>> 0;
  return (n: number) => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x % n;
  };
}

describe.skipIf(missing.length > 0)(suiteName('reading the chr20 dataset', missing), () => {
  let dir = '';
  let dsPath = '';
  let ds: Dataset;
  let truth: Truth;
  const bed = hasChr20 ? readBedFile(chr20.bed2kb) : [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gvl-read-'));
    dsPath = join(dir, 'chr20.gvl');
    await write(dsPath, {
      bed: chr20.bed2kb,
      variants: chr20.vcf,
      reference: chr20.fasta,
      progress: false,
      onWarning: () => undefined,
    });
    ds = await Dataset.open(dsPath, { reference: chr20.fasta });
    truth = readTruth();
  }, 120_000);
  afterAll(() => {
    if (dir && !process.env.GVL_KEEP_TMP) rmSync(dir, { recursive: true, force: true });
  });

  it('opens with the peer defaults: ragged haplotypes, all regions and samples', () => {
    expect(ds.shape).toEqual([488, 300]);
    expect(ds.length).toBe(488 * 300);
    expect(ds.ploidy).toBe(2);
    expect(ds.seqsKind).toBe('haplotypes');
    expect(ds.outputLength).toBe('ragged');
    expect(ds.samples.slice(0, 3)).toEqual(['HG00096', 'HG00097', 'HG00099']);
    expect(ds.region(1)).toEqual({
      chrom: '20',
      start: bed[1]?.start,
      end: bed[1]?.end,
      strand: -1,
      name: 'w0001',
    });
  });

  it('ragged haplotypes equal bcftools consensus for >= 200 (region, sample, haplotype) triples', async () => {
    const pick = lcg(7);
    // Every indel-bearing window of a few samples (edge-crossing indels excluded: a
    // consensus of a region slice cannot represent them), plus random SNV windows.
    const triples: { r: number; s: number; hap: number }[] = [];
    const samples = [0, 57, 123, 201, 299];
    let negatives = 0;
    for (const s of samples) {
      const byWindow = new Map<number, { indel: boolean; crosses: boolean }>();
      for (const hap of [0, 1]) {
        for (const k of truth.byHap[2 * s + hap] as number[]) {
          const v = truth.records[k] as Truth['records'][number];
          for (let r = 0; r < bed.length; r++) {
            const b = bed[r] as (typeof bed)[number];
            if (vEnd(v) <= b.start || v.pos0 >= b.end) continue;
            const w = byWindow.get(r) ?? { indel: false, crosses: false };
            if (v.pos0 < b.start || vEnd(v) > b.end) w.crosses = true;
            if (v.ilen !== 0) w.indel = true;
            byWindow.set(r, w);
          }
        }
      }
      const chosen = [...byWindow].filter(([, w]) => w.indel && !w.crosses).map(([r]) => r);
      while (chosen.length < 24) {
        const r = pick(bed.length);
        if (!byWindow.get(r)?.crosses && !chosen.includes(r)) chosen.push(r);
      }
      for (const r of chosen) {
        if (bed[r]?.strand === '-') negatives++;
        triples.push({ r, s, hap: 0 }, { r, s, hap: 1 });
      }
    }
    expect(triples.length).toBeGreaterThanOrEqual(200);
    expect(negatives).toBeGreaterThan(10);

    const scratch = join(dir, 'slices');
    let compared = 0;
    for (const s of samples) {
      const name = truth.samples[s] as string;
      const rs = [...new Set(triples.filter((t) => t.s === s).map((t) => t.r))].sort(
        (a, b) => a - b,
      );
      writeFileSync(
        scratch,
        run('samtools', [
          'faidx',
          chr20.fasta,
          ...rs.map((r) => `20:${(bed[r]?.start ?? 0) + 1}-${bed[r]?.end}`),
        ]),
      );
      const ours = (await ds.get(rs, name)) as Ragged<Uint8Array>;
      expect(ours.shape).toEqual([rs.length, 1, 2, null]);
      for (const hap of [0, 1]) {
        const consensus = parseFasta(
          execFileSync(
            'bcftools',
            ['consensus', '-H', String(hap + 1), '-s', name, '-f', scratch, chr20.vcf],
            {
              encoding: 'utf8',
              stdio: ['ignore', 'pipe', 'ignore'],
              maxBuffer: 1 << 28,
            },
          ),
        );
        rs.forEach((r, i) => {
          const expected =
            bed[r]?.strand === '-' ? rc(consensus[i] as string) : (consensus[i] as string);
          expect(ascii(ours.row(i * 2 + hap)), `region ${r} sample ${name} hap ${hap}`).toBe(
            expected,
          );
          compared++;
        });
      }
    }
    expect(compared).toBe(triples.length);
  });

  it('GVL_FORCE_PARALLEL=1 equals serial for get(all regions, all samples): data and offsets', async () => {
    const serial = (await ds.withSettings({ parallel: false }).get()) as Ragged<Uint8Array>;
    const saved = process.env.GVL_FORCE_PARALLEL;
    process.env.GVL_FORCE_PARALLEL = '1';
    let forced: Ragged<Uint8Array>;
    try {
      forced = (await ds.withSettings({ parallel: 'auto' }).get()) as Ragged<Uint8Array>;
    } finally {
      if (saved === undefined) delete process.env.GVL_FORCE_PARALLEL;
      else process.env.GVL_FORCE_PARALLEL = saved;
    }
    expect(forced.shape).toEqual([488, 300, 2, null]);
    expect(serial.offsets.length).toBe(488 * 300 * 2 + 1);
    expect(
      Buffer.compare(Buffer.from(forced.offsets.buffer), Buffer.from(serial.offsets.buffer)),
    ).toBe(0);
    expect(forced.data.length).toBe(serial.data.length);
    expect(
      Buffer.compare(
        Buffer.from(forced.data.buffer, forced.data.byteOffset, forced.data.length),
        Buffer.from(serial.data.buffer, serial.data.byteOffset, serial.data.length),
      ),
    ).toBe(0);
  });

  it('shape rules: scalars squeeze, slices keep (nR, nS), one list is an outer product, two lists pair up', async () => {
    expect(((await ds.get(0, 'HG00096')) as Ragged<Uint8Array>).shape).toEqual([2, null]);
    const sl = (await ds.get(
      { kind: 'slice', stop: 10 },
      { kind: 'slice', stop: 3 },
    )) as Ragged<Uint8Array>;
    expect(sl.shape).toEqual([10, 3, 2, null]);
    expect(sl.offsets.length).toBe(61);
    expect(((await ds.get([0, 1, 2], 5)) as Ragged<Uint8Array>).shape).toEqual([3, 1, 2, null]);
    const paired = (await ds.get(
      [0, 4, 9],
      ['HG00096', 'HG00097', 'HG00099'],
    )) as Ragged<Uint8Array>;
    expect(paired.shape).toEqual([3, 2, null]);
    const single = (await ds.get(4, 'HG00097')) as Ragged<Uint8Array>;
    expect(ascii(paired.row(2))).toBe(ascii(single.row(0)));
    expect(((await ds.get(0, { kind: 'slice' })) as Ragged<Uint8Array>).shape).toEqual([
      300,
      2,
      null,
    ]);
    const sub = ds.subsetTo({ regions: [5, 6, 7], samples: ['HG00099', 'HG00100'] });
    expect(sub.shape).toEqual([3, 2]);
    expect(ascii(((await sub.get(1, 0)) as Ragged<Uint8Array>).row(1))).toBe(
      ascii(((await ds.get(6, 'HG00099')) as Ragged<Uint8Array>).row(1)),
    );
    await expect(ds.get(488, 0)).rejects.toMatchObject({
      code: 'GVL_INDEX_OUT_OF_RANGE',
      value: 488,
    });
    await expect(ds.get(0, 'NA99999')).rejects.toMatchObject({
      code: 'GVL_UNKNOWN_SAMPLE',
      value: 'NA99999',
    });
    await expect(ds.get('w9999', 0)).rejects.toMatchObject({ code: 'GVL_UNKNOWN_REGION' });
    await expect(sub.get(0, 'HG00096')).rejects.toMatchObject({ code: 'GVL_INDEX_OUT_OF_RANGE' });
  });

  it('fixed length is left-anchored; negative strands are the reverse complement of the genomic-left window', async () => {
    const rs = Array.from({ length: 40 }, (_, i) => i * 12);
    const ragged = (await ds.get(rs, 'HG00100')) as Ragged<Uint8Array>;
    const fixed = (await ds.withLen(1000).get(rs, 'HG00100')) as Dense<Uint8Array>;
    expect(fixed.shape).toEqual([40, 1, 2, 1000]);
    rs.forEach((r, i) => {
      for (let p = 0; p < 2; p++) {
        const full = ascii(ragged.row(i * 2 + p));
        const got = ascii(fixed.data.subarray((i * 2 + p) * 1000, (i * 2 + p + 1) * 1000));
        expect(got).toBe(
          bed[r]?.strand === '-' ? full.slice(full.length - 1000) : full.slice(0, 1000),
        );
      }
    });
    const variable = (await ds.withLen('variable').get(rs, 'HG00100')) as Dense<Uint8Array>;
    const width = Math.max(...ragged.lengths());
    expect(variable.shape).toEqual([40, 1, 2, width]);
    for (let k = 0; k < 80; k++) {
      const row = ascii(ragged.row(k));
      expect(ascii(variable.data.subarray(k * width, (k + 1) * width))).toBe(
        row + 'N'.repeat(width - row.length),
      );
    }
    expect(() => ds.withLen(2049)).toThrow(
      expect.objectContaining({ code: 'GVL_INVALID_ARGUMENT', value: 2049 }),
    );
    expect(() => ds.withLen(0)).toThrow(expect.objectContaining({ code: 'GVL_INVALID_ARGUMENT' }));
  });

  it('reference sequences equal samtools faidx (reverse-complemented on - strands), N-padded past the contig', async () => {
    const ref = ds.withSeqs('reference');
    const rs = [0, 1, 2, 3, 487];
    const got = (await ref.get(rs, 0)) as Ragged<Uint8Array>;
    expect(got.shape).toEqual([5, 1, null]);
    const expected = parseFasta(
      run('samtools', [
        'faidx',
        chr20.fasta,
        ...rs.map((r) => `20:${(bed[r]?.start ?? 0) + 1}-${bed[r]?.end}`),
      ]),
    );
    rs.forEach((r, i) => {
      const e = expected[i] as string;
      expect(ascii(got.row(i))).toBe(bed[r]?.strand === '-' ? rc(e) : e);
    });
    // The last window ends 576 bp before the contig end: a fixed length of 2048 from its
    // start stays inside; a dataset-wide check of padding uses the kernel's own N fill.
    const fixed = (await ref.withLen(2048).get(487, 0)) as Dense<Uint8Array>;
    expect(fixed.shape).toEqual([2048]);
    expect(ascii(fixed.data)).toBe(
      bed[487]?.strand === '-' ? rc(expected[4] as string) : (expected[4] as string),
    );
  });

  it("variants: each haplotype's stored variants, unclipped, from the VCF", async () => {
    const v = (await ds
      .withSeqs('variants')
      .get([10, 11], ['HG00096', 'HG00097'])) as RaggedVariants;
    expect(v.shape).toEqual([2, 2, null]);
    const offsets = readInt64(join(dsPath, 'genotypes', 'offsets.npy'));
    const vidx = readInt32(join(dsPath, 'genotypes', 'variant_idxs.npy'));
    [10, 11].forEach((r, i) => {
      const s = i; // paired: (10, HG00096), (11, HG00097)
      for (let p = 0; p < 2; p++) {
        const g = (r * 300 + s) * 2 + p;
        const want = Array.from(
          vidx.subarray(Number(offsets[g]), Number(offsets[g + 1])),
          (k) => truth.records[k] as Truth['records'][number],
        );
        const row = i * 2 + p;
        const a = Number(v.offsets[row]);
        const b = Number(v.offsets[row + 1]);
        expect(b - a).toBe(want.length);
        want.forEach((rec, j) => {
          expect(v.start[a + j]).toBe(rec.pos0);
          expect(v.ilen[a + j]).toBe(rec.ilen);
          const alt = ascii(v.alt.row(a + j));
          expect(alt).toBe(bed[r]?.strand === '-' ? rc(rec.alt) : rec.alt);
        });
      }
    });
    expect(() => ds.withSeqs('variants').withLen(100)).toThrow(
      expect.objectContaining({ code: 'GVL_INVALID_ARGUMENT' }),
    );
  });

  it('jitter and random shifts: the same seed gives the same output; windows stay inside max_jitter', async () => {
    const padded = join(dir, 'padded.gvl');
    await write(padded, {
      bed: chr20.bed2kb,
      variants: chr20.vcf,
      maxJitter: 64,
      progress: false,
      onWarning: () => undefined,
    });
    const base = (await Dataset.open(padded, { reference: chr20.fasta })).withLen(1024);
    const a = base.withSettings({ jitter: 64, seed: 5, deterministic: false });
    const b = base.withSettings({ jitter: 64, seed: 5, deterministic: false });
    const c = base.withSettings({ jitter: 64, seed: 6, deterministic: false });
    const sel = { regions: [0, 2, 4], samples: [0, 1] };
    const x = (await a.subsetTo(sel).get()) as Dense<Uint8Array>;
    const y = (await b.subsetTo(sel).get()) as Dense<Uint8Array>;
    const z = (await c.subsetTo(sel).get()) as Dense<Uint8Array>;
    expect(x.shape).toEqual([3, 2, 2, 1024]);
    expect(Buffer.compare(Buffer.from(x.data), Buffer.from(y.data))).toBe(0);
    expect(Buffer.compare(Buffer.from(x.data), Buffer.from(z.data))).not.toBe(0);
    // Reference windows under jitter are substrings of the padded reference around the region.
    const ref = base.withSeqs('reference').withSettings({ jitter: 64, seed: 9 });
    const around = parseFasta(
      run('samtools', [
        'faidx',
        chr20.fasta,
        `20:${(bed[0]?.start ?? 0) + 1 - 64}-${(bed[0]?.end ?? 0) + 64}`,
      ]),
    )[0] as string;
    for (let i = 0; i < 20; i++) {
      const w = ascii(((await ref.get(0, 0)) as Dense<Uint8Array>).data);
      const at = around.indexOf(w);
      expect(at).toBeGreaterThanOrEqual(0);
      expect(at).toBeLessThanOrEqual(128);
    }
    expect(() => base.withSettings({ jitter: 65 })).toThrow(
      expect.objectContaining({ code: 'GVL_INVALID_ARGUMENT', value: 65 }),
    );
  });

  describe.skipIf(peerMissing.length > 0)(
    suiteName('against the Python genvarloader', peerMissing),
    () => {
      const spec = {
        regions: Array.from({ length: 61 }, (_, i) => i * 8),
        samples: ['HG00096', 'HG00171', 'HG01504', 'NA06986'],
        modes: [
          ['haplotypes', 'ragged'],
          ['haplotypes', 2048],
          ['haplotypes', 1000],
          ['reference', 'ragged'],
          ['reference', 1000],
        ] as [string, string | number][],
      };

      function peerDigests(path: string): Record<string, [number, string][]> {
        return JSON.parse(runPeer('read_digests.py', [path, '<reference>', JSON.stringify(spec)]))
          .results;
      }

      async function ourDigests(d: Dataset): Promise<Record<string, [number, string][]>> {
        const res: Record<string, [number, string][]> = {};
        for (const [kind, len] of spec.modes) {
          const view = d.withSeqs(kind as 'haplotypes').withLen(len as OutputLength);
          const out = await view.subsetTo({ regions: spec.regions, samples: spec.samples }).get();
          const rows: [number, string][] = [];
          const push = (b: Uint8Array) =>
            rows.push([b.length, createHash('sha256').update(b).digest('hex')]);
          if (out instanceof Ragged)
            for (let i = 0; i < out.length; i++) push(out.row(i) as Uint8Array);
          else {
            const dense = out as Dense<Uint8Array>;
            const L = dense.shape[dense.shape.length - 1] as number;
            for (let i = 0; i < dense.data.length / L; i++)
              push(dense.data.subarray(i * L, (i + 1) * L));
          }
          res[`${kind}:${len}`] = rows;
        }
        return res;
      }

      it('a dataset written here reads byte-identically in both libraries (haplotypes ragged/2048/1000, reference)', async () => {
        const theirs = peerDigests(dsPath);
        const ours = await ourDigests(ds);
        for (const key of Object.keys(theirs)) {
          expect(ours[key]?.length, key).toBe(theirs[key]?.length);
          expect(ours[key], key).toEqual(theirs[key]);
        }
        expect(Object.keys(ours).length).toBe(5);
      }, 180_000);

      it("a dataset written by the Python genvarloader opens here with haplotypes identical to the peer's own output", async () => {
        const scratch = mkdtempSync(join(tmpdir(), 'gvl-peer-write-'));
        try {
          for (const ext of ['', '.tbi', '.csi'])
            copyFileSync(chr20.vcf + ext, join(scratch, `v.vcf.gz${ext}`));
          const peerDs = join(scratch, 'peer.gvl');
          run(oraclePython, [
            join(pkgDir, 'test', 'oracle', 'write_datasets.py'),
            JSON.stringify([
              {
                out: peerDs,
                bed: chr20.bed2kb,
                vcf: join(scratch, 'v.vcf.gz'),
                max_jitter: 0,
                extend: true,
              },
            ]),
          ]);
          const report = await verifyDataset(peerDs, { reference: chr20.fasta });
          expect(report.problems).toEqual([]);
          const theirs = peerDigests(peerDs);
          const ours = await ourDigests(await Dataset.open(peerDs, { reference: chr20.fasta }));
          for (const key of Object.keys(theirs)) expect(ours[key], key).toEqual(theirs[key]);
        } finally {
          rmSync(scratch, { recursive: true, force: true });
        }
      }, 240_000);
    },
  );
});
