/**
 * Validation of VCF records and extraction of ALT carriers from the GT column.
 *
 * @module
 */
import type { Variant } from '@gmod/vcf';
import { VcfError } from './errors.js';
import type { Uint32Arena } from './uint32-arena.js';

/** A validated bi-allelic, non-symbolic, atomized record. */
export interface CheckedRecord {
  /** Contig as spelled in the VCF. */
  readonly chrom: string;
  /** VCF `POS`, 1-based. */
  readonly pos: number;
  /** 0-based start (`POS - 1`). */
  readonly start: number;
  readonly ref: string;
  readonly alt: string;
  /** `len(ALT) - len(REF)`: > 0 insertion, < 0 deletion, 0 SNV. */
  readonly ilen: number;
}

/** `contig:pos REF>ALT` (1-based `pos`), the form every message names a record by. */
export function recordKey(v: Pick<Variant, 'CHROM' | 'POS' | 'REF' | 'ALT'>): string {
  return `${v.CHROM ?? '?'}:${v.POS} ${v.REF ?? '?'}>${v.ALT ? v.ALT.join(',') : '.'}`;
}

const BASES = /^[A-Za-z]+$/;

function isSymbolic(alt: string): boolean {
  return (
    alt === '*' ||
    alt.startsWith('<') ||
    alt.includes('[') ||
    alt.includes(']') ||
    alt.startsWith('.') ||
    alt.endsWith('.')
  );
}

/**
 * Checks that a record can be reconstructed: one ALT, literal alleles, atomized.
 *
 * @throws {@link VcfError} `GVL_MULTIALLELIC` (more than one ALT; split with
 *   `bcftools norm -m-`), `GVL_SYMBOLIC_ALLELE` (`<DEL>`, breakends, `*`),
 *   `GVL_UNNORMALIZED_VARIANT` (REF and ALT both longer than one base: an MNP or complex
 *   record the haplotype kernel would misplace; atomize with `bcftools norm -a`),
 *   `GVL_BAD_VCF` (no ALT, or non-letter alleles, or a bad POS, or a REF ending past
 *   2^31 − 1: positions are int32 in VCF and in the dataset).
 */
export function checkRecord(v: Variant): CheckedRecord {
  const key = recordKey(v);
  const ref = v.REF ?? '';
  if (!Number.isSafeInteger(v.POS) || v.POS < 1) {
    throw new VcfError('GVL_BAD_VCF', `record ${key}: POS must be an integer >= 1`, { value: key });
  }
  if (v.POS - 1 + ref.length > 0x7fffffff) {
    throw new VcfError(
      'GVL_BAD_VCF',
      `record ${key} ends past 2^31 - 1: VCF positions and the dataset's variant starts are int32`,
      { value: key },
    );
  }
  if (!v.ALT || v.ALT.length === 0) {
    throw new VcfError(
      'GVL_BAD_VCF',
      `record ${key} has no ALT allele: expected exactly one (drop monomorphic sites, e.g. \`bcftools view -c 1\`)`,
      { value: key },
    );
  }
  if (v.ALT.length > 1) {
    throw new VcfError(
      'GVL_MULTIALLELIC',
      `record ${key} is multi-allelic (${v.ALT.length} ALT alleles): expected bi-allelic records; split them with \`bcftools norm -m- -f REF.fa\``,
      { value: key },
    );
  }
  const alt = v.ALT[0] as string;
  if (isSymbolic(alt)) {
    throw new VcfError(
      'GVL_SYMBOLIC_ALLELE',
      `record ${key} has a symbolic or breakend ALT ${JSON.stringify(alt)}: expected literal bases; remove structural variants upstream`,
      { value: key },
    );
  }
  if (!BASES.test(ref) || !BASES.test(alt)) {
    throw new VcfError(
      'GVL_BAD_VCF',
      `record ${key}: REF and ALT must be non-empty letter sequences`,
      { value: key },
    );
  }
  if (ref.length > 1 && alt.length > 1) {
    throw new VcfError(
      'GVL_UNNORMALIZED_VARIANT',
      `record ${key} is not atomized (REF and ALT both longer than one base): split it with \`bcftools norm -a -f REF.fa\``,
      { value: key },
    );
  }
  return {
    chrom: v.CHROM ?? '',
    pos: v.POS,
    start: v.POS - 1,
    ref,
    alt,
    ilen: alt.length - ref.length,
  };
}

/**
 * Reads which haplotypes carry the ALT allele from the GT field, scanning the sample
 * columns as bytes (the FORMAT key is matched exactly, as @gmod/vcf's
 * `processGenotypes` does), without allocating per sample.
 *
 * Haplotype ids are `s * ploidy + p` with `s` the sample's position in the dataset's
 * (sorted) sample list. Allele `1` is a carrier; `0` and missing (`.`) are REF. Unphased
 * genotypes (`/`) are taken in the order written; the first heterozygous unphased call
 * triggers `onUnphased` (once).
 */
export class CarrierReader {
  private readonly sampleMap: Int32Array;
  private readonly ploidy: number;
  private readonly onUnphased: (key: string) => void;
  private warned = false;
  private scratch: Uint32Array;
  private readonly arena: Uint32Arena | undefined;

