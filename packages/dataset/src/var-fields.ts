/**
 * Variant fields: the per-variant columns of `genotypes/variants.arrow` beyond the
 * positional ones (INFO columns stored at write time, `REF`), which of them the
 * `'variants'` output carries (`varFields`), and the allele-frequency filter
 * (`minAf`/`maxAf`) read from the `AF` column.
 *
 * @module
 */
import { DataType, type Table, type Vector } from 'apache-arrow';
import { GvlError } from './errors.js';
import type { VariantTable } from './open.js';

/**
 * The typed array of one numeric per-variant column, dtype as stored in
 * `genotypes/variants.arrow`: `Float32Array` for a VCF `Float` INFO field,
 * `Int32Array` for `Integer`, `Uint8Array` (0/1) for `Flag` as `gvl write` stores them;
 * other Arrow integer and float widths as written by other tools.
 */
export type VariantFieldArray =
  | Int8Array
  | Int16Array
  | Int32Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array;

/** The fields every dataset with genotypes offers, in the peer's order. */
export const BUILTIN_VAR_FIELDS = ['alt', 'ilen', 'start'] as const;

/** The default `varFields` (the peer's default `var_fields`). */
export const DEFAULT_VAR_FIELDS: readonly string[] = BUILTIN_VAR_FIELDS;

/**
 * Columns of `variants.arrow` that are never INFO fields: the peer loads every other
 * numeric column as one (`_Variants.available_info_fields`).
 */
const POSITIONAL = new Set(['POS', 'ILEN']);

/** Names a stored INFO column may not take: they would shadow a built-in field. */
export const RESERVED_FIELD_NAMES: ReadonlySet<string> = new Set([
  'CHROM',
  'POS',
  'REF',
  'ALT',
  'ILEN',
  'alt',
  'ilen',
  'start',
  'ref',
  'dosage',
]);

type ArrayCtor = {
  new (n: number | SharedArrayBuffer): VariantFieldArray;
  BYTES_PER_ELEMENT: number;
};

/** The typed array constructor of a numeric Arrow type, or null for any other type. */
function arrayType(t: DataType): ArrayCtor | null {
  if (DataType.isFloat(t)) {
    // Half floats have no typed array; they are not a variant field here.
    return t.precision === 1 ? Float32Array : t.precision === 2 ? Float64Array : null;
  }
  if (!DataType.isInt(t)) return null;
  const table: Record<number, [ArrayCtor, ArrayCtor]> = {
    8: [Int8Array, Uint8Array],
    16: [Int16Array, Uint16Array],
    32: [Int32Array, Uint32Array],
    64: [BigInt64Array, BigUint64Array],
  };
  const pair = table[t.bitWidth];
  return pair ? (t.isSigned ? pair[0] : pair[1]) : null;
}

/**
 * The INFO columns of a variant table: every numeric column but `POS` and `ILEN`, in
 * schema order, copied into `SharedArrayBuffer`s. A float column's nulls become NaN;
 * an integer column with a null is refused through `bad`.
 *
 * @param table - `genotypes/variants.arrow`.
 * @param bad - makes the `GVL_BAD_DATASET` error naming a column, row and value.
 */
export function readInfoColumns(
  table: Table,
  bad: (message: string, value: unknown, index: number | null) => Error,
): Map<string, VariantFieldArray> {
  const out = new Map<string, VariantFieldArray>();
  for (const field of table.schema.fields) {
    if (POSITIONAL.has(field.name)) continue;
    const Ctor = arrayType(field.type);
    if (!Ctor) continue;
    const col = table.getChild(field.name) as Vector;
    const n = table.numRows;
    const arr = new Ctor(new SharedArrayBuffer(n * Ctor.BYTES_PER_ELEMENT));
    const float = DataType.isFloat(field.type);
    let row = 0;
    for (const chunk of col.data) {
      // `values` starts at the chunk's first element (slicing moves it); validity is by index.
      const values = chunk.values as ArrayLike<number | bigint>;
      for (let i = 0; i < chunk.length; i++, row++) {
        if (chunk.nullCount > 0 && !chunk.getValid(i)) {
          if (!float)
            throw bad(
              `${field.name}[${row}] is null: expected a ${field.type} value (integer INFO columns may not have missing values)`,
              null,
              row,
            );
          arr[row] = Number.NaN;
          continue;
        }
        (arr as unknown as (number | bigint)[])[row] = values[i] as number | bigint;
      }
    }
    out.set(field.name, arr);
  }
  return out;
}

/**
 * The variant fields a dataset offers, in the peer's order: `alt`, `ilen`, `start`, the
 * stored INFO columns in file order, `ref` when the table has REF alleles, then `dosage`
 * when the dataset stores dosages (`genotypes/dosages.npy`).
 *
 * @see genvarloader `Dataset.available_var_fields`.
 */
