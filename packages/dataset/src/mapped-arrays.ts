/**
 * Dataset arrays backed by memory-mapped files, and their hand-off to loader worker threads.
 *
 * `Dataset.open` maps the raw arrays of `genotypes/` and `intervals/` (see
 * `readDatasetFiles`) instead of reading them: their bytes are the OS page cache, not JS
 * heap. A mapped buffer is an external `ArrayBuffer`, which `postMessage` would copy, so a
 * worker thread receives the file's path and identity instead and maps the same file
 * itself ({@link shareableArrays} on the sending side, {@link attachArrays} in the worker):
 * the same physical pages, no copy. Arrays that were read (mapping unavailable) live in
 * `SharedArrayBuffer`s and are passed as they are.
 *
 * @module
 */
import { readFileSync, statSync } from 'node:fs';
import { mapFile } from '@gvl/native';
import { BadDatasetError } from './errors.js';
import type { DatasetFiles, TrackIntervals } from './open.js';

/** Which file a mapped buffer holds, and that file's identity when it was mapped. */
export interface MappedSource {
  /** Absolute or dataset-relative path as opened. */
  path: string;
  /** Path relative to the dataset, for error messages. */
  rel: string;
  /** Device and inode numbers (decimal strings: inode numbers may exceed 2^53). */
  dev: string;
  ino: string;
  /** File length in bytes. */
  size: number;
}

const sources = new WeakMap<ArrayBufferLike, MappedSource>();

/** The file behind `buffer` when it is a mapping made by {@link mapArrayFile}, else `undefined`. */
export function mappedSource(buffer: ArrayBufferLike): MappedSource | undefined {
  return sources.get(buffer);
}

function identity(path: string): { dev: string; ino: string; size: number } {
  const st = statSync(path, { bigint: true });
  return { dev: String(st.dev), ino: String(st.ino), size: Number(st.size) };
}

/**
 * Maps the file at `path` (see `mapFile` of `@gvl/native`) when it is non-empty and the
 * platform can map it; `null` otherwise (the caller then reads the file). The identity is
 * taken before and after mapping and must agree, so the mapping is known to be of the
 * file that was stat-ed.
 */
export function mapArrayFile(path: string, rel: string): Uint8Array | null {
  let before: ReturnType<typeof identity>;
  let buffer: ArrayBuffer;
  try {
    before = identity(path);
    if (before.size === 0) return null;
    buffer = mapFile(path);
  } catch {
    // ENODEV (a file system without mmap), ENOMEM, EACCES…: reading reports the
    // problem precisely, or works.
    return null;
  }
  const after = identity(path);
  if (
    after.dev !== before.dev ||
    after.ino !== before.ino ||
    after.size !== before.size ||
    buffer.byteLength !== before.size
  )
    return null;
  sources.set(buffer, { path, rel, ...before });
  return new Uint8Array(buffer);
}

type Dtype = 'int32' | 'int64' | 'float32';

/** A mapped array as sent to a worker: the file to map again, and the view to make. */
export interface MappedArrayRef {
  mapped: MappedSource;
  dtype: Dtype;
  byteOffset: number;
  length: number;
}

type Ref<T> = T | MappedArrayRef;

/** {@link DatasetFiles} without the Arrow table, with mapped arrays as references. */
export interface ShareableFiles extends Omit<DatasetFiles, 'bed' | 'genotypes' | 'tracks'> {
  genotypes: { offsets: Ref<BigInt64Array>; variantIdxs: Ref<Int32Array> } | null;
  tracks: Map<
    string,
    {
      starts: Ref<Int32Array>;
      ends: Ref<Int32Array>;
      values: Ref<Float32Array>;
      offsets: Ref<BigInt64Array>;
      annotation: boolean;
    }
  >;
}

function dtypeOf(a: Int32Array | BigInt64Array | Float32Array): Dtype {
  return a instanceof BigInt64Array ? 'int64' : a instanceof Float32Array ? 'float32' : 'int32';
}

