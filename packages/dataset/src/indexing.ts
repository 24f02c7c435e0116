import { GvlError, InvalidArgumentError, UnknownSampleError } from './errors.js';

/**
 * A Python-style slice over an axis: `start` (default 0), `stop` (default the axis
 * length, exclusive), `step` (default 1, must be > 0). Negative `start`/`stop` count
 * from the end.
 */
export interface Slice {
  /** Always `'slice'`: tells a slice apart from an index or an index array. */
  readonly kind: 'slice';
  /** First position (inclusive); negative counts from the end. Default 0. */
  readonly start?: number;
  /** End position (exclusive); negative counts from the end. Default the axis length. */
  readonly stop?: number;
  /** Stride, an integer > 0. Default 1. */
  readonly step?: number;
}

/**
 * Builds a {@link Slice}: `slice()` is the whole axis, `slice(0, 10)` the first ten,
 * `slice(0, null, 2)` every other element.
 *
 * @throws {@link GvlError} `GVL_INVALID_ARGUMENT` when `step` is not a positive integer.
 * @example
 * ```ts
 * await ds.get(slice(0, 10), 'HG00096'); // the first 10 regions: shape [10, 1, 2, ~len]
 * ds.subsetTo({ samples: slice(0, null, 2) }); // every other sample
 * ```
 */
export function slice(start?: number | null, stop?: number | null, step?: number | null): Slice {
  if (step != null && (!Number.isSafeInteger(step) || step < 1)) {
    throw new InvalidArgumentError(`slice step ${step} is invalid: expected an integer >= 1`, {
      value: step,
    });
  }
  return {
    kind: 'slice',
    ...(start == null ? {} : { start }),
    ...(stop == null ? {} : { stop }),
    ...(step == null ? {} : { step }),
  };
}

/**
 * An index along the region or sample axis: an integer (negative counts from the end),
 * a name (a sample name, or a region's BED `name`), a list of either, a typed array of
 * integers (`Int32Array`, `Uint32Array`, `Float64Array` holding integers), a boolean
 * mask (a `boolean[]` with one entry per item of the axis; a typed array is always read
 * as integer positions), or a {@link Slice}. `undefined` is the whole axis.
 */
export type AxisIndex =
  | number
  | string
  | readonly (number | string)[]
  | Int32Array
  | Uint32Array
  | Float64Array
  | readonly boolean[]
  | Slice
  | undefined;

/** Result of resolving a `(regions, samples)` query against the current subset. */
export interface ResolvedQuery {
  /** On-disk region index per item (length n). */
  regionIdx: Int32Array;
  /** On-disk (full) sample index per item (length n). */
  sampleIdx: Int32Array;
  /** Leading dimensions of the output: `[]` (both scalars), `[n]` or `[nRegions, nSamples]`. */
  shape: number[];
}

function isSlice(x: unknown): x is Slice {
  return typeof x === 'object' && x !== null && (x as Slice).kind === 'slice';
}

function sliceToPositions(s: Slice, n: number): Int32Array {
  const step = s.step ?? 1;
  const norm = (v: number | undefined, dflt: number) => {
    if (v === undefined) return dflt;
    if (!Number.isSafeInteger(v)) {
      throw new InvalidArgumentError(`slice bound ${v} is invalid: expected an integer`, {
        value: v,
      });
    }
    const x = v < 0 ? v + n : v;
    return Math.min(Math.max(x, 0), n);
  };
  const start = norm(s.start, 0);
  const stop = norm(s.stop, n);
  const len = stop > start ? Math.ceil((stop - start) / step) : 0;
  const out = new Int32Array(len);
  for (let i = 0; i < len; i++) out[i] = start + i * step;
  return out;
}

/** One axis: its current-subset → full-index map and how to look names up. */
export interface Axis {
  /** `'region'` or `'sample'`, for error messages. */
  name: 'region' | 'sample';
  /** Full (input-order) index of each position of the current subset. */
  subset: Int32Array;
  /** Name → full (input-order) index, when the axis has names. */
  names: ReadonlyMap<string, number> | null;
}

/**
 * Resolves one axis index to subset positions. Returns `scalar: true` for a single int
 * or name (the peer squeezes those).
 */