export function availableVarFields(variants: VariantTable | null, hasDosages = false): string[] {
  if (!variants) return [];
  return [
    ...BUILTIN_VAR_FIELDS,
    ...variants.info.keys(),
    ...(variants.ref ? ['ref'] : []),
    ...(hasDosages ? ['dosage'] : []),
  ];
}

/** The settings this module checks. */
interface VarFieldSettings {
  varFields: readonly string[];
  minAf: number | null;
  maxAf: number | null;
}

/**
 * Checks `varFields` and the AF filter against a dataset: every field must be one of
 * {@link availableVarFields} (`'dosage'` needs `hasDosages`); `minAf`/`maxAf` need an `AF`
 * column and `'variants'` output.
 *
 * @throws {@link GvlError} `GVL_UNKNOWN_VAR_FIELD`, `GVL_NO_AF`, `GVL_INVALID_MODE`.
 */
export function checkVarFields(
  path: string,
  variants: VariantTable | null,
  seqs: string | null,
  s: VarFieldSettings,
  hasDosages = false,
): void {
  const available = availableVarFields(variants, hasDosages);
  // The built-in fields are accepted without genotypes too (they select nothing there).
  const builtin: readonly string[] = BUILTIN_VAR_FIELDS;
  const missing = s.varFields.filter((f) => !available.includes(f) && !builtin.includes(f));
  if (missing.length > 0)
    throw new GvlError(
      'GVL_UNKNOWN_VAR_FIELD',
      `variant field(s) ${missing.map((f) => JSON.stringify(f)).join(', ')} are not in ${path}: expected some of ${available.length ? available.map((f) => `'${f}'`).join(', ') : '(none: the dataset has no genotypes)'}; store INFO fields with write({ infoFields }) and dosages with write({ dosageField })`,
      { value: missing },
    );
  if (s.minAf === null && s.maxAf === null) return;
  if (!variants?.info.has('AF'))
    throw new GvlError(
      'GVL_NO_AF',
      `minAf/maxAf need an AF column in ${path}/genotypes/variants.arrow and it has none: write the dataset with { infoFields: ['AF'] } (a VCF with INFO/AF)`,
      { value: { minAf: s.minAf, maxAf: s.maxAf } },
    );
  if (seqs === 'haplotypes' || seqs === 'annotated')
    throw new GvlError(
      'GVL_INVALID_MODE',
      `minAf/maxAf filter the 'variants' output only, not '${seqs}' (as genvarloader, which does not filter haplotypes by AF): use withSeqs('variants'), or withSettings({ minAf: null, maxAf: null })`,
      { value: seqs },
    );
}

const keepMasks = new WeakMap<VariantTable, Map<string, Uint8Array>>();

/**
 * The per-variant keep flags of the AF filter, `1` where `minAf <= AF <= maxAf` (a NaN
 * AF fails every bound), computed once per table and thresholds; `undefined` when no
 * bound is set.
 *
 * @see genvarloader `_flat_variants.get_variants_flat` (`keep &= afs >= min_af`, …).
 */
export function afKeepMask(
  variants: VariantTable,
  minAf: number | null,
  maxAf: number | null,
): Uint8Array | undefined {
  if (minAf === null && maxAf === null) return undefined;
  const key = `${minAf}:${maxAf}`;
  let byKey = keepMasks.get(variants);
  const hit = byKey?.get(key);
  if (hit) return hit;
  const af = variants.info.get('AF') as VariantFieldArray;
  const keep = new Uint8Array(af.length);
  // The peer compares in the column's dtype: float32 AF against a float threshold
  // rounded to float32 by numpy's comparison of a float32 array with a Python float.
  const lo = minAf === null ? null : af instanceof Float32Array ? Math.fround(minAf) : minAf;
  const hi = maxAf === null ? null : af instanceof Float32Array ? Math.fround(maxAf) : maxAf;
  for (let i = 0; i < af.length; i++) {
    const x = Number(af[i]);
    keep[i] = (lo === null || x >= lo) && (hi === null || x <= hi) ? 1 : 0;
  }
  if (!byKey) {
    byKey = new Map();
    keepMasks.set(variants, byKey);
  }
  byKey.set(key, keep);
  return keep;
}

/**
 * The value a dummy variant takes in a numeric column: NaN for floats, 0 for integers
 * (the peer's `DummyVariant.scalar_for` without custom info values).
 */
function dummyValue(arr: VariantFieldArray): number | bigint {
  if (arr instanceof Float32Array || arr instanceof Float64Array) return Number.NaN;
  return arr instanceof BigInt64Array || arr instanceof BigUint64Array ? 0n : 0;
}

