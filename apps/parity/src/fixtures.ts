/**
 * The two datasets parity reads, written by `@gvl/dataset`'s `write()` into a scratch
 * directory from ../shared/data (deterministic: the same inputs give the same bytes).
 *
 * - `chr20`: the 1000 Genomes slice, `windows_2kb.bed` (488 windows, strands alternate),
 *   300 samples, `maxJitter` 0.
 * - `chr16`: the hg38 chr16 chunk with its real bigWigs (`gc.bw`, `alignability.bw`)
 *   assigned to four samples, 48 windows, `maxJitter` 16 (so fixed lengths may exceed a
 *   region: the output continues into the padding), and a small VCF generated here from a fixed
 *   seed (SNVs, insertions, deletions, and per-window edge cases: deletions spanning a
 *   window start or end, insertions at the last base or just before the first) so that
 *   track realignment is exercised.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BigWig } from '@gmod/bbi';
import { addTracks, concat, Dataset, write } from '@gvl/dataset';
import { inputs } from './paths.js';
import { CHR16_SAMPLES, type DatasetId, MAX_JITTER } from './spec.js';

/** Where one dataset and its inputs are. */
export interface DatasetFiles {
  /** The dataset directory written by `write()`. */
  path: string;
  /** Reference FASTA as given to `Dataset.open` (shared data, read only). */
  reference: string;
  /** The VCF (bgzipped, indexed). */
  vcf: string;
  /** The BED of regions (input order). */
  bed: string;
  /** Track name → sample → bigWig. */
  tracks: Record<string, Record<string, string>>;
  /** `maxJitter` the dataset was written with. */
  maxJitter: number;
}

export type Prepared = Record<DatasetId, DatasetFiles>;

/** mulberry32: a tiny seeded PRNG, so the generated VCF is the same on every machine. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The chr16 windows: 48 of 2,000/2,500/3,000 bp every 4,300 bp, strands alternating. */
export function chr16Windows(): { start: number; end: number; name: string; strand: '+' | '-' }[] {
  return Array.from({ length: 48 }, (_, k) => {
    const start = 1000 + k * 4300;
    return {
      start,
      end: start + 2000 + (k % 3) * 500,
      name: `c16w${String(k).padStart(2, '0')}`,
      strand: k % 2 === 0 ? '+' : '-',
    };
  });
}

interface GenRecord {
  pos0: number;
  ref: string;
  alt: string;
  gts: string[];
}

/**
 * The generated chr16 VCF (plain text): deterministic from the chunk's sequence and a
 * fixed seed. Records never overlap one another.
 */
