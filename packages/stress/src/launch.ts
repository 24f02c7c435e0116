/**
 * One launch: spawn every process at once, collect their reports, and on the timeout
 * (the deadlock detector) capture, kill, reap and verify.
 *
 * @internal
 * @module
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { QuotaCgroup } from '@gvl/threads/cgroup-create';
import { type CaptureOptions, captureProcesses, type ProcessCapture } from './capture.js';
import { findRelated, processState, readStat, readThreads } from './proc.js';
import { parseMessage, REPORT_FD, type WorkerMessage } from './protocol.js';
import type {
  EngineName,
  LaunchReport,
  ProcessReport,
  ReapReport,
  WorkerReport,
  WorkerStatus,
} from './report.js';

/** One OS process to spawn: a worker process, or the thread-mode host. */
export interface UnitSpec {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** Worker indices it runs. */
  workers: number[];
  /** Workers told to hang. */
  injected: number[];
}

/** Process groups currently alive, for the signal and exit handlers of {@link runStress}. */
export interface GroupRegistry {
  add(pgid: number): void;
  delete(pgid: number): void;
}

/** Options of {@link runLaunch}. */
export interface LaunchOptions {
  engine: EngineName;
  launch: number;
  units: UnitSpec[];
  timeoutMs: number;
  /** Spawn every unit inside this cgroup (through its `wrap`). */
  cgroup: QuotaCgroup | null;
  /** Harness-side `Threads:` observation interval, ms. */
  observeMs: number;
  capture: CaptureOptions;
  registry: GroupRegistry;
  /** How long to wait for the exit of killed processes, ms. Default 5000. */
  reapTimeoutMs?: number;
}

const TAIL = 4096;

interface WorkerState {
  tid: number | null;
  pid: number | null;
  iters: number;
  bytes: number;
  pool: WorkerReport['pool'];
  peak: number | null;
  done: Extract<WorkerMessage, { t: 'done' }> | null;
  fail: Extract<WorkerMessage, { t: 'fail' }> | null;
  hangSignalled: boolean;
  version: string | null;
  digest: string | null;
}

interface UnitState {
  spec: UnitSpec;
  child: ChildProcess;
  pid: number | null;
  exited: boolean;
  exitCode: number | null;
  signal: string | null;
  spawnError: string | null;
  exitPromise: Promise<void>;
  channelDone: Promise<void>;
  observedPeak: number;
  selfPeak: number;
  stderrTail: string;
  capture: ProcessCapture[] | null;
  hung: boolean;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function lines(stream: Readable | null | undefined, onLine: (line: string) => void): Promise<void> {
  return new Promise((resolve) => {
    if (!stream) return resolve();
    let buf = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      buf += chunk;
      let nl = buf.indexOf('\n');
      while (nl >= 0) {
        onLine(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
        nl = buf.indexOf('\n');
      }
    });
    const finish = () => {
      if (buf) onLine(buf);
      buf = '';
      resolve();
    };
    stream.on('end', finish);
    stream.on('close', finish);
    stream.on('error', finish);
  });
}

function killGroup(pgid: number): boolean {
  try {
    process.kill(-pgid, 'SIGKILL');
    return true;
  } catch {
    return false;
  }
}

/** The engine-independent version string a worker reported, if any. */
export function reportedVersion(state: { version: string | null }[]): string | null {
  return state.find((s) => s.version !== null)?.version ?? null;
}

/**
 * Runs one launch to its end: every worker finished, or the timeout fired and every
 * stuck process was captured, killed and reaped. Never throws for a worker's fault.
 *
 * @returns the launch report and the engine version a worker reported.
 */
