/**
 * Memory-mapped files as ArrayBuffers (no copy, no JS heap).
 */
import { constants } from 'node:os';
import { native } from './binding.js';
import { invalidArgument } from './errors.js';
import { runSync } from './scheduler.js';

function errnoName(errno: number): string {
  for (const [name, value] of Object.entries(constants.errno)) if (value === errno) return name;
  return `E${errno}`;
}

/**
 * Maps a whole file into memory and returns it as an `ArrayBuffer` whose bytes **are** the
 * mapping: nothing is copied and nothing is allocated on the JS heap; the pages are the
 * OS page cache, loaded on first touch and shared by every thread and process that maps
 * the same file. View it with any typed array (`new BigInt64Array(buf)`; the buffer
 * starts on a page boundary, so every element type is aligned at offset 0). The mapping
 * is released when the buffer is garbage-collected. Blocks the calling thread for three
 * system calls (`open`, `fstat`, `mmap`; no `Promise` form: it is not CPU work).
 *
 * The file is opened read-only and mapped private (copy-on-write): a store into the
 * buffer changes only this process's copy of that page, never the file. The buffer is
 * not a `SharedArrayBuffer`: posting it to a worker copies it; map the file again in the
 * worker instead (same pages, no copy).
 *
 * **Hazard**, as with every file mapping (numpy's `memmap` included): if another process
 * truncates the file while it is mapped, reading a page past the new end raises `SIGBUS`
 * and ends the process. Map only files nobody rewrites in place (a gvl-ts dataset is
 * replaced by an atomic directory exchange, never rewritten in place, so mapped files of
 * an old version stay intact until unmapped).
 *
 * @param path - a regular file, relative to the working directory or absolute.
 * @returns an `ArrayBuffer` of the file's length (an empty ordinary one for an empty
 *   file).
 * @throws {@link InvalidArgumentError} `GVL_INVALID_ARGUMENT` when `path` is not a
 *   non-empty string without NUL bytes.
 * @throws an `Error` shaped like `node:fs` errors (`code` the errno name, e.g. `'ENOENT'`,
 *   `'EACCES'`, `'ENODEV'` for a file system or file that cannot be mapped such as a
 *   directory, `'ENOMEM'`; `errno`, `syscall` (`'open'`, `'fstat'` or `'mmap'`), `path`).
 *   Callers that can read the file instead should fall back to reading it.
 * @example
 * ```ts
 * import { mapFile } from '@gvl/native';
 * const offsets = new BigInt64Array(mapFile('ds.gvl/genotypes/offsets.npy'));
 * offsets[offsets.length - 1]; // read straight from the page cache
 * ```
 * @see Linux `mmap(2)` (`MAP_PRIVATE`); numpy `memmap(mode='c')`.
 */
export function mapFile(path: string): ArrayBuffer {
  if (typeof path !== 'string' || path === '' || path.includes('\0'))
    throw invalidArgument('path', path, 'a non-empty path without NUL bytes');
  const r = runSync(() => native.mapFileOrErrno(path));
  if (r instanceof ArrayBuffer) return r;
  const code = errnoName(r.errno);
  const err = new Error(`${code}: cannot map ${path} (${r.syscall})`);
  Object.assign(err, { code, errno: -r.errno, syscall: r.syscall, path });
  throw err;
}
