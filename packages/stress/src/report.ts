/**
 * The shape of a stress report and its human rendering.
 *
 * @module
 */
import { type ProcessCapture, parseGdbThreads } from './capture.js';
import type { ErrorReport, PoolReport } from './protocol.js';

/** How workers run: spawned child processes, or worker threads of one spawned host process. */
export type StressMode = 'process' | 'thread';

/** Which implementation a run drives. */
export type EngineName = 'gvl-ts' | 'genvarloader';

/** A worker's outcome in one launch. */
export type WorkerStatus = 'ok' | 'hung' | 'crashed';

/** One worker in one launch. */
export interface WorkerReport {
  /** Worker index within the launch, from 0. */
  worker: number;
  /** OS process id of the process running it (the host's in thread mode); `null` if it never started. */
  pid: number | null;
  /** OS thread id of the worker's JS (or Python) thread, `null` if it never said hello. */
  tid: number | null;
  /**
   * `'ok'`: finished its iterations and its process exited 0 (or, in a thread-mode host
   * that hung, it finished while another worker hung); `'hung'`: still running (or its
   * process still alive) at the launch timeout; `'crashed'`: reported a failure, or its
   * process failed to spawn, exited non-zero or exited before the worker reported done.
   */
  status: WorkerStatus;
  /** This worker was told to block forever (`injectHang`). */
  injectedHang: boolean;
  /** Why the status, when it is not obvious (e.g. "finished its iterations but its process did not exit"). */
  note: string | null;
  /** Iterations completed. */
  iters: number;
  /** Bytes produced over all completed iterations (haplotype bytes for datasets). */
  bytes: number;
  /** The parallel pool as the worker saw it after its last iteration. */
  pool: PoolReport | null;
  /**
   * Peak OS threads of the worker's process, sampled by the worker itself
   * (`/proc/self/status` `Threads:`, every `sampleMs` plus at each iteration).
   */
  peakThreads: number | null;
  /** Time from the worker's start to its last iteration, in ms. */
  elapsedMs: number | null;
  /** SHA-256 (hex) of the data bytes of its first iteration's output, `null` if it had none. */
  digest: string | null;
  /** What the worker reported when it failed. */
  error: ErrorReport | null;
}

/** One spawned OS process of a launch (a worker process, or the thread-mode host). */
export interface ProcessReport {
  /** Process id (also its process group id), `null` when the spawn failed. */
  pid: number | null;
  /** Workers it ran. */
  workers: number[];
  /** Exit code, `null` when killed by a signal or hung. */
  exitCode: number | null;
  /** Signal that ended it (`SIGKILL` after a hang), else `null`. */
  signal: string | null;
  /** Still running at the launch timeout. */
  hung: boolean;
  /** Peak OS threads: the larger of its self-reported peak and the harness's observation. */
  peakThreads: number;
  /** Peak OS threads observed by the harness (`/proc/<pid>/status`, every `observeMs`). */
  observedPeakThreads: number;
  /** Pool size it reported (one pool per process), `null` when unknown. */
  poolThreads: number | null;
  /** Last 4 KiB of its stderr. */
  stderrTail: string;
  /** The process and its descendants as captured at the timeout; `null` when it did not hang. */
  capture: ProcessCapture[] | null;
}

/** The launch's quota cgroup, when one was used. */
export interface LaunchCgroupReport {
  /** Directory of the leaf cgroup the workers ran in. */
  path: string;
  /** cgroup version of its hierarchy. */
  version: 1 | 2;
  /** The CPU quota, in CPUs. */
  cpus: number;
  /** CFS throttling during the launch (`cpu.stat`), `null` when unreadable. */
  throttle: {
    /** Enforcement periods elapsed (`nr_periods`). */
    periods: number;
    /** Periods in which the group was throttled (`nr_throttled`). */
    throttledPeriods: number;
    /** Total time throttled, in ms (v2 `throttled_usec`, v1 `throttled_time`), rounded. */
    throttledMs: number;
  } | null;
  /** Whether `remove()` succeeded. */
  removed: boolean;
  /** Why it could not be removed. */
  removeError: string | null;
}

/** Whether every process of a launch is gone after it (no zombie, no orphan). */
export interface ReapReport {
  /** Process groups sent SIGKILL (hung launches, or leftovers of clean ones). */
  killedGroups: number[];
  /** Every spawned process's exit was observed (Node reaped it with `waitpid`). */
  allReaped: boolean;
  /**
   * Processes still present afterwards (group members, descendants, or pids captured
   * at the timeout), with their state letter (`Z` = zombie).
   */
  survivors: {
    /** Its process id. */
    pid: number;
    /** Its state letter (`Z` zombie, `S` sleeping, ...). */
    state: string;
    /** Its executable name (`comm`). */
    comm: string;
  }[];
  /** `allReaped` and no survivors. */
  ok: boolean;
}

