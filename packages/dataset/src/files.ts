/**
 * File-system helpers: readability checks, the atomic output directory and its
 * crash-safe commit, the overwrite rules and the sweep of interrupted writes.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import {
  access,
  lstat,
  mkdir,
  readdir,
  readFile,
  realpath,
  rename,
  rm,
  stat,
} from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { exchangePaths } from '@gvl/native';
import { DatasetError, describeError, FileError } from './errors.js';
import { DATASET_ENTRIES, METADATA_FILE } from './format/layout.js';
import { looksLikeMetadata } from './format/metadata.js';

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

// ---------------------------------------------------------------------------
// Sibling names of an output path
// ---------------------------------------------------------------------------

/**
 * The two kinds of hidden siblings a write leaves beside `target` while it runs:
 * `.<name>.tmp-<pid>-<hex>` (a dataset being written, or one being deleted: never
 * restored) and `.<name>.old-<pid>-<hex>` (the complete previous dataset, moved aside
 * by the two-rename fallback commit: restored when `target` is missing).
 */
export type SiblingKind = 'tmp' | 'old';

function siblingName(target: string, kind: SiblingKind): string {
  return join(
    dirname(target),
    `.${basename(target)}.${kind}-${process.pid}-${randomBytes(4).toString('hex')}`,
  );
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A hidden sibling of an output path left by a write that is no longer running. */
export interface StaleSibling {
  /** Absolute path of the sibling. */
  readonly path: string;
  /** `'tmp'`: an unfinished or discarded dataset; `'old'`: a complete previous dataset. */
  readonly kind: SiblingKind;
  /** The process that created it (no longer alive). */
  readonly pid: number;
}

/** Whether process `pid` is alive on this machine (`EPERM`: alive, not ours). */
function pidAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Lists the hidden siblings of `target` (see {@link SiblingKind}) whose writer process is
 * dead: what a killed write left behind. A live writer's siblings are never listed. On a
 * file system shared by several machines a pid names a process of this machine only.
 *
 * @param target - the output path of a write.
 * @returns the stale siblings, `'old'` ones first, newest first within a kind.
 */
export async function findStaleSiblings(target: string): Promise<StaleSibling[]> {
  const abs = resolve(target);
  const re = new RegExp(`^\\.${escapeRegExp(basename(abs))}\\.(tmp|old)-(\\d+)-[0-9a-f]{8}$`);
  let names: string[];
  try {
    names = await readdir(dirname(abs));
  } catch {
    return [];
  }
  const found: (StaleSibling & { mtime: number })[] = [];
  for (const name of names) {
    const m = re.exec(name);
    if (!m) continue;
    const pid = Number(m[2]);
    if (pidAlive(pid)) continue;
    const path = join(dirname(abs), name);
    const st = await lstat(path).catch(() => undefined);
    if (st === undefined) continue;
    found.push({ path, kind: m[1] as SiblingKind, pid, mtime: st.mtimeMs });
  }
  found.sort((a, b) =>
    a.kind === b.kind ? b.mtime - a.mtime || (a.path < b.path ? -1 : 1) : a.kind === 'old' ? -1 : 1,
  );
  return found.map(({ path, kind, pid }) => ({ path, kind, pid }));
}

/**
 * When `target` is missing because an overwrite was killed between the two renames of
 * the fallback commit, a sentence naming where the previous dataset is; otherwise `''`.
 * For the messages of readers (`datasetInfo`, `Dataset.open`), which never repair.
 */
export async function interruptedOverwriteHint(target: string): Promise<string> {
  const abs = resolve(target);
  if (await lexists(abs)) return '';
  const parked = (await findStaleSiblings(abs)).find((s) => s.kind === 'old');
  return parked === undefined
    ? ''
    : `; an interrupted overwrite left the previous dataset at ${parked.path}: the next write to ${abs} restores it (or rename it back)`;
}

/** What {@link recoverInterruptedWrite} did. */
export interface RecoveryReport {
  /** The `'old'` sibling renamed back to the missing target, if any. */
  readonly restored: string | undefined;
  /** Stale siblings removed. */
  readonly removed: readonly string[];
}

/**
 * Repairs what killed writes left beside `target`: when `target` is missing and a stale
 * `'old'` sibling exists (a kill between the two renames of the fallback commit), the
 * newest one is renamed back to `target`; then every remaining stale sibling is removed.
 * Siblings of live writers are never touched. `write()` calls this before anything
 * else touches the output path.
 *
 * @throws {@link FileError} `GVL_UNWRITABLE` when a stale sibling cannot be restored or removed.
 */
export async function recoverInterruptedWrite(target: string): Promise<RecoveryReport> {
  const abs = resolve(target);
  const stale = await findStaleSiblings(abs);
  let restored: string | undefined;
  const old = stale.find((s) => s.kind === 'old');
  if (old !== undefined && !(await lexists(abs))) {
    try {
      await rename(old.path, abs);
      restored = old.path;
    } catch (cause) {
      throw new FileError(
        'GVL_UNWRITABLE',
        `cannot restore the previous dataset ${old.path} to ${abs}: ${describeError(cause)}`,
        { value: old.path, cause },
      );
    }
  }
  const removed: string[] = [];
  for (const s of stale) {
    if (s.path === restored) continue;
    try {
      await rm(s.path, { recursive: true, force: true });
    } catch (cause) {
      throw new FileError(
        'GVL_UNWRITABLE',
        `cannot remove ${s.path}, left by an interrupted write (pid ${s.pid}): ${describeError(cause)}`,
        { value: s.path, cause },
      );
    }
    removed.push(s.path);
  }
  return { restored, removed };
}

/** Whether `path` exists, without following a final symlink. */
async function lexists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------
// What overwrite may replace
// ---------------------------------------------------------------------------

/**
 * Says why the existing `path` is not something `overwrite` may replace, or returns
 * `undefined` when it may. Replaceable: an empty directory, or a directory holding
 * `metadata.json` — a JSON object with the peer's required fields `samples` (array),
 * `contigs` (array) and `n_regions` (number) — and no top-level entry outside
 * `DATASET_ENTRIES`. Not replaceable: a symbolic link, a file, a directory with any
 * other entry (user files, hidden files, a BED).
 */
export async function whyNotReplaceable(path: string): Promise<string | undefined> {
  const st = await lstat(path);
  if (st.isSymbolicLink())
    return 'it is a symbolic link (overwrite replaces only a dataset directory itself: give its real path)';
  if (!st.isDirectory()) return 'it is not a directory';
  const entries = (await readdir(path)).sort();
  if (entries.length === 0) return undefined;
  const unexpected = entries.filter((e) => !DATASET_ENTRIES.has(e));
  if (unexpected.length > 0) {
    const shown = unexpected.slice(0, 5).map((e) => JSON.stringify(e));
    return `it holds ${unexpected.length > 5 ? `${shown.join(', ')}, …` : shown.join(', ')}, which no genvarloader dataset contains (expected only ${[...DATASET_ENTRIES].join(', ')})`;
  }
  if (!entries.includes(METADATA_FILE)) return 'it has no metadata.json';
  let meta: unknown;
  try {
    meta = JSON.parse(await readFile(join(path, METADATA_FILE), 'utf8'));
  } catch (cause) {
    return `its metadata.json is not JSON (${describeError(cause)})`;
  }
  if (!looksLikeMetadata(meta)) {
    return 'its metadata.json lacks the samples, contigs or n_regions of a genvarloader dataset';
  }
  return undefined;
}

function existsError(target: string): DatasetError {
  return new DatasetError(
    'GVL_DATASET_EXISTS',
    `${target} already exists: pass overwrite (--overwrite) to replace it`,
    { value: target },
  );
}

/**
 * Fails early when the output cannot be written: it exists and `overwrite` is false, or
 * `overwrite` is true and what exists is not a dataset (see `whyNotReplaceable`).
 *
 * @throws {@link DatasetError} `GVL_DATASET_EXISTS`, or `GVL_NOT_A_DATASET` (value: the path).
 */
export async function assertWritableTarget(target: string, overwrite: boolean): Promise<void> {
  const abs = resolve(target);
  if (!(await lexists(abs))) return;
  if (!overwrite) throw existsError(abs);
  let why: string | undefined;
  try {
    why = await whyNotReplaceable(abs);
  } catch (cause) {
    why = `it cannot be inspected (${describeError(cause)})`;
  }
  if (why !== undefined) {
    throw new DatasetError(
      'GVL_NOT_A_DATASET',
      `refusing to overwrite ${abs}: ${why}; overwrite replaces only a genvarloader dataset or an empty directory`,
      { value: abs },
    );
  }
}

/** `path` with symlinks resolved in its longest existing prefix (the rest appended). */
export async function realPathOf(path: string): Promise<string> {
  const abs = resolve(path);
  const rest: string[] = [];
  let head = abs;
  for (;;) {
    try {
      const real = await realpath(head);
      return rest.length === 0 ? real : join(real, ...rest.reverse());
    } catch {
      const parent = dirname(head);
      if (parent === head) return abs;
      rest.push(basename(head));
      head = parent;
    }
  }
}

/**
 * Refuses an output path that equals or contains (is an ancestor of) any input, with
 * symlinks resolved on both sides, so that neither a write nor an overwrite can replace
 * its own inputs. Inputs that do not exist are ignored (they fail their own checks).
 *
 * @param inputs - input paths with what each is, e.g. `['BED', 'regions.bed']`.
 * @throws {@link FileError} `GVL_OUTPUT_CONTAINS_INPUT` (value: the output path), naming
 *   the input.
 */
export async function assertOutputOutsideInputs(
  target: string,
  inputs: readonly (readonly [what: string, path: string])[],
): Promise<void> {
  const abs = resolve(target);
  const outs = new Set([abs, await realPathOf(abs)]);
  if (await lexists(abs)) outs.add(await realpath(abs).catch(() => abs));
  for (const [what, p] of inputs) {
    if (!(await lexists(p))) continue;
    const ins = new Set([resolve(p), await realPathOf(p)]);
    for (const out of outs) {
      for (const inp of ins) {
        if (inp === out || inp.startsWith(out.endsWith(sep) ? out : out + sep)) {
          throw new FileError(
            'GVL_OUTPUT_CONTAINS_INPUT',
            `output ${abs} ${inp === out ? 'is' : 'contains'} the ${what} ${p}: choose an output path outside every input`,
            { value: abs },
          );
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------
// The atomic output directory
// ---------------------------------------------------------------------------

/**
 * Test-only fault injection, read at each commit: `GVL_TEST_COMMIT_KILL=N` kills the
 * process with `SIGKILL` right before step `N` of the commit (1-based; one past the last
 * step kills right after the commit); `GVL_TEST_COMMIT_NO_EXCHANGE=1` forces the
 * two-rename fallback. Never set them outside tests.
 */
function commitStep(n: number): void {
  const k = process.env.GVL_TEST_COMMIT_KILL;
  if (k !== undefined && Number(k) === n) process.kill(process.pid, 'SIGKILL');
}

function exchangeSupported(a: string, b: string): boolean {
  if (process.env.GVL_TEST_COMMIT_NO_EXCHANGE === '1') return false;
  return exchangePaths(a, b);
}

function unwritable(what: string, value: string, cause: unknown): FileError {
  return new FileError('GVL_UNWRITABLE', `${what}: ${describeError(cause)}`, { value, cause });
}

/**
 * A directory that becomes `target` only when {@link AtomicDir.commit} succeeds. Files
 * are written into a hidden temp directory `.<name>.tmp-<pid>-<hex>` beside the target
 * (same file system, so renames are atomic); {@link AtomicDir.discard} removes it.
 *
 * Commit, when `target` exists (`overwrite`), and what a kill at any instant leaves:
 * - **exchange** (Linux, file systems supporting `renameat2(RENAME_EXCHANGE)`):
 *   1. exchange temp ⇄ target — before: target is the old dataset; after: the new one;
 *   2. remove the temp name (now the old dataset).
 *   `target` holds a complete dataset at every instant; a kill leaves at most a stale
 *   `.tmp-` sibling.
 * - **fallback** (elsewhere):
 *   1. rename target → `.<name>.old-<pid>-<hex>`;
 *   2. rename temp → target;
 *   3. rename the `.old-` sibling to a `.tmp-` name (it is no longer restorable);
 *   4. remove it.
 *   A kill between 1 and 2 leaves `target` missing with the complete old dataset under
 *   `.old-`: the next write to `target` (see {@link recoverInterruptedWrite}) renames it
 *   back, and `datasetInfo` reports it. Any other kill leaves old or new at `target`.
 * Without an existing target the commit is one rename (1.). Stale siblings of dead
 * writers are swept by the next write to the same path.
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
   *   `overwrite`; `GVL_NOT_A_DATASET` when it exists and is not a dataset.
   * @throws {@link FileError} `GVL_UNWRITABLE` when the temp directory cannot be created.
   */
  static async create(target: string, overwrite: boolean): Promise<AtomicDir> {
    const abs = resolve(target);
    await assertWritableTarget(abs, overwrite);
    const tmp = siblingName(abs, 'tmp');
    try {
      await mkdir(dirname(abs), { recursive: true });
      await mkdir(tmp);
    } catch (cause) {
      throw unwritable(`cannot create ${tmp}`, abs, cause);
    }
    return new AtomicDir(abs, tmp, overwrite);
  }

  /**
   * Makes the temp directory the target (see the class doc for the steps).
   *
   * @throws {@link DatasetError} `GVL_DATASET_EXISTS` when the target appeared meanwhile
   *   and not `overwrite`; `GVL_NOT_A_DATASET` when what is now there is not a dataset.
   * @throws {@link FileError} `GVL_UNWRITABLE` when a rename fails (the old dataset, if
   *   any, is back at the target).
   */
  async commit(): Promise<void> {
    if (this.settled) throw new Error('AtomicDir already settled');
    try {
      await assertWritableTarget(this.target, this.overwrite);
    } catch (e) {
      await this.discard();
      throw e;
    }
    if (!(await lexists(this.target))) {
      commitStep(1);
      try {
        await rename(this.path, this.target);
      } catch (cause) {
        await this.discard();
        const code = (cause as NodeJS.ErrnoException).code;
        if (code === 'ENOTEMPTY' || code === 'EEXIST') throw existsError(this.target);
        throw unwritable(`cannot move ${this.path} to ${this.target}`, this.target, cause);
      }
      this.settled = true;
      commitStep(2);
      return;
    }
    commitStep(1);
    let exchanged: boolean;
    try {
      exchanged = exchangeSupported(this.path, this.target);
    } catch (cause) {
      await this.discard();
      throw unwritable(`cannot exchange ${this.path} and ${this.target}`, this.target, cause);
    }
    if (exchanged) {
      this.settled = true;
      commitStep(2);
      await rm(this.path, { recursive: true, force: true });
      commitStep(3);
      return;
    }
    // Fallback: two renames, the old dataset parked under a restorable `.old-` name.
    const old = siblingName(this.target, 'old');
    try {
      await rename(this.target, old);
    } catch (cause) {
      await this.discard();
      throw unwritable(`cannot move ${this.target} aside to ${old}`, this.target, cause);
    }
    commitStep(2);
    try {
      await rename(this.path, this.target);
    } catch (cause) {
      await rename(old, this.target).catch(() => undefined);
      await this.discard();
      throw unwritable(`cannot move ${this.path} to ${this.target}`, this.target, cause);
    }
    this.settled = true;
    commitStep(3);
    const trash = siblingName(this.target, 'tmp');
    await rename(old, trash);
    commitStep(4);
    await rm(trash, { recursive: true, force: true });
    commitStep(5);
  }

  /** Removes the temp directory. Idempotent; never touches the target. */
  async discard(): Promise<void> {
    if (this.settled) return;
    this.settled = true;
    await rm(this.path, { recursive: true, force: true });
  }
}