export async function runLaunch(
  options: LaunchOptions,
): Promise<{ report: LaunchReport; version: string | null }> {
  // Launches the units and supervises them to the end; the units' state and the shared deadline are closed over by the per-unit handlers.
  const { units: specs, timeoutMs } = options;
  const workers = new Map<number, WorkerState>();
  for (const spec of specs) {
    for (const w of spec.workers) {
      workers.set(w, {
        tid: null,
        pid: null,
        iters: 0,
        bytes: 0,
        pool: null,
        peak: null,
        done: null,
        fail: null,
        hangSignalled: false,
        version: null,
        digest: null,
      });
    }
  }
  const started = performance.now();
  const units: UnitState[] = specs.map((spec) => {
    // Builds one unit with its child-process handlers; they share the unit's state.
    const [command, args] = options.cgroup
      ? options.cgroup.wrap(spec.command, spec.args)
      : [spec.command, spec.args];
    // detached: the child leads a new session and process group, so the whole group
    // (and anything it spawned) can be killed with one kill(-pgid).
    const child = spawn(command, args, {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
      env: spec.env,
    });
    const unit: UnitState = {
      spec,
      child,
      pid: child.pid ?? null,
      exited: false,
      exitCode: null,
      signal: null,
      spawnError: null,
      exitPromise: Promise.resolve(),
      channelDone: Promise.resolve(),
      observedPeak: 0,
      selfPeak: 0,
      stderrTail: '',
      capture: null,
      hung: false,
    };
    if (unit.pid !== null) options.registry.add(unit.pid);
    unit.exitPromise = new Promise<void>((resolve) => {
      child.on('error', (e) => {
        unit.spawnError = e.message;
        if (unit.pid === null) {
          unit.exited = true;
          resolve();
        }
      });
      // 'exit' fires after libuv's waitpid: the process is reaped.
      child.on('exit', (code, signal) => {
        unit.exited = true;
        unit.exitCode = code;
        unit.signal = signal;
        if (unit.pid !== null) options.registry.delete(unit.pid);
        resolve();
      });
    });
    unit.channelDone = lines(child.stdio[REPORT_FD] as Readable | undefined, (line) => {
      const m = parseMessage(line);
      const w = m ? workers.get(m.worker) : undefined;
      if (!m || !w) return;
      if ('threads' in m) {
        if (m.threads > unit.selfPeak) unit.selfPeak = m.threads;
        if (m.threads > (w.peak ?? 0)) w.peak = m.threads;
      }
      switch (m.t) {
        case 'hello':
          w.pid = m.pid;
          w.tid = m.tid;
          break;
        case 'ready':
          w.pool = m.pool;
          if (m.version) w.version = m.version;
          break;
        case 'iter':
          w.iters = m.iter + 1;
          w.bytes += m.bytes;
          if (m.digest) w.digest = m.digest;
          break;
        case 'hang':
          w.hangSignalled = true;
          break;
        case 'done':
          w.done = m;
          w.pool = m.pool;
          w.peak = Math.max(w.peak ?? 0, m.peakThreads);
          w.iters = m.iters;
          w.bytes = m.bytes;
          unit.selfPeak = Math.max(unit.selfPeak, m.peakThreads);
          break;
        case 'fail':
          w.fail = m;
          w.peak = Math.max(w.peak ?? 0, m.peakThreads);
          unit.selfPeak = Math.max(unit.selfPeak, m.peakThreads);
          break;
      }
    });
    child.stdout?.resume();
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      unit.stderrTail = (unit.stderrTail + chunk).slice(-TAIL);
    });
    return unit;
  });

  const observe = () => {
    for (const u of units) {
      if (u.exited || u.pid === null) continue;
      const n = readThreads(u.pid);
      if (n !== null && n > u.observedPeak) u.observedPeak = n;
    }
  };
  const observer = setInterval(observe, options.observeMs);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = await Promise.race([
    Promise.all(units.map((u) => u.exitPromise)).then(() => false),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), timeoutMs);
    }),
  ]);
  clearTimeout(timer);
  clearInterval(observer);
  observe();

  let detectedAfterMs: number | null = null;
  const killedGroups: number[] = [];
  const tracked = new Set<number>();
  if (timedOut) {
    detectedAfterMs = performance.now() - started;
    const stuck = units.filter((u) => !u.exited && u.pid !== null);
    for (const u of stuck) u.hung = true;
    // Capture first, then kill: the evidence is the state the processes are stuck in.
    const perUnit = stuck.map((u) =>
      findRelated([u.pid as number], [u.pid as number])
        .filter((p) => p.state !== 'Z')
        .map((p) => p.pid),
    );
    for (const pids of perUnit) for (const pid of pids) tracked.add(pid);
    const captures = await captureProcesses(perUnit.flat(), options.capture);
    stuck.forEach((u, i) => {
      const pids = new Set(perUnit[i]);
      u.capture = captures.filter((c) => pids.has(c.pid));
    });
    for (const u of stuck) {
      if (killGroup(u.pid as number)) killedGroups.push(u.pid as number);
    }
    // Descendants that left the group (setsid) are killed one by one.
    for (const pid of tracked) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }

  // Reap: every spawned process's 'exit' (libuv's waitpid) within the bound.
  const reapTimeoutMs = options.reapTimeoutMs ?? 5000;
  let reapTimer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all(units.map((u) => u.exitPromise)),
    new Promise((r) => {
      reapTimer = setTimeout(r, reapTimeoutMs);
    }),
  ]);
  clearTimeout(reapTimer);
  // Let the report channels drain (lines written just before exit), bounded.
  await Promise.race([Promise.all(units.map((u) => u.channelDone)), sleep(1000)]);
  for (const u of units) {
    u.child.stdout?.destroy();
    u.child.stderr?.destroy();
    (u.child.stdio[REPORT_FD] as Readable | undefined)?.destroy();
  }

  const reap = verifyReaped(units, tracked, killedGroups);
  for (const u of units) if (u.pid !== null && u.exited) options.registry.delete(u.pid);

  const workerReports = buildWorkers(units, workers);
  const processes: ProcessReport[] = units.map((u) => {
    const pools = u.spec.workers.map((w) => workers.get(w)?.pool?.numThreads ?? null);
    return {
      pid: u.pid,
      workers: u.spec.workers,
      exitCode: u.exitCode,
      signal: u.signal,
      hung: u.hung,
      peakThreads: Math.max(u.observedPeak, u.selfPeak),
      observedPeakThreads: u.observedPeak,
      poolThreads: pools.find((p) => p !== null) ?? null,
      stderrTail: u.spawnError ? `spawn failed: ${u.spawnError}\n${u.stderrTail}` : u.stderrTail,
      capture: u.capture,
    };
  });
  const counts = { ok: 0, hung: 0, crashed: 0 };
  for (const w of workerReports) counts[w.status]++;
  const status: WorkerStatus = counts.hung > 0 ? 'hung' : counts.crashed > 0 ? 'crashed' : 'ok';
  const report: LaunchReport = {
    engine: options.engine,
    launch: options.launch,
    status,
    wallMs: performance.now() - started,
    timeoutMs,
    detectedAfterMs,
    counts,
    workers: workerReports,
    processes,
    maxThreadsPerProcess: Math.max(0, ...processes.map((p) => p.peakThreads)),
    totalThreads: processes.reduce((a, p) => a + p.peakThreads, 0),
    poolThreads: processes.reduce((a, p) => a + (p.poolThreads ?? 0), 0),
    bytes: workerReports.reduce((a, w) => a + w.bytes, 0),
    digestsAgree: agree(workerReports.map((w) => w.digest)),
    cgroup: null,
    reap,
  };
  return { report, version: reportedVersion([...workers.values()]) };
}

