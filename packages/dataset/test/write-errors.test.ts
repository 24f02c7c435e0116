/**
 * Bad inputs: each case fails with its error code, naming the bad value, and leaves no
 * dataset (or the existing one unchanged) and no temp directory behind.
 */
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GvlErrorCode, isGvlError, type WriteOptions, write } from '../src/index.js';
import {
  chr16Dir,
  copyTinyVcf,
  hasBcftools,
  hasChr16,
  hasTabix,
  oracleReason,
  readInt32,
  readInt64,
  readNpyInt32,
  suiteName,
} from './helpers.js';

const SEQ = 'ACGT'.repeat(500); // contig "1", 2,000 bp
const refAt = (pos: number, len = 1) => SEQ.slice(pos - 1, pos - 1 + len);

let dir: string;
/** An existing "dataset" that overwrite may replace: the peer's required metadata fields. */
const OLD_METADATA = '{"samples":["old"],"contigs":["1"],"n_regions":0}';

function vcfText(records: string[], samples = ['B', 'A']): string {
  return [
    '##fileformat=VCFv4.2',
    '##contig=<ID=1,length=2000>',
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
    `#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t${samples.join('\t')}`,
    ...records,
    '',
  ].join('\n');
}

/** Writes NAME.vcf.gz (bgzip) and, unless `index` is false, its .tbi. */
function makeVcf(name: string, records: string[], index = true): string {
  const plain = join(dir, `${name}.vcf`);
  writeFileSync(plain, vcfText(records));
  execFileSync('bgzip', ['-f', plain]);
  if (index) execFileSync('tabix', ['-f', '-p', 'vcf', `${plain}.gz`]);
  return `${plain}.gz`;
}

const rec = (pos: number, ref: string, alt: string, gts = ['0|1', '1|0']) =>
  `1\t${pos}\t.\t${ref}\t${alt}\t.\tPASS\t.\tGT\t${gts.join('\t')}`;

interface Case {
  name: string;
  code: GvlErrorCode;
  /** A fragment the message must contain (the offending value). */
  names: string;
  options: () => WriteOptions;
  /** Whether the output exists beforehand (it must be unchanged afterwards). */
  existing?: boolean;
  needs?: 'tabix' | 'bcftools' | 'chr16';
}

let good: string;
let bed: string;
let fasta: string;

