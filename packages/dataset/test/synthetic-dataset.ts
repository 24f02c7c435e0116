/**
 * A synthetic genvarloader dataset built file by file (no VCF, no external tools): one
 * contig, `regions` regions, `samples` samples, ploidy 2 and `variants` SNVs, where every
 * haplotype carries every variant. `variant_idxs.npy` then holds
 * `regions·samples·2·variants` int32 entries: a genotype array as large as wanted from a
 * few kilobytes of everything else.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Int32, Table, tableToIPC, Utf8, vectorFromArray } from 'apache-arrow';
import { writeChecksums } from '../src/format/checksums.js';
import { encodeNpyInt32Matrix } from '../src/format/npy.js';

export interface SyntheticShape {
  regions: number;
  samples: number;
  variants: number;
}

/** Writes the dataset at `dir` (created); returns the byte size of `variant_idxs.npy`. */
export async function writeSyntheticDataset(
  dir: string,
  shape: SyntheticShape,
  sealed = true,
): Promise<number> {
  const { regions: R, samples: S, variants: V } = shape;
  const P = 2;
  const span = 1000;
  mkdirSync(join(dir, 'genotypes'), { recursive: true });
  const width = String(S).length;
  const samples = Array.from({ length: S }, (_, i) => `S${String(i).padStart(width, '0')}`);
  writeFileSync(
    join(dir, 'metadata.json'),
    JSON.stringify({
      samples,
      contigs: ['chr1'],
      n_regions: R,
      ploidy: P,
      max_jitter: 0,
      version: null,
      format_version: '2.0.0',
      svar_link: null,
      svar2_link: null,
      variants_fingerprint: null,
    }),
  );
  const starts = Array.from({ length: R }, (_, r) => r * span);
  const bed = new Table({
    chrom: vectorFromArray(
      starts.map(() => 'chr1'),
      new Utf8(),
    ),
    chromStart: vectorFromArray(starts, new Int32()),
    chromEnd: vectorFromArray(
      starts.map((s) => s + span),
      new Int32(),
    ),
    r_idx_map: vectorFromArray(
      starts.map((_, r) => r),
      new Int32(),
    ),
  });
  writeFileSync(join(dir, 'input_regions.arrow'), tableToIPC(bed, 'file'));
  const regions = new Int32Array(R * 4);
  for (let r = 0; r < R; r++) regions.set([0, r * span, r * span + span, 1], r * 4);
  writeFileSync(join(dir, 'regions.npy'), encodeNpyInt32Matrix(regions, R, 4, true));
  // V SNVs spread over the first region (positions 1-based).
  const pos = Array.from({ length: V }, (_, v) => 1 + ((v * 7) % span));
  pos.sort((a, b) => a - b);
  const variants = new Table({
    POS: vectorFromArray(pos, new Int32()),
    REF: vectorFromArray(
      pos.map(() => 'A'),
      new Utf8(),
    ),
    ALT: vectorFromArray(
      pos.map(() => 'C'),
      new Utf8(),
    ),
  });
  writeFileSync(join(dir, 'genotypes', 'variants.arrow'), tableToIPC(variants, 'file'));
  const G = R * S * P;
  const offsets = new BigInt64Array(G + 1);
  for (let g = 0; g <= G; g++) offsets[g] = BigInt(g * V);
  writeFileSync(join(dir, 'genotypes', 'offsets.npy'), offsets);
  // Every group holds 0..V-1: write the row once per group through one reusable block.
  const row = Int32Array.from({ length: V }, (_, v) => v);
  const perBlock = Math.max(1, Math.floor((1 << 22) / V));
  const block = new Int32Array(perBlock * V);
  for (let i = 0; i < perBlock; i++) block.set(row, i * V);
  const path = join(dir, 'genotypes', 'variant_idxs.npy');
  writeFileSync(path, new Uint8Array(0));
  for (let g = 0; g < G; g += perBlock) {
    const n = Math.min(perBlock, G - g);
    writeFileSync(path, block.subarray(0, n * V), { flag: 'a' });
  }
  if (sealed) await writeChecksums(dir);
  return G * V * 4;
}