/** Counts of worker outcomes. */
export interface WorkerCounts {
  /** Workers with status `'ok'`. */
  ok: number;
  /** Workers with status `'hung'`. */
  hung: number;
  /** Workers with status `'crashed'`. */
  crashed: number;
}

/** One launch: `workers` concurrent workers, started together, bounded by the timeout. */
export interface LaunchReport {
  /** The engine the launch drove. */
  engine: EngineName;
  /** Launch index, from 0. */
  launch: number;
  /** `'hung'` if any worker hung, else `'crashed'` if any crashed, else `'ok'`. */
  status: WorkerStatus;
  /** From the first spawn to the last reap, in ms (hung launches: timeout + capture + kill). */
  wallMs: number;
  /** The per-launch timeout, in ms. */
  timeoutMs: number;
  /** When the timeout fired, in ms after the first spawn; `null` when nothing hung. */
  detectedAfterMs: number | null;
  /** Its workers' outcomes, counted. */
  counts: WorkerCounts;
  /** One entry per worker, by worker index. */
  workers: WorkerReport[];
  /** One entry per spawned OS process (one per worker; in thread mode, the one host). */
  processes: ProcessReport[];
  /** Largest per-process peak of OS threads (a worker process, or the thread-mode host). */
  maxThreadsPerProcess: number;
  /** Sum over processes of their peak OS threads. */
  totalThreads: number;
  /** Sum over processes of their parallel pool sizes (thread mode: the host's one pool). */
  poolThreads: number;
  /** Bytes produced by all workers. */
  bytes: number;
  /**
   * Whether the workers' first outputs are identical (SHA-256): `false` means concurrent
   * workers computed different bytes from the same input (the run is then not `ok`);
   * `null` when no worker finished an iteration.
   */
  digestsAgree: boolean | null;
  /** The quota cgroup the workers ran in, `null` without `cgroupQuota` (or when it could not be made). */
  cgroup: LaunchCgroupReport | null;
  /** Whether every process of the launch is gone afterwards. */
  reap: ReapReport;
}

/** Totals of one engine's launches. */
export interface EngineTotals {
  /** Launches run. */
  launches: number;
  /** Launches whose status is `'ok'` and whose processes were all reaped. */
  cleanLaunches: number;
  /** Worker outcomes summed over the launches. */
  counts: WorkerCounts;
  /** Sum of launch wall times, in ms. */
  wallMs: number;
  /** Largest per-process peak of OS threads over all launches. */
  maxThreadsPerProcess: number;
  /** Largest per-launch sum of OS threads. */
  maxTotalThreads: number;
  /** Largest per-launch sum of pool sizes. */
  maxPoolThreads: number;
  /** Bytes produced by all workers of all launches. */
  bytes: number;
}

/** The launches of one engine (gvl-ts, or the Python peer). */
export interface EngineRun {
  /** The engine. */
  engine: EngineName;
  /** Engine version (`@gvl/native` package version, or the peer's `genvarloader.__version__`). */
  version: string | null;
  /** Whether it could run; the peer is unavailable when `import genvarloader` fails. */
  available: boolean;
  /** Why it is unavailable. */
  reason: string | null;
  /** How its workers ran (the Python peer always uses processes). */
  mode: StressMode;
  /** How each worker's pool was sized, in words. */
  poolNote: string;
  /** The SHA-256 of the first output when every worker of every launch agrees, else `null`. */
  digest: string | null;
  /** Its launches, in order; empty when unavailable. */
  launches: LaunchReport[];
  /** Totals over `launches`. */
  totals: EngineTotals;
}