const cases: Case[] = [
  {
    name: 'negative maxJitter',
    code: 'GVL_INVALID_ARGUMENT',
    names: '-1',
    options: () => ({ bed, variants: good, maxJitter: -1 }),
  },
  {
    name: 'neither variants nor tracks',
    code: 'GVL_INVALID_ARGUMENT',
    names: 'variants',
    options: () => ({ bed }),
  },
  {
    name: 'BED end <= start',
    code: 'GVL_BAD_BED',
    names: '1:50-50',
    options: () => {
      writeFileSync(join(dir, 'bad.bed'), '1\t10\t20\n1\t50\t50\n');
      return { bed: join(dir, 'bad.bed'), variants: good };
    },
  },
  {
    name: 'missing BED',
    code: 'GVL_UNREADABLE',
    names: 'nope.bed',
    options: () => ({ bed: join(dir, 'nope.bed'), variants: good }),
  },
  {
    name: 'missing VCF',
    code: 'GVL_UNREADABLE',
    names: 'nope.vcf.gz',
    options: () => ({ bed, variants: join(dir, 'nope.vcf.gz') }),
  },
  {
    name: 'BCF by extension',
    code: 'GVL_BCF_UNSUPPORTED',
    names: 'bcftools view -Oz',
    options: () => ({ bed, variants: join(dir, 'x.bcf') }),
  },
  {
    name: 'BCF content behind a .vcf.gz name',
    code: 'GVL_BCF_UNSUPPORTED',
    names: 'bcftools view -Oz',
    needs: 'bcftools',
    options: () => {
      const out = join(dir, 'really-bcf.vcf.gz');
      // bcftools picks the format from the output name, so write a .bcf and rename it.
      execFileSync('bcftools', ['view', '-Ob', '-o', join(dir, 'tmp.bcf'), good]);
      copyFileSync(join(dir, 'tmp.bcf'), out);
      return { bed, variants: out };
    },
  },
  {
    name: 'uncompressed VCF',
    code: 'GVL_BAD_VCF',
    names: 'bgzip',
    options: () => {
      writeFileSync(join(dir, 'plain.vcf.gz'), vcfText([rec(100, refAt(100), 'A')]));
      return { bed, variants: join(dir, 'plain.vcf.gz') };
    },
  },
  {
    name: 'gzip but not bgzip',
    code: 'GVL_BAD_VCF',
    names: 'not bgzip',
    options: () => {
      writeFileSync(join(dir, 'gz.vcf.gz'), gzipSync(vcfText([rec(100, refAt(100), 'A')])));
      return { bed, variants: join(dir, 'gz.vcf.gz') };
    },
  },
  {
    name: 'VCF without .tbi/.csi',
    code: 'GVL_MISSING_INDEX',
    names: 'tabix -p vcf',
    needs: 'tabix',
    options: () => ({ bed, variants: makeVcf('noindex', [rec(100, refAt(100), 'A')], false) }),
  },
  {
    name: 'multi-allelic record',
    code: 'GVL_MULTIALLELIC',
    names: `1:120 ${refAt(120)}>A,G`,
    needs: 'tabix',
    options: () => ({
      bed,
      variants: makeVcf('multi', [rec(100, refAt(100), 'G'), rec(120, refAt(120), 'A,G')]),
    }),
  },
  {
    name: 'symbolic <DEL>',
    code: 'GVL_SYMBOLIC_ALLELE',
    names: `1:130 ${refAt(130)}><DEL>`,
    needs: 'tabix',
    options: () => ({ bed, variants: makeVcf('sym', [rec(130, refAt(130), '<DEL>')]) }),
  },
  {
    name: 'spanning deletion *',
    code: 'GVL_SYMBOLIC_ALLELE',
    names: `1:131 ${refAt(131)}>*`,
    needs: 'tabix',
    options: () => ({ bed, variants: makeVcf('star', [rec(131, refAt(131), '*')]) }),
  },
  {
    name: 'breakend',
    code: 'GVL_SYMBOLIC_ALLELE',
    names: '1:132',
    needs: 'tabix',
    options: () => ({
      bed,
      variants: makeVcf('bnd', [rec(132, refAt(132), `${refAt(132)}[1:900[`)]),
    }),
  },
  {
    name: 'MNP (not atomized)',
    code: 'GVL_UNNORMALIZED_VARIANT',
    names: `1:140 ${refAt(140, 2)}>GG`,
    needs: 'tabix',
    options: () => ({ bed, variants: makeVcf('mnp', [rec(140, refAt(140, 2), 'GG')]) }),
  },
  {
    name: 'REF differs from the reference',
    code: 'GVL_REF_MISMATCH',
    names: `1:150 ${refAt(150) === 'A' ? 'C' : 'A'}>T`,
    needs: 'tabix',
    options: () => ({
      bed,
      reference: fasta,
      variants: makeVcf('refmm', [
        rec(100, refAt(100), 'G'),
        rec(150, refAt(150) === 'A' ? 'C' : 'A', 'T'),
      ]),
    }),
  },
  {
    name: 'unsorted records',
    code: 'GVL_UNSORTED_VCF',
    names: `1:100 ${refAt(100)}>G`,
    needs: 'tabix',
    options: () => {
      // Index a sorted file, then swap two equal-length lines: the index still serves it.
      const sorted = makeVcf('uns', [rec(100, refAt(100), 'G'), rec(200, refAt(200), 'G')]);
      const plain = join(dir, 'uns.vcf');
      writeFileSync(plain, vcfText([rec(200, refAt(200), 'G'), rec(100, refAt(100), 'G')]));
      execFileSync('bgzip', ['-f', plain]);
      return { bed, variants: sorted };
    },
  },
  {
    name: 'genotype allele 2 in a bi-allelic record',
    code: 'GVL_BAD_VCF',
    names: `1:160 ${refAt(160)}>T`,
    needs: 'tabix',
    options: () => ({ bed, variants: makeVcf('gt2', [rec(160, refAt(160), 'T', ['0|2', '0|0'])]) }),
  },
  {
    name: 'BED contig absent from the VCF',
    code: 'GVL_UNKNOWN_CONTIG',
    names: '"7"',
    needs: 'tabix',
    options: () => {
      writeFileSync(join(dir, 'c7.bed'), '1\t10\t20\n7\t10\t20\n');
      return { bed: join(dir, 'c7.bed'), variants: good };
    },
  },
  {
    name: 'BED contig absent from the reference',
    code: 'GVL_UNKNOWN_CONTIG',
    names: 'other.fa',
    needs: 'tabix',
    options: () => {
      const fa = join(dir, 'other.fa');
      writeFileSync(fa, `>2\n${SEQ.slice(0, 60)}\n`);
      writeFileSync(`${fa}.fai`, '2\t60\t3\t60\t61\n');
      return { bed, variants: good, reference: fa };
    },
  },
  {
    name: 'reference without .fai',
    code: 'GVL_MISSING_INDEX',
    names: 'samtools faidx',
    needs: 'tabix',
    options: () => {
      writeFileSync(join(dir, 'nofai.fa'), `>1\n${SEQ}\n`);
      return { bed, variants: good, reference: join(dir, 'nofai.fa') };
    },
  },
  {
    name: 'unknown sample',
    code: 'GVL_UNKNOWN_SAMPLE',
    names: '"nope"',
    needs: 'tabix',
    options: () => ({ bed, variants: good, samples: ['A', 'nope'] }),
  },
  {
    name: 'duplicate track names',
    code: 'GVL_BAD_TRACK',
    names: '"t"',
    needs: 'tabix',
    options: () => ({
      bed,
      variants: good,
      tracks: [
        { name: 't', paths: { A: join(dir, 'x.bw') } },
        { name: 't', paths: { A: join(dir, 'y.bw') } },
      ],
    }),
  },
  {
    name: 'a track file that is not a bigWig',
    code: 'GVL_BAD_TRACK',
    names: 'not-a.bw',
    options: () => {
      writeFileSync(join(dir, 'not-a.bw'), 'hello\n'.repeat(100));
      return { bed, tracks: [{ name: 'sig', paths: { A: join(dir, 'not-a.bw') } }] };
    },
  },
  {
    name: 'BED contig absent from a bigWig',
    code: 'GVL_UNKNOWN_CONTIG',
    names: 'gc.bw',
    needs: 'chr16',
    options: () => ({ bed, tracks: [{ name: 'gc', paths: { A: join(chr16Dir, 'gc.bw') } }] }),
  },
  {
    name: 'output exists without overwrite',
    code: 'GVL_DATASET_EXISTS',
    names: 'out.gvl',
    existing: true,
    needs: 'tabix',
    options: () => ({ bed, variants: good }),
  },
  {
    name: 'overwrite with a record that fails mid-stream keeps the old dataset',
    code: 'GVL_MULTIALLELIC',
    names: `1:1900 ${refAt(1900)}>A,C`,
    existing: true,
    needs: 'tabix',
    options: () => ({
      bed,
      overwrite: true,
      variants: makeVcf('late', [rec(100, refAt(100), 'G'), rec(1900, refAt(1900), 'A,C')]),
    }),
  },
  {
    name: 'aborted',
    code: 'GVL_ABORTED',
    names: 'aborted',
    existing: true,
    needs: 'tabix',
    options: () => ({ bed, variants: good, overwrite: true, signal: AbortSignal.abort() }),
  },
];

