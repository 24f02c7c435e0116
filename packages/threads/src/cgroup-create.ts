/**
 * `@gvl/threads/cgroup-create`: make real CPU-quota cgroups (cgroup v1 `cpu` or v2 with the
 * `cpu` controller delegated) and run commands inside them, for tests and the stress
 * reproducer. The only part of `@gvl/threads` that writes (under `/sys/fs/cgroup`); the main
 * entry point only reads.
 *
 * @module
 */
import { mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { posix } from 'node:path';
import { GvlError, type GvlErrorOptions } from '@gvl/errors';
import { parseMountinfo, parseProcCgroup } from './cgroup.js';

/** Where this process could create child cgroups with a CPU quota, or why it cannot. */
export type CgroupSupport =
  | {
      /** `true`: {@link createQuotaCgroup} can create quota cgroups here. */
      ok: true;
      /** cgroup version of the hierarchy the quota cgroups will be created in. */
      version: 1 | 2;
      /**
       * Absolute path of this process's own cgroup directory (the v1 `cpu` hierarchy or
       * the v2 tree), under which the child cgroups are created.
       */
      base: string;
    }
  | {
      /** `false`: creating quota cgroups is not possible on this machine or as this user. */
      ok: false;
      /** Why not, for humans (e.g. `creating cgroups needs root`). */
      reason: string;
    };

/** A cgroup made by {@link createQuotaCgroup}; remove it with {@link QuotaCgroup.remove}. */
export interface QuotaCgroup {
  /** cgroup version of the hierarchy it lives in. */
  version: 1 | 2;
  /** The outer directory created (the parent when `parentCpus` was given, else the leaf). */
  top: string;
  /** The directory processes should join. */
  leaf: string;
  /** `cgroup.procs` of the leaf: write a PID here to move that process in. */
  procsFile: string;
  /**
   * Argument vector that runs `command args…` inside the leaf from its first
   * instruction: `sh -c 'echo $$ > procs && exec "$@"'`.
   */
  wrap(command: string, args: readonly string[]): [string, string[]];
  /** Moves any remaining process out and removes the directories; safe to call twice. */
  remove(): void;
}

/** Options of {@link createQuotaCgroup}. */
export interface QuotaCgroupOptions {
  /** CPUs the leaf may use (e.g. 0.5); `null` for no limit on the leaf. */
  cpus: number | null;
  /** When given, a parent cgroup is created with this limit and the leaf below it. */
  parentCpus?: number | null;
  /** Name of the outer directory. Default `gvl-<pid>-<random>`. */
  name?: string;
  /** Period in microseconds. Default 100000. */
  periodUs?: number;
}

/**
 * Error thrown when this machine does not allow creating a quota cgroup.
 *
 * @example
 * ```ts
 * try {
 *   createQuotaCgroup({ cpus: 0.5 });
 * } catch (e) {
 *   if (e instanceof CgroupUnsupportedError) console.log(e.code, e.message); // GVL_CGROUP_UNSUPPORTED …
 * }
 * ```
 */
export class CgroupUnsupportedError extends GvlError<'GVL_CGROUP_UNSUPPORTED'> {
  /** @param message - why this machine does not allow it. */
  constructor(message: string, options?: GvlErrorOptions) {
    super('GVL_CGROUP_UNSUPPORTED', message, options);
  }
}

function ownCgroupDirs(): { v1: string | null; v2: string | null } {
  const entries = parseProcCgroup(readFileSync('/proc/self/cgroup', 'utf8'));
  const mounts = parseMountinfo(readFileSync('/proc/self/mountinfo', 'utf8'));
  const dirFor = (path: string, fsType: string, needCpu: boolean) => {
    const m = mounts.find(
      (x) =>
        x.fsType === fsType &&
        (!needCpu || x.superOptions.includes('cpu')) &&
        (x.root === '/' || path.startsWith(x.root)),
    );
    if (!m) return null;
    const rel = m.root === '/' ? path : path.slice(m.root.length) || '/';
    return posix.join(m.mountPoint, rel).replace(/(.)\/+$/, '$1');
  };
  const v1 = entries.find((e) => e.id !== '0' && e.controllers.includes('cpu'));
  const v2 = entries.find((e) => e.id === '0' && e.controllers.length === 0);
  return {
    v1: v1 ? dirFor(v1.path, 'cgroup', true) : null,
    v2: v2 ? dirFor(v2.path, 'cgroup2', false) : null,
  };
}

/**
 * Tells whether this process may create child cgroups with a CPU quota: root, and either
 * a cgroup v1 `cpu` hierarchy or a cgroup v2 tree whose `cgroup.subtree_control` of this
 * process's cgroup enables `cpu`. Never throws.
 *
 * @example
 * ```ts
 * const support = cgroupSupport();
 * if (!support.ok) console.log(`no quota cgroups here: ${support.reason}`);
 * ```
 */
export function cgroupSupport(): CgroupSupport {
  if (process.platform !== 'linux')
    return { ok: false, reason: `platform ${process.platform} has no cgroups` };
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    return { ok: false, reason: 'creating cgroups needs root' };
  }
  let dirs: { v1: string | null; v2: string | null };
  try {
    dirs = ownCgroupDirs();
  } catch (e) {
    return {
      ok: false,
      reason: `cannot read /proc/self/cgroup or mountinfo: ${(e as Error).message}`,
    };
  }
  if (dirs.v1) {
    try {
      readFileSync(posix.join(dirs.v1, 'cpu.cfs_quota_us'), 'utf8');
      return { ok: true, version: 1, base: dirs.v1 };
    } catch {
      /* fall through to v2 */
    }
  }
  if (dirs.v2) {
    try {
      const sub = readFileSync(posix.join(dirs.v2, 'cgroup.subtree_control'), 'utf8').split(/\s+/);
      if (sub.includes('cpu')) return { ok: true, version: 2, base: dirs.v2 };
      return {
        ok: false,
        reason: `cgroup v2 at ${dirs.v2} does not delegate the cpu controller to children`,
      };
    } catch (e) {
      return {
        ok: false,
        reason: `cgroup v2 at ${dirs.v2} is not usable: ${(e as Error).message}`,
      };
    }
  }
  return { ok: false, reason: 'no cgroup v1 cpu hierarchy and no cgroup v2 tree found' };
}