  /**
   * @param vcfSamples - sample names in VCF column order.
   * @param datasetSamples - the dataset's samples (each must be in `vcfSamples`).
   * @param ploidy - alleles per genotype.
   * @param arena - when given, the carrier arrays are carved from it (the caller releases
   *   each one once no longer used); otherwise each is a new allocation.
   */
  constructor(
    vcfSamples: readonly string[],
    datasetSamples: readonly string[],
    ploidy: number,
    onUnphased: (key: string) => void,
    arena?: Uint32Arena,
  ) {
    const pos = new Map(datasetSamples.map((s, i) => [s, i]));
    this.sampleMap = Int32Array.from(vcfSamples, (s) => pos.get(s) ?? -1);
    this.ploidy = ploidy;
    this.onUnphased = onUnphased;
    this.arena = arena;
    this.scratch = new Uint32Array(Math.max(16, datasetSamples.length * ploidy));
  }

  /**
   * Haplotype ids carrying ALT, ascending, from the sample columns of `v.line`.
   *
   * @throws {@link VcfError} `GVL_BAD_VCF` when FORMAT has no GT, an allele index is
   *   not 0 or 1, or a genotype has more alleles than the ploidy.
   */
  carriers(v: Variant): Uint32Array {
    const bytes = Buffer.from(v.line.slice(v.restStart, v.restEnd), 'latin1');
    return this.carriersIn(v, bytes, 0, bytes.length);
  }

  /**
   * Haplotype ids carrying ALT, ascending, from sample columns given as bytes:
   * `bytes[from, to)` holds the tab-separated sample columns of record `v` (whose FORMAT
   * is read from `v`), so that a long line need not become a string. With an arena (see the
   * constructor) the array is carved from it.
   *
   * @throws {@link VcfError} as {@link CarrierReader.carriers}.
   */
  carriersIn(v: Variant, bytes: Uint8Array, from: number, to: number): Uint32Array {
    // The per-record hot path: one scan of the sample columns' bytes with no allocation; splitting would add calls per sample.
    const gtCol = gtColumn(v.FORMAT ?? '');
    // FORMAT exactly `GT`: the whole column is the genotype (as @gmod/vcf reads it).
    const gtOnly = v.FORMAT === 'GT';
    if (gtCol < 0) {
      throw new VcfError(
        'GVL_BAD_VCF',
        `record ${recordKey(v)} has no GT in FORMAT ${JSON.stringify(v.FORMAT ?? '')}`,
        {
          value: recordKey(v),
        },
      );
    }
    let n = 0;
    const map = this.sampleMap;
    const ploidy = this.ploidy;
    let scratch = this.scratch;
    let bad: string | undefined;
    const text = (a: number, b: number) =>
      JSON.stringify(Buffer.from(bytes.buffer, bytes.byteOffset + a, b - a).toString('latin1'));
    let pos = from;
    for (let sampleIdx = 0; sampleIdx < map.length && pos <= to; sampleIdx++) {
      // The sample's column is [pos, colEnd); its GT field [start, end).
      let colEnd = pos;
      while (colEnd < to && bytes[colEnd] !== 9) colEnd++;
      let start = pos;
      let field = 0;
      while (field < gtCol && start < colEnd) {
        if (bytes[start] === 58 /* : */) field++;
        start++;
      }
      if (field < gtCol) start = colEnd;
      let end = gtOnly ? colEnd : start;
      while (end < colEnd && bytes[end] !== 58) end++;
      pos = colEnd + 1;
      const s = map[sampleIdx] ?? -1;
      if (s < 0) continue;
      let p = 0;
      let allele = -1; // -1: none yet / missing
      let unphased = false;
      let first = -2;
      for (let i = start; i <= end; i++) {
        const c = i < end ? (bytes[i] as number) : 124;
        if (c >= 48 && c <= 57) {
          allele = allele < 0 ? c - 48 : allele * 10 + (c - 48);
        } else if (c === 124 || c === 47) {
          if (c === 47) unphased = true;
          if (p >= ploidy) {
            bad = `genotype ${text(start, end)} of sample ${v.sampleNames[sampleIdx]} has more than ${ploidy} alleles`;
            break;
          }
          if (allele > 1) {
            bad = `genotype ${text(start, end)} of sample ${v.sampleNames[sampleIdx]} refers to allele ${allele} but the record has one ALT`;
            break;
          }
          if (allele === 1) {
            if (n === scratch.length) {
              const grown = new Uint32Array(scratch.length * 2);
              grown.set(scratch);
              scratch = grown;
            }
            scratch[n++] = s * ploidy + p;
          }
          if (p === 0) first = allele;
          else if (unphased && allele !== first && !this.warned) {
            this.warned = true;
            this.onUnphased(recordKey(v));
          }
          p++;
          allele = -1;
        } else if (c !== 46 /* . */) {
          bad = `genotype ${text(start, end)} of sample ${v.sampleNames[sampleIdx]} is malformed`;
          break;
        }
      }
      if (bad !== undefined) break;
    }
    this.scratch = scratch;
    if (bad !== undefined) {
      throw new VcfError('GVL_BAD_VCF', `record ${recordKey(v)}: ${bad}`, { value: recordKey(v) });
    }
    let out: Uint32Array;
    if (this.arena === undefined) {
      out = scratch.slice(0, n);
    } else {
      out = this.arena.acquire(n);
      out.set(scratch.subarray(0, n));
    }
    // Column order is not dataset (sorted) order; keep ids ascending.
    out.sort();
    return out;
  }
}

/** Index of the exact `GT` key among FORMAT's `:`-separated keys, `-1` when absent. */
function gtColumn(format: string): number {
  const keys = format.split(':');
  return keys.indexOf('GT');
}
