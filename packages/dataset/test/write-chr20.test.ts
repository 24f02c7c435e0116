/**
 * Writes the real 1000 Genomes chr20 data and checks every stored value against an
 * independent reading of the same VCF by `bcftools query`, with the semantics of
 * docs/dataset-format.md ("How a haplotype is rebuilt") re-implemented here from the text (not from src/).
 */
import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/index.js';
import { datasetInfo, write } from '../src/index.js';
import {
  edgeBed,
  expectedHap,
  type Rec,
  readBedFile,
  readTruth,
  type Truth,
  vEnd,
} from './chr20-truth.js';
import {
  chr20,
  hasBcftools,
  hasChr20,
  oracleReason,
  readInt32,
  readInt64,
  readNpyInt32,
  suiteName,
} from './helpers.js';

const missing = [
  ...(hasChr20 ? [] : [`real data not found in ${chr20.vcf} (set GVL_DATA_DIR)`]),
  ...(hasBcftools ? [] : [oracleReason('bcftools')]),
];

describe.skipIf(missing.length > 0)(
  suiteName('write() on 1000 Genomes chr20 vs bcftools query', missing),
  () => {
    let dir: string;
    let truth: Truth;
    const beds = new Map<string, ReturnType<typeof readBedFile>>();
    const configs = [
      // calls / extended: ALT calls stored, and those past the window end (-1: not pinned).
      {
        name: 'tiles-j0-extend',
        bed: 'tiles',
        maxJitter: 0,
        extendToLength: true,
        calls: 398272,
        extended: 76,
      },
      {
        name: 'tiles-j100-extend',
        bed: 'tiles',
        maxJitter: 100,
        extendToLength: true,
        calls: 442085,
        extended: 0,
      },
      {
        name: 'tiles-j100-noextend',
        bed: 'tiles',
        maxJitter: 100,
        extendToLength: false,
        calls: 442085,
        extended: 0,
      },
      {
        name: 'edges-j5-extend',
        bed: 'edges',
        maxJitter: 5,
        extendToLength: true,
        calls: -1,
        extended: -1,
      },
      {
        name: 'edges-j5-noextend',
        bed: 'edges',
        maxJitter: 5,
        extendToLength: false,
        calls: -1,
        extended: 0,
      },
    ] as const;
    const paths = new Map<string, string>();

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'gvl-chr20-'));
      truth = readTruth();
      writeFileSync(join(dir, 'edges.bed'), edgeBed(truth, 5));
      beds.set('tiles', readBedFile(chr20.bed2kb));
      beds.set('edges', readBedFile(join(dir, 'edges.bed')));
      for (const c of configs) {
        const p = join(dir, `${c.name}.gvl`);
        await write(p, {
          bed: c.bed === 'tiles' ? chr20.bed2kb : join(dir, 'edges.bed'),
          variants: chr20.vcf,
          reference: chr20.fasta,
          maxJitter: c.maxJitter,
          extendToLength: c.extendToLength,
          progress: false,
          onWarning: () => undefined,
        });
        paths.set(c.name, p);
      }
    });
    afterAll(() => {
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('reads the VCF as bcftools does (7,568 records, 300 samples, 398,476 ALT calls)', () => {
      expect(truth.records.length).toBe(7568);
      expect(truth.samples.length).toBe(300);
      expect(truth.records.reduce((a, r) => a + r.carriers.length, 0)).toBe(
        101540 + 98886 + 2 * 99050,
      );
    });

    it('writes metadata.json exactly as the peer does', () => {
      const meta = JSON.parse(
        readFileSync(join(paths.get('tiles-j100-extend') as string, 'metadata.json'), 'utf8'),
      );
      expect(Object.keys(meta)).toEqual([
        'samples',
        'contigs',
        'n_regions',
        'ploidy',
        'max_jitter',
        'version',
        'format_version',
        'svar_link',
        'svar2_link',
        'variants_fingerprint',
      ]);
      expect(meta.samples).toEqual(truth.samples);
      expect(meta.samples.slice(0, 3)).toEqual(['HG00096', 'HG00097', 'HG00099']);
      expect(meta.samples.at(-1)).toBe('NA06986');
      expect(meta).toMatchObject({
        contigs: ['20'],
        n_regions: 488,
        ploidy: 2,
        max_jitter: 100,
        version: '0.43.1',
        format_version: '2.0.0',
        svar_link: null,
        svar2_link: null,
        variants_fingerprint: null,
      });
    });

    it('writes variants.arrow with every record (CHROM, 1-based POS, REF, ALT, ILEN)', () => {
      const t = tableFromIPC(
        readFileSync(join(paths.get('tiles-j0-extend') as string, 'genotypes', 'variants.arrow')),
      );
      expect(t.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual([
        'CHROM:Utf8',
        'POS:Int32',
        'REF:Utf8',
        'ALT:Utf8',
        'ILEN:Int32',
      ]);
      expect(t.numRows).toBe(7568);
      const pos = t.getChild('POS')?.toArray() as Int32Array;
      const ref = t.getChild('REF')?.toArray() as string[];
      const alt = t.getChild('ALT')?.toArray() as string[];
      const ilen = t.getChild('ILEN')?.toArray() as Int32Array;
      expect([pos[0], ref[0], alt[0], ilen[0]]).toEqual([1000226, 'A', 'T', 0]);
      expect([
        pos[7567],
        ilen.filter((x) => x > 0).length,
        ilen.filter((x) => x < 0).length,
      ]).toEqual([1999855, 107, 209]);
      expect(Math.min(...ilen)).toBe(-44);
      expect(Math.max(...ilen)).toBe(29);
      for (let i = 0; i < truth.records.length; i++) {
        const r = truth.records[i] as Rec;
        if (pos[i] !== r.pos0 + 1 || ref[i] !== r.ref || alt[i] !== r.alt || ilen[i] !== r.ilen) {
          throw new Error(
            `variants.arrow row ${i} differs from bcftools: ${pos[i]} ${ref[i]}>${alt[i]}`,
          );
        }
      }
      expect(t.getChild('CHROM')?.get(100)).toBe('20');
    });

    it('writes input_regions.arrow: the BED as given plus r_idx_map', () => {
      const t = tableFromIPC(
        readFileSync(join(paths.get('tiles-j0-extend') as string, 'input_regions.arrow')),
      );
      expect(t.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual([
        'chrom:Utf8',
        'chromStart:Int64',
        'chromEnd:Int64',
        'name:Utf8',
        'score:Float64',
        'strand:Utf8',
        'r_idx_map:Int64',
      ]);
      expect(t.numRows).toBe(488);
      const row = t.get(1)?.toJSON();
      expect(row).toEqual({
        chrom: '20',
        chromStart: 1002048n,
        chromEnd: 1004096n,
        name: 'w0001',
        score: 0,
        strand: '-',
        r_idx_map: 1n,
      });
      const rmap = t.getChild('r_idx_map')?.toArray() as BigInt64Array;
      expect([...rmap]).toEqual(Array.from({ length: 488 }, (_, i) => BigInt(i)));
    });

    for (const c of configs) {
      it(`${c.name}: regions.npy, offsets.npy and variant_idxs.npy match bcftools for every haplotype`, () => {
        const bed = beds.get(c.bed) ?? [];
        const p = paths.get(c.name) as string;
        const regions = readNpyInt32(join(p, 'regions.npy'));
        // The BED is sorted except for the edge windows, which r_idx_map maps.
        const rmap = tableFromIPC(readFileSync(join(p, 'input_regions.arrow')))
          .getChild('r_idx_map')
          ?.toArray() as BigInt64Array;
        expect(regions.shape).toEqual([bed.length, 4]);
        expect(regions.fortran).toBe(true);
        const offsets = readInt64(join(p, 'genotypes', 'offsets.npy'));
        const idxs = readInt32(join(p, 'genotypes', 'variant_idxs.npy'));
        const nHaps = truth.samples.length * 2;
        expect(offsets.length).toBe(bed.length * nHaps + 1);
        expect(offsets[0]).toBe(0n);
        expect(Number(offsets[offsets.length - 1])).toBe(idxs.length);
        if (c.calls >= 0) expect(idxs.length).toBe(c.calls);
        let spanStart = 0;
        let crossEnd = 0;
        let withIndel = 0;
        let extended = 0;
        for (let i = 0; i < bed.length; i++) {
          const b = bed[i] as (typeof bed)[number];
          const r = Number(rmap[i]);
          const qs = b.start - c.maxJitter;
          const qe = b.end + c.maxJitter;
          let maxIdx = -1;
          for (let h = 0; h < nHaps; h++) {
            const want = expectedHap(truth, h, qs, qe, c.extendToLength);
            const g = r * nHaps + h;
            const got = idxs.subarray(Number(offsets[g]), Number(offsets[g + 1]));
            if (got.join() !== want.join()) {
              throw new Error(
                `BED row ${i} (${b.chrom}:${b.start}-${b.end}) hap ${h}: got [${[...got]}] expected [${want}]`,
              );
            }
            for (const k of want) {
              const v = truth.records[k] as Rec;
              maxIdx = Math.max(maxIdx, k);
              if (v.ilen !== 0) withIndel++;
              if (v.ilen < 0 && v.pos0 < Math.max(qs, 0) && vEnd(v) > Math.max(qs, 0)) spanStart++;
              if (v.ilen < 0 && v.pos0 < qe && vEnd(v) > qe) crossEnd++;
              if (v.pos0 >= qe) extended++;
            }
          }
          const end = maxIdx < 0 ? qe : Math.max(qe, vEnd(truth.records[maxIdx] as Rec));
          expect([...regions.data.subarray(4 * r, 4 * r + 4)]).toEqual([
            0,
            qs,
            end,
            b.strand === '-' ? -1 : 1,
          ]);
        }
        // The checked haplotypes include indels, (for the edge windows) deletions across
        // both window edges, and with extendToLength variants kept past the window end.
        expect(withIndel).toBeGreaterThan(c.bed === 'tiles' ? 1000 : 100);
        if (c.bed === 'edges') {
          expect(spanStart).toBeGreaterThan(100);
          expect(crossEnd).toBeGreaterThan(100);
        }
        if (c.extended >= 0) expect(extended).toBe(c.extended);
        else expect(extended).toBeGreaterThan(10);
      });
    }

    it('gives identical genotypes from a .csi index, a gzipped shuffled chr-prefixed BED, and sample subsets', async () => {
      const ref = paths.get('tiles-j100-extend') as string;
      // VCF with only its .csi beside it.
      const vdir = join(dir, 'csi');
      rmSync(vdir, { recursive: true, force: true });
      const { mkdirSync } = await import('node:fs');
      mkdirSync(vdir);
      symlinkSync(chr20.vcf, join(vdir, 'v.vcf.gz'));
      symlinkSync(`${chr20.vcf}.csi`, join(vdir, 'v.vcf.gz.csi'));
      // BED shuffled, "chr20", gzipped.
      const bed = beds.get('tiles') ?? [];
      const order = bed.map((_, i) => i).sort((a, b) => ((a * 7919) % 488) - ((b * 7919) % 488));
      const text = order
        .map((i) => {
          const b = bed[i] as (typeof bed)[number];
          return `chr20\t${b.start}\t${b.end}\t${b.name}\t${b.score}\t${b.strand}`;
        })
        .join('\n');
      writeFileSync(join(vdir, 'r.bed.gz'), gzipSync(`${text}\n`));
      const subset = ['NA06986', 'HG00096', 'HG01334'];
      const out = join(dir, 'variant.gvl');
      const summary = await write(out, {
        bed: join(vdir, 'r.bed.gz'),
        variants: join(vdir, 'v.vcf.gz'),
        samples: subset,
        maxJitter: 100,
        progress: false,
        onWarning: () => undefined,
      });
      expect(summary).toMatchObject({
        nRegions: 488,
        samples: ['HG00096', 'HG01334', 'NA06986'],
        ploidy: 2,
        contigs: ['chr20'],
        nVariants: 7568,
      });
      const rmap = tableFromIPC(readFileSync(join(out, 'input_regions.arrow')))
        .getChild('r_idx_map')
        ?.toArray() as BigInt64Array;
      expect([...rmap]).toEqual(order.map((i) => BigInt(i)));
      expect(readNpyInt32(join(out, 'regions.npy')).data).toEqual(
        readNpyInt32(join(ref, 'regions.npy')).data,
      );
      // Each (region, sample) row equals the full dataset's row for that sample.
      const full = {
        o: readInt64(join(ref, 'genotypes', 'offsets.npy')),
        v: readInt32(join(ref, 'genotypes', 'variant_idxs.npy')),
      };
      const sub = {
        o: readInt64(join(out, 'genotypes', 'offsets.npy')),
        v: readInt32(join(out, 'genotypes', 'variant_idxs.npy')),
      };
      const fullIdx = summary.samples.map((s) => truth.samples.indexOf(s));
      for (let r = 0; r < 488; r++) {
        for (let s = 0; s < 3; s++) {
          for (let p = 0; p < 2; p++) {
            const g = (r * 3 + s) * 2 + p;
            const f = (r * 300 + (fullIdx[s] as number)) * 2 + p;
            expect(sub.v.subarray(Number(sub.o[g]), Number(sub.o[g + 1]))).toEqual(
              full.v.subarray(Number(full.o[f]), Number(full.o[f + 1])),
            );
          }
        }
      }
    });

    it('gvl info and gvl write report the dataset (CLI)', async () => {
      const chunks: string[] = [];
      const io = {
        stdout: { write: (s: string) => chunks.push(s) } as unknown as NodeJS.WritableStream,
        stderr: { write: (s: string) => chunks.push(s) } as unknown as NodeJS.WritableStream,
      };
      const p = join(dir, 'cli.gvl');
      const code = await main(
        [
          'write',
          p,
          '--bed',
          chr20.bed2kb,
          '--vcf',
          chr20.vcf,
          '--reference',
          chr20.fasta,
          '--max-jitter',
          '100',
          '--no-progress',
        ],
        io,
      );
      expect(code).toBe(0);
      expect(chunks.join('')).toContain('488 regions × 300 samples, ploidy 2, 7568 variants');
      for (const f of [
        'regions.npy',
        'genotypes/offsets.npy',
        'genotypes/variant_idxs.npy',
        'metadata.json',
      ]) {
        expect(
          readFileSync(join(p, f)).equals(
            readFileSync(join(paths.get('tiles-j100-extend') as string, f)),
          ),
        ).toBe(true);
      }
      chunks.length = 0;
      expect(await main(['info', p, '--json'], io)).toBe(0);
      const info = JSON.parse(chunks.join(''));
      expect(info).toMatchObject({
        formatVersion: '2.0.0',
        writerVersion: '0.43.1',
        nRegions: 488,
        ploidy: 2,
        contigs: ['20'],
        maxJitter: 100,
        nVariants: 7568,
        nVariantCalls: 442085,
        tracks: [],
      });
      expect(info.samples).toHaveLength(300);
      expect(info.bytes).toBe((await datasetInfo(p)).bytes);
      chunks.length = 0;
      expect(await main(['info', p], io)).toBe(0);
      expect(chunks.join('')).toMatch(/regions {6}488\n/);
      // Re-writing without --overwrite fails and leaves the dataset alone.
      chunks.length = 0;
      expect(await main(['write', p, '--bed', chr20.bed2kb, '--vcf', chr20.vcf], io)).toBe(2);
      expect(chunks.join('')).toMatch(/^GVL_DATASET_EXISTS: /);
      expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
    });
  },
);
