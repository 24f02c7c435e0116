/**
 * File-system helpers: readability checks and the atomic output directory.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { DatasetError, describeError, FileError } from './errors.js';

/** `errno` codes that mean the disk (or the user's quota) is full. */
const DISK_FULL_CODES: ReadonlySet<string> = new Set(['ENOSPC', 'EDQUOT']);

/**
 * When `e` (or an error in its `cause` chain) is a disk-full failure (`ENOSPC`, `EDQUOT`),
 * the `GVL_DISK_FULL` {@link FileError} naming `target` (its `value`) and the file being
 * written when the disk filled, with `e` as its `cause`; otherwise `undefined`.
 */
export function diskFullError(e: unknown, target: string): FileError | undefined {
  let cur: unknown = e;
  for (let depth = 0; depth < 8 && typeof cur === 'object' && cur !== null; depth++) {
    const { code, path } = cur as { code?: unknown; path?: unknown };
    if (typeof code === 'string' && DISK_FULL_CODES.has(code)) {
      const at = typeof path === 'string' ? ` (at ${path})` : '';
      return new FileError(
        'GVL_DISK_FULL',
        `no space left on the device while writing ${target}${at}: ${code}; expected room for the whole dataset (the partial output is removed)`,
        { value: target, cause: e },
      );
    }
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Whether `path` exists (any kind of file). */
export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Checks that `path` is an existing, readable regular file.
 *
 * @param what - what the file is, for the message (e.g. `'VCF'`).
 * @throws {@link FileError} `GVL_UNREADABLE` naming the path.
 */
export async function checkReadable(path: string, what: string): Promise<void> {
  let isFile = false;
  try {
    isFile = (await stat(path)).isFile();
    await access(path, constants.R_OK);
  } catch (cause) {
    throw new FileError('GVL_UNREADABLE', `cannot read ${what} ${path}: ${describeError(cause)}`, {
      value: path,
      cause,
    });
  }
  if (!isFile) {
    throw new FileError('GVL_UNREADABLE', `${what} ${path} is not a regular file`, { value: path });
  }
}

/** Total size in bytes of the regular files under `dir` (recursively). */
export async function directorySize(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) total += await directorySize(p);
    else if (entry.isFile()) total += (await stat(p)).size;
  }
  return total;
}

function tempName(target: string, tag: string): string {
  return join(
    dirname(target),
    `.${basename(target)}.${tag}-${process.pid}-${randomBytes(4).toString('hex')}`,
  );
}

/**
 * A directory that becomes `target` only when {@link AtomicDir.commit} succeeds. Files
 * are written into a hidden temp directory beside the target (same file system, so the
 * final `rename` is atomic); {@link AtomicDir.discard} removes it. With `overwrite`, an
 * existing target is moved aside, replaced, then deleted — it is never removed before the
 * new one is in place, and it is restored if the swap fails.
 */
export class AtomicDir {
  /** The final location. */
  readonly target: string;
  /** The temp directory to write into. */
  readonly path: string;
  private readonly overwrite: boolean;
  private settled = false;

  private constructor(target: string, path: string, overwrite: boolean) {
    this.target = target;
    this.path = path;
    this.overwrite = overwrite;
  }

  /**
   * Creates the temp directory (and the target's parent directories when missing).
   *
   * @throws {@link DatasetError} `GVL_DATASET_EXISTS` when `target` exists and not
   *   `overwrite`.
   * @throws {@link FileError} `GVL_UNWRITABLE` when the temp directory cannot be created.
   */
  static async create(target: string, overwrite: boolean): Promise<AtomicDir> {
    const abs = resolve(target);
    await assertWritableTarget(abs, overwrite);
    const tmp = tempName(abs, 'tmp');
    try {
      await mkdir(dirname(abs), { recursive: true });
      await mkdir(tmp);
    } catch (cause) {
      throw new FileError('GVL_UNWRITABLE', `cannot create ${tmp}: ${describeError(cause)}`, {
        value: abs,
        cause,
      });
    }
    return new AtomicDir(abs, tmp, overwrite);
  }

  /**
   * Moves the temp directory to the target.
   *
   * @throws {@link DatasetError} `GVL_DATASET_EXISTS` when the target appeared meanwhile
   *   and not `overwrite`.
   * @throws {@link FileError} `GVL_UNWRITABLE` when the rename fails.
   */
  async commit(): Promise<void> {
    if (this.settled) throw new Error('AtomicDir already settled');
    let old: string | undefined;
    if (await exists(this.target)) {
      if (!this.overwrite) {
        await this.discard();
        throw existsError(this.target);
      }
      old = tempName(this.target, 'old');
      await rename(this.target, old);
    }
    try {
      await rename(this.path, this.target);
    } catch (cause) {
      if (old !== undefined) await rename(old, this.target).catch(() => undefined);
      await this.discard();
      const code = (cause as NodeJS.ErrnoException).code;
      if (code === 'ENOTEMPTY' || code === 'EEXIST') throw existsError(this.target);
      throw new FileError(
        'GVL_UNWRITABLE',
        `cannot move ${this.path} to ${this.target}: ${describeError(cause)}`,
        {
          value: this.target,
          cause,
        },
      );
    }
    this.settled = true;
    if (old !== undefined) await rm(old, { recursive: true, force: true });
  }

  /** Removes the temp directory. Idempotent; never touches the target. */
  async discard(): Promise<void> {
    if (this.settled) return;
    this.settled = true;
    await rm(this.path, { recursive: true, force: true });
  }
}

function existsError(target: string): DatasetError {
  return new DatasetError(
    'GVL_DATASET_EXISTS',
    `${target} already exists: pass overwrite (--overwrite) to replace it`,
    { value: target },
  );
}

/**
 * Fails early when the output cannot be written: it exists and `overwrite` is false.
 *
 * @throws {@link DatasetError} `GVL_DATASET_EXISTS`.
 */
export async function assertWritableTarget(target: string, overwrite: boolean): Promise<void> {
  if (!overwrite && (await exists(target))) throw existsError(resolve(target));
}
