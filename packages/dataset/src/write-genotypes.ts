/**
 * The genotype half of `write()`, in three stages: record streaming (the VCF read once,
 * in file order, every record checked and appended to `genotypes/variants.arrow`: see
 * {@link RecordStream}), the genotype sweep (each BED contig's regions run through one
 * {@link GenotypeSweep}, whose haplotype blocks go straight to per-contig raw files: see
 * {@link openSweeps}), and array assembly (`offsets.npy` and `variant_idxs.npy` from
 * those files, in contig order: see {@link assembleArrays}).
 *
 * @module
 */
import { closeSync, openSync, readSync, renameSync, rmSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Variant } from '@gmod/vcf';
import { ContigNormalizer } from './contigs.js';
import { AbortedError, VcfError } from './errors.js';
import type { FastaSource } from './fasta.js';
import { type VariantColumns, VariantsTableWriter } from './format/arrow-tables.js';
import {
  DOSAGES_FILE,
  GENOTYPE_OFFSETS_FILE,
  GENOTYPES_DIR,
  VARIANT_IDXS_FILE,
  VARIANTS_FILE,
} from './format/layout.js';
import { RawArrayWriter } from './format/npy.js';
import {
  GenotypeSweep,
  type RegionSink,
  type SweepRecord,
  type SweepRegion,
} from './genotype-sweep.js';
import type { Progress } from './progress.js';
import { Uint32Arena } from './uint32-arena.js';
import { CarrierReader, type CheckedRecord, checkRecord, recordKey } from './variant-record.js';
import type { VcfBlock, VcfSource } from './vcf.js';
import { type DosageFieldSpec, DosageReader } from './vcf-dosage.js';
import { type InfoFieldSpec, infoValue } from './vcf-info.js';
import type { WritePlan, WriteWarning } from './write.js';

/** Throws `GVL_ABORTED` when `signal` has aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortedError('write aborted');
}

/** Longest synchronous stretch of the write before it yields to the event loop, in ms. */
const SLICE_MS = 8;

/**
 * Cooperative time slicing: `due()` is cheap to call in a hot loop (it reads the clock
 * every 32 calls); when the current slice is over, `await pause()` yields one macrotask
 * turn (timers and I/O run) and starts a new slice.
 */
class Slicer {
  private start = performance.now();
  private calls = 0;
  due(): boolean {
    if ((++this.calls & 31) !== 0) return false;
    return performance.now() - this.start > SLICE_MS;
  }
  async pause(): Promise<void> {
    await new Promise<void>((r) => setImmediate(r));
    this.start = performance.now();
  }
}

/** A record pushed to the sweeps, with the number of sweeps still holding its carriers. */
interface PooledRecord extends SweepRecord {
  refs: number;
}

interface GroupOutput {
  readonly lengthsPath: string;
  readonly idxsPath: string;
  /** With a dosage field: the dosage of each entry of `idxs`, raw float32. */
  readonly dosagesPath: string | undefined;
  lengths: RawArrayWriter;
  idxs: RawArrayWriter;
  dosages: RawArrayWriter | undefined;
  sweep: GenotypeSweep;
  finished: boolean;
}

/**
 * The dosages of the records pushed to the current contig's sweeps, by variant-table
 * row: the carrier haplotypes (ascending) and the dosage of each. Held until the contig
 * ends (every region of its sweeps is written by then): 8 bytes per carrier haplotype of
 * the records that overlap a region of the contig.
 */
class DosageStore {
  private readonly byRecord = new Map<number, { haps: Uint32Array; ds: Float32Array }>();

  set(idx: number, haps: Uint32Array, ds: Float32Array): void {
    this.byRecord.set(idx, { haps: haps.slice(), ds });
  }

  /** The dosage of haplotype `hap` in record `idx` (which `hap` carries). */
  get(idx: number, hap: number): number {
    const r = this.byRecord.get(idx);
    if (r !== undefined) {
      let lo = 0;
      let hi = r.haps.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if ((r.haps[mid] as number) < hap) lo = mid + 1;
        else hi = mid;
      }
      if (r.haps[lo] === hap) return r.ds[lo] as number;
    }
    // A stored call is always a carrier of a record pushed with its carriers.
    throw new Error(`internal: no dosage for haplotype ${hap} of record ${idx}`);
  }

  clear(): void {
    this.byRecord.clear();
  }
}