export function chr16VcfText(sequence: string): string {
  const seq = sequence.toUpperCase();
  const rnd = prng(0x5eed16);
  const base = () => 'ACGT'[Math.floor(rnd() * 4)] as string;
  const bases = (n: number) => Array.from({ length: n }, base).join('');
  const recs: GenRecord[] = [];
  const free = (a: number, b: number) =>
    recs.every((r) => b + 2 <= r.pos0 || a >= r.pos0 + r.ref.length + 2);
  const acgt = (a: number, b: number) => /^[ACGT]+$/.test(seq.slice(a, b));
  const add = (pos0: number, refLen: number, alt: string, gts: string[]) => {
    if (pos0 < 1 || pos0 + refLen > seq.length || !acgt(pos0, pos0 + refLen)) return;
    if (!free(pos0, pos0 + refLen)) return;
    recs.push({ pos0, ref: seq.slice(pos0, pos0 + refLen), alt, gts });
  };
  // Edge cases first, carried by both haplotypes across the samples.
  const edgeGts = ['1|0', '0|1', '1|1', '0|0'];
  for (const [k, w] of chr16Windows().entries()) {
    const anchor = (p: number) => seq[p] as string;
    switch (k % 4) {
      case 0: // deletion spanning the window start
        add(w.start - 5, 13, anchor(w.start - 5), edgeGts);
        break;
      case 1: // deletion spanning the window end
        add(w.end - 6, 16, anchor(w.end - 6), edgeGts);
        break;
      case 2: // insertion at the last base of the window
        add(w.end - 1, 1, `${anchor(w.end - 1)}ACGTAC`, edgeGts);
        break;
      default: // insertion anchored just before the window
        add(w.start - 1, 1, `${anchor(w.start - 1)}TTGCA`, edgeGts);
    }
  }
  // Then random SNVs, insertions (1–30 bp) and deletions (1–40 bp) every 120–900 bp.
  for (let pos0 = 300; pos0 < seq.length - 100; pos0 += 120 + Math.floor(rnd() * 780)) {
    const kind = rnd();
    const gts = CHR16_SAMPLES.map(() => `${rnd() < 0.45 ? 1 : 0}|${rnd() < 0.45 ? 1 : 0}`);
    if (kind < 0.55) {
      const ref = seq[pos0] as string;
      add(pos0, 1, 'ACGT'.replace(ref, '')[Math.floor(rnd() * 3)] as string, gts);
    } else if (kind < 0.75) {
      add(pos0, 1, `${seq[pos0]}${bases(1 + Math.floor(rnd() * 30))}`, gts);
    } else {
      add(pos0, 2 + Math.floor(rnd() * 40), seq[pos0] as string, gts);
    }
  }
  recs.sort((a, b) => a.pos0 - b.pos0);
  return [
    '##fileformat=VCFv4.2',
    `##contig=<ID=chr16,length=${seq.length}>`,
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
    `#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t${CHR16_SAMPLES.join('\t')}`,
    ...recs.map(
      (r) => `chr16\t${r.pos0 + 1}\t.\t${r.ref}\t${r.alt}\t.\tPASS\t.\tGT\t${r.gts.join('\t')}`,
    ),
    '',
  ].join('\n');
}

/** Reads a single-record FASTA (the chr16 chunk). */
export function readFastaSequence(path: string): string {
  return readFileSync(path, 'utf8').split('\n').slice(1).join('').trim();
}

/** Writes the chr16 inputs (VCF, BED) into `dir`; needs bgzip and tabix. */
export function writeChr16Inputs(dir: string): { vcf: string; bed: string; vcfSha256: string } {
  mkdirSync(dir, { recursive: true });
  const text = chr16VcfText(readFastaSequence(inputs().chr16.fasta));
  const plain = join(dir, 'chr16_generated.vcf');
  writeFileSync(plain, text);
  execFileSync('bgzip', ['-f', plain]);
  execFileSync('tabix', ['-f', '-p', 'vcf', `${plain}.gz`]);
  const bed = join(dir, 'chr16_windows.bed');
  writeFileSync(
    bed,
    chr16Windows()
      .map((w) => `chr16\t${w.start}\t${w.end}\t${w.name}\t0\t${w.strand}\n`)
      .join(''),
  );
  return { vcf: `${plain}.gz`, bed, vcfSha256: createHash('sha256').update(text).digest('hex') };
}

/** Exons per transcript of the chr20 splice BED, cycled. */
const TRANSCRIPT_SIZES = [3, 1, 4, 2];

/**
 * The chr20 splice BED: the windows of `windows_2kb.bed` (text `bed`) in order, grouped
 * into transcripts of 3, 1, 4, 2, … consecutive windows (488 windows: 195 transcripts);
 * even transcripts on `+`, odd ones on `-`; `score` is the transcript number and `name`
 * `txNNN.eK`, K the exon's number on the transcript's strand (on `-`, exon 1 is the last
 * window). Read with `spliceInfo: ['score', 'name']`.
 */
export function chr20SpliceBed(bed: string): string {
  const out: string[] = [];
  let t = 0;
  let k = 0;
  for (const line of bed.split('\n').filter((l) => l.trim() !== '')) {
    const [chrom, start, end] = line.split('\t');
    const n = TRANSCRIPT_SIZES[t % TRANSCRIPT_SIZES.length] as number;
    const minus = t % 2 === 1;
    k++;
    const exon = minus ? n - k + 1 : k;
    const name = `tx${String(t).padStart(3, '0')}.e${exon}`;
    out.push([chrom, start, end, name, t, minus ? '-' : '+'].join('\t'));
    if (k === n) {
      k = 0;
      t++;
    }
  }
  return `${out.join('\n')}\n`;
}