function axisPositions(
  axis: Axis,
  idx: AxisIndex,
): { pos: Int32Array; scalar: boolean; kind: 'basic' | 'array' } {
  // One dispatch over the index forms the peer accepts (int, name, slice, mask, array); its two helpers close over the axis.
  const n = axis.subset.length;
  const checkInt = (v: number): number => {
    if (!Number.isSafeInteger(v)) {
      throw new InvalidArgumentError(`${axis.name} index ${v} is invalid: expected an integer`, {
        value: v,
      });
    }
    const p = v < 0 ? v + n : v;
    if (p < 0 || p >= n) {
      throw new GvlError(
        'GVL_INDEX_OUT_OF_RANGE',
        `${axis.name} index ${v} is out of range: expected -${n} <= index < ${n}`,
        { value: v },
      );
    }
    return p;
  };
  const byName = (name: string): number => {
    if (axis.names === null) {
      throw new InvalidArgumentError(
        `${axis.name} ${JSON.stringify(name)} given by name, but this dataset's ${axis.name}s have no names (BED has no name column)`,
        { value: name },
      );
    }
    const full = axis.names.get(name);
    if (full === undefined) {
      if (axis.name === 'sample') {
        throw new UnknownSampleError(`sample ${JSON.stringify(name)} is not in this dataset`, {
          value: name,
        });
      }
      throw new GvlError(
        'GVL_UNKNOWN_REGION',
        `${axis.name} ${JSON.stringify(name)} is not in this dataset`,
        { value: name },
      );
    }
    // Names address the full dataset: map the full index to its position in the subset.
    // Without a subset, position == full index; otherwise search the subset.
    const p = axis.subset[full] === full ? full : axis.subset.indexOf(full);
    if (p < 0) {
      throw new GvlError(
        'GVL_INDEX_OUT_OF_RANGE',
        `${axis.name} ${JSON.stringify(name)} is not in the current subset`,
        {
          value: name,
        },
      );
    }
    return p;
  };
  if (idx === undefined)
    return { pos: sliceToPositions({ kind: 'slice' }, n), scalar: false, kind: 'basic' };
  if (typeof idx === 'number')
    return { pos: Int32Array.of(checkInt(idx)), scalar: true, kind: 'basic' };
  if (typeof idx === 'string')
    return { pos: Int32Array.of(byName(idx)), scalar: true, kind: 'basic' };
  if (isSlice(idx)) return { pos: sliceToPositions(idx, n), scalar: false, kind: 'basic' };
  if (Array.isArray(idx) && idx.length > 0 && idx.every((x) => typeof x === 'boolean')) {
    if (idx.length !== n) {
      throw new InvalidArgumentError(`${axis.name} mask has length ${idx.length}: expected ${n}`, {
        value: idx.length,
      });
    }
    const pos: number[] = [];
    idx.forEach((b, i) => {
      if (b) pos.push(i);
    });
    return { pos: Int32Array.from(pos), scalar: false, kind: 'array' };
  }
  if (Array.isArray(idx) || ArrayBuffer.isView(idx)) {
    const list = idx as ArrayLike<number | string>;
    const pos = new Int32Array(list.length);
    for (let i = 0; i < list.length; i++) {
      const v = list[i] as number | string;
      pos[i] = typeof v === 'string' ? byName(v) : checkInt(v);
    }
    return { pos, scalar: false, kind: 'array' };
  }
  throw new InvalidArgumentError(
    `${axis.name} index ${String(idx)} is invalid: expected an integer, name, list, mask or slice`,
    {
      value: idx,
    },
  );
}

/**
 * Resolves `get(regions, samples)` with the peer's shape rules (genvarloader
 * `DatasetIndexer.parse_idx`):
 *
 * - integers/names and slices only ("basic"): the outer product; both scalars → no
 *   leading dims; both slices → `[nRegions, nSamples]`; otherwise `[n]`;
 * - one list ("combo"): the outer product, shape `[nRegions, nSamples]` (a scalar counts as 1);
 * - two lists ("advanced"): paired element-wise (a list of length 1 broadcasts), shape `[n]`.
 *
 * Items are ordered region-major.
 *
 * @returns the full (input-order) region and sample index of each item and the leading shape.
 * @throws {@link GvlError} `GVL_INDEX_OUT_OF_RANGE`, `GVL_UNKNOWN_SAMPLE`,
 *   `GVL_UNKNOWN_REGION` or `GVL_INVALID_ARGUMENT`.
 * @see genvarloader `DatasetIndexer.parse_idx`.
 */
export function resolveQuery(
  regions: Axis,
  samples: Axis,
  rIdx: AxisIndex,
  sIdx: AxisIndex,
): ResolvedQuery {
  const r = axisPositions(regions, rIdx);
  const s = axisPositions(samples, sIdx);
  const nArrays = (r.kind === 'array' ? 1 : 0) + (s.kind === 'array' ? 1 : 0);
  let rp: Int32Array;
  let sp: Int32Array;
  let shape: number[];
  if (nArrays === 2) {
    const n = Math.max(r.pos.length, s.pos.length);
    if (
      !(r.pos.length === n || r.pos.length === 1) ||
      !(s.pos.length === n || s.pos.length === 1)
    ) {
      throw new InvalidArgumentError(
        `region and sample lists have lengths ${r.pos.length} and ${s.pos.length}: expected equal lengths (or one of length 1) to pair them`,
        { value: [r.pos.length, s.pos.length] },
      );
    }
    rp = new Int32Array(n);
    sp = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      rp[i] = r.pos[r.pos.length === 1 ? 0 : i] as number;
      sp[i] = s.pos[s.pos.length === 1 ? 0 : i] as number;
    }
    shape = [n];
  } else {
    const nr = r.pos.length;
    const ns = s.pos.length;
    rp = new Int32Array(nr * ns);
    sp = new Int32Array(nr * ns);
    for (let i = 0; i < nr; i++) {
      for (let j = 0; j < ns; j++) {
        rp[i * ns + j] = r.pos[i] as number;
        sp[i * ns + j] = s.pos[j] as number;
      }
    }
    if (nArrays === 1) shape = [nr, ns];
    else if (r.scalar && s.scalar) shape = [];
    else if (!r.scalar && !s.scalar) shape = [nr, ns];
    else shape = [nr * ns];
  }
  const regionIdx = new Int32Array(rp.length);
  const sampleIdx = new Int32Array(sp.length);
  for (let i = 0; i < rp.length; i++) {
    regionIdx[i] = regions.subset[rp[i] as number] as number;
    sampleIdx[i] = samples.subset[sp[i] as number] as number;
  }
  return { regionIdx, sampleIdx, shape };
}

/**
 * Narrows an axis to a subset, relative to the current subset (genvarloader
 * `subset_to`): positions, names (which address the full dataset), masks or slices.
 *
 * @throws {@link GvlError} as {@link resolveQuery}.
 */
export function subsetAxis(axis: Axis, idx: AxisIndex): Axis {
  if (idx === undefined) return axis;
  const { pos } = axisPositions(axis, idx);
  const subset = new Int32Array(pos.length);
  for (let i = 0; i < pos.length; i++) subset[i] = axis.subset[pos[i] as number] as number;
  return { ...axis, subset };
}
