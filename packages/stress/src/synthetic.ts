/**
 * Seeded synthetic inputs for `@gvl/native`'s haplotype kernels: a random reference,
 * random SNVs and indels, random diploid genotypes. No files needed; the same seed gives
 * the same bytes.
 *
 * @module
 */
import type { GenotypeTable, ReferenceSequence, VariantTable } from '@gvl/native';

/** Inputs of one synthetic batch: `regions × samples × 2` haplotype rows. */
export interface SyntheticBatch {
  /** int32 `(n, 3)`: contig 0, start, end. */
  regions: Int32Array;
  /** Genotype group of row `k`: `k` (one group per (query, haplotype)). */
  groups: BigInt64Array;
  genotypes: GenotypeTable;
  variants: VariantTable;
  reference: ReferenceSequence;
  /** Queries: `regions × samples` (each region repeated per sample). */
  queries: number;
}

/** A small xorshift32 generator (deterministic per seed). */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 0x9e3779b9;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x1_0000_0000;
  };
}

const BASES = [65, 67, 71, 84]; // A C G T

/**
 * Builds a synthetic batch: `regions` windows of `length` bp tiled along one contig,
 * one variant every ~40 bp (80 % SNVs, 10 % insertions of 1–8 bp, 10 % deletions of
 * 1–8 bp), each haplotype carrying every variant with probability 1/4.
 *
 * @param regions - windows, ≥ 1.
 * @param samples - samples, ≥ 1 (ploidy 2).
 * @param length - window length in bp, ≥ 1.
 * @param seed - PRNG seed.
 */
export function syntheticBatch(
  regions: number,
  samples: number,
  length: number,
  seed: number,
): SyntheticBatch {
  const rand = rng(seed);
  const contigLength = regions * length + 64;
  const sequence = new Uint8Array(contigLength);
  for (let i = 0; i < contigLength; i++) sequence[i] = BASES[Math.floor(rand() * 4)] ?? 65;

  const starts: number[] = [];
  const ilens: number[] = [];
  const alts: number[] = [];
  const altOffsets: bigint[] = [0n];
  // Variants never overlap: the next one starts after the previous deletion's end.
  for (let pos = 1 + Math.floor(rand() * 40); pos < contigLength - 16; ) {
    const r = rand();
    const anchor = sequence[pos] ?? 65;
    let span = 1;
    if (r < 0.8) {
      let alt = BASES[Math.floor(rand() * 4)] ?? 65;
      if (alt === anchor) alt = alt === 65 ? 67 : 65;
      starts.push(pos);
      ilens.push(0);
      alts.push(alt);
    } else if (r < 0.9) {
      const n = 1 + Math.floor(rand() * 8);
      starts.push(pos);
      ilens.push(n);
      alts.push(anchor);
      for (let j = 0; j < n; j++) alts.push(BASES[Math.floor(rand() * 4)] ?? 65);
    } else {
      const n = 1 + Math.floor(rand() * 8);
      starts.push(pos);
      ilens.push(-n);
      alts.push(anchor);
      span = n + 1;
    }
    altOffsets.push(BigInt(alts.length));
    pos += span + 1 + Math.floor(rand() * 80);
  }

  const queries = regions * samples;
  const regionArray = new Int32Array(queries * 3);
  const groupOffsets: bigint[] = [0n];
  const variantIdxs: number[] = [];
  let v0 = 0;
  for (let r = 0; r < regions; r++) {
    const start = r * length;
    const end = start + length;
    while (v0 < starts.length && (starts[v0] ?? 0) < start) v0++;
    for (let s = 0; s < samples; s++) {
      const q = r * samples + s;
      regionArray.set([0, start, end], q * 3);
      for (let h = 0; h < 2; h++) {
        for (let v = v0; v < starts.length && (starts[v] ?? end) < end; v++) {
          if (rand() < 0.25) variantIdxs.push(v);
        }
        groupOffsets.push(BigInt(variantIdxs.length));
      }
    }
  }
  return {
    regions: regionArray,
    groups: BigInt64Array.from({ length: queries * 2 }, (_, k) => BigInt(k)),
    genotypes: {
      offsets: BigInt64Array.from(groupOffsets),
      variantIdxs: Int32Array.from(variantIdxs),
    },
    variants: {
      starts: Int32Array.from(starts),
      ilens: Int32Array.from(ilens),
      alts: Uint8Array.from(alts),
      altOffsets: BigInt64Array.from(altOffsets),
    },
    reference: { sequence, offsets: BigInt64Array.from([0n, BigInt(contigLength)]) },
    queries,
  };
}
