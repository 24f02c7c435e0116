/**
 * Small readers of Linux `/proc`: thread counts, process groups, per-thread states.
 * Every reader tolerates a process that exits while it is read (returns `null` or
 * skips it): the processes observed here are racing to finish.
 *
 * @module
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second for `utime`/`stime` in `/proc/<pid>/stat` (`USER_HZ`, 100 on Linux). */
export const CLOCK_TICKS = 100;

/** The fields of `/proc/<pid>/stat` (or `/proc/<pid>/task/<tid>/stat`) used here. */
export interface ProcStat {
  /** Process (or thread) id. */
  pid: number;
  /** `comm`, the executable or thread name (at most 15 bytes). */
  comm: string;
  /** One-letter state: `R` running, `S` sleeping, `D` uninterruptible, `Z` zombie, `T` stopped, … */
  state: string;
  /** Parent process id. */
  ppid: number;
  /** Process group id. */
  pgrp: number;
  /** Session id. */
  session: number;
  /** User-mode CPU time in clock ticks ({@link CLOCK_TICKS} per second). */
  utime: number;
  /** Kernel-mode CPU time in clock ticks. */
  stime: number;
  /** Threads of the process (field 20). */
  numThreads: number;
}

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** Parses the text of a `stat` file; `null` when malformed. */
export function parseStat(text: string): ProcStat | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const rest = text
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  // rest[0] is field 3 (state); field n is rest[n - 3].
  const field = (n: number) => Number(rest[n - 3]);
  const stat: ProcStat = {
    pid: Number(text.slice(0, open).trim()),
    comm: text.slice(open + 1, close),
    state: rest[0] ?? '?',
    ppid: field(4),
    pgrp: field(5),
    session: field(6),
    utime: field(14),
    stime: field(15),
    numThreads: field(20),
  };
  return Number.isInteger(stat.pid) ? stat : null;
}

/** `/proc/<pid>/stat`, or `null` when the process is gone. */
export function readStat(pid: number | 'self'): ProcStat | null {
  const text = read(`/proc/${pid}/stat`);
  return text === null ? null : parseStat(text);
}

/** The `Threads:` line of a `status` text, or `null`. */
export function parseThreads(status: string): number | null {
  const m = /^Threads:\s*(\d+)/m.exec(status);
  return m ? Number(m[1]) : null;
}

/** The OS thread count of a process (`Threads:` of `/proc/<pid>/status`), `null` when gone. */
export function readThreads(pid: number | 'self' = 'self'): number | null {
  const text = read(`/proc/${pid}/status`);
  return text === null ? null : parseThreads(text);
}

/**
 * The OS thread id of the calling thread: the worker thread's own id inside a
 * `worker_threads` Worker (through `/proc/thread-self`), the pid on the main thread.
 */
export function currentTid(): number {
  try {
    const link = readFileSync('/proc/thread-self/stat', 'utf8');
    return parseStat(link)?.pid ?? process.pid;
  } catch {
    return process.pid;
  }
}

/** Every process visible in `/proc`, with its stat. */
export function listProcesses(): ProcStat[] {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return [];
  }
  const out: ProcStat[] = [];
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (stat) out.push(stat);
  }
  return out;
}

/**
 * Processes that belong to any of the process groups `pgids`, or descend from any of
 * `roots` (following `ppid`), zombies included. Used before a kill (what to wait for)
 * and after it (what survived).
 */
export function findRelated(pgids: readonly number[], roots: readonly number[]): ProcStat[] {
  const all = listProcesses();
  const groups = new Set(pgids);
  const related = new Set<number>(roots);
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of all) {
      if (!related.has(p.pid) && related.has(p.ppid)) {
        related.add(p.pid);
        grew = true;
      }
    }
  }
  return all.filter((p) => groups.has(p.pgrp) || related.has(p.pid));
}

/** One thread of a captured process. */
export interface ThreadState {
  /** OS thread id. */
  tid: number;
  /** Thread name (`comm`). */
  comm: string;
  /** One-letter scheduler state (`S` sleeping, `R` running, `D` uninterruptible, …). */
  state: string;
  /** Kernel function the thread sleeps in (`/proc/…/wchan`), e.g. `futex_wait_queue`; `''` when running. */
  wchan: string;
  /** `/proc/…/syscall`: the syscall number and arguments it is blocked in, `running`, or `null` when unreadable. */
  syscall: string | null;
  /** User + kernel CPU time so far, in ms. */
  cpuMs: number;
  /** CPU time used during the capture's sampling interval, in ms (≈ 0 when parked, ≈ the interval when spinning). */
  cpuDeltaMs: number | null;
}

/** Reads every thread of `pid` (`/proc/<pid>/task/<tid>/{stat,comm,wchan,syscall}`). */
export function readThreadStates(pid: number): ThreadState[] {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const out: ThreadState[] = [];
  for (const name of tids.sort((a, b) => Number(a) - Number(b))) {
    const dir = `/proc/${pid}/task/${name}`;
    const statText = read(`${dir}/stat`);
    const stat = statText === null ? null : parseStat(statText);
    if (!stat) continue;
    out.push({
      tid: stat.pid,
      comm: (read(`${dir}/comm`) ?? stat.comm).trim(),
      state: stat.state,
      wchan: (read(`${dir}/wchan`) ?? '').trim().replace(/^0$/, ''),
      syscall: read(`${dir}/syscall`)?.trim() ?? null,
      cpuMs: ((stat.utime + stat.stime) * 1000) / CLOCK_TICKS,
      cpuDeltaMs: null,
    });
  }
  return out;
}

/** Whether `pid` exists: `'alive'`, `'zombie'` (exited, not reaped) or `'gone'`. */
export function processState(pid: number): 'alive' | 'zombie' | 'gone' {
  const stat = readStat(pid);
  if (stat === null) return 'gone';
  return stat.state === 'Z' || stat.state === 'X' ? 'zombie' : 'alive';
}

/** Whether `/proc` looks like Linux's (the harness needs it). */
export function hasProcfs(): boolean {
  return read('/proc/self/status') !== null && read('/proc/self/stat') !== null;
}