/** Reads a raw file in chunks. */
function* readChunks(path: string, chunkBytes = 1 << 20): Generator<Uint8Array> {
  const fd = openSync(path, 'r');
  try {
    const buf = new Uint8Array(chunkBytes);
    for (;;) {
      const n = readSync(fd, buf, 0, chunkBytes, null);
      if (n <= 0) return;
      yield buf.subarray(0, n);
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * Streams the VCF once, in file order: validates every record, writes
 * `genotypes/variants.arrow`, and runs each contig's regions through a
 * {@link GenotypeSweep}; then assembles `offsets.npy` and `variant_idxs.npy`.
 * Returns the stored end of every on-disk region and the number of variants.
 */
export async function writeGenotypes(
  dir: string,
  vcf: VcfSource,
  fasta: FastaSource | undefined,
  plan: WritePlan,
  samples: readonly string[],
  ploidy: number,
  extend: boolean,
  progress: Progress,
  warn: (w: WriteWarning) => void,
  signal: AbortSignal | undefined,
  info: readonly InfoFieldSpec[] = [],
  dosage?: DosageFieldSpec,
): Promise<{ ends: Float64Array; nVariants: number }> {
  const gdir = join(dir, GENOTYPES_DIR);
  await mkdir(gdir);
  const nHaps = samples.length * ploidy;
  const ends = Float64Array.from(plan.end);
  // Carrier arrays are recycled: a record's goes back to the arena once every sweep it was
  // pushed to has released it (`refs` counts the sweeps still holding it). A chunk holds
  // at least two records' worth of carriers (4 bytes per haplotype at most).
  const carrierArena = new Uint32Arena(Math.max(1 << 18, 2 * nHaps));
  const release = (rec: SweepRecord) => {
    const r = rec as PooledRecord;
    if (--r.refs === 0) carrierArena.release(r.carriers);
  };
  const reader = new CarrierReader(
    vcf.samples,
    samples,
    ploidy,
    (key) =>
      warn({
        code: 'GVL_UNPHASED',
        message: `unphased heterozygous genotype(s), first at ${key}: alleles are taken in the order written`,
      }),
    carrierArena,
  );
  const groups: GroupOutput[] = [];
  const variants = new VariantsTableWriter(join(dir, VARIANTS_FILE), info);
  const dosages =
    dosage === undefined
      ? undefined
      : {
          reader: new DosageReader(dosage, vcf.samples, samples, ploidy),
          store: new DosageStore(),
        };
  let nVariants: number;
  try {
    const sweeps = { gdir, plan, nHaps, extend, ends, warn, release, dosages: dosages?.store };
    const byVcfContig = openSweeps(sweeps, vcf, groups);
    let total = 0;
    for (const c of vcf.contigs) total += Math.max(0, vcf.recordCounts.get(c) ?? 0);
    progress.start('variants', total);
    const stream = new RecordStream(vcf, fasta, groups, byVcfContig, reader, carrierArena, {
      info,
      nHaps,
      variants,
      dosages,
    });
    nVariants = await stream.run(progress, signal);
    for (const g of groups) {
      if (!g.finished) g.sweep.finish();
      g.lengths.close();
      g.idxs.close();
      g.dosages?.close();
    }
    progress.stop();
    await variants.close();
  } catch (e) {
    await variants.abort();
    for (const g of groups) {
      g.lengths.abort();
      g.idxs.abort();
      g.dosages?.abort();
    }
    throw e;
  }
  assembleArrays(dir, groups, dosage !== undefined);
  return { ends, nVariants };
}

/** What {@link openSweeps} needs to set up the sweeps of a write. */
interface SweepSetup {
  /** The dataset's `genotypes/` directory (in the temp directory). */
  readonly gdir: string;
  readonly plan: WritePlan;
  /** Haplotypes per region: samples × ploidy. */
  readonly nHaps: number;
  /** `extendToLength`. */
  readonly extend: boolean;
  /** Stored end of every on-disk region, filled in as the sweeps end regions. */
  readonly ends: Float64Array;
  readonly warn: (w: WriteWarning) => void;
  /** Called when a sweep no longer holds a record's carriers. */
  readonly release: (rec: SweepRecord) => void;
  /** With a dosage field: where each stored call's dosage is looked up. */
  readonly dosages: DosageStore | undefined;
}

/**
 * The genotype sweep's setup: one {@link GenotypeSweep} per BED contig, pushed to
 * `groups` as it is opened (so that a failure part-way aborts the ones already open),
 * each writing its regions' haplotype lengths and variant indices to two raw files.
 * Returns the sweeps of each VCF contig (several BED spellings may map to one).
 */
function openSweeps(s: SweepSetup, vcf: VcfSource, groups: GroupOutput[]): Map<string, number[]> {
  const { gdir, plan, ends, warn } = s;
  const vcfNorm = new ContigNormalizer([...vcf.contigs, ...vcf.headerContigs]);
  const byVcfContig = new Map<string, number[]>();
  let warnedEmpty = false;
  for (let c = 0; c < plan.contigs.length; c++) {
    const bedContig = plan.contigs[c] as string;
    const vc = vcfNorm.normalize(bedContig) as string;
    const first = plan.contigStart[c] as number;
    const last = plan.contigStart[c + 1] as number;
    const regions: SweepRegion[] = [];
    for (let d = first; d < last; d++)
      regions.push({ qStart: plan.start[d] as number, qEnd: plan.end[d] as number });
    const lengthsPath = join(gdir, `.part-${c}.lengths`);
    const idxsPath = join(gdir, `.part-${c}.idxs`);
    const dosagesPath = s.dosages ? join(gdir, `.part-${c}.dosages`) : undefined;
    /** Variant indices written for the region being received. */
    let regionIdxs = 0;
    /** Haplotypes received for the region being received. */
    let regionHaps = 0;
    let dsScratch = new Float32Array(0);
    // Each block of a region's haplotypes goes straight to the files (the writers copy
    // it), so no array of a whole region is held.
    const sink: RegionSink = {
      part: (_region, lengths, idxs) => {
        out.lengths.write(lengths);
        out.idxs.write(idxs);
        if (out.dosages && s.dosages) {
          if (dsScratch.length < idxs.length) dsScratch = new Float32Array(idxs.length);
          let at = 0;
          for (let k = 0; k < lengths.length; k++) {
            const hap = regionHaps + k;
            const n = lengths[k] as number;
            for (let j = 0; j < n; j++, at++)
              dsScratch[at] = s.dosages.get(idxs[at] as number, hap);
          }
          out.dosages.write(dsScratch.subarray(0, idxs.length));
        }
        regionHaps += lengths.length;
        regionIdxs += idxs.length;
      },
      end: (region, end) => {
        ends[first + region] = end;
        if (!warnedEmpty && regionIdxs === 0) {
          warnedEmpty = true;
          warn({
            code: 'GVL_NO_VARIANTS',
            message: `region ${bedContig}:${plan.start[first + region]}-${plan.end[first + region]} has no variant in any sample; expected for small regions, but check that the BED and the VCF use the same assembly`,
          });
        }
        regionIdxs = 0;
        regionHaps = 0;
      },
    };
    const out: GroupOutput = {
      lengthsPath,
      idxsPath,
      dosagesPath,
      lengths: new RawArrayWriter(lengthsPath),
      idxs: new RawArrayWriter(idxsPath),
      dosages: dosagesPath ? new RawArrayWriter(dosagesPath) : undefined,
      finished: false,
      sweep: new GenotypeSweep(regions, s.nHaps, s.extend, sink, { onRelease: s.release }),
    };
    groups.push(out);
    byVcfContig.set(vc, [...(byVcfContig.get(vc) ?? []), c]);
  }
  return byVcfContig;
}

/** Where the records go besides the sweeps: the variants table and its INFO columns. */
interface RecordOutput {
  readonly info: readonly InfoFieldSpec[];
  /** Haplotypes per record (for the computed AF). */
  readonly nHaps: number;
  readonly variants: VariantsTableWriter;
  /** With a dosage field: its reader and the store the sweeps' sinks read. */
  readonly dosages: { readonly reader: DosageReader; readonly store: DosageStore } | undefined;
}

const EMPTY = new Uint32Array(0);

/**
 * Record streaming: reads the VCF's blocks in file order, checks each record (parse,
 * contig grouping and index counts, position order, REF against the reference, the int32
 * index bound), appends it to the variants table (in pieces of 2,048 rows), and pushes it
 * with its carriers to the sweeps of its contig that still need it.
 */
class RecordStream {
  private readonly fastaNorm: ContigNormalizer | undefined;
  private readonly slicer = new Slicer();
  private readonly cols: Required<VariantColumns>;
  /** The computed AF column, when `computeAf`. */
  private readonly afColumn: number[] | undefined;
  // Per contig of the file: its sweeps, REF spelling, last record, records read.
  private contig: string | undefined;
  private sweeps: GroupOutput[] = [];
  private refName: string | undefined;
  private prev: Variant | undefined;
  private read = 0;
  private readonly seen = new Set<string>();
  /** Index of the next record (its row in the variants table). */
  private idx = 0;

  constructor(
    private readonly vcf: VcfSource,
    private readonly fasta: FastaSource | undefined,
    private readonly groups: readonly GroupOutput[],
    private readonly byVcfContig: Map<string, number[]>,
    private readonly reader: CarrierReader,
    private readonly carrierArena: Uint32Arena,
    private readonly out: RecordOutput,
  ) {
    this.fastaNorm = fasta ? new ContigNormalizer(fasta.names) : undefined;
    this.cols = {
      chrom: [],
      pos: [],
      ref: [],
      alt: [],
      ilen: [],
      info: out.info.map(() => [] as number[]),
    };
    const afAt = out.info.findIndex((f) => f.computed);
    this.afColumn = afAt < 0 ? undefined : (this.cols.info[afAt] as number[]);
  }

  /** Streams every record; returns the number of records. */
  async run(progress: Progress, signal: AbortSignal | undefined): Promise<number> {
    const { vcf } = this;
    for await (const block of vcf.blocks(signal)) {
      throwIfAborted(signal);
      if (block.contig !== this.contig) this.enterContig(block.contig);
      this.read += block.lines.length;
      const { parsed, refLo, refHi } = await this.parseBlock(block.lines);
      const refSeq =
        this.refName !== undefined && parsed.length > 0
          ? await this.fasta?.fetch(this.refName, refLo, refHi)
          : undefined;
      for (let li = 0; li < parsed.length; li++) {
        const v = parsed[li] as Variant;
        if (this.cols.chrom.length >= 2048) this.flushColumns();
        if (this.slicer.due()) {
          await this.slicer.pause();
          throwIfAborted(signal);
        }
        const rec = this.check(v, refSeq, refLo);
        this.out.dosages?.reader.formatColumn(v);
        this.appendColumns(v, rec);
        this.pushToSweeps(v, rec, block, li);
        this.idx++;
      }
      this.flushColumns();
      progress.increment(parsed.length);
    }
    throwIfAborted(signal);
    if (this.contig !== undefined) this.endContig(this.contig);
    for (const c of vcf.contigs) {
      const indexed = vcf.recordCounts.get(c) ?? -1;
      if (!this.seen.has(c) && indexed > 0) throw this.staleIndex(c, indexed, 0);
    }
    return this.idx;
  }

  /** Ends the current contig and starts `c`: its records must not have been seen yet. */
  private enterContig(c: string): void {
    const { vcf } = this;
    if (this.contig !== undefined) this.endContig(this.contig);
    if (this.seen.has(c)) {
      throw new VcfError(
        'GVL_UNSORTED_VCF',
        `${vcf.path}: records of contig ${c} resume after records of ${this.contig}: expected each contig's records together, sorted by position (\`bcftools sort\`)`,
        { value: { path: vcf.path, contig: c } },
      );
    }
    if (!vcf.recordCounts.has(c)) {
      throw new VcfError(
        'GVL_CORRUPT_VCF',
        `${vcf.path} has records on contig ${c}, which its index ${vcf.indexPath} does not list: the index is stale or the file was altered — re-index with \`tabix -f -p vcf ${vcf.path}\` if the file is intact`,
        { value: { path: vcf.path, index: vcf.indexPath, contig: c } },
      );
    }
    this.seen.add(c);
    this.contig = c;
    this.sweeps = (this.byVcfContig.get(c) ?? []).map((g) => this.groups[g] as GroupOutput);
    this.refName = this.fastaNorm?.normalize(c);
    this.prev = undefined;
    this.read = 0;
  }

  /** Checks the contig's record count against the index and finishes its sweeps. */
  private endContig(c: string): void {
    const indexed = this.vcf.recordCounts.get(c) ?? -1;
    if (indexed >= 0 && indexed !== this.read) throw this.staleIndex(c, indexed, this.read);
    for (const g of this.sweeps) {
      g.sweep.finish();
      g.finished = true;
    }
    this.out.dosages?.store.clear();
  }

  private staleIndex(c: string, indexed: number, got: number): VcfError {
    const { vcf } = this;
    return new VcfError(
      'GVL_CORRUPT_VCF',
      `${vcf.path}: its index ${vcf.indexPath} counts ${indexed} record(s) on contig ${c} but ${got} were read: the index is stale or the file was truncated or altered — re-index with \`tabix -f -p vcf ${vcf.path}\` if the file is intact`,
      { value: { path: vcf.path, index: vcf.indexPath, contig: c, indexed, read: got } },
    );
  }

  /** Parses a block's lines; returns the records and the 0-based span their REFs cover. */
  private async parseBlock(
    lines: readonly string[],
  ): Promise<{ parsed: Variant[]; refLo: number; refHi: number }> {
    const parsed: Variant[] = [];
    let refLo = Number.POSITIVE_INFINITY;
    let refHi = Number.NEGATIVE_INFINITY;
    for (const line of lines) {
      if (this.slicer.due()) await this.slicer.pause();
      let v: Variant;
      try {
        v = this.vcf.parser.parseLine(line);
      } catch (cause) {
        throw new VcfError(
          'GVL_BAD_VCF',
          `cannot parse VCF line ${JSON.stringify(line.slice(0, 80))}: ${String(cause)}`,
          {
            value: line.slice(0, 80),
            cause,
          },
        );
      }
      parsed.push(v);
      const s = v.POS - 1;
      if (s < refLo) refLo = s;
      const e = s + (v.REF?.length ?? 1);
      if (e > refHi) refHi = e;
    }
    return { parsed, refLo, refHi };
  }

  /**
   * Checks one record: its shape ({@link checkRecord}), its position after the previous
   * record's, its REF against the reference (`refSeq` starting at 0-based `refLo`), and
   * that its index fits int32.
   */
  private check(v: Variant, refSeq: string | undefined, refLo: number): CheckedRecord {
    const rec = checkRecord(v);
    const prev = this.prev;
    if (prev !== undefined && v.POS < prev.POS) {
      throw new VcfError(
        'GVL_UNSORTED_VCF',
        `record ${recordKey(v)} comes after ${recordKey(prev)}: expected records sorted by position (\`bcftools sort\`)`,
        { value: recordKey(v) },
      );
    }
    this.prev = v;
    if (refSeq !== undefined) {
      const got = refSeq.slice(rec.start - refLo, rec.start - refLo + rec.ref.length);
      if (!refMatches(rec.ref, got)) {
        throw new VcfError(
          'GVL_REF_MISMATCH',
          `record ${recordKey(v)}: REF ${rec.ref} does not match the reference ${got || '(past the contig end)'} at ${this.contig}:${rec.pos}; fix with \`bcftools norm -c e -f REF.fa\``,
          { value: recordKey(v) },
        );
      }
    }
    if (this.idx >= 0x7fffffff) {
      throw new VcfError(
        'GVL_BAD_VCF',
        `${this.vcf.path} has more than 2^31 - 1 records: variant_idxs are int32`,
        {
          value: this.vcf.path,
        },
      );
    }
    return rec;
  }

  /** Appends the record's row (but the computed AF) to the buffered table columns. */
  private appendColumns(v: Variant, rec: CheckedRecord): void {
    const { cols } = this;
    const { info } = this.out;
    cols.chrom.push(rec.chrom);
    cols.pos.push(rec.pos);
    cols.ref.push(rec.ref);
    cols.alt.push(rec.alt);
    cols.ilen.push(rec.ilen);
    for (let f = 0; f < info.length; f++) {
      const spec = info[f] as InfoFieldSpec;
      if (!spec.computed) (cols.info[f] as number[]).push(infoValue(spec, v));
    }
  }

  /**
   * Reads the record's carriers when a sweep needs them (or for the computed AF), and
   * pushes the record to the contig's sweeps.
   */
  private pushToSweeps(v: Variant, rec: CheckedRecord, block: VcfBlock, li: number): void {
    const { sweeps, afColumn, carrierArena } = this;
    let carriers: Uint32Array | undefined;
    const readCarriers = () =>
      this.reader.carriersIn(
        v,
        block.genotypes,
        block.genotypeStart[li] as number,
        block.genotypeEnd[li] as number,
      );
    for (const g of sweeps) {
      if (g.sweep.needs(rec.start, rec.ilen)) carriers ??= readCarriers();
    }
    if (afColumn) {
      const c = carriers ?? readCarriers();
      afColumn.push(c.length / this.out.nHaps);
      // Read for the AF only: back to the arena at once.
      if (c !== carriers) carrierArena.release(c);
    }
    const dosages = this.out.dosages;
    if (dosages && carriers !== undefined && carriers.length > 0) {
      const ds = dosages.reader.dosagesIn(
        v,
        block.genotypes,
        block.genotypeStart[li] as number,
        block.genotypeEnd[li] as number,
        carriers,
      );
      dosages.store.set(this.idx, carriers, ds);
    }
    if (sweeps.length > 0) {
      const sr: PooledRecord = {
        idx: this.idx,
        start: rec.start,
        ilen: rec.ilen,
        refLen: rec.ref.length,
        carriers: carriers ?? EMPTY,
        refs: sweeps.length,
      };
      for (const g of sweeps) g.sweep.push(sr);
    }
  }

  /** Appends the buffered rows to the variants table and empties the buffers. */
  private flushColumns(): void {
    const { cols } = this;
    if (cols.chrom.length === 0) return;
    this.out.variants.append(cols);
    cols.chrom.length = 0;
    cols.pos.length = 0;
    cols.ref.length = 0;
    cols.alt.length = 0;
    cols.ilen.length = 0;
    for (const c of cols.info) c.length = 0;
  }
}

/**
 * Array assembly: `offsets.npy` (int64, R·S·P + 1), `variant_idxs.npy` (int32) and, with
 * a dosage field, `dosages.npy` (float32) from the sweeps' per-contig raw files, in contig order (the files are removed). `dir` is the
 * dataset folder.
 */
function assembleArrays(dir: string, groups: readonly GroupOutput[], dosages: boolean): void {
  const offsets = new RawArrayWriter(join(dir, GENOTYPE_OFFSETS_FILE));
  try {
    assembleOffsets(offsets, groups);
  } catch (e) {
    offsets.abort();
    throw e;
  }
  concatParts(join(dir, VARIANT_IDXS_FILE), groups, (g) => g.idxsPath);
  if (dosages) concatParts(join(dir, DOSAGES_FILE), groups, (g) => g.dosagesPath as string);
}

/** Concatenates the groups' raw part files (in group order) into `path`, removing them. */
function concatParts(
  path: string,
  groups: readonly GroupOutput[],
  part: (g: GroupOutput) => string,
): void {
  if (groups.length === 1) {
    renameSync(part(groups[0] as GroupOutput), path);
    return;
  }
  const out = new RawArrayWriter(path);
  try {
    for (const g of groups) {
      for (const bytes of readChunks(part(g))) out.write(bytes);
      rmSync(part(g));
    }
    out.close();
  } catch (e) {
    out.abort();
    throw e;
  }
}

/**
 * Writes `offsets.npy` (int64, R·S·P + 1) from the per-group haplotype lengths (raw
 * uint32 files), then closes it. Reads each file in 1 MiB pieces into one reused buffer
 * and writes through one reused chunk: nothing is allocated per piece.
 */
function assembleOffsets(offsets: RawArrayWriter, groups: readonly GroupOutput[]): void {
  let acc = 0;
  const CHUNK = 65536;
  const chunk = new Int32Array(2 * CHUNK);
  const pushOffset = (k: number) => {
    chunk[2 * k] = (acc % 0x100000000) | 0;
    chunk[2 * k + 1] = Math.floor(acc / 0x100000000);
  };
  pushOffset(0);
  offsets.write(chunk.subarray(0, 2));
  const READ = 1 << 20;
  const buf = new Uint8Array(READ + 4);
  const lengths = new Uint32Array(buf.buffer, 0, (READ + 4) / 4);
  for (const g of groups) {
    const fd = openSync(g.lengthsPath, 'r');
    try {
      /** Bytes at the front of `buf` left from the previous read (less than 4). */
      let carried = 0;
      for (;;) {
        const n = readSync(fd, buf, carried, READ, null);
        if (n <= 0) break;
        const have = carried + n;
        const whole = have - (have % 4);
        for (let i = 0; i < whole / 4; ) {
          const m = Math.min(CHUNK, whole / 4 - i);
          for (let k = 0; k < m; k++) {
            acc += lengths[i + k] as number;
            pushOffset(k);
          }
          offsets.write(chunk.subarray(0, 2 * m));
          i += m;
        }
        buf.copyWithin(0, whole, have);
        carried = have - whole;
      }
    } finally {
      closeSync(fd);
    }
    rmSync(g.lengthsPath);
  }
  offsets.close();
}

/** REF equals the reference, case-insensitively; an `N` in the reference matches any base. */
function refMatches(ref: string, fromReference: string): boolean {
  if (ref.length !== fromReference.length) return false;
  const r = ref.toUpperCase();
  for (let i = 0; i < r.length; i++) {
    const a = fromReference.charCodeAt(i);
    if (a !== 78 /* N */ && a !== r.charCodeAt(i)) return false;
  }
  return true;
}
