/**
 * The memory of `gvl write` does not grow with the number of samples beyond one VCF
 * line: the same records are written once with few samples and once with many, each in
 * a child process through the CLI (its AbortSignal included), and the difference of the
 * children's peak RSS (`VmHWM`) is bounded. The VCF is generated here (seeded) and
 * compressed with `bgzip` + `tabix`; the suite skips without them or without `/proc`.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasTabix, oracleReason, pkgDir, readInt64, run, suiteName } from './helpers.js';

const missing = [
  ...(hasTabix ? [] : [oracleReason('tabix')]),
  ...(existsSync('/proc/self/status') ? [] : ['no /proc/self/status (VmHWM is Linux-only)']),
  ...(existsSync(join(pkgDir, 'dist', 'cli', 'index.js')) ? [] : ['dist/ not built (pnpm build)']),
];

/** Records of the generated VCF, one every {@link STEP} bp from position 1. */
const RECORDS = 1000;
const STEP = 40;
/** Regions: consecutive windows of this many bp over the records. */
const WINDOW = 2048;
const FEW = 100;
const MANY = 40_000;
/**
 * Allowed growth of the peak RSS from {@link FEW} to {@link MANY} samples, in MiB. The
 * VCF with MANY samples holds 160 MB of genotype text (160 KB a line). The write grows
 * the peak by 35–47 MiB here: one line, the carriers of the records of a 2 kb window
 * (160 KB per common record), per-haplotype arrays of a few bytes each (80,000
 * haplotypes), the sample names, and the V8 heap's growth. The write that allocated a
 * 64 KiB buffer per inflated BGZF block, one array per record's carriers and two per
 * region grew it by 64 MiB (garbage that V8 frees only at its own thresholds), and the
 * one that read whole position windows through tabix by 275 MiB on 400 records; a carrier
 * arena that dropped its freed chunks (re-creating garbage) grew it by 57–63 MiB.
 */
const BOUND_MIB = 56;

/** Carrier haplotypes of record `r`, per the generator (xorshift32, seeded per record). */
function genotypeRow(r: number, nSamples: number, row: Buffer, carriers?: (h: number) => void) {
  let x = (0x9e3779b9 ^ (r * 2654435761)) >>> 0 || 1;
  // A quarter of the records are common (half the haplotypes carry ALT), the rest rare.
  const common = r % 4 === 0;
  for (let s = 0; s < nSamples; s++) {
    for (let p = 0; p < 2; p++) {
      x ^= x << 13;
      x >>>= 0;
      x ^= x >>> 17;
      x ^= x << 5;
      x >>>= 0;
      const alt = common ? (x & 1) === 1 : (x & 63) === 0;
      row[4 * s + 2 * p] = alt ? 49 : 48;
      if (alt) carriers?.(s * 2 + p);
    }
    row[4 * s + 1] = 124; // |
    row[4 * s + 3] = s === nSamples - 1 ? 10 : 9;
  }
}

/** Writes `dir/cohort.vcf.gz` (+ .tbi) and `dir/windows.bed`; returns the VCF path. */
function makeCohort(dir: string, nSamples: number): string {
  const vcf = join(dir, 'cohort.vcf');
  const fd = openSync(vcf, 'w');
  const names: string[] = [];
  for (let s = 0; s < nSamples; s++) names.push(`s${String(s).padStart(6, '0')}`);
  writeSync(
    fd,
    `##fileformat=VCFv4.2\n##contig=<ID=chr1,length=1000000>\n##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t${names.join('\t')}\n`,
  );
  const row = Buffer.alloc(4 * nSamples);
  for (let r = 0; r < RECORDS; r++) {
    writeSync(fd, `chr1\t${1 + r * STEP}\t.\tA\tC\t.\tPASS\t.\tGT\t`);
    genotypeRow(r, nSamples, row);
    writeSync(fd, row);
  }
  closeSync(fd);
  run('bgzip', ['-f', vcf]);
  run('tabix', ['-f', '-p', 'vcf', `${vcf}.gz`]);
  const bed = openSync(join(dir, 'windows.bed'), 'w');
  for (let a = 0; a < RECORDS * STEP; a += WINDOW) writeSync(bed, `chr1\t${a}\t${a + WINDOW}\n`);
  closeSync(bed);
  return `${vcf}.gz`;
}

/** Runs `gvl write` in a child process; returns its peak RSS in MiB. */
function peakRssOfWrite(dir: string, out: string): number {
  const script = `
    import { readFileSync } from 'node:fs';
    const { main } = await import(${JSON.stringify(join(pkgDir, 'dist', 'cli', 'index.js'))});
    const code = await main(${JSON.stringify([
      'write',
      out,
      '--bed',
      join(dir, 'windows.bed'),
      '--vcf',
      join(dir, 'cohort.vcf.gz'),
      '--no-extend',
      '--no-progress',
    ])});
    const hwm = /VmHWM:\\s*(\\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    process.stderr.write('\\n@@' + JSON.stringify({ code, hwmKiB: Number(hwm?.[1]) }) + '\\n');
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  expect(r.status, r.stderr).toBe(0);
  const line = r.stderr.split('\n').find((l) => l.startsWith('@@'));
  expect(line, r.stderr).toBeDefined();
  const got = JSON.parse((line as string).slice(2)) as { code: number; hwmKiB: number };
  expect(got.code, r.stderr).toBe(0);
  expect(got.hwmKiB).toBeGreaterThan(0);
  return got.hwmKiB / 1024;
}

describe.skipIf(missing.length > 0)(
  suiteName('write memory does not grow with the sample count', missing),
  () => {
    let root: string;
    beforeAll(() => {
      root = mkdtempSync(join(tmpdir(), 'gvl-write-memory-'));
    });
    afterAll(() => rmSync(root, { recursive: true, force: true }));

    it(`peak RSS with ${MANY} samples stays within ${BOUND_MIB} MiB of the peak with ${FEW}`, () => {
      const peaks: number[] = [];
      for (const n of [FEW, MANY]) {
        const dir = join(root, `n${n}`);
        rmSync(dir, { recursive: true, force: true });
        spawnSync('mkdir', ['-p', dir]);
        makeCohort(dir, n);
        const out = join(dir, 'out.gvl');
        peaks.push(peakRssOfWrite(dir, out));
        // The write is complete and right: haplotype 0 and the last haplotype of the first
        // region hold exactly the generator's carriers there.
        const offsets = readInt64(join(out, 'genotypes', 'offsets.npy'));
        const nHaps = 2 * n;
        expect(offsets.length).toBe(Math.ceil((RECORDS * STEP) / WINDOW) * nHaps + 1);
        const row = Buffer.alloc(4 * n);
        for (const h of [0, nHaps - 1]) {
          let want = 0;
          for (let r = 0; r * STEP < WINDOW; r++)
            genotypeRow(r, n, row, (c) => {
              if (c === h) want++;
            });
          expect(
            Number((offsets[h + 1] as bigint) - (offsets[h] as bigint)),
            `haplotype ${h}`,
          ).toBe(want);
        }
        rmSync(join(dir, 'cohort.vcf.gz'));
      }
      const [few, many] = peaks as [number, number];
      expect(
        many - few,
        `peak RSS ${few.toFixed(0)} MiB with ${FEW} samples, ${many.toFixed(0)} MiB with ${MANY}`,
      ).toBeLessThan(BOUND_MIB);
    }, 120_000);
  },
);
