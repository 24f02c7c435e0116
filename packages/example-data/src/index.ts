/**
 * Real example data for gvl-ts, shipped inside this package: phased genotypes of 300
 * 1000 Genomes samples over 1 Mb of GRCh37 chromosome 20, the reference slice they
 * were called against, their indexes, and two BED files of windows. `gvl demo` reads it
 * by default; the paths below are absolute and point into the installed package.
 *
 * Provenance and licences: the package README.
 *
 * @module
 */
import { fileURLToPath } from 'node:url';

/** The folder holding `1kg-chr20/`: what `gvl demo --data` and `GVL_DATA_DIR` take. */
export const exampleDataDir: string = fileURLToPath(new URL('../data/', import.meta.url));

const dir = fileURLToPath(new URL('../data/1kg-chr20/', import.meta.url));

/** The files of the chr20 slice (absolute paths) and the facts tests rely on. */
export const chr20 = {
  /** The folder of the files below. */
  dir,
  /**
   * bgzipped VCF 4.2: 300 samples, phased `GT` only, 7,568 biallelic records (7,252
   * SNVs, 316 indels) on contig `20`, positions 1,000,226–1,999,855 (1-based).
   */
  vcf: `${dir}1kg_chr20_300samples.vcf.gz`,
  /** Tabix index of {@link chr20.vcf}. */
  vcfIndex: `${dir}1kg_chr20_300samples.vcf.gz.tbi`,
  /**
   * bgzipped FASTA, one contig `20` of 2,000,000 bp: `N` up to 1,000,000, the real GRCh37
   * sequence (upper-case A/C/G/T) from 1,000,001 to 2,000,000 (1-based). Every REF of the
   * VCF matches it.
   */
  reference: `${dir}chr20_1-2Mb.fa.gz`,
  /** `samtools faidx` index of {@link chr20.reference}. */
  referenceIndex: `${dir}chr20_1-2Mb.fa.gz.fai`,
  /** BGZF block index of {@link chr20.reference}. */
  referenceGzi: `${dir}chr20_1-2Mb.fa.gz.gzi`,
  /** 488 BED6 windows of 2,048 bp (0-based, half-open) tiling 20:1,000,000–1,999,424, strands alternating `+`/`-`. */
  bed2kb: `${dir}windows_2kb.bed`,
  /** 61 BED6 windows of 16,384 bp, all `+`. */
  bed16kb: `${dir}windows_16kb.bed`,
  /** Contig name in every file. */
  contig: '20',
  /** Samples in the VCF. */
  samples: 300,
  /** Ploidy of every genotype. */
  ploidy: 2,
} as const;
