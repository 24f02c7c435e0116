import * as native from '@gvl/native';
import type { Dataset } from './dataset.js';
import {
  AbortedError,
  BadDatasetError,
  BedError,
  DatasetError,
  FastaError,
  FileError,
  GvlError,
  InvalidArgumentError,
  isGvlError,
  RaggedError,
  TrackError,
  UnknownContigError,
  UnknownSampleError,
  VcfError,
} from './errors.js';
import type { Axis } from './indexing.js';
import { type ShareableFiles, shareableArrays } from './mapped-arrays.js';
import type { GetOutput, RaggedVariants, SeqsOutput, TracksOutput } from './output.js';
import type { Core, Plan } from './query.js';
import { Ragged, type TypedArray } from './ragged.js';

/** A structured-clone-safe form of one output piece. */
export type WirePiece =
  | { kind: 'ragged'; data: TypedArray; offsets: BigInt64Array; dims: number[] }
  | { kind: 'dense'; data: TypedArray; shape: number[] }
  | {
      kind: 'variants';
      shape: number[];
      offsets: BigInt64Array;
      start: Int32Array;
      ilen: Int32Array;
      alt: Uint8Array;
      altOffsets: BigInt64Array;
    };

export type WireOutput = WirePiece[];

function pieceToWire(o: SeqsOutput | TracksOutput): WirePiece {
  if (o instanceof Ragged)
    return { kind: 'ragged', data: o.data, offsets: o.offsets, dims: [...o.dims] };
  if ('alt' in o) {
    const v = o as RaggedVariants;
    return {
      kind: 'variants',
      shape: v.shape.slice(0, -1) as number[],
      offsets: v.offsets,
      start: v.start,
      ilen: v.ilen,
      alt: v.alt.data,
      altOffsets: v.alt.offsets,
    };
  }
  return { kind: 'dense', data: o.data, shape: [...o.shape] };
}

/** Converts an output to plain objects and lists the buffers to transfer. */
export function toWire(out: GetOutput): { wire: WireOutput; transfer: ArrayBuffer[] } {
  const pieces = Array.isArray(out) ? out : [out];
  const wire = pieces.map(pieceToWire);
  const transfer = new Set<ArrayBuffer>();
  const add = (a: TypedArray) => {
    if (a.buffer instanceof ArrayBuffer) transfer.add(a.buffer);
  };
  for (const w of wire) {
    if (w.kind !== 'variants') add(w.data);
    if (w.kind === 'ragged') add(w.offsets);
    if (w.kind === 'variants') {
      add(w.offsets);
      add(w.start);
      add(w.ilen);
      add(w.alt);
      add(w.altOffsets);
    }
  }
  return { wire, transfer: [...transfer] };
}

function pieceFromWire(w: WirePiece): SeqsOutput | TracksOutput {
  if (w.kind === 'ragged') return Ragged.fromOffsets(w.data, w.offsets, w.dims) as SeqsOutput;
  if (w.kind === 'dense') return { data: w.data, shape: w.shape } as SeqsOutput;
  return {
    shape: [...w.shape, null],
    offsets: w.offsets,
    start: w.start,
    ilen: w.ilen,
    alt: Ragged.fromOffsets(w.alt, w.altOffsets),
  };
}

/** Rebuilds an output from its wire form. */
export function fromWire(wire: WireOutput): GetOutput {
  const pieces = wire.map(pieceFromWire);
  return (pieces.length === 1 ? pieces[0] : [pieces[0], pieces[1]]) as GetOutput;
}

/**
 * What a loader worker needs to rebuild the dataset, with no copies: shared memory, and
 * memory-mapped arrays as files to map again (see `mapped-arrays.ts`).
 */
export interface WorkerInit {
  core: { files: ShareableFiles; reference: Core['reference'] };
  plan: Plan;
  regions: Axis;
  samples: Axis;
}