describe('write() rejects bad inputs atomically', () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gvl-errors-'));
    bed = join(dir, 'r.bed');
    writeFileSync(bed, '1\t90\t210\tr0\t0\t+\n1\t1000\t1100\tr1\t0\t-\n');
    fasta = join(dir, 'ref.fa');
    writeFileSync(fasta, `>1\n${SEQ.match(/.{1,60}/g)?.join('\n')}\n`);
    writeFileSync(`${fasta}.fai`, '1\t2000\t3\t60\t61\n');
    // The valid VCF is the committed fixture, so the cases that need only a valid VCF run
    // without bgzip/tabix.
    good = copyTinyVcf(dir, 'good');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const c of cases) {
    const missing =
      c.needs === 'tabix' && !hasTabix
        ? [oracleReason('tabix')]
        : c.needs === 'bcftools' && !(hasBcftools && hasTabix)
          ? [oracleReason('bcftools')]
          : c.needs === 'chr16' && !hasChr16
            ? ['real data not found (set GVL_DATA_DIR)']
            : [];
    it.skipIf(missing.length > 0)(suiteName(`${c.code}: ${c.name}`, missing), async () => {
      const parent = join(dir, `case-${cases.indexOf(c)}`);
      mkdirSync(parent);
      const out = join(parent, 'out.gvl');
      if (c.existing) {
        mkdirSync(out);
        writeFileSync(join(out, 'metadata.json'), OLD_METADATA);
      }
      let err: unknown;
      try {
        await write(out, { progress: false, onWarning: () => undefined, ...c.options() });
      } catch (e) {
        err = e;
      }
      expect(isGvlError(err), String(err)).toBe(true);
      expect(isGvlError(err) && err.code).toBe(c.code);
      expect((err as Error).message).toContain(c.names);
      if (c.existing) {
        expect(readdirSync(out)).toEqual(['metadata.json']);
        expect(readFileSync(join(out, 'metadata.json'), 'utf8')).toBe(OLD_METADATA);
      } else {
        expect(existsSync(out)).toBe(false);
      }
      // No temp directory left beside the target.
      expect(readdirSync(parent)).toEqual(c.existing ? ['out.gvl'] : []);
    });
  }

  it.skipIf(!hasTabix)(
    suiteName(
      'writes the synthetic VCF, and overwrite replaces a dataset only once complete',
      hasTabix ? [] : [oracleReason('tabix')],
    ),
    async () => {
      const parent = join(dir, 'ok');
      mkdirSync(parent);
      const out = join(parent, 'out.gvl');
      const warnings: string[] = [];
      const s1 = await write(out, {
        bed,
        variants: good,
        reference: fasta,
        progress: false,
        onWarning: (w) => warnings.push(`${w.code}: ${w.message}`),
      });
      expect(warnings).toEqual([
        'GVL_NO_VARIANTS: region 1:1000-1100 has no variant in any sample; expected for small regions, but check that the BED and the VCF use the same assembly',
      ]);
      expect(s1).toMatchObject({
        nRegions: 2,
        samples: ['A', 'B'],
        ploidy: 2,
        contigs: ['1'],
        nVariants: 2,
      });
      const offsets = readInt64(join(out, 'genotypes', 'offsets.npy'));
      // Columns are B, A with genotypes 0|1, 1|0: sorted samples A, B give haplotypes
      // A0 = 0, A1 = 1, B0 = 2, B1 = 3. Region r0 = [90, 210): A0 and B1 carry both records
      // (the SNV 1:100 and the deletion 1:150); region r1 = [1000, 1100): nothing.
      expect([...offsets]).toEqual([0n, 2n, 2n, 2n, 4n, 4n, 4n, 4n, 4n]);
      expect([...readInt32(join(out, 'genotypes', 'variant_idxs.npy'))]).toEqual([0, 1, 0, 1]);
      const regions = readNpyInt32(join(out, 'regions.npy'));
      // r0's stored end stays 210 (the deletion ends at 152).
      expect([...regions.data]).toEqual([0, 90, 210, 1, 0, 1000, 1100, -1]);
      copyFileSync(join(out, 'metadata.json'), join(parent, 'meta-before.json'));
      const s2 = await write(out, {
        bed,
        variants: good,
        maxJitter: 3,
        overwrite: true,
        progress: false,
        onWarning: () => undefined,
      });
      expect(s2.nRegions).toBe(2);
      expect(JSON.parse(readFileSync(join(out, 'metadata.json'), 'utf8')).max_jitter).toBe(3);
      expect(readdirSync(parent).sort()).toEqual(['meta-before.json', 'out.gvl']);
    },
  );
});
