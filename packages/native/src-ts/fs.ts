/**
 * File-system primitives Node.js has no binding for.
 */
import { constants } from 'node:os';
import { native } from './binding.js';
import { invalidArgument } from './errors.js';
import { runSync } from './scheduler.js';

/** errno values that mean "this file system or kernel cannot exchange paths". */
const UNSUPPORTED = new Set<number>(
  [constants.errno.EINVAL, constants.errno.ENOSYS, constants.errno.EOPNOTSUPP].filter(
    (v): v is number => typeof v === 'number',
  ),
);

function errnoName(errno: number): string {
  for (const [name, value] of Object.entries(constants.errno)) if (value === errno) return name;
  return `E${errno}`;
}

/**
 * Atomically exchanges two existing paths (files or directories on one file system)
 * with one `renameat2(RENAME_EXCHANGE)` system call: at every instant each path names
 * either its old or its new entry, never nothing. This is how a directory can be replaced
 * by another with no moment at which its path is missing. Blocks the calling thread for
 * one system call (no `Promise` form: it is not CPU work).
 *
 * @param a - a path, relative to the working directory or absolute.
 * @param b - the other path.
 * @returns `true` when the two were exchanged; `false`, with nothing changed, when the
 *   platform (anything but Linux ≥ 3.15), the kernel (`ENOSYS`) or the file system
 *   (`EINVAL`/`EOPNOTSUPP`, e.g. some network or FUSE file systems) cannot exchange —
 *   the caller then needs a fallback such as two `rename`s.
 * @throws {@link InvalidArgumentError} `GVL_INVALID_ARGUMENT` when `a` or `b` is not a
 *   non-empty string without NUL bytes.
 * @throws an `Error` shaped like `node:fs` errors (`code` the errno name, e.g.
 *   `'ENOENT'` when either path is missing, `'EXDEV'` across file systems, `'EACCES'`;
 *   `errno`, `syscall: 'renameat2'`, `path` = `a`, `dest` = `b`); nothing changed.
 * @example
 * ```ts
 * import { rm } from 'node:fs/promises';
 * import { exchangePaths } from '@gvl/native';
 * // out.gvl (old) and .out.gvl.tmp-123 (new, complete) swap places in one call;
 * // then the old one, now under the temp name, is removed.
 * if (exchangePaths('.out.gvl.tmp-123', 'out.gvl')) {
 *   await rm('.out.gvl.tmp-123', { recursive: true });
 * }
 * ```
 * @see Linux `renameat2(2)`, `RENAME_EXCHANGE`.
 */
export function exchangePaths(a: string, b: string): boolean {
  for (const [param, v] of [
    ['a', a],
    ['b', b],
  ] as const) {
    if (typeof v !== 'string' || v === '' || v.includes('\0'))
      throw invalidArgument(param, v, 'a non-empty path without NUL bytes');
  }
  const rc = runSync(() => native.exchangePathsErrno(a, b));
  if (rc === 0) return true;
  if (rc < 0 || UNSUPPORTED.has(rc)) return false;
  const code = errnoName(rc);
  const err = new Error(`${code}: cannot exchange ${a} and ${b} (renameat2 RENAME_EXCHANGE)`);
  Object.assign(err, { code, errno: -rc, syscall: 'renameat2', path: a, dest: b });
  throw err;
}
