/**
 * A tiny dataset for examples and users' own tests: the peer's `get_dummy_dataset`,
 * written in the on-disk format with its reference.
 *
 * @module
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Int32, makeVector, Table, tableToIPC, Utf8, vectorFromArray } from 'apache-arrow';
import { Dataset } from './dataset.js';
import { writeChecksums } from './format/checksums.js';
import {
  annotIntervalsDir,
  GENOTYPE_OFFSETS_FILE,
  GENOTYPES_DIR,
  INPUT_REGIONS_FILE,
  METADATA_FILE,
  npyFileName,
  REGIONS_FILE,
  trackIntervalsDir,
  VARIANT_IDXS_FILE,
  VARIANTS_FILE,
} from './format/layout.js';
import { encodeNpyInt32Matrix } from './format/npy.js';

const CONTIGS = [...Array.from({ length: 22 }, (_, i) => String(i + 1)), 'X', 'Y', 'MT'];
const CONTIG_LENGTH = 20;
const SAMPLES = ['Aang', 'Katara', 'Sokka', 'Toph'];
const MAX_JITTER = 2;
/** The BED, input order: chrom, start, end, strand, gene, exon. */
const BED: readonly [string, number, number, '+' | '-', string, number][] = [
  ['8', 5, 8, '+', 'tp53', 3],
  ['3', 13, 16, '-', 'shh', 1],
  ['6', 8, 11, '+', 'tp53', 1],
  ['2', 2, 5, '+', 'tp53', 2],
];
/**
 * The variants of each stored region, all at its start: `[ilen, REF, ALT]`. The
 * reference is all `N`, so a haplotype over a 3 bp region is 1 to 4 bp long.
 */
const VARIANTS: readonly [number, string, string][] = [
  [-2, 'NNN', 'A'],
  [-1, 'NN', 'C'],
  [0, 'N', 'G'],
  [1, 'N', 'TT'],
];
/**
 * Haplotype length (1–4, i.e. which of `VARIANTS`) of each sample in each input
 * region (the peer's table, indexed by input region).
 */
const HAP_LENGTH = [
  [3, 2, 4, 1],
  [1, 3, 2, 4],
  [2, 1, 4, 3],
  [4, 2, 3, 1],
];

/** Where {@link writeDummyDataset} put the files. */
export interface DummyPaths {
  /** The dataset directory (`…/dummy.gvl`). */
  dataset: string;
  /** Its reference FASTA (`…/dummy.fa`, with `dummy.fa.fai`). */
  reference: string;
}

/**
 * Writes the dummy dataset and its reference into a new folder
 * `<parent>/gvl-dummy-XXXXXX` (never over existing files): the peer's
 * `get_dummy_dataset`, in the on-disk format 2.0.0.
 *
 * Contents: contigs `1`–`22`, `X`, `Y`, `MT`, each 20 bp of `N`; 4 regions of 3 bp, in
 * BED order `8:5-8 +`, `3:13-16 -`, `6:8-11 +`, `2:2-5 +`, with columns `gene`
 * (`tp53`, `shh`, `tp53`, `tp53`) and `exon` (3, 1, 1, 2); samples `Aang`, `Katara`,
 * `Sokka`, `Toph`, ploidy 1, `maxJitter` 2. Each (region, sample) haplotype carries one
 * variant at the region start (a 2 bp deletion to `A`, a 1 bp deletion to `C`, an SNV to
 * `G` or a 1 bp insertion `TT`), so haplotypes are 1 to 4 bp. Tracks: `read-depth` (per
 * sample; 1, 2, 3, … from 2 bp before each region start, so a region reads 3, 4, 5) and
 * `annot` (an annotation track: 1 at each region start, 0 elsewhere).
 *
 * @param parent - folder to create the new folder in; default the OS temp folder.
 * @returns the paths of the dataset and the reference.
 * @throws the Node file-system error (`EACCES`, `ENOSPC`, …) when `parent` cannot be
 *   written; nothing outside the new folder is touched.
 * @see genvarloader `get_dummy_dataset`.
 */
