/**
 * Cheap argument checks done in TypeScript before calling native code. The
 * native side re-validates everything (bounds, monotone offsets, indices)
 * before its parallel region; these checks give earlier, clearer errors for
 * wrong types.
 *
 * @internal
 */
import { invalidArgument } from './errors.js';

/** The typed-array kinds this package accepts, by `Symbol.toStringTag`. */
export type TypedArrayKind =
  | 'Uint8Array'
  | 'Int32Array'
  | 'Float32Array'
  | 'BigInt64Array'
  | 'Float64Array';

/** Throw unless `value` is a typed array of exactly `kind` (realm-safe). */
export function expectArray(param: string, value: unknown, kind: TypedArrayKind): void {
  if (!ArrayBuffer.isView(value) || Object.prototype.toString.call(value) !== `[object ${kind}]`) {
    throw invalidArgument(param, value, `${kind.startsWith('I') ? 'an' : 'a'} ${kind}`);
  }
}

/** Like {@link expectArray} but `undefined` is allowed. */
export function expectOptionalArray(param: string, value: unknown, kind: TypedArrayKind): void {
  if (value !== undefined) expectArray(param, value, kind);
}

/** Throw unless `value` is a plain object. */
export function expectObject(param: string, value: unknown): asserts value is object {
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) {
    throw invalidArgument(param, value, 'an object');
  }
}

/** Throw unless `value` is an integer in `[min, max]`. */
export function expectInt(param: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalidArgument(param, value, `an integer in [${min}, ${max}]`);
  }
  return value;
}

/** `regions` is an Int32Array of `(n, 3)` rows; returns `n`. */
export function expectRegions(regions: unknown): number {
  expectArray('regions', regions, 'Int32Array');
  const len = (regions as Int32Array).length;
  if (len % 3 !== 0) {
    throw invalidArgument(
      'regions.length',
      len,
      'a multiple of 3 (rows of contig_idx, start, end)',
    );
  }
  return len / 3;
}

/** Throw unless `arr.length === want`. */
export function expectLength(
  param: string,
  arr: ArrayLike<unknown>,
  want: number,
  why: string,
): void {
  if (arr.length !== want) throw invalidArgument(`${param}.length`, arr.length, `${want} (${why})`);
}

/**
 * The pad byte as the addon takes it: a one-character string becomes its code;
 * a number passes through (the addon checks it is an integer in [0, 255]);
 * absent stays absent (`N`).
 */
export function padByte(pad: unknown): number | undefined {
  if (pad === undefined || typeof pad === 'number') return pad;
  if (typeof pad === 'string' && pad.length === 1) return pad.charCodeAt(0);
  throw invalidArgument('padChar', pad, 'a byte value in [0, 255] or a one-character string');
}

/** The last element of an offsets array, or 0n when empty or negative (then native validation names it). */
export function lastOffsetBig(offsets: BigInt64Array): bigint {
  const last = offsets.length === 0 ? 0n : (offsets[offsets.length - 1] ?? 0n);
  return last < 0n ? 0n : last;
}

/** The last element of an offsets array as a non-negative number (0 when empty or negative). */
export function lastOffset(offsets: BigInt64Array): number {
  return offsets.length === 0 ? 0 : Math.max(0, Number(offsets[offsets.length - 1]));
}

/** Throw unless `value` is a bigint (the addon checks it is in `[0, 2^64)`). */
export function expectBigInt(param: string, value: unknown): bigint {
  if (typeof value !== 'bigint') throw invalidArgument(param, value, 'a bigint in [0, 2^64)');
  return value;
}

/** `genotypes` has BigInt64Array `offsets` and Int32Array `variantIdxs`. */
export function expectGenotypes(genotypes: unknown): void {
  expectObject('genotypes', genotypes);
  const g = genotypes as { offsets?: unknown; variantIdxs?: unknown };
  expectArray('genotypes.offsets', g.offsets, 'BigInt64Array');
  expectArray('genotypes.variantIdxs', g.variantIdxs, 'Int32Array');
}

/** `variants` has Int32Array `starts`/`ilens` (and, `withAlts`, `alts`/`altOffsets`). */
export function expectVariants(variants: unknown, withAlts: boolean): void {
  expectObject('variants', variants);
  const v = variants as { starts?: unknown; ilens?: unknown; alts?: unknown; altOffsets?: unknown };
  expectArray('variants.starts', v.starts, 'Int32Array');
  expectArray('variants.ilens', v.ilens, 'Int32Array');
  if (withAlts) {
    expectArray('variants.alts', v.alts, 'Uint8Array');
    expectArray('variants.altOffsets', v.altOffsets, 'BigInt64Array');
  }
}

/** `reference` has a Uint8Array `sequence` and BigInt64Array `offsets`. */
export function expectReference(reference: unknown): void {
  expectObject('reference', reference);
  const r = reference as { sequence?: unknown; offsets?: unknown };
  expectArray('reference.sequence', r.sequence, 'Uint8Array');
  expectArray('reference.offsets', r.offsets, 'BigInt64Array');
}

/** Per-(query, haplotype) inputs: `ploidy`, `groups` and optional `shifts`. Returns `n * ploidy`. */
export function expectHaplotypeQueries(input: {
  regions: unknown;
  ploidy: unknown;
  groups: unknown;
  shifts?: unknown;
}): { n: number; ploidy: number; rows: number } {
  const n = expectRegions(input.regions);
  const ploidy = expectInt('ploidy', input.ploidy, 1, 1 << 16);
  expectArray('groups', input.groups, 'BigInt64Array');
  expectLength('groups', input.groups as BigInt64Array, n * ploidy, 'one per query and haplotype');
  expectOptionalArray('shifts', input.shifts, 'Int32Array');
  if (input.shifts !== undefined) {
    expectLength('shifts', input.shifts as Int32Array, n * ploidy, 'one per query and haplotype');
  }
  return { n, ploidy, rows: n * ploidy };
}
