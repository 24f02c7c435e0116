/**
 * The deadlock detector's evidence: the state of every thread of every stuck process,
 * taken before the kill. `/proc/<pid>/task/<tid>/{stat,comm,wchan,syscall}` twice a
 * short interval apart (so a parked thread, CPU flat, is told from a spinning one), then
 * a native backtrace of all threads with gdb (or eu-stack) under a hard time limit.
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { readStat, readThreadStates, type ThreadState } from './proc.js';

/** A native backtrace of all threads of one process. */
export interface StackCapture {
  /** The tool that produced it. */
  tool: 'gdb' | 'eu-stack';
  /** Its output (truncated to 256 KiB). */
  text: string;
  /** Whether the tool was killed at the time limit (the text may be partial). */
  timedOut: boolean;
  /** The tool's exit status or failure, when it did not succeed. */
  error?: string;
  /**
   * `'full'`: every frame symbolized. `'no-solib-symbols'`: gdb's quick pass without
   * shared-library symbols (frames in `.so` files show as `??` with the library path),
   * used when the full pass did not finish in time (loading the symbols of large
   * libraries, e.g. a Python process with polars, can take tens of seconds).
   */
  symbols: 'full' | 'no-solib-symbols';
}

/** Everything captured about one stuck process. */
export interface ProcessCapture {
  /** OS process id. */
  pid: number;
  /** Process group id (the group that is then killed). */
  pgrp: number;
  /** Executable name (`comm`). */
  comm: string;
  /** Command line, arguments separated by spaces (truncated to 500 characters). */
  cmdline: string;
  /** Process state letter. */
  state: string;
  /** Resident memory in KiB (`VmRSS`), `null` when unreadable. */
  rssKiB: number | null;
  /** Every thread, ordered by id. */
  threads: ThreadState[];
  /** Native backtrace, `null` when no tool is installed. */
  stack: StackCapture | null;
}

/** Options of {@link captureProcesses}. */
export interface CaptureOptions {
  /** Interval between the two `/proc` samples, in ms (CPU deltas). Default 200. */
  sampleMs?: number;
  /** Time limit of the native backtrace of one process (all gdb passes), in ms. Default 4000. */
  stackTimeoutMs?: number;
  /** Skip native backtraces (faster; `/proc` states only). Default false. */
  noStacks?: boolean;
}

const STACK_LIMIT = 256 * 1024;

function onPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const file = join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      /* next */
    }
  }
  return null;
}

/**
 * The native backtrace tool this machine has: gdb, else eu-stack, else `null`.
 *
 * @returns the tool and its path.
 */
export function stackTool(): {
  /** Which tool: `gdb` (preferred) or elfutils' `eu-stack`. */
  tool: 'gdb' | 'eu-stack';
  /** Absolute path of its executable, found on `PATH`. */
  path: string;
} | null {
  const gdb = onPath('gdb');
  if (gdb) return { tool: 'gdb', path: gdb };
  const eu = onPath('eu-stack');
  if (eu) return { tool: 'eu-stack', path: eu };
  return null;
}

function runTool(
  path: string,
  args: string[],
  timeoutMs: number,
): Promise<{ text: string; timedOut: boolean; error?: string }> {
  return new Promise((resolve) => {
    let text = '';
    let timedOut = false;
    const child = spawn(path, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      // No symbol servers: a capture must not wait on the network.
      env: { ...process.env, DEBUGINFOD_URLS: '' },
    });
    const take = (chunk: Buffer) => {
      if (text.length < STACK_LIMIT) text += chunk.toString('utf8');
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ text, timedOut, error: e.message });
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const failed = code !== 0 && !timedOut;
      resolve({
        text: text.slice(0, STACK_LIMIT),
        timedOut,
        ...(failed ? { error: `exited with ${code ?? signal}` } : {}),
      });
    });
  });
}

/**
 * A native backtrace of every thread of `pid`: `gdb -p PID -batch -ex 'thread apply all
 * bt'` (or `eu-stack -p PID`), within `timeoutMs` in all. When gdb's symbolized pass
 * cannot finish in time, a quick pass without shared-library symbols runs in the time
 * left (one tracer at a time: ptrace).
 * gdb detaches when done, so the process is left as it was (stopped briefly while
 * attached).
 *
 * @returns `null` when neither tool is installed.
 */