function writeLimit(version: 1 | 2, dir: string, cpus: number | null, periodUs: number): void {
  if (version === 2) {
    const quota = cpus === null ? 'max' : String(Math.max(1000, Math.round(cpus * periodUs)));
    writeFileSync(posix.join(dir, 'cpu.max'), `${quota} ${periodUs}`);
  } else {
    writeFileSync(posix.join(dir, 'cpu.cfs_period_us'), String(periodUs));
    writeFileSync(
      posix.join(dir, 'cpu.cfs_quota_us'),
      cpus === null ? '-1' : String(Math.max(1000, Math.round(cpus * periodUs))),
    );
  }
}

/**
 * Creates a child cgroup of this process's cgroup with a CPU quota (cgroup v1 `cpu` or v2
 * `cpu.max`), optionally below a parent with its own quota. Used by tests and by the
 * stress reproducer to run workers inside a real CPU quota.
 *
 * @throws {@link CgroupUnsupportedError} `GVL_CGROUP_UNSUPPORTED` with the reason when the
 *   machine does not allow it (see {@link cgroupSupport}); anything half-created is removed.
 * @example
 * ```ts
 * import { spawnSync } from 'node:child_process';
 *
 * const cg = createQuotaCgroup({ cpus: 1.5 }); // needs root and a writable cpu controller
 * try {
 *   const [cmd, args] = cg.wrap('npx', ['gvl-threads', '--json']);
 *   spawnSync(cmd, args, { stdio: 'inherit' }); // reports 2 threads, source cgroup
 * } finally {
 *   cg.remove();
 * }
 * ```
 */
export function createQuotaCgroup(options: QuotaCgroupOptions): QuotaCgroup {
  const support = cgroupSupport();
  if (!support.ok) throw new CgroupUnsupportedError(support.reason);
  const { version, base } = support;
  const periodUs = options.periodUs ?? 100_000;
  const name = options.name ?? `gvl-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const top = posix.join(base, name);
  const nested = options.parentCpus !== undefined;
  const leaf = nested ? posix.join(top, 'leaf') : top;
  const created: string[] = [];
  const remove = () => {
    for (const dir of [...created].reverse()) {
      for (let attempt = 0; attempt < 50; attempt++) {
        try {
          const procs = readFileSync(posix.join(dir, 'cgroup.procs'), 'utf8')
            .split('\n')
            .filter(Boolean);
          for (const pid of procs) {
            try {
              writeFileSync(posix.join(base, 'cgroup.procs'), pid);
            } catch {
              /* the process may have exited meanwhile */
            }
          }
          rmdirSync(dir);
          break;
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          if (code === 'ENOENT') break;
          if (attempt === 49) throw e;
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
        }
      }
    }
    created.length = 0;
  };
  try {
    mkdirSync(top);
    created.push(top);
    if (nested) {
      writeLimit(version, top, options.parentCpus ?? null, periodUs);
      if (version === 2) writeFileSync(posix.join(top, 'cgroup.subtree_control'), '+cpu');
      mkdirSync(leaf);
      created.push(leaf);
    }
    writeLimit(version, leaf, options.cpus, periodUs);
  } catch (e) {
    remove();
    throw new CgroupUnsupportedError(`could not create ${leaf}: ${(e as Error).message}`, {
      value: leaf,
      cause: e,
    });
  }
  const procsFile = posix.join(leaf, 'cgroup.procs');
  return {
    version,
    top,
    leaf,
    procsFile,
    wrap: (command, args) => [
      '/bin/sh',
      ['-c', 'echo $$ > "$0" && exec "$@"', procsFile, command, ...args],
    ],
    remove,
  };
}
