import { posix } from 'node:path';
import { readBelow } from './files.js';

/** A CPU limit found on a cgroup directory. */
export interface CgroupLimit {
  /** CPUs the limit allows: `quotaUs / periodUs` (may be fractional, e.g. 1.5). */
  cpus: number;
  /** Quota in microseconds per period (`cpu.max` first field, or `cpu.cfs_quota_us`). */
  quotaUs: number;
  /** Period in microseconds (`cpu.max` second field, or `cpu.cfs_period_us`). */
  periodUs: number;
  /** Absolute path of the cgroup directory that holds this limit. */
  path: string;
  /** cgroup version of the hierarchy it came from. */
  version: 1 | 2;
}

/** What a probe of this process's cgroups found. */
export interface CgroupProbe {
  /** Version of the hierarchy that governs CPU time here, `null` when none was found. */
  version: 1 | 2 | null;
  /** The tightest limit on the path from this process's cgroup to the mount root. */
  limit: CgroupLimit | null;
  /** Every directory inspected, leaf first, per hierarchy. */
  inspected: string[];
  /** Human-readable notes (malformed or absent files, unmappable paths). */
  notes: string[];
}

/** One line of `/proc/<pid>/cgroup`. */
export interface ProcCgroupEntry {
  /** Hierarchy ID: `'0'` for cgroup v2, a positive number for a v1 hierarchy. */
  id: string;
  /** Controllers bound to the hierarchy, e.g. `['cpu', 'cpuacct']`; empty for v2. */
  controllers: string[];
  /** This process's cgroup, relative to the hierarchy's root, e.g. `/docker/abc`. */
  path: string;
}

/** One line of `/proc/<pid>/mountinfo` (the fields cgroup discovery needs). */
export interface MountEntry {
  /** The directory of the mounted filesystem that appears at the mount point (field 4): `/` unless it is a bind mount. */
  root: string;
  /** Where it is mounted (field 5), octal escapes decoded. */
  mountPoint: string;
  /** Filesystem type after the `-` separator, e.g. `cgroup2` or `cgroup`. */
  fsType: string;
  /** Per-superblock options, e.g. `['rw', 'cpu', 'cpuacct']` for a v1 `cpu,cpuacct` hierarchy. */
  superOptions: string[];
}

/**
 * Parses `/proc/<pid>/cgroup` (`hierarchy-ID:controller-list:cgroup-path` per line).
 *
 * @example
 * ```ts
 * parseProcCgroup('12:cpu,cpuacct:/docker/abc\n0::/system.slice/app.service\n');
 * // [{ id: '12', controllers: ['cpu', 'cpuacct'], path: '/docker/abc' },
 * //  { id: '0', controllers: [], path: '/system.slice/app.service' }]
 * ```
 */
export function parseProcCgroup(text: string): ProcCgroupEntry[] {
  const out: ProcCgroupEntry[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    if (first < 0 || second < 0) continue;
    const controllers = line.slice(first + 1, second);
    out.push({
      id: line.slice(0, first),
      controllers: controllers === '' ? [] : controllers.split(','),
      path: line.slice(second + 1),
    });
  }
  return out;
}

/** Decodes the octal escapes (`\040` for a space) that mountinfo uses in paths. */
function unescapeMountPath(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, oct: string) =>
    String.fromCharCode(Number.parseInt(oct, 8)),
  );
}

/**
 * Parses `/proc/<pid>/mountinfo`: `ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTS`.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * const cgroupMounts = parseMountinfo(readFileSync('/proc/self/mountinfo', 'utf8')).filter(
 *   (m) => m.fsType === 'cgroup2' || m.fsType === 'cgroup',
 * );
 * cgroupMounts[0]?.mountPoint; // e.g. '/sys/fs/cgroup'
 * ```
 */
export function parseMountinfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(' ');
    const dash = fields.indexOf('-');
    if (dash < 6 || fields.length < dash + 4) continue;
    out.push({
      root: unescapeMountPath(fields[3] as string),
      mountPoint: unescapeMountPath(fields[4] as string),
      fsType: fields[dash + 1] as string,
      superOptions: (fields[dash + 3] as string).split(','),
    });
  }
  return out;
}

/**
 * Maps a cgroup path (as in /proc/self/cgroup) to a directory below a mount point,
 * stripping the mount's root (bind-mounted sub-hierarchies in containers).
 */
function mapToMount(mount: MountEntry, cgPath: string): string | null {
  if (cgPath.startsWith('/..')) return null;
  let rel: string;
  if (mount.root === '/') rel = cgPath;
  else if (cgPath === mount.root) rel = '/';
  else if (cgPath.startsWith(`${mount.root}/`)) rel = cgPath.slice(mount.root.length);
  else return null;
  const dir = posix.join(mount.mountPoint, rel);
  return dir.length > 1 ? dir.replace(/\/+$/, '') : dir;
}

function parsePositiveInt(s: string): number | null {
  return /^\d+$/.test(s) && Number(s) > 0 ? Number(s) : null;
}

type LevelLimit = { kind: 'limit'; quotaUs: number; periodUs: number } | { kind: 'none' };

function readV2Level(root: string, dir: string, notes: string[]): LevelLimit {
  const file = posix.join(dir, 'cpu.max');
  const text = readBelow(root, file);
  if (text === null) return { kind: 'none' };
  const [quota, period, ...rest] = text.trim().split(/\s+/);
  if (quota === 'max' && rest.length === 0) return { kind: 'none' };
  const q = parsePositiveInt(quota ?? '');
  const p = period === undefined ? 100_000 : parsePositiveInt(period);
  if (q === null || p === null || rest.length > 0) {
    notes.push(`${file}: malformed content ${JSON.stringify(text.trim())}, ignored`);
    return { kind: 'none' };
  }
  return { kind: 'limit', quotaUs: q, periodUs: p };
}