export async function writeDummyDataset(parent: string = tmpdir()): Promise<DummyPaths> {
  // Writes one fixed dataset file by file; a list of independent files, each a few lines.
  const root = await mkdtemp(join(parent, 'gvl-dummy-'));
  const reference = join(root, 'dummy.fa');
  const dataset = join(root, 'dummy.gvl');
  let fa = '';
  let fai = '';
  for (const c of CONTIGS) {
    const header = `>${c}\n`;
    fai += `${c}\t${CONTIG_LENGTH}\t${fa.length + header.length}\t${CONTIG_LENGTH}\t${CONTIG_LENGTH + 1}\n`;
    fa += `${header}${'N'.repeat(CONTIG_LENGTH)}\n`;
  }
  await writeFile(reference, fa);
  await writeFile(`${reference}.fai`, fai);

  const R = BED.length;
  const S = SAMPLES.length;
  // Stored order: by contig (natural order), then start.
  const order = BED.map((_, i) => i).sort(
    (a, b) =>
      CONTIGS.indexOf((BED[a] as (typeof BED)[0])[0]) -
      CONTIGS.indexOf((BED[b] as (typeof BED)[0])[0]),
  );
  const rIdxMap = new Int32Array(R);
  order.forEach((input, d) => {
    rIdxMap[input] = d;
  });
  await mkdir(join(dataset, GENOTYPES_DIR), { recursive: true });
  await writeFile(
    join(dataset, METADATA_FILE),
    JSON.stringify({
      samples: SAMPLES,
      contigs: CONTIGS,
      n_regions: R,
      ploidy: 1,
      max_jitter: MAX_JITTER,
      version: '0.43.1',
      format_version: '2.0.0',
      svar_link: null,
      svar2_link: null,
      variants_fingerprint: null,
    }),
  );
  const col = <T>(k: number) => BED.map((row) => row[k] as T);
  const bed = new Table({
    chrom: vectorFromArray(col<string>(0), new Utf8()),
    chromStart: makeVector(BigInt64Array.from(col<number>(1), BigInt)),
    chromEnd: makeVector(BigInt64Array.from(col<number>(2), BigInt)),
    strand: vectorFromArray(col<string>(3), new Utf8()),
    gene: vectorFromArray(col<string>(4), new Utf8()),
    exon: makeVector(BigInt64Array.from(col<number>(5), BigInt)),
    r_idx_map: makeVector(BigInt64Array.from(rIdxMap, BigInt)),
  });
  await writeFile(join(dataset, INPUT_REGIONS_FILE), tableToIPC(bed, 'file'));

  const regions = new Int32Array(R * 4);
  const chrom: string[] = [];
  const pos: number[] = [];
  const ref: string[] = [];
  const alt: string[] = [];
  const ilen: number[] = [];
  const offsets = new BigInt64Array(R * S + 1);
  const variantIdxs = new Int32Array(R * S);
  order.forEach((input, d) => {
    const [c, start, end, strand] = BED[input] as (typeof BED)[0];
    regions.set(
      [CONTIGS.indexOf(c), start - MAX_JITTER, end + MAX_JITTER, strand === '-' ? -1 : 1],
      d * 4,
    );
    for (const [l, r, a] of VARIANTS) {
      chrom.push(c);
      pos.push(start + 1);
      ref.push(r);
      alt.push(a);
      ilen.push(l);
    }
    for (let s = 0; s < S; s++) {
      const g = d * S + s;
      variantIdxs[g] = d * VARIANTS.length + ((HAP_LENGTH[input] as number[])[s] as number) - 1;
      offsets[g + 1] = BigInt(g + 1);
    }
  });
  await writeFile(join(dataset, REGIONS_FILE), encodeNpyInt32Matrix(regions, R, 4, true));
  const variants = new Table({
    CHROM: vectorFromArray(chrom, new Utf8()),
    POS: vectorFromArray(pos, new Int32()),
    REF: vectorFromArray(ref, new Utf8()),
    ALT: vectorFromArray(alt, new Utf8()),
    ILEN: vectorFromArray(ilen, new Int32()),
  });
  await writeFile(join(dataset, VARIANTS_FILE), tableToIPC(variants, 'file'));
  await writeFile(join(dataset, GENOTYPE_OFFSETS_FILE), new Uint8Array(offsets.buffer));
  await writeFile(join(dataset, VARIANT_IDXS_FILE), new Uint8Array(variantIdxs.buffer));

  // read-depth: per (stored region, sample), 1 bp intervals over the stored window
  // [start − 2, end + 2) with values 1, 2, 3, …; annot: [start, start + 1) = 1 per region.
  const depth = { starts: [] as number[], ends: [] as number[], values: [] as number[] };
  const depthOffsets = new BigInt64Array(R * S + 1);
  const annot = { starts: [] as number[], ends: [] as number[], values: [] as number[] };
  const annotOffsets = new BigInt64Array(R + 1);
  for (let d = 0; d < R; d++) {
    const ws = regions[d * 4 + 1] as number;
    const we = regions[d * 4 + 2] as number;
    for (let s = 0; s < S; s++) {
      for (let x = ws; x < we; x++) {
        depth.starts.push(x);
        depth.ends.push(x + 1);
        depth.values.push(x - ws + 1);
      }
      depthOffsets[d * S + s + 1] = BigInt(depth.starts.length);
    }
    annot.starts.push(ws + MAX_JITTER);
    annot.ends.push(ws + MAX_JITTER + 1);
    annot.values.push(1);
    annotOffsets[d + 1] = BigInt(annot.starts.length);
  }
  const writeTrack = async (
    folder: string,
    t: { starts: number[]; ends: number[]; values: number[] },
    offs: BigInt64Array,
  ) => {
    await mkdir(folder, { recursive: true });
    await writeFile(
      join(folder, npyFileName('starts')),
      new Uint8Array(Int32Array.from(t.starts).buffer),
    );
    await writeFile(
      join(folder, npyFileName('ends')),
      new Uint8Array(Int32Array.from(t.ends).buffer),
    );
    await writeFile(
      join(folder, npyFileName('values')),
      new Uint8Array(Float32Array.from(t.values).buffer),
    );
    await writeFile(join(folder, npyFileName('offsets')), new Uint8Array(offs.buffer));
  };
  await writeTrack(join(dataset, trackIntervalsDir('read-depth')), depth, depthOffsets);
  await writeTrack(join(dataset, annotIntervalsDir('annot')), annot, annotOffsets);
  await writeChecksums(dataset);
  return { dataset, reference };
}