export function serializeCore(ds: Dataset): WorkerInit {
  const { core, plan, regions, samples } = ds.internals;
  const { bed: _bed, ...files } = core.files;
  return {
    core: { files: shareableArrays(files), reference: core.reference },
    plan,
    regions,
    samples,
  };
}

/**
 * Every error class that may cross a loader worker thread, by a key unique across
 * packages (`@gvl/dataset` and `@gvl/native` both have an `InvalidArgumentError`).
 */
const ERROR_CLASSES: ReadonlyArray<readonly [string, abstract new (...args: never[]) => Error]> = [
  ['dataset:InvalidArgumentError', InvalidArgumentError],
  ['dataset:RaggedError', RaggedError],
  ['dataset:FileError', FileError],
  ['dataset:VcfError', VcfError],
  ['dataset:BedError', BedError],
  ['dataset:FastaError', FastaError],
  ['dataset:TrackError', TrackError],
  ['dataset:UnknownContigError', UnknownContigError],
  ['dataset:UnknownSampleError', UnknownSampleError],
  ['dataset:BadDatasetError', BadDatasetError],
  ['dataset:DatasetError', DatasetError],
  ['dataset:AbortedError', AbortedError],
  ['native:InvalidArgumentError', native.InvalidArgumentError],
  ['native:IndexOutOfRangeError', native.IndexOutOfRangeError],
  ['native:PoolConfiguredError', native.PoolConfiguredError],
  ['native:PoolBuildError', native.PoolBuildError],
  ['native:AllocationError', native.AllocationError],
  ['native:AbortError', native.AbortError],
  ['native:NativePanicError', native.NativePanicError],
  ['native:NativeError', native.NativeError],
  ['errors:GvlError', GvlError],
];

/** A structured-clone-safe form of an error thrown in a loader worker. */
export type WireError =
  | {
      kind: 'gvl';
      /** Key of the class in the table above; unknown classes come back as the base. */
      cls: string;
      name: string;
      code: string;
      message: string;
      stack: string | undefined;
      /** The `cause`, made cloneable; absent when the error has none. */
      cause?: unknown;
      /** Own enumerable fields (`value`, `param`, `index`, …), made cloneable. */
      fields: Record<string, unknown>;
    }
  | { kind: 'other'; error: unknown };

function cloneable(v: unknown): unknown {
  try {
    structuredClone(v);
    return v;
  } catch {
    return String(v);
  }
}

/** Converts an error thrown in a worker to its wire form (class, code, value, fields). */
export function errorToWire(e: unknown): WireError {
  if (!isGvlError(e)) {
    // Not thrown on purpose: a bug. Built-in errors survive structured cloning (name,
    // message, stack); anything else becomes a string.
    return { kind: 'other', error: cloneable(e) };
  }
  const entry = ERROR_CLASSES.find(([, C]) => e.constructor === C);
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) if (k !== 'name') fields[k] = cloneable(v);
  return {
    kind: 'gvl',
    cls: entry?.[0] ?? 'errors:GvlError',
    name: e.name,
    code: e.code,
    message: e.message,
    stack: e.stack,
    ...('cause' in e ? { cause: cloneable(e.cause) } : {}),
    fields,
  };
}

/**
 * Rebuilds an error thrown in a loader worker as the same class, with the same code,
 * message, value and fields as on the inline path; the stack is the worker's.
 */
export function errorFromWire(w: WireError): unknown {
  if (w.kind === 'other') return w.error;
  const C = ERROR_CLASSES.find(([key]) => key === w.cls)?.[1] ?? GvlError;
  const e = Object.create(C.prototype) as Error & Record<string, unknown>;
  const own = (k: string, value: unknown) =>
    Object.defineProperty(e, k, { value, writable: true, configurable: true, enumerable: false });
  own('message', w.message);
  own('stack', w.stack);
  if ('cause' in w) own('cause', w.cause);
  Object.assign(e, w.fields, { name: w.name, code: w.code });
  return e;
}