/** The configuration a report was produced with (after defaults). */
export interface StressConfig {
  /** How workers ran: child processes or worker threads of one host process. */
  mode: StressMode;
  /** Concurrent workers per launch. */
  workers: number;
  /** `GVL_NUM_THREADS` given to each worker; `0` = left unset (the resolver decides). */
  threadsPerWorker: number;
  /** Times each worker produced the full output. */
  iters: number;
  /** Launches per engine, run one after another. */
  launches: number;
  /** The per-launch timeout (the deadlock detector), in ms. */
  timeoutMs: number;
  /** `RAYON_NUM_THREADS` given to workers, `null` = inherited unchanged. */
  ambientRayon: number | null;
  /** CPUs of the requested quota cgroup, `null` for none. */
  cgroupQuota: number | null;
  /** Whether worker 0 of the first launch was told to block forever (the detector's self-test). */
  injectHang: boolean;
  /** `'python'` when the Python genvarloader was driven too, else `null`. */
  peer: 'python' | null;
  /** What the workers repeat, in words (dataset path and shape, or the synthetic sizes). */
  workload: string;
}

/** The machine, as far as the report needs it. */
export interface HostReport {
  /** CPUs of the machine (`os.cpus().length`). */
  cpus: number;
  /**
   * The CPU budget from `@gvl/threads` (`resolveThreads()` ignoring `GVL_NUM_THREADS`):
   * min(affinity, cgroup quota) of the harness.
   */
  budget: number;
  /** Which rule set the budget (`affinity`, `cgroup`, …). */
  budgetSource: string;
  /** With a quota cgroup: the quota rounded up (minimum 1), the budget its workers have; else `null`. */
  quotaBudget: number | null;
  /** `planWorkers(workers, { budget })`: the per-worker split that would respect the budget. */
  plannedPerWorker: number[];
  /** The quota cgroup, as requested and as possible. */
  cgroup: {
    /** CPUs of the requested quota (`cgroupQuota`), `null` when none was requested. */
    requestedCpus: number | null;
    /** Whether this process may create quota cgroups (`cgroupSupport()` of `@gvl/threads`); `false` when none was requested. */
    supported: boolean;
    /** Why it is unsupported (or why creation failed). */
    reason: string | null;
    /** cgroup version the quota cgroups are made in, `null` when unsupported or not requested. */
    version: 1 | 2 | null;
  };
  /** Native backtrace tool used on hangs, `null` when none is installed. */
  stackTool: 'gdb' | 'eu-stack' | null;
  /** Node.js version of the harness (`process.version`, e.g. `v20.19.0`). */
  node: string;
  /** `process.platform` and `process.arch`, e.g. `linux-x64`. */
  platform: string;
}

/** The result of {@link runStress}. */
export interface StressReport {
  /**
   * True when every launch of every engine was clean (no hang, no crash), its workers'
   * outputs agreed, every process was reaped and every cgroup removed.
   */
  ok: boolean;
  /** The CLI's exit status: 0 when `ok`, else 1. */
  exitCode: 0 | 1;
  /** The configuration, defaults filled in. */
  config: StressConfig;
  /** The machine and the CPU budget. */
  host: HostReport;
  /** One run per engine: gvl-ts, then the Python peer when `peer` was set. */
  runs: EngineRun[];
  /** ISO 8601 start time. */
  startedAt: string;
  /** Whole run, in ms. */
  wallMs: number;
}

function seconds(ms: number): string {
  return ms >= 100_000 ? `${Math.round(ms / 1000)} s` : `${(ms / 1000).toFixed(1)} s`;
}

/** `1234567` → `1.2 MB` (decimal units). */
export function formatBytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}

function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function ratio(threads: number, budget: number, quota: number | null): string {
  const x = (n: number) => `${(threads / n).toFixed(1)}x`;
  return `${threads} (${x(budget)}${quota === null ? '' : `; ${x(quota)} quota`})`;
}

function launchRow(r: LaunchReport, budget: number, quota: number | null): string[] {
  const pools = [...new Set(r.workers.map((w) => w.pool?.numThreads ?? '?'))].join('/');
  return [
    r.engine,
    String(r.launch + 1),
    r.status,
    String(r.counts.ok),
    String(r.counts.hung),
    String(r.counts.crashed),
    seconds(r.wallMs),
    String(r.maxThreadsPerProcess),
    ratio(r.totalThreads, budget, r.cgroup === null ? null : quota),
    `${pools} (sum ${r.poolThreads})`,
    formatBytes(r.bytes),
    r.cgroup?.throttle ? `${r.cgroup.throttle.throttledPeriods}/${r.cgroup.throttle.periods}` : '-',
    r.reap.ok ? 'yes' : 'NO',
  ];
}

