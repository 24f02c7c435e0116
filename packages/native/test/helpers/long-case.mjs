// A CPU-heavy realignment batch for timing-insensitive concurrency tests:
// `rows` queries (ploidy 1), each with one insertion of `insertion` bases
// filled by 9th-order interpolation (~100 flops per output element).
// Row `k` of the output is `[1, <interpolated insertion>, 3, 4]` shaped.

/** @param {{ rows: number, insertion: number }} opts */
export function longRealignInput({ rows, insertion }) {
  const regions = new Int32Array(rows * 3);
  const groups = new BigInt64Array(rows);
  const trackOffsets = new BigInt64Array(rows + 1);
  const outOffsets = new BigInt64Array(rows + 1);
  const tracks = new Float32Array(rows * 4);
  const rowLen = insertion + 4;
  for (let i = 0; i < rows; i++) {
    regions[3 * i + 1] = 100;
    regions[3 * i + 2] = 104;
    groups[i] = 0n;
    trackOffsets[i + 1] = BigInt(4 * (i + 1));
    outOffsets[i + 1] = BigInt(rowLen * (i + 1));
    tracks.set([1, 2 + (i % 5), 3, 4], 4 * i);
  }
  return {
    regions,
    ploidy: 1,
    groups,
    genotypes: { offsets: new BigInt64Array([0n, 1n]), variantIdxs: new Int32Array([0]) },
    variants: { starts: new Int32Array([101]), ilens: new Int32Array([insertion]) },
    tracks,
    trackOffsets,
    outOffsets,
    fill: { kind: 'interpolate', order: 9 },
  };
}

// A memory-heavy gather batch: `rows` rows of one group of `variants`
// variants whose ALT alleles are `altLength` bytes, every row
// reverse-complemented (`rows * variants * altLength` output bytes).

/** @param {{ rows: number, variants: number, altLength: number }} opts */
export function longGatherInput({ rows, variants, altLength }) {
  const alts = new Uint8Array(variants * altLength);
  for (let i = 0; i < alts.length; i++) alts[i] = 'ACGTN'.charCodeAt(i % 5);
  const altOffsets = new BigInt64Array(variants + 1);
  for (let v = 0; v <= variants; v++) altOffsets[v] = BigInt(v * altLength);
  return {
    groups: new BigInt64Array(rows),
    genotypes: {
      offsets: new BigInt64Array([0n, BigInt(variants)]),
      variantIdxs: Int32Array.from({ length: variants }, (_, v) => v),
    },
    variants: {
      starts: Int32Array.from({ length: variants }, (_, v) => 10 * v),
      ilens: new Int32Array(variants).fill(altLength - 1),
      alts,
      altOffsets,
    },
    rcMask: new Uint8Array(rows).fill(1),
  };
}