/**
 * Gathers INFO column `src` at the variant indices of an output (`-1`: a dummy).
 */
export function gatherColumn(src: VariantFieldArray, variantIdx: Int32Array): VariantFieldArray {
  const Ctor = src.constructor as ArrayCtor;
  const out = new Ctor(variantIdx.length);
  const fill = dummyValue(src);
  const o = out as unknown as (number | bigint)[];
  for (let i = 0; i < variantIdx.length; i++) {
    const v = variantIdx[i] as number;
    o[i] = v < 0 ? fill : (src[v] as number | bigint);
  }
  return out;
}

/**
 * The dosage of each output entry of a `'variants'` gather: for every output row, the
 * entries `offsets[g]..offsets[g + 1]` of each of its `groupsPerRow` genotype groups `g`
 * (in order) whose variant `keep` flags (all when absent), exactly the entries the
 * native gather walks; a row that gathers none holds one dummy (dosage 0, the peer's
 * `DummyVariant` default) when `dummy`.
 *
 * @param groups - int64 genotype group of each (row, group-of-row), as given to the gather.
 * @param genotypes - the CSR and its float32 `dosages` (parallel to `variantIdxs`).
 * @param rowOffsets - int64 `(rows + 1)` output offsets of the gather.
 * @returns float32 `(n)`, parallel to the gather's `start`.
 * @throws Error when the entries walked disagree with the gather's layout (an internal fault).
 */
export function gatherDosages(
  groups: BigInt64Array,
  genotypes: { offsets: BigInt64Array; variantIdxs: Int32Array; dosages: Float32Array },
  groupsPerRow: number,
  rowOffsets: BigInt64Array,
  keep: Uint8Array | undefined,
  dummy: boolean,
): Float32Array {
  const rows = rowOffsets.length - 1;
  const n = Number(rowOffsets[rows] ?? 0n);
  const out = new Float32Array(n);
  const { offsets, variantIdxs, dosages } = genotypes;
  let at = 0;
  for (let r = 0; r < rows; r++) {
    const rowStart = at;
    for (let k = r * groupsPerRow; k < (r + 1) * groupsPerRow; k++) {
      const g = Number(groups[k] as bigint);
      const e = Number(offsets[g + 1] as bigint);
      for (let i = Number(offsets[g] as bigint); i < e; i++) {
        if (keep !== undefined && keep[variantIdxs[i] as number] === 0) continue;
        out[at++] = dosages[i] as number;
      }
    }
    if (at === rowStart && dummy) out[at++] = 0;
    if (at !== Number(rowOffsets[r + 1] as bigint))
      throw new Error(
        `internal: row ${r} walks ${at - rowStart} dosage entries but the gather output has ${Number((rowOffsets[r + 1] as bigint) - (rowOffsets[r] as bigint))}`,
      );
  }
  return out;
}

/**
 * Gathers REF alleles at the variant indices of an output (`-1`: a dummy, REF `N`),
 * each allele reverse-complemented (uppercase `ACGT` only) when its row is flagged.
 *
 * @param rowOffsets - int64 `(rows + 1)` variant offsets of the output rows.
 * @param rcRows - uint8 `(rows)` flags.
 * @returns the REF bytes and their int64 `(n + 1)` offsets.
 */
export function gatherRef(
  variants: VariantTable,
  variantIdx: Int32Array,
  rowOffsets: BigInt64Array,
  rcRows: Uint8Array,
): { data: Uint8Array; offsets: BigInt64Array } {
  const ref = variants.ref as Uint8Array;
  const refOffsets = variants.refOffsets as BigInt64Array;
  const n = variantIdx.length;
  const offsets = new BigInt64Array(n + 1);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const v = variantIdx[i] as number;
    total += v < 0 ? 1 : Number((refOffsets[v + 1] as bigint) - (refOffsets[v] as bigint));
    offsets[i + 1] = BigInt(total);
  }
  const data = new Uint8Array(total);
  const COMP: Record<number, number> = { 65: 84, 84: 65, 67: 71, 71: 67 };
  let row = 0;
  for (let i = 0; i < n; i++) {
    while (BigInt(i) >= (rowOffsets[row + 1] as bigint)) row++;
    const v = variantIdx[i] as number;
    const at = Number(offsets[i]);
    if (v < 0) {
      data[at] = 78; // 'N'
      continue;
    }
    const s = Number(refOffsets[v]);
    const e = Number(refOffsets[v + 1]);
    if (rcRows[row]) {
      for (let j = 0; j < e - s; j++) {
        const b = ref[e - 1 - j] as number;
        data[at + j] = COMP[b] ?? b;
      }
    } else {
      data.set(ref.subarray(s, e), at);
    }
  }
  return { data, offsets };
}