function describeCapture(lines: string[], r: LaunchReport): void {
  for (const p of r.processes) {
    if (!p.capture) continue;
    const stuck = r.workers.filter((w) => p.workers.includes(w.worker) && w.status === 'hung');
    const who = stuck
      .map(
        (w) =>
          `worker ${w.worker}${w.injectedHang ? ' [injected]' : ''}${w.note ? `: ${w.note}` : ''}`,
      )
      .join('; ');
    const host =
      p.workers.length > 1 ? `host process of workers ${p.workers.join(',')}` : 'process';
    lines.push(
      `  ${r.engine} launch ${r.launch + 1}: ${host} ${p.pid} did not finish in ${seconds(r.timeoutMs)} ` +
        `(${who || 'no worker'}); killed with ${p.signal ?? '?'}`,
    );
    for (const c of p.capture) {
      lines.push(
        `    pid ${c.pid} ${c.comm} state ${c.state}, ${c.threads.length} threads, rss ${c.rssKiB ?? '?'} KiB`,
      );
      const frames = c.stack?.tool === 'gdb' ? parseGdbThreads(c.stack.text, 3) : [];
      const byTid = new Map(frames.map((f) => [f.tid, f.frames]));
      const workerTids = new Set(stuck.map((w) => w.tid));
      for (const t of c.threads) {
        const mark = workerTids.has(t.tid) ? '*' : ' ';
        const cpu = t.cpuDeltaMs === null ? '' : ` cpu+${Math.round(t.cpuDeltaMs)}ms`;
        const top = byTid.get(t.tid);
        lines.push(
          `     ${mark}${String(t.tid).padEnd(8)} ${t.comm.padEnd(16)} ${t.state} ${(t.wchan || '-').padEnd(22)}${cpu}` +
            (top && top.length > 0 ? `  ${top.join(' < ')}` : ''),
        );
      }
      if (c.stack) {
        const how = c.stack.timedOut
          ? 'timed out (partial)'
          : c.stack.error
            ? c.stack.error
            : c.stack.symbols === 'full'
              ? 'ok'
              : 'ok without shared-library symbols (the symbolized pass was too slow)';
        lines.push(`    native backtrace (${c.stack.tool}): ${how}; full text in --json`);
      } else {
        lines.push('    native backtrace: no gdb or eu-stack installed');
      }
    }
  }
}

/**
 * Renders a report as plain text: the setup, one table row per launch, totals per
 * engine, and for every hang the captured threads (`*` marks the worker's own thread;
 * `cpu+` is CPU time used during the capture's sampling interval; with gdb, the three
 * innermost frames).
 *
 * @param report - a {@link StressReport}.
 * @returns text ending with a newline.
 */
