/**
 * Allele dosages stored at write time (`write({ dosageField })`): a per-sample numeric
 * FORMAT field (e.g. `DS`) read for every stored genotype call, written as
 * `genotypes/dosages.npy` parallel to `variant_idxs.npy`.
 *
 * @module
 */
import type { Variant } from '@gmod/vcf';
import { InvalidArgumentError, VcfError } from './errors.js';
import { recordKey } from './variant-record.js';
import { declaredFields } from './vcf-info.js';

/** A FORMAT field read as the dosage: its header `ID`. */
export interface DosageFieldSpec {
  /** The FORMAT `ID`, e.g. `DS`. */
  readonly name: string;
}

/**
 * Checks `dosageField` against the VCF header: declared as a FORMAT field of `Type`
 * `Float` or `Integer` (its values are stored as float32). The number of values is
 * checked per record (one per sample), as genoray's `MultiallelicDosageError`.
 *
 * @throws {@link VcfError} `GVL_BAD_VCF` naming the field and the VCF.
 */
export function resolveDosageField(vcfPath: string, header: string, name: string): DosageFieldSpec {
  const declared = declaredFields(header, 'FORMAT');
  const d = declared.get(name);
  if (!d)
    throw new VcfError(
      'GVL_BAD_VCF',
      `dosageField: ${JSON.stringify(name)} is not a FORMAT field declared in the header of ${vcfPath}: expected one of ${[...declared.keys()].join(', ') || '(no FORMAT field declared)'}`,
      { value: name },
    );
  if (d.type !== 'Float' && d.type !== 'Integer')
    throw new VcfError(
      'GVL_BAD_VCF',
      `dosageField: FORMAT/${name} has Type=${d.type} in ${vcfPath}: expected Float or Integer (stored as float32)`,
      { value: name },
    );
  return { name };
}

/** Type checks of `dosageField` (before any file is opened). */
export function checkDosageFieldOption(dosageField: unknown, hasVariants: boolean): void {
  if (dosageField === undefined) return;
  if (typeof dosageField !== 'string' || !/^[A-Za-z_][0-9A-Za-z_.]*$/.test(dosageField))
    throw new InvalidArgumentError(
      `dosageField ${JSON.stringify(dosageField)} is invalid: expected a FORMAT field ID such as 'DS'`,
      { value: dosageField },
    );
  if (!hasVariants)
    throw new InvalidArgumentError(
      'dosageField needs variants: dosages are read from the VCF FORMAT column',
      { value: dosageField },
    );
}

/**
 * Reads one record's dosages from its sample columns: per dataset sample, the value of
 * the dosage FORMAT field (`.` or a value dropped from the end of a column → NaN).
 */
export class DosageReader {
  private readonly sampleMap: Int32Array;
  private readonly ploidy: number;
  private readonly bySample: Float32Array;
  private readonly name: string;

  /**
   * @param spec - the dosage field.
   * @param vcfSamples - sample names in VCF column order.
   * @param datasetSamples - the dataset's samples (each in `vcfSamples`).
   * @param ploidy - haplotypes per sample.
   */
  constructor(
    spec: DosageFieldSpec,
    vcfSamples: readonly string[],
    datasetSamples: readonly string[],
    ploidy: number,
  ) {
    const pos = new Map(datasetSamples.map((s, i) => [s, i]));
    this.sampleMap = Int32Array.from(vcfSamples, (s) => pos.get(s) ?? -1);
    this.ploidy = ploidy;
    this.bySample = new Float32Array(datasetSamples.length);
    this.name = spec.name;
  }

  /**
   * The dosage of each haplotype in `carriers` (ids `sample * ploidy + ploid`), float32,
   * in the order of `carriers`: the dosage of the haplotype's sample in record `v`, whose
   * sample columns are `bytes[from, to)` (tab-separated).
   *
   * @throws {@link VcfError} `GVL_BAD_VCF` naming the record (and sample) when the
   *   record's FORMAT lacks the field (genoray's `DosageFieldError`), a sample has more
   *   than one value (genoray's `MultiallelicDosageError`), or a value is not a number.
   */
  dosagesIn(
    v: Variant,
    bytes: Uint8Array,
    from: number,
    to: number,
    carriers: Uint32Array,
  ): Float32Array {
    const col = this.formatColumn(v);
    const map = this.sampleMap;
    const out = this.bySample;
    out.fill(Number.NaN);
    let pos = from;
    for (let sampleIdx = 0; sampleIdx < map.length && pos <= to; sampleIdx++) {
      let colEnd = pos;
      while (colEnd < to && bytes[colEnd] !== 9) colEnd++;
      const s = map[sampleIdx] ?? -1;
      if (s >= 0) {
        let start = pos;
        let field = 0;
        while (field < col && start < colEnd) {
          if (bytes[start] === 58 /* : */) field++;
          start++;
        }
        if (field === col) {
          let end = start;
          while (end < colEnd && bytes[end] !== 58) end++;
          out[s] = this.parse(v, sampleIdx, bytes, start, end);
        }
      }
      pos = colEnd + 1;
    }
    const ds = new Float32Array(carriers.length);
    for (let i = 0; i < carriers.length; i++)
      ds[i] = out[Math.floor((carriers[i] as number) / this.ploidy)] as number;
    return ds;
  }

  /**
   * The position of the dosage field among the record's FORMAT keys (checked on every
   * record, as genoray reads the field of every record).
   *
   * @throws {@link VcfError} `GVL_BAD_VCF` naming the record when FORMAT lacks the field
   *   (genoray's `DosageFieldError`).
   */
  formatColumn(v: Variant): number {
    const col = (v.FORMAT ?? '').split(':').indexOf(this.name);
    if (col < 0)
      throw new VcfError(
        'GVL_BAD_VCF',
        `record ${recordKey(v)} has no ${this.name} in FORMAT ${JSON.stringify(v.FORMAT ?? '')}: expected the dosage field on every record`,
        { value: recordKey(v) },
      );
    return col;
  }

  private parse(v: Variant, sampleIdx: number, bytes: Uint8Array, a: number, b: number): number {
    const text = Buffer.from(bytes.buffer, bytes.byteOffset + a, b - a).toString('latin1');
    if (text === '' || text === '.') return Number.NaN;
    const bad = (why: string) =>
      new VcfError(
        'GVL_BAD_VCF',
        `record ${recordKey(v)}: FORMAT/${this.name} of sample ${v.sampleNames[sampleIdx]} is ${JSON.stringify(text)}: ${why}`,
        { value: { record: recordKey(v), sample: v.sampleNames[sampleIdx], text } },
      );
    if (text.includes(','))
      throw bad('expected one value per sample (multi-allelic dosages are not supported)');
    const x = Number(text);
    if (Number.isNaN(x) && !/^nan$/i.test(text)) throw bad('expected a number');
    return x;
  }
}
