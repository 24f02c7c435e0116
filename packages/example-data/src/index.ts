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
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
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

/** The chr20 files every consumer of a data folder reads, relative to the folder. */
export const CHR20_FILES: readonly string[] = [
  '1kg-chr20/1kg_chr20_300samples.vcf.gz',
  '1kg-chr20/1kg_chr20_300samples.vcf.gz.tbi',
  '1kg-chr20/chr20_1-2Mb.fa.gz',
  '1kg-chr20/chr20_1-2Mb.fa.gz.fai',
  '1kg-chr20/chr20_1-2Mb.fa.gz.gzi',
  '1kg-chr20/windows_2kb.bed',
];

/** Where {@link locateExampleData} found the folder holding `1kg-chr20/`. */
export interface ExampleDataLocation {
  /** Absolute path of the folder holding `1kg-chr20/`. */
  dir: string;
  /**
   * Who named it: `'argument'` (the caller's `dir`), `'GVL_DATA_DIR'` (the environment
   * variable) or `'shipped'` (this package's own copy, {@link exampleDataDir}).
   */
  from: 'argument' | 'GVL_DATA_DIR' | 'shipped';
  /** The files of {@link CHR20_FILES} absent from `dir` (absolute paths); empty when complete. */
  missing: string[];
}

/**
 * The one rule every gvl-ts tool uses to find the chr20 example data: `dir` when given,
 * else `$GVL_DATA_DIR` when set and non-empty, else the copy shipped in this package. A
 * folder the user named is never silently replaced by the shipped copy: when it lacks
 * files they are listed in `missing`, and the caller raises its own typed error.
 *
 * @param dir - a folder holding `1kg-chr20/`, e.g. from a `--data` flag.
 * @param env - the environment to read `GVL_DATA_DIR` from (default `process.env`).
 */
export function locateExampleData(
  dir?: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): ExampleDataLocation {
  const named = dir ?? (env.GVL_DATA_DIR || undefined);
  const from = dir !== undefined ? 'argument' : named !== undefined ? 'GVL_DATA_DIR' : 'shipped';
  const root = named === undefined ? exampleDataDir : resolve(named);
  const missing = CHR20_FILES.map((f) => join(root, f)).filter((f) => !existsSync(f));
  return { dir: root, from, missing };
}
