import type { Dataset } from './dataset.js';
import type { Axis } from './indexing.js';
import type { DatasetFiles } from './open.js';
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

/** What a loader worker needs to rebuild the dataset: shared memory, no copies. */
export interface WorkerInit {
  core: { files: Omit<DatasetFiles, 'bed'>; reference: Core['reference'] };
  plan: Plan;
  regions: Axis;
  samples: Axis;
}

export function serializeCore(ds: Dataset): WorkerInit {
  const { core, plan, regions, samples } = ds.internals;
  const { bed: _bed, ...files } = core.files;
  return { core: { files, reference: core.reference }, plan, regions, samples };
}