export function formatReport(report: StressReport): string {
  // Renders the report section by section, in print order; each section is a few lines.
  const c = report.config;
  const h = report.host;
  const lines: string[] = [];
  lines.push(
    `gvl-stress: ${c.launches} launch(es) x ${c.workers} worker(s), ${c.mode} mode, ` +
      `GVL_NUM_THREADS=${c.threadsPerWorker === 0 ? '(unset)' : c.threadsPerWorker}, ` +
      `${c.iters} iteration(s), timeout ${seconds(c.timeoutMs)}, GVL_FORCE_PARALLEL=1` +
      (c.ambientRayon === null ? '' : `, RAYON_NUM_THREADS=${c.ambientRayon}`) +
      (c.injectHang ? ', inject-hang' : ''),
  );
  lines.push(`workload: ${c.workload}`);
  lines.push(
    `CPU budget (@gvl/threads): ${h.budget} thread(s) (${h.budgetSource}); ${h.cpus} CPU(s); ` +
      `planWorkers(${c.workers}) would give ${h.plannedPerWorker.join('/')} per worker`,
  );
  if (h.cgroup.requestedCpus !== null) {
    lines.push(
      h.cgroup.supported
        ? `cgroup quota: ${h.cgroup.requestedCpus} CPU(s) = a budget of ${h.quotaBudget} thread(s) ` +
            `(cgroup v${h.cgroup.version}, a fresh cgroup per launch)`
        : `cgroup quota: unsupported: ${h.cgroup.reason}`,
    );
  }
  for (const run of report.runs) {
    if (!run.available) {
      lines.push(`${run.engine}: unavailable: ${run.reason}`);
    } else {
      lines.push(`${run.engine} ${run.version ?? ''}: ${run.mode} mode; ${run.poolNote}`);
    }
  }
  const digests = report.runs.filter((r) => r.available && r.launches.length > 0);
  if (digests.length > 0) {
    const short = (d: string | null) => (d === null ? 'differs between workers' : d.slice(0, 16));
    const same =
      digests.length > 1
        ? digests.every((r) => r.digest !== null && r.digest === digests[0]?.digest)
          ? ' (identical)'
          : ' (NOT identical)'
        : '';
    lines.push(
      `first output, SHA-256: ${digests.map((r) => `${r.engine} ${short(r.digest)}`).join(', ')}${same}`,
    );
  }
  lines.push('');
  const rows: string[][] = [
    [
      'engine',
      'launch',
      'status',
      'ok',
      'hung',
      'crashed',
      'wall',
      'max thr/proc',
      `sum thr (vs budget ${h.budget})`,
      'pool/worker',
      'bytes',
      'throttled',
      'reaped',
    ],
  ];
  for (const run of report.runs) {
    for (const r of run.launches) rows.push(launchRow(r, h.budget, h.quotaBudget));
  }
  for (const run of report.runs) {
    if (!run.available || run.launches.length === 0) continue;
    const t = run.totals;
    rows.push([
      `${run.engine} total`,
      `${t.cleanLaunches}/${t.launches} clean`,
      '',
      String(t.counts.ok),
      String(t.counts.hung),
      String(t.counts.crashed),
      seconds(t.wallMs),
      String(t.maxThreadsPerProcess),
      ratio(
        t.maxTotalThreads,
        h.budget,
        run.launches.some((l) => l.cgroup !== null) ? h.quotaBudget : null,
      ),
      `sum max ${t.maxPoolThreads}`,
      formatBytes(t.bytes),
      '',
      '',
    ]);
  }
  lines.push(table(rows));
  const hung = report.runs.flatMap((r) => r.launches).filter((l) => l.status === 'hung');
  const crashed = report.runs.flatMap((r) => r.launches).filter((l) => l.status === 'crashed');
  if (hung.length > 0) {
    lines.push('', 'hangs (threads at the timeout: tid, name, state, wchan):');
    for (const r of hung) describeCapture(lines, r);
  }
  if (crashed.length > 0) {
    lines.push('', 'crashes:');
    for (const r of crashed) {
      for (const w of r.workers.filter((x) => x.status === 'crashed')) {
        const p = r.processes.find((x) => x.workers.includes(w.worker));
        const why = w.error
          ? `${w.error.code ? `${w.error.code}: ` : ''}${w.error.message}`
          : (w.note ?? 'no report');
        lines.push(
          `  ${r.engine} launch ${r.launch + 1} worker ${w.worker} (pid ${w.pid ?? '?'}): ${why}` +
            (p ? ` [exit ${p.exitCode ?? p.signal}]` : ''),
        );
        const tail = p?.stderrTail.trim().split('\n').slice(-3).join('\n    ');
        if (!w.error && tail) lines.push(`    ${tail}`);
      }
    }
  }
  for (const r of report.runs.flatMap((x) => x.launches).filter((l) => l.digestsAgree === false)) {
    lines.push(
      `  ${r.engine} launch ${r.launch + 1}: workers produced DIFFERENT bytes: ` +
        r.workers.map((w) => `${w.worker}=${w.digest?.slice(0, 12) ?? '-'}`).join(' '),
    );
  }
  const leaks = report.runs.flatMap((r) => r.launches).filter((l) => !l.reap.ok);
  for (const r of leaks) {
    lines.push(
      `  ${r.engine} launch ${r.launch + 1}: NOT fully reaped: ` +
        r.reap.survivors.map((s) => `${s.pid} (${s.comm}, ${s.state})`).join(', '),
    );
  }
  const all = report.runs.flatMap((r) => r.launches);
  const problems = [
    `${all.reduce((a, l) => a + l.counts.hung, 0)} hung worker(s)`,
    `${all.reduce((a, l) => a + l.counts.crashed, 0)} crashed`,
    `${leaks.length} launch(es) not reaped`,
  ];
  const differing = all.filter((l) => l.digestsAgree === false).length;
  if (differing > 0) problems.push(`${differing} launch(es) with differing outputs`);
  const kept = all.filter((l) => l.cgroup !== null && !l.cgroup.removed);
  for (const l of kept) {
    lines.push(`  cgroup ${l.cgroup?.path} NOT removed: ${l.cgroup?.removeError}`);
  }
  if (kept.length > 0) problems.push(`${kept.length} cgroup(s) not removed`);
  lines.push(
    '',
    report.ok
      ? `result: clean (0 hangs, 0 crashes) in ${seconds(report.wallMs)}`
      : `result: FAILED (${problems.join(', ')}) in ${seconds(report.wallMs)}`,
  );
  return `${lines.join('\n')}\n`;
}