function readV1Level(root: string, dir: string, notes: string[]): LevelLimit {
  const qFile = posix.join(dir, 'cpu.cfs_quota_us');
  const pFile = posix.join(dir, 'cpu.cfs_period_us');
  const qText = readBelow(root, qFile);
  if (qText === null) return { kind: 'none' };
  const quota = qText.trim();
  if (quota === '-1') return { kind: 'none' };
  const q = parsePositiveInt(quota);
  if (q === null) {
    notes.push(`${qFile}: malformed content ${JSON.stringify(quota)}, ignored`);
    return { kind: 'none' };
  }
  const pText = readBelow(root, pFile);
  const p = pText === null ? null : parsePositiveInt(pText.trim());
  if (p === null) {
    notes.push(
      `${pFile}: ${pText === null ? 'absent' : `malformed content ${JSON.stringify(pText.trim())}`}, quota ignored`,
    );
    return { kind: 'none' };
  }
  return { kind: 'limit', quotaUs: q, periodUs: p };
}

/**
 * Walks from `leaf` up to `mountPoint` (inclusive) and returns the tightest limit.
 */
function walk(
  root: string,
  leaf: string,
  mountPoint: string,
  version: 1 | 2,
  inspected: string[],
  notes: string[],
): CgroupLimit | null {
  let best: CgroupLimit | null = null;
  let dir = leaf;
  for (;;) {
    inspected.push(dir);
    const level = version === 2 ? readV2Level(root, dir, notes) : readV1Level(root, dir, notes);
    if (level.kind === 'limit') {
      const cpus = level.quotaUs / level.periodUs;
      if (best === null || cpus < best.cpus) {
        best = { cpus, quotaUs: level.quotaUs, periodUs: level.periodUs, path: dir, version };
      }
    }
    if (dir === mountPoint || dir === '/' || !dir.startsWith(mountPoint)) break;
    dir = posix.dirname(dir);
  }
  return best;
}

/**
 * Finds this process's cgroups (v2 and v1 `cpu`) through `/proc/self/cgroup` and
 * `/proc/self/mountinfo`, and returns the tightest CPU limit on the path from each
 * leaf cgroup to its mount root: v2 `cpu.max` (`max` = unlimited) and v1
 * `cpu.cfs_quota_us / cpu.cfs_period_us` (`-1` = unlimited).
 *
 * Absent or malformed files never throw: they are skipped with a note.
 *
 * @param root - directory that stands for `/` (fixture trees in tests).
 * @example
 * ```ts
 * const probe = probeCgroups('/');
 * probe.limit?.cpus; // e.g. 1.5 under `docker run --cpus 1.5`; undefined without a quota
 * probe.inspected; // the cgroup directories read, leaf first
 * ```
 */
export function probeCgroups(root: string): CgroupProbe {
  const notes: string[] = [];
  const inspected: string[] = [];
  const cgText = readBelow(root, '/proc/self/cgroup');
  const miText = readBelow(root, '/proc/self/mountinfo');
  if (cgText === null || miText === null) {
    notes.push(
      `${cgText === null ? '/proc/self/cgroup' : '/proc/self/mountinfo'} is absent or unreadable: no cgroup limit applied`,
    );
    return { version: null, limit: null, inspected, notes };
  }
  const entries = parseProcCgroup(cgText);
  const mounts = parseMountinfo(miText);

  let version: 1 | 2 | null = null;
  let limit: CgroupLimit | null = null;
  const consider = (found: CgroupLimit | null) => {
    if (found !== null && (limit === null || found.cpus < limit.cpus)) limit = found;
  };

  // cgroup v1: the hierarchy whose controllers include `cpu` (`cpu`, `cpu,cpuacct`, `cpuacct,cpu`).
  const v1 = entries.find((e) => e.id !== '0' && e.controllers.includes('cpu'));
  if (v1) {
    const candidates = mounts.filter(
      (m) => m.fsType === 'cgroup' && m.superOptions.includes('cpu'),
    );
    if (candidates.length === 0) notes.push('cgroup v1 cpu hierarchy listed but not mounted');
    for (const m of candidates) {
      const leaf = mapToMount(m, v1.path);
      if (leaf === null) continue;
      version = 1;
      consider(walk(root, leaf, m.mountPoint, 1, inspected, notes));
      break;
    }
    if (candidates.length > 0 && version === null) {
      notes.push(`cgroup v1 path ${v1.path} is not visible under any cpu mount`);
    }
  }

  // cgroup v2: the `0::/path` line, at whatever mount point cgroup2 is mounted.
  const v2 = entries.find((e) => e.id === '0' && e.controllers.length === 0);
  if (v2) {
    const candidates = mounts.filter((m) => m.fsType === 'cgroup2');
    if (candidates.length === 0) notes.push('cgroup v2 listed but no cgroup2 mount found');
    let mapped = false;
    for (const m of candidates) {
      const leaf = mapToMount(m, v2.path);
      if (leaf === null) continue;
      mapped = true;
      const before = limit;
      const found = walk(root, leaf, m.mountPoint, 2, inspected, notes);
      consider(found);
      // The v2 tree governs CPU when no v1 cpu hierarchy exists, or when it holds the tighter limit.
      if (version === null || limit !== before) version = 2;
      break;
    }
    if (candidates.length > 0 && !mapped) {
      notes.push(`cgroup v2 path ${v2.path} is not visible under any cgroup2 mount`);
    }
  }
  if (entries.length === 0) notes.push('/proc/self/cgroup lists no hierarchy');
  return { version, limit, inspected, notes };
}
