/**
 * INFO fields stored in `genotypes/variants.arrow` at write time (`write({ infoFields })`):
 * which header declarations can be stored, their column dtypes, and each record's value.
 *
 * @module
 */
import type { Variant } from '@gmod/vcf';
import { InvalidArgumentError, VcfError } from './errors.js';
import { RESERVED_FIELD_NAMES } from './var-fields.js';
import { recordKey } from './variant-record.js';

/** Column dtype of a stored INFO field. */
export type InfoDtype = 'float32' | 'int32' | 'uint8';

/** One INFO field to store: its header `ID` and column dtype. */
export interface InfoFieldSpec {
  /** The INFO `ID`, also the column name. */
  readonly name: string;
  /** `Float` → float32, `Integer` → int32, `Flag` → uint8 (1 when present, else 0). */
  readonly dtype: InfoDtype;
  /** Computed from the genotypes (`computeAf`) rather than read from INFO. */
  readonly computed?: boolean;
}

/** The `AF` column `write({ computeAf: true })` adds: ALT calls / (samples × ploidy). */
export const COMPUTED_AF: InfoFieldSpec = { name: 'AF', dtype: 'float32', computed: true };

interface Declared {
  readonly number: string;
  readonly type: string;
}

/**
 * The `##INFO=<ID=…,Number=…,Type=…>` (or `##FORMAT=<…>`) declarations of a header, by
 * ID. Read from the header text itself: `@gmod/vcf`'s `getMetadata` merges in the VCF
 * specification's reserved definitions, so it cannot tell whether the file declares a field.
 */
export function declaredFields(
  header: string,
  section: 'INFO' | 'FORMAT' = 'INFO',
): Map<string, Declared> {
  const out = new Map<string, Declared>();
  const prefix = `##${section}=<`;
  for (const line of header.split('\n')) {
    if (!line.startsWith(prefix)) continue;
    const body = line.slice(prefix.length);
    // ID, Number and Type come before any quoted Description.
    const key = (k: string) => new RegExp(`(?:^|,)${k}=([^,>]*)`).exec(body)?.[1];
    const id = key('ID');
    if (id !== undefined) out.set(id, { number: key('Number') ?? '', type: key('Type') ?? '' });
  }
  return out;
}

const DTYPES: Record<string, InfoDtype> = { Float: 'float32', Integer: 'int32', Flag: 'uint8' };

/**
 * Checks `infoFields` against the VCF header: each name declared as INFO, of `Type`
 * `Float` or `Integer` with `Number` `1` or `A` (one value: records are bi-allelic), or
 * `Flag`; not a built-in column name; listed once.
 *
 * @throws {@link InvalidArgumentError} `GVL_INVALID_ARGUMENT` when `infoFields` is not an
 *   array of strings.
 * @throws {@link VcfError} `GVL_BAD_INFO_FIELD` naming the field and the VCF.
 */
export function resolveInfoFields(
  vcfPath: string,
  header: string,
  requested: readonly string[],
): InfoFieldSpec[] {
  const declared = declaredFields(header, 'INFO');
  const out: InfoFieldSpec[] = [];
  const seen = new Set<string>();
  for (const name of requested) {
    const bad = (why: string) =>
      new VcfError('GVL_BAD_INFO_FIELD', `infoFields: ${JSON.stringify(name)} ${why}`, {
        value: name,
      });
    if (seen.has(name)) throw bad('is listed twice');
    seen.add(name);
    if (RESERVED_FIELD_NAMES.has(name))
      throw bad('is a built-in column of the variant table: expected an INFO field');
    const d = declared.get(name);
    if (!d)
      throw bad(
        `is not declared in the header of ${vcfPath}: expected one of ${[...declared.keys()].join(', ') || '(no INFO field declared)'}`,
      );
    const dtype = DTYPES[d.type];
    if (!dtype)
      throw bad(
        `has Type=${d.type} in ${vcfPath}: expected Float, Integer or Flag (stored as float32, int32, uint8)`,
      );
    const ok = d.type === 'Flag' ? d.number === '0' : d.number === '1' || d.number === 'A';
    if (!ok)
      throw bad(
        `has Number=${d.number} in ${vcfPath}: expected ${d.type === 'Flag' ? '0' : '1 or A (one value per bi-allelic record)'}`,
      );
    out.push({ name, dtype });
  }
  return out;
}

/** Type checks of `infoFields` and `computeAf` (before any file is opened). */
export function checkInfoFieldsOption(
  infoFields: unknown,
  hasVariants: boolean,
  computeAf: unknown,
): void {
  if (computeAf !== undefined && typeof computeAf !== 'boolean')
    throw new InvalidArgumentError(
      `computeAf ${JSON.stringify(computeAf)} is invalid: expected a boolean`,
      { value: computeAf },
    );
  if (computeAf && !hasVariants)
    throw new InvalidArgumentError('computeAf needs variants: AF is computed from genotypes', {
      value: computeAf,
    });
  if (infoFields === undefined) return;
  if (!Array.isArray(infoFields) || infoFields.some((f) => typeof f !== 'string' || f === ''))
    throw new InvalidArgumentError(
      `infoFields ${JSON.stringify(infoFields)} is invalid: expected an array of INFO field IDs`,
      { value: infoFields },
    );
  if (infoFields.length > 0 && !hasVariants)
    throw new InvalidArgumentError('infoFields needs variants: INFO fields are read from the VCF', {
      value: infoFields,
    });
  if (computeAf && infoFields.includes('AF'))
    throw new InvalidArgumentError(
      "computeAf and infoFields ['AF'] both name the AF column: keep one",
      { value: infoFields },
    );
}

/**
 * The value of INFO field `spec` in parsed record `v`: a Flag is 1 when present, else 0;
 * a missing Float (`.` or absent) is NaN.
 *
 * @throws {@link VcfError} `GVL_BAD_VCF` for a missing or unparsable Integer value
 *   (int32 has no missing value), naming the record.
 */
export function infoValue(spec: InfoFieldSpec, v: Variant): number {
  const raw = (v.INFO as Record<string, unknown> | undefined)?.[spec.name];
  if (spec.dtype === 'uint8') return raw === undefined || raw === null || raw === false ? 0 : 1;
  const x = Array.isArray(raw) ? raw[0] : raw;
  if (typeof x === 'number' && Number.isFinite(x)) {
    if (spec.dtype === 'float32') return x;
    if (Number.isInteger(x) && x >= -0x80000000 && x <= 0x7fffffff) return x;
  } else if (spec.dtype === 'float32' && (x === undefined || x === null || typeof x === 'number')) {
    return Number.NaN;
  }
  throw new VcfError(
    'GVL_BAD_VCF',
    `record ${recordKey(v)}: INFO/${spec.name} is ${JSON.stringify(x ?? '.')}: expected an int32 (an Integer INFO field stored with infoFields may not be missing)`,
    { value: recordKey(v) },
  );
}
