/**
 * The dataset's bindings to `@gvl/native` outside the held sources (`HaplotypeSource`,
 * `DatasetSource`, used from `read-pipeline.ts`): the variants output.
 *
 * @module
 */
import {
  type DummyVariant,
  type GatheredVariants,
  gatherVariants as nativeGatherVariants,
  type Parallel,
} from '@gvl/native';
import type { DatasetFiles } from './open.js';

interface Common {
  parallel: Parallel;
  signal?: AbortSignal | undefined;
}

/** The dataset's genotype CSR and variant table as the native kernels take them. */
export function genoTables(files: DatasetFiles) {
  const g = files.genotypes;
  const v = files.variants;
  if (!g || !v) throw new Error('dataset has no genotypes');
  return {
    genotypes: { offsets: g.offsets, variantIdxs: g.variantIdxs },
    variants: { starts: v.start, ilens: v.ilen, alts: v.alt, altOffsets: v.altOffsets },
  };
}

/**
 * Variants of each (item, haplotype) row: the stored variants of genotype group
 * `groups[r]`, as flat columns; ALT alleles of rows flagged in `rcMask` are
 * reverse-complemented (uppercase ACGT only), `start` and order unchanged; variants
 * flagged 0 in `keep` are left out.
 */
export function gatherVariants(
  a: Common & {
    files: DatasetFiles;
    groups: BigInt64Array;
    rcMask: Uint8Array;
    groupsPerRow: number;
    dummy: DummyVariant | undefined;
    /** uint8 per variant of the table: 0 drops it from every row; absent keeps all. */
    keep?: Uint8Array | undefined;
  },
): Promise<GatheredVariants> {
  const { genotypes, variants } = genoTables(a.files);
  return nativeGatherVariants(
    {
      groups: a.groups,
      genotypes,
      variants,
      rcMask: a.rcMask,
      groupsPerRow: a.groupsPerRow,
      dummy: a.dummy,
      ...(a.keep ? { keep: a.keep } : {}),
    },
    { parallel: a.parallel, signal: a.signal },
  );
}
