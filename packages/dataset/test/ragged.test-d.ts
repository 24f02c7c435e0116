import { describe, expectTypeOf, it } from 'vitest';
import {
  type Dense,
  type ElementOf,
  Ragged,
  type RaggedShape,
  type TypedArray,
} from '../src/index.js';

describe('Ragged<T> types', () => {
  it('keeps the typed array type through views', () => {
    const r = Ragged.fromLengths(new Uint8Array(3), [1, 2]);
    expectTypeOf(r).toEqualTypeOf<Ragged<Uint8Array<ArrayBuffer>>>();
    expectTypeOf(r.row(0)).toEqualTypeOf<Uint8Array<ArrayBuffer>>();
    expectTypeOf(r.at(0)).toEqualTypeOf<Uint8Array<ArrayBuffer>>();
    expectTypeOf(r.rows(0, 1)).toEqualTypeOf<Ragged<Uint8Array<ArrayBuffer>>>();
    expectTypeOf(r.data).toEqualTypeOf<Uint8Array<ArrayBuffer>>();
    expectTypeOf(r.offsets).toEqualTypeOf<BigInt64Array>();
    expectTypeOf(r.shape).toEqualTypeOf<RaggedShape>();
    expectTypeOf(r.lengths()).toEqualTypeOf<Float64Array>();
    const f = Ragged.fromOffsets(new Float32Array(2), [0, 2]);
    expectTypeOf(f.toPadded(0)).toEqualTypeOf<Dense<Float32Array<ArrayBuffer>>>();
  });

  it('ties the pad value type to the element type', () => {
    expectTypeOf<ElementOf<Uint8Array>>().toEqualTypeOf<number>();
    expectTypeOf<ElementOf<Float32Array>>().toEqualTypeOf<number>();
    expectTypeOf<ElementOf<BigInt64Array>>().toEqualTypeOf<bigint>();
    expectTypeOf<ElementOf<BigUint64Array>>().toEqualTypeOf<bigint>();
    const b = Ragged.fromLengths(new BigInt64Array(1), [1]);
    expectTypeOf(b.toPadded).parameter(0).toEqualTypeOf<bigint>();
    const u = Ragged.fromLengths(new Uint8Array(1), [1]);
    expectTypeOf(u.toPadded).parameter(0).toEqualTypeOf<number>();
    // @ts-expect-error a bigint pad for a Uint8Array
    u.toPadded(0n);
    // @ts-expect-error a number pad for a BigInt64Array
    b.toPadded(0);
  });

  it('accepts only typed arrays', () => {
    expectTypeOf<Int16Array>().toExtend<TypedArray>();
    // @ts-expect-error plain arrays are not typed arrays
    Ragged.fromLengths([1, 2, 3], [3]);
    // @ts-expect-error DataView is not a typed array
    Ragged.fromLengths(new DataView(new ArrayBuffer(1)), [1]);
  });

  it('shapes end with the ragged axis', () => {
    expectTypeOf<[2, 3, null]>().toExtend<RaggedShape>();
    expectTypeOf<[2, 3]>().not.toExtend<RaggedShape>();
  });
});