/**
 * The two `concat()` datasets of chr20: the region axis merges datasets written from the
 * first and the second half of `windows_2kb.bed` (in that order: the merged regions are
 * chr20's, in chr20's order); the sample axis merges datasets written with the odd-ranked
 * and the even-ranked samples (sorted names; odd half first, so the merge must sort).
 */
async function writeChr20Concats(
  dir: string,
  chr20Path: string,
  regionsOut: string,
  samplesOut: string,
): Promise<void> {
  const inp = inputs();
  mkdirSync(dir, { recursive: true });
  const base = {
    variants: inp.chr20.vcf,
    reference: inp.chr20.fasta,
    maxJitter: MAX_JITTER.chr20,
    progress: false,
    onWarning: () => undefined,
  };
  const lines = readFileSync(inp.chr20.bed, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  const half = Math.ceil(lines.length / 2);
  const parts: string[] = [];
  for (const [i, rows] of [lines.slice(0, half), lines.slice(half)].entries()) {
    const bed = join(dir, `regions-${i}.bed`);
    writeFileSync(bed, `${rows.join('\n')}\n`);
    parts.push(join(dir, `regions-${i}.gvl`));
    await write(parts[i] as string, { ...base, bed });
  }
  await concat(regionsOut, parts, { axis: 'regions' });
  const samples = [...(await Dataset.open(chr20Path)).samples].sort();
  const halves = [samples.filter((_, i) => i % 2 === 1), samples.filter((_, i) => i % 2 === 0)];
  const sampleParts: string[] = [];
  for (const [i, subset] of halves.entries()) {
    sampleParts.push(join(dir, `samples-${i}.gvl`));
    await write(sampleParts[i] as string, { ...base, bed: inp.chr20.bed, samples: subset });
  }
  await concat(samplesOut, sampleParts, { axis: 'samples' });
}

/** bedGraph text of every interval of the bigWig `path` on chr16, values as stored. */
async function bedGraphOf(path: string): Promise<string> {
  const bw = new BigWig({ path });
  const header = await bw.getHeader();
  const id = header.refsByName.chr16;
  const len = id === undefined ? undefined : header.refsByNumber[id]?.length;
  if (len === undefined) throw new Error(`${path}: no chr16`);
  const features = await bw.getFeatures('chr16', 0, len);
  return features.map((f) => `chr16\t${f.start}\t${f.end}\t${f.score}\n`).join('');
}

/**
 * The chr16 dataset without tracks, then both tracks added with `addTracks` from
 * bedGraph tables (one per sample) dumped from the bigWigs `chr16Tracks()` assigns: it
 * must read as chr16's tracks.
 */
async function writeChr16Added(
  dir: string,
  out: string,
  c16: { vcf: string; bed: string },
): Promise<void> {
  const inp = inputs();
  mkdirSync(dir, { recursive: true });
  await write(out, {
    bed: c16.bed,
    variants: c16.vcf,
    reference: inp.chr16.fasta,
    maxJitter: MAX_JITTER['chr16-added'],
    progress: false,
    onWarning: () => undefined,
  });
  const tables = new Map<string, string>();
  const tableOf = async (bigWig: string): Promise<string> => {
    let path = tables.get(bigWig);
    if (path === undefined) {
      path = join(dir, `${tables.size}.bedGraph`);
      writeFileSync(path, `track type=bedGraph\n${await bedGraphOf(bigWig)}`);
      tables.set(bigWig, path);
    }
    return path;
  };
  const tracks = [];
  for (const [name, paths] of Object.entries(chr16Tracks())) {
    const table: Record<string, string> = {};
    for (const [sample, bigWig] of Object.entries(paths)) table[sample] = await tableOf(bigWig);
    tracks.push({ name, table });
  }
  await addTracks(out, { tracks });
}

/** Track assignment of the chr16 dataset: `gc` everywhere, `signal` mixing both bigWigs. */
export function chr16Tracks(): Record<string, Record<string, string>> {
  const { gc, alignability } = inputs().chr16;
  return {
    gc: { sA: gc, sB: gc, sC: gc, sD: gc },
    signal: { sA: gc, sB: alignability, sC: alignability, sD: gc },
  };
}

/** Writes the three datasets into `work` with `@gvl/dataset` `write()`. */
export async function prepareDatasets(
  work: string,
): Promise<Prepared & { chr16VcfSha256: string }> {
  const inp = inputs();
  const chr20Path = join(work, 'chr20.gvl');
  await write(chr20Path, {
    bed: inp.chr20.bed,
    variants: inp.chr20.vcf,
    reference: inp.chr20.fasta,
    maxJitter: MAX_JITTER.chr20,
    progress: false,
    onWarning: () => undefined,
  });
  // The same inputs with the INFO AF column (variant fields, AF filters): a dataset of
  // its own, so chr20's variants.arrow (and the goldens read from it) stays unchanged.
  const chr20AfPath = join(work, 'chr20-af.gvl');
  await write(chr20AfPath, {
    bed: inp.chr20.bed,
    variants: inp.chr20.vcf,
    reference: inp.chr20.fasta,
    maxJitter: MAX_JITTER['chr20-af'],
    infoFields: ['AF'],
    progress: false,
    onWarning: () => undefined,
  });
  const spliceBed = join(work, 'chr20-splice.bed');
  writeFileSync(spliceBed, chr20SpliceBed(readFileSync(inp.chr20.bed, 'utf8')));
  const chr20SplicePath = join(work, 'chr20-splice.gvl');
  await write(chr20SplicePath, {
    bed: spliceBed,
    variants: inp.chr20.vcf,
    reference: inp.chr20.fasta,
    maxJitter: MAX_JITTER['chr20-splice'],
    progress: false,
    onWarning: () => undefined,
  });
  const concatRegions = join(work, 'chr20-concat-regions.gvl');
  const concatSamples = join(work, 'chr20-concat-samples.gvl');
  await writeChr20Concats(join(work, 'chr20-parts'), chr20Path, concatRegions, concatSamples);
  const c16 = writeChr16Inputs(join(work, 'chr16-inputs'));
  const chr16AddedPath = join(work, 'chr16-added.gvl');
  await writeChr16Added(join(work, 'chr16-tables'), chr16AddedPath, c16);
  const tracks = chr16Tracks();
  const chr16Path = join(work, 'chr16.gvl');
  await write(chr16Path, {
    bed: c16.bed,
    variants: c16.vcf,
    reference: inp.chr16.fasta,
    tracks: Object.entries(tracks).map(([name, paths]) => ({ name, paths })),
    maxJitter: MAX_JITTER.chr16,
    progress: false,
    onWarning: () => undefined,
  });
  const chr20Files: DatasetFiles = {
    path: chr20Path,
    reference: inp.chr20.fasta,
    vcf: inp.chr20.vcf,
    bed: inp.chr20.bed,
    tracks: {},
    maxJitter: MAX_JITTER.chr20,
  };
  return {
    chr20: chr20Files,
    chr16: {
      path: chr16Path,
      reference: inp.chr16.fasta,
      vcf: c16.vcf,
      bed: c16.bed,
      tracks,
      maxJitter: MAX_JITTER.chr16,
    },
    'chr20-af': {
      path: chr20AfPath,
      reference: inp.chr20.fasta,
      vcf: inp.chr20.vcf,
      bed: inp.chr20.bed,
      tracks: {},
      maxJitter: MAX_JITTER['chr20-af'],
    },
    'chr20-splice': {
      path: chr20SplicePath,
      reference: inp.chr20.fasta,
      vcf: inp.chr20.vcf,
      bed: spliceBed,
      tracks: {},
      maxJitter: MAX_JITTER['chr20-splice'],
    },
    'chr20-concat-regions': { ...chr20Files, path: concatRegions },
    'chr20-concat-samples': { ...chr20Files, path: concatSamples },
    'chr16-added': {
      path: chr16AddedPath,
      reference: inp.chr16.fasta,
      vcf: c16.vcf,
      bed: c16.bed,
      tracks: {},
      maxJitter: MAX_JITTER['chr16-added'],
    },
    chr16VcfSha256: c16.vcfSha256,
  };
}