/**
 * The dummy dataset (see {@link writeDummyDataset}), written to a new temporary folder
 * and opened with its reference, set up as the peer's: ragged haplotypes
 * `(…, 1, ~length)` and both tracks `(…, 2, ~length)`, no jitter, deterministic. With
 * `splice: true` it is spliced by `['gene', 'exon']`: transcript 0 `tp53` (input
 * regions 2, 3, 0) and transcript 1 `shh` (region 1, `-` strand).
 *
 * The folder is not removed: delete `dirname(ds.path)` when done.
 *
 * @param options.splice - splice by `['gene', 'exon']`. Default false.
 * @param options.parent - folder to create the dataset's folder in; default the OS temp folder.
 * @see genvarloader `get_dummy_dataset`.
 * @example
 * ```ts
 * const ds = await dummyDataset({ splice: true });
 * const [haps, tracks] = await ds.get(0, 'Aang'); // tp53: haps row 'CNTTNNGNN', tracks [2, 1, null]
 * ```
 */
export async function dummyDataset(
  options: { splice?: boolean; parent?: string } = {},
): Promise<Dataset<'haplotypes' | 'reference', boolean, 'ragged'>> {
  const paths = await writeDummyDataset(options.parent);
  const ds = await Dataset.open(paths.dataset, { reference: paths.reference });
  return options.splice ? ds.withSettings({ spliceInfo: ['gene', 'exon'] }) : ds;
}