function toRef<T extends Int32Array | BigInt64Array | Float32Array>(a: T): Ref<T> {
  const src = sources.get(a.buffer);
  if (!src) return a;
  return { mapped: src, dtype: dtypeOf(a), byteOffset: a.byteOffset, length: a.length };
}

/**
 * The dataset files in a form that can be posted to a worker thread without copying any
 * array: mapped arrays become {@link MappedArrayRef}s (path, identity, view), the others
 * are `SharedArrayBuffer`-backed and cross as they are.
 */
export function shareableArrays(files: Omit<DatasetFiles, 'bed'>): ShareableFiles {
  const tracks: ShareableFiles['tracks'] = new Map();
  for (const [name, t] of files.tracks)
    tracks.set(name, {
      starts: toRef(t.starts),
      ends: toRef(t.ends),
      values: toRef(t.values),
      offsets: toRef(t.offsets),
      annotation: t.annotation,
    });
  const g = files.genotypes;
  return {
    ...files,
    genotypes: g && { offsets: toRef(g.offsets), variantIdxs: toRef(g.variantIdxs) },
    tracks,
  };
}

const CTORS = { int32: Int32Array, int64: BigInt64Array, float32: Float32Array } as const;

function isRef(v: unknown): v is MappedArrayRef {
  return typeof v === 'object' && v !== null && 'mapped' in v;
}

/** Maps one reference again, checking that the path still names the same file. */
function attach(ref: MappedArrayRef, dataset: string): Int32Array | BigInt64Array | Float32Array {
  const src = ref.mapped;
  let now: ReturnType<typeof identity> | null;
  try {
    now = identity(src.path);
  } catch {
    now = null;
  }
  if (now === null || now.dev !== src.dev || now.ino !== src.ino || now.size !== src.size)
    throw new BadDatasetError(
      `${dataset}: ${src.rel} was replaced or changed since the dataset was opened (${now === null ? 'now missing' : `now ${now.size} bytes, inode ${now.ino}`}; was ${src.size} bytes, inode ${src.ino}): open the dataset again`,
      { file: src.rel },
      { value: src.path },
    );
  const bytes = mapArrayFile(src.path, src.rel) ?? new Uint8Array(readFileSync(src.path));
  if (bytes.byteLength !== src.size)
    throw new BadDatasetError(
      `${dataset}: ${src.rel} is ${bytes.byteLength} bytes: expected ${src.size} (its size when the dataset was opened): open the dataset again`,
      { file: src.rel },
      { value: bytes.byteLength },
    );
  // Views index the buffer from the file's first byte (a read copy may sit inside a larger one).
  const whole =
    bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
  return new CTORS[ref.dtype](whole.buffer as ArrayBuffer, ref.byteOffset, ref.length);
}

/**
 * In a worker thread: the dataset files with every {@link MappedArrayRef} mapped again
 * (the same page-cache pages as the sending thread; read when mapping is unavailable).
 *
 * @throws {@link BadDatasetError} `GVL_BAD_DATASET` when a mapped file was replaced or
 *   resized since the dataset was opened (its device, inode or size differ).
 */
export function attachArrays(files: ShareableFiles): Omit<DatasetFiles, 'bed'> {
  const cache = new Map<string, ArrayBufferLike>();
  const one = <T>(v: Ref<T>): T => {
    if (!isRef(v)) return v;
    // Views of one file share one mapping.
    const key = `${v.mapped.dev}:${v.mapped.ino}`;
    const hit = cache.get(key);
    if (hit) return new CTORS[v.dtype](hit as ArrayBuffer, v.byteOffset, v.length) as T;
    const a = attach(v, files.path);
    cache.set(key, a.buffer);
    return a as T;
  };
  const tracks = new Map<string, TrackIntervals>();
  for (const [name, t] of files.tracks)
    tracks.set(name, {
      starts: one(t.starts),
      ends: one(t.ends),
      values: one(t.values),
      offsets: one(t.offsets),
      annotation: t.annotation,
    });
  const g = files.genotypes;
  return {
    ...files,
    genotypes: g && { offsets: one(g.offsets), variantIdxs: one(g.variantIdxs) },
    tracks,
  };
}
