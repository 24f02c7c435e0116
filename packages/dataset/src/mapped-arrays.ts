/**
 * Dataset arrays backed by memory-mapped files.
 *
 * `Dataset.open` maps the raw arrays of `genotypes/` and `intervals/` (see
 * `readDatasetFiles`) instead of reading them: their bytes are the OS page cache, not JS
 * heap. {@link mappedSource} tells which file (and which identity of it) a mapped buffer
 * holds.
 *
 * @module
 */
import { statSync } from 'node:fs';
import { mapFile } from '@gvl/native';

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