/** `true` when every non-null digest is the same, `false` when two differ, `null` when none. */
export function agree(digests: readonly (string | null)[]): boolean | null {
  const set = new Set(digests.filter((d): d is string => d !== null));
  return set.size === 0 ? null : set.size === 1;
}

function verifyReaped(
  units: UnitState[],
  tracked: Set<number>,
  killedGroups: number[],
): ReapReport {
  const roots = units.map((u) => u.pid).filter((p): p is number => p !== null);
  const check = () => {
    const found = new Map(findRelated(roots, roots).map((p) => [p.pid, p]));
    for (const pid of tracked) {
      if (found.has(pid)) continue;
      const stat = processState(pid) === 'gone' ? null : readStat(pid);
      if (stat) found.set(pid, stat);
    }
    return [...found.values()];
  };
  let survivors = check();
  if (survivors.length > 0) {
    // Leftovers (a grandchild of a clean worker, or a slow death): kill, wait, re-check.
    for (const s of survivors) {
      if (s.pgrp > 1 && roots.includes(s.pgrp) && killGroup(s.pgrp)) {
        if (!killedGroups.includes(s.pgrp)) killedGroups.push(s.pgrp);
      }
      try {
        process.kill(s.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    const until = Date.now() + 2000;
    while (Date.now() < until) {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
      if (check().length === 0) break;
    }
    // A survivor at the first check is reported even if the retry removed it.
    const after = new Map(check().map((p) => [p.pid, p]));
    survivors = survivors.map((s) => after.get(s.pid) ?? s);
  }
  const allReaped = units.every((u) => u.exited);
  return {
    killedGroups,
    allReaped,
    survivors: survivors.map((s) => ({ pid: s.pid, state: s.state, comm: s.comm })),
    ok: allReaped && survivors.length === 0,
  };
}

function buildWorkers(units: UnitState[], workers: Map<number, WorkerState>): WorkerReport[] {
  const out: WorkerReport[] = [];
  for (const u of units) {
    const states = u.spec.workers.map((w) => [w, workers.get(w) as WorkerState] as const);
    const allDone = states.every(([, s]) => s.done !== null);
    for (const [worker, s] of states) {
      let status: WorkerStatus;
      let note: string | null = null;
      if (u.hung) {
        if (s.done && !allDone) {
          status = 'ok';
        } else {
          status = 'hung';
          note = s.done
            ? 'finished its iterations but its process did not exit'
            : s.fail
              ? `reported a failure (${s.fail.error.message}) but its process did not exit`
              : s.hangSignalled
                ? 'blocked on purpose after its first iteration'
                : `stuck after ${s.iters} of its iterations`;
        }
      } else if (s.done && !s.fail && u.exitCode === 0) {
        status = 'ok';
      } else {
        status = 'crashed';
        note = s.fail
          ? null
          : u.spawnError
            ? `spawn failed: ${u.spawnError}`
            : s.done
              ? `reported done but exited with ${u.exitCode ?? u.signal}`
              : `exited with ${u.exitCode ?? u.signal} before reporting done (after ${s.iters} iterations)`;
      }
      out.push({
        worker,
        pid: s.pid ?? u.pid,
        tid: s.tid,
        status,
        injectedHang: u.spec.injected.includes(worker),
        note,
        iters: s.iters,
        bytes: s.bytes,
        pool: s.pool,
        peakThreads: s.peak,
        elapsedMs: s.done?.elapsedMs ?? null,
        digest: s.digest,
        error: s.fail?.error ?? null,
      });
    }
  }
  return out.sort((a, b) => a.worker - b.worker);
}
