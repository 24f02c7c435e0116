/**
 * Memory-mapped genotype and track arrays: `Dataset.open` maps `genotypes/offsets.npy`,
 * `genotypes/variant_idxs.npy` and the track arrays instead of reading them. The mapped
 * arrays equal the files and the read arrays byte for byte; opening costs no JS heap or
 * anonymous memory in proportion to them (measured in a fresh process against the read
 * path as the control); loader batches computed from the mappings equal the construction,
 * and keep working from the old mapping when a file is replaced after the open.
 */
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadDatasetError, Dataset, type RaggedVariants, write } from '../src/index.js';
import { mappedSource } from '../src/mapped-arrays.js';
import { readDatasetFiles } from '../src/open.js';
import { chr20, hasChr20, pkgDir, readInt32, readInt64, suiteName } from './helpers.js';
import { writeSyntheticDataset } from './synthetic-dataset.js';

const bytesOf = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

let tmp = '';
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'gvl-mmap-'));
});
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('mapped arrays of a synthetic dataset', () => {
  const shape = { regions: 1, samples: 40, variants: 25 };
  let dir = '';
  beforeAll(async () => {
    dir = join(tmp, 'small.gvl');
    await writeSyntheticDataset(dir, shape);
  });

  it('maps the genotype arrays (not SharedArrayBuffers) and they equal the files and the read arrays', async () => {
    const mapped = await readDatasetFiles(dir);
    const read = await readDatasetFiles(dir, { map: false });
    const m = mapped.genotypes as NonNullable<typeof mapped.genotypes>;
    const r = read.genotypes as NonNullable<typeof read.genotypes>;
    for (const [name, a] of [
      ['offsets.npy', m.offsets],
      ['variant_idxs.npy', m.variantIdxs],
    ] as const) {
      expect(a.buffer).toBeInstanceOf(ArrayBuffer);
      expect(mappedSource(a.buffer)?.rel).toBe(`genotypes/${name}`);
      expect(a.byteOffset % a.BYTES_PER_ELEMENT).toBe(0);
      expect(bytesOf(a).equals(readFileSync(join(dir, 'genotypes', name)))).toBe(true);
    }
    expect(r.offsets.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(mappedSource(r.offsets.buffer)).toBeUndefined();
    expect(bytesOf(m.offsets).equals(bytesOf(r.offsets))).toBe(true);
    expect(bytesOf(m.variantIdxs).equals(bytesOf(r.variantIdxs))).toBe(true);
    // Independent of both: the fixture's construction (every haplotype carries 0..V-1).
    const G = shape.regions * shape.samples * 2;
    expect(m.offsets.length).toBe(G + 1);
    expect(m.offsets[G]).toBe(BigInt(G * shape.variants));
    expect(m.variantIdxs[shape.variants * 7 + 3]).toBe(3);
  });

  it('checks the checksum of a mapped file: one flipped byte is GVL_BAD_DATASET naming it', async () => {
    const bad = join(tmp, 'flipped.gvl');
    await writeSyntheticDataset(bad, shape);
    const f = join(bad, 'genotypes', 'variant_idxs.npy');
    const b = readFileSync(f);
    b.writeUInt8((b.at(-1) as number) ^ 0x40, b.length - 1); // the hash is checked before the structure
    writeFileSync(f, b);
    await expect(readDatasetFiles(bad)).rejects.toMatchObject({
      code: 'GVL_BAD_DATASET',
      file: 'genotypes/variant_idxs.npy',
      message: expect.stringMatching(/SHA-256/),
    });
  });

  it('keeps open-time checks on mapped arrays: a descending index is GVL_BAD_DATASET with its index', async () => {
    const bad = join(tmp, 'descending.gvl');
    await writeSyntheticDataset(bad, shape, false);
    const f = join(bad, 'genotypes', 'variant_idxs.npy');
    const b = readFileSync(f);
    b.writeInt32LE(0, 5 * 4); // group 0 becomes 0 1 2 3 4 0 6 …
    writeFileSync(f, b);
    const e = await readDatasetFiles(bad).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(BadDatasetError);
    expect(e).toMatchObject({ file: 'genotypes/variant_idxs.npy', index: 5, value: 0 });
  });

  it('loader batches computed from the mapped arrays equal the construction', async () => {
    const ds = await Dataset.open(dir);
    const files = ds.internals.core.files;
    expect(mappedSource(files.genotypes?.variantIdxs.buffer as ArrayBufferLike)).toBeDefined();
    const batches: RaggedVariants[] = [];
    for await (const b of ds.loader({ batchSize: 7 })) batches.push(b.data as RaggedVariants);
    expect(batches.length).toBe(Math.ceil((shape.regions * shape.samples) / 7));
    // Every haplotype carries all V SNVs, POS - 1 at 0-based start.
    const pos = Array.from({ length: shape.variants }, (_, v) => 1 + ((v * 7) % 1000)).sort(
      (x, y) => x - y,
    );
    for (const b of batches) {
      const haplotypes = (b.shape[0] as number) * 2;
      expect(Number(b.offsets[b.offsets.length - 1])).toBe(haplotypes * shape.variants);
      for (let h = 0; h < haplotypes; h++)
        expect([...b.start.subarray(h * shape.variants, (h + 1) * shape.variants)]).toEqual(
          pos.map((p) => p - 1),
        );
    }
  });

  it('a mapped file replaced since the open: the loader keeps reading the mapping made at open', async () => {
    const moved = join(tmp, 'replaced.gvl');
    await writeSyntheticDataset(moved, shape, false);
    const ds = await Dataset.open(moved);
    const before: RaggedVariants[] = [];
    for await (const b of ds.loader({ batchSize: 8 })) before.push(b.data as RaggedVariants);
    const f = join(moved, 'genotypes', 'variant_idxs.npy');
    copyFileSync(f, `${f}.new`);
    renameSync(`${f}.new`, f); // same bytes, new inode: what an overwrite does
    rmSync(f); // and the path gone: only the mapping holds the old inode
    const after: RaggedVariants[] = [];
    for await (const b of ds.loader({ batchSize: 8 })) after.push(b.data as RaggedVariants);
    expect(after.length).toBe(before.length);
    for (let k = 0; k < before.length; k++) {
      const a = before[k] as RaggedVariants;
      const b = after[k] as RaggedVariants;
      expect(bytesOf(b.offsets).equals(bytesOf(a.offsets))).toBe(true);
      expect(bytesOf(b.start).equals(bytesOf(a.start))).toBe(true);
    }
  });
});

/** Runs the probe in a fresh process; see open-memory-probe.mjs. */
function probe(dir: string, how: 'dataset' | 'map' | 'read') {
  const out = execFileSync(
    process.execPath,
    ['--expose-gc', join(pkgDir, 'test', 'open-memory-probe.mjs'), dir, how],
    { encoding: 'utf8', maxBuffer: 1 << 20 },
  );
  return JSON.parse(out) as {
    delta: Record<'heapUsed' | 'arrayBuffers' | 'rssAnon' | 'vmRss', number | null>;
    variantIdxsBytes: number;
    sharedBuffer: boolean;
  };
}

describe('open memory does not grow with the genotype arrays', () => {
  // Same regions and samples (100,000), so the same O(regions + samples) open cost; the
  // genotype arrays differ 100-fold: variant_idxs.npy of 0.8 MB vs 80 MB.
  const small = { regions: 1, samples: 100_000, variants: 1 };
  const large = { ...small, variants: 100 };
  let smallDir = '';
  let largeDir = '';
  let grown = 0;
  beforeAll(async () => {
    smallDir = join(tmp, 'v1.gvl');
    largeDir = join(tmp, 'v100.gvl');
    const a = await writeSyntheticDataset(smallDir, small);
    grown = (await writeSyntheticDataset(largeDir, large)) - a;
  }, 120_000);

  it('Dataset.open: JS heap, ArrayBuffers and anonymous RSS do not follow variant_idxs.npy; reading it (control) does', () => {
    const mappedSmall = probe(smallDir, 'dataset');
    const mappedLarge = probe(largeDir, 'dataset');
    const readSmall = probe(smallDir, 'read');
    const readLarge = probe(largeDir, 'read');
    expect(mappedLarge.variantIdxsBytes - mappedSmall.variantIdxsBytes).toBe(grown);
    expect(mappedLarge.sharedBuffer).toBe(false);
    expect(readLarge.sharedBuffer).toBe(true);
    const js = (p: ReturnType<typeof probe>) =>
      (p.delta.heapUsed as number) + (p.delta.arrayBuffers as number);
    // The control: the measure sees the 79 MB when the arrays are read.
    expect(js(readLarge) - js(readSmall)).toBeGreaterThan(0.9 * grown);
    // Mapped: the extra 79 MB of genotypes cost (almost) nothing on the JS side.
    expect(js(mappedLarge) - js(mappedSmall)).toBeLessThan(grown / 20);
    const anon = (p: ReturnType<typeof probe>) => p.delta.rssAnon;
    const [ms, ml, rs, rl] = [mappedSmall, mappedLarge, readSmall, readLarge].map(anon);
    if (ms != null && ml != null && rs != null && rl != null) {
      expect(rl - rs).toBeGreaterThan(0.9 * grown);
      expect(ml - ms).toBeLessThan(grown / 10);
    }
  }, 120_000);
});

const missing = hasChr20 ? [] : [`real data not found at ${chr20.vcf} (set GVL_DATA_DIR)`];

describe.skipIf(missing.length > 0)(
  suiteName('mapped arrays of the chr20 dataset', missing),
  () => {
    let path = '';
    beforeAll(async () => {
      path = join(tmp, 'chr20.gvl');
      await write(path, {
        bed: chr20.bed2kb,
        variants: chr20.vcf,
        progress: false,
        onWarning: () => undefined,
      });
    }, 120_000);

    it('the mapped genotype arrays equal the files on disk and the read arrays, byte for byte', async () => {
      const mapped = (await readDatasetFiles(path)).genotypes;
      const read = (await readDatasetFiles(path, { map: false })).genotypes;
      if (!mapped || !read) throw new Error('chr20 dataset without genotypes');
      expect(mappedSource(mapped.offsets.buffer)).toBeDefined();
      expect(mappedSource(mapped.variantIdxs.buffer)).toBeDefined();
      const onDiskOffsets = readInt64(join(path, 'genotypes', 'offsets.npy'));
      const onDiskIdxs = readInt32(join(path, 'genotypes', 'variant_idxs.npy'));
      expect(onDiskIdxs.length).toBeGreaterThan(1000);
      expect(bytesOf(mapped.offsets).equals(bytesOf(onDiskOffsets))).toBe(true);
      expect(bytesOf(mapped.variantIdxs).equals(bytesOf(onDiskIdxs))).toBe(true);
      expect(bytesOf(mapped.offsets).equals(bytesOf(read.offsets))).toBe(true);
      expect(bytesOf(mapped.variantIdxs).equals(bytesOf(read.variantIdxs))).toBe(true);
    });
  },
);