export async function nativeStack(pid: number, timeoutMs = 4000): Promise<StackCapture | null> {
  const tool = stackTool();
  if (!tool) return null;
  if (tool.tool === 'eu-stack') {
    const r = await runTool(tool.path, ['-p', String(pid)], timeoutMs);
    return { tool: tool.tool, ...r, symbols: 'full' };
  }
  const gdb = (quick: boolean) => [
    '-p',
    String(pid),
    '-batch',
    '-nx',
    '-q',
    ...(quick ? ['-iex', 'set auto-solib-add off'] : []),
    '-ex',
    'set pagination off',
    '-ex',
    'thread apply all bt',
  ];
  // One tracer at a time (ptrace): the symbolized pass first; if it cannot finish (the
  // symbols of large libraries take too long to load), a quick pass without
  // shared-library symbols in the time left.
  const deadline = performance.now() + timeoutMs;
  const full = await runTool(tool.path, gdb(false), Math.max(timeoutMs - 1000, timeoutMs / 2));
  if (!full.timedOut) return { tool: 'gdb', ...full, symbols: 'full' };
  const quick = await runTool(tool.path, gdb(true), Math.max(100, deadline - performance.now()));
  if (quick.timedOut || quick.error) return { tool: 'gdb', ...full, symbols: 'full' };
  return { tool: 'gdb', ...quick, symbols: 'no-solib-symbols' };
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/**
 * Captures every thread of every process in `pids` (processes that exit meanwhile are
 * skipped). Takes at most about `sampleMs + stackTimeoutMs`; backtraces of different
 * processes run concurrently.
 *
 * @param pids - processes to capture.
 * @param options - sampling interval and backtrace time limit.
 */
export async function captureProcesses(
  pids: readonly number[],
  options: CaptureOptions = {},
): Promise<ProcessCapture[]> {
  const sampleMs = options.sampleMs ?? 200;
  const first = new Map(pids.map((pid) => [pid, readThreadStates(pid)]));
  await new Promise((r) => setTimeout(r, sampleMs));
  const captures: ProcessCapture[] = [];
  for (const pid of pids) {
    const stat = readStat(pid);
    if (!stat) continue;
    const before = new Map((first.get(pid) ?? []).map((t) => [t.tid, t.cpuMs]));
    const threads = readThreadStates(pid).map((t) => {
      const was = before.get(t.tid);
      return { ...t, cpuDeltaMs: was === undefined ? null : Math.max(0, t.cpuMs - was) };
    });
    const status = readText(`/proc/${pid}/status`) ?? '';
    const rss = /^VmRSS:\s*(\d+)/m.exec(status);
    captures.push({
      pid,
      pgrp: stat.pgrp,
      comm: stat.comm,
      cmdline: (readText(`/proc/${pid}/cmdline`) ?? '')
        .split('\0')
        .filter(Boolean)
        .join(' ')
        .slice(0, 500),
      state: stat.state,
      rssKiB: rss ? Number(rss[1]) : null,
      threads,
      stack: null,
    });
  }
  if (!options.noStacks) {
    const stacks = await Promise.all(
      captures.map((c) => nativeStack(c.pid, options.stackTimeoutMs ?? 4000)),
    );
    stacks.forEach((s, i) => {
      const c = captures[i];
      if (c) c.stack = s;
    });
  }
  return captures;
}

/** One thread's frames, parsed out of a gdb `thread apply all bt`. */
export interface ThreadFrames {
  /** OS thread id (gdb's `LWP`). */
  tid: number;
  /** Function names of the innermost frames, innermost first. */
  frames: string[];
}

/** libc / pthread / futex plumbing that every parked thread shares: skipped in summaries. */
const PLUMBING = /^(_|syscall$|pthread_cond_|uv_cond_wait$|epoll_pwait$)/;

/** Shortens a demangled Rust or C++ frame name: drops crate hashes and `::h<hash>` suffixes. */
function shortFrame(name: string): string {
  let n = name
    .replace(/\(anonymous namespace\)/g, '{anon}')
    .replace(/\[[0-9a-f]{16}\]/g, '')
    .replace(/::h[0-9a-f]{16}$/, '')
    .replace(/^<(.+)>::/, '$1::');
  // C++: drop the parameter list and the return type.
  const paren = n.indexOf('(');
  if (paren > 0) n = n.slice(0, paren);
  n = n.trim().split(' ').pop() ?? n;
  return n.length > 60 ? `…${n.slice(-59)}` : n;
}

/**
 * Splits gdb's `thread apply all bt` output into per-thread function names (for the
 * human report; the raw text stays in the JSON). libc, pthread and futex plumbing
 * frames (`__futex_abstimed_wait_common64`, `syscall`, `pthread_cond_wait`…) are
 * skipped, so the first frames kept say who is waiting (`rayon_core::sleep::Sleep::sleep`,
 * `v8::internal::FutexEmulation::Wait`, `uv__io_poll`, …).
 *
 * @param text - gdb output.
 * @param depth - frames kept per thread. Default 4.
 */
export function parseGdbThreads(text: string, depth = 4): ThreadFrames[] {
  const out: ThreadFrames[] = [];
  let current: ThreadFrames | null = null;
  for (const line of text.split('\n')) {
    const head = /^Thread \d+ \(.*?LWP (\d+)/.exec(line);
    if (head) {
      current = { tid: Number(head[1]), frames: [] };
      out.push(current);
      continue;
    }
    const frame = /^#\d+\s+(?:0x[0-9a-f]+ in )?(.+?) \(/.exec(line);
    const name = frame?.[1];
    if (!current || !name || current.frames.length >= depth) continue;
    if (PLUMBING.test(name)) continue;
    current.frames.push(shortFrame(name));
  }
  return out;
}
