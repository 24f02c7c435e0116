/**
 * `runStress`: launches × concurrent workers, per engine, with cleanup guaranteed.
 *
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { planWorkers, resolveThreads } from '@gvl/threads';
import {
  CgroupUnsupportedError,
  cgroupSupport,
  createQuotaCgroup,
  type QuotaCgroup,
} from '@gvl/threads/cgroup-create';
import { stackTool } from './capture.js';
import { peerReference } from './demo.js';
import { StressConfigError } from './errors.js';
import { type GroupRegistry, runLaunch, type UnitSpec } from './launch.js';
import { type ResolvedOptions, resolveOptions, type StressOptions } from './options.js';
import { defaultPython, PEER_SCRIPT, probePeer } from './peer.js';
import { hasProcfs } from './proc.js';
import type { WorkerSpec, WorkloadSpec } from './protocol.js';
import type {
  EngineName,
  EngineRun,
  EngineTotals,
  HostReport,
  LaunchCgroupReport,
  LaunchReport,
  StressReport,
} from './report.js';

/**
 * The built worker entry points, addressed through the package's `"imports"` map
 * (`#worker-process`, `#worker-host`, `#worker-thread` → `dist/…`).
 */
const WORKER_ENTRIES = ['worker-process', 'worker-host', 'worker-thread'] as const;
const entryPath = (name: (typeof WORKER_ENTRIES)[number]): string => {
  const spec = `#${name}`;
  try {
    return createRequire(import.meta.url).resolve(spec);
  } catch {
    // not built yet: the path the map names, for the error below
    return fileURLToPath(new URL(`../dist/${name}.js`, import.meta.url));
  }
};

function packageVersion(name: string): string | null {
  try {
    const file = createRequire(import.meta.url).resolve(`${name}/package.json`);
    return String((JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown }).version);
  } catch {
    return null;
  }
}

/** Live process groups and cgroups, cleaned up on SIGINT/SIGTERM/SIGHUP and at exit. */
class Cleanup implements GroupRegistry {
  readonly groups = new Set<number>();
  readonly cgroups = new Set<QuotaCgroup>();
  #handlers: [NodeJS.Signals, () => void][] = [];
  #onExit = () => this.now();

  add(pgid: number): void {
    this.groups.add(pgid);
  }
  delete(pgid: number): void {
    this.groups.delete(pgid);
  }

  /** Kills every live group and removes every cgroup (synchronous: usable at exit). */
  now(): void {
    for (const pgid of this.groups) {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    this.groups.clear();
    for (const cg of this.cgroups) {
      try {
        cg.remove();
      } catch {
        /* best effort at exit */
      }
    }
    this.cgroups.clear();
  }

  install(): void {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      const handler = () => {
        this.now();
        this.uninstall();
        // Re-raise so the process ends the way the signal asked.
        process.kill(process.pid, signal);
      };
      process.once(signal, handler);
      this.#handlers.push([signal, handler]);
    }
    process.on('exit', this.#onExit);
  }

  uninstall(): void {
    for (const [signal, handler] of this.#handlers) process.removeListener(signal, handler);
    this.#handlers = [];
    process.removeListener('exit', this.#onExit);
  }
}

function workerEnv(o: ResolvedOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...o.env, GVL_FORCE_PARALLEL: '1' };
  if (o.threadsPerWorker > 0) env.GVL_NUM_THREADS = String(o.threadsPerWorker);
  else delete env.GVL_NUM_THREADS;
  if (o.ambientRayon !== null) env.RAYON_NUM_THREADS = String(o.ambientRayon);
  return env;
}

function specs(o: ResolvedOptions, workload: WorkloadSpec, launch: number): WorkerSpec[] {
  return Array.from({ length: o.workers }, (_, worker) => ({
    worker,
    launch,
    iters: o.iters,
    workload,
    injectHang: o.injectHang && launch === 0 && worker === 0,
    sampleMs: o.sampleMs,
  }));
}

function units(
  engine: EngineName,
  o: ResolvedOptions,
  workload: WorkloadSpec,
  launch: number,
  python: string,
): UnitSpec[] {
  const env = workerEnv(o);
  const all = specs(o, workload, launch);
  const injected = (s: WorkerSpec[]) => s.filter((w) => w.injectHang).map((w) => w.worker);
  if (engine === 'genvarloader') {
    return all.map((s) => ({
      command: python,
      args: ['-u', PEER_SCRIPT, JSON.stringify(s)],
      env: { ...env, PYTHONUNBUFFERED: '1' },
      workers: [s.worker],
      injected: injected([s]),
    }));
  }
  if (o.mode === 'thread') {
    return [
      {
        command: process.execPath,
        args: [entryPath('worker-host'), JSON.stringify(all)],
        env,
        workers: all.map((s) => s.worker),
        injected: injected(all),
      },
    ];
  }
  return all.map((s) => ({
    command: process.execPath,
    args: [entryPath('worker-process'), JSON.stringify(s)],
    env,
    workers: [s.worker],
    injected: injected([s]),
  }));
}

function readThrottle(cg: QuotaCgroup): LaunchCgroupReport['throttle'] {
  try {
    const text = readFileSync(join(cg.leaf, 'cpu.stat'), 'utf8');
    const get = (k: string) => Number(new RegExp(`^${k}\\s+(\\d+)`, 'm').exec(text)?.[1] ?? NaN);
    const throttledMs =
      cg.version === 1 ? get('throttled_time') / 1e6 : get('throttled_usec') / 1000;
    const t = {
      periods: get('nr_periods'),
      throttledPeriods: get('nr_throttled'),
      throttledMs: Math.round(throttledMs),
    };
    return Object.values(t).every(Number.isFinite) ? t : null;
  } catch {
    return null;
  }
}

function totals(launches: LaunchReport[]): EngineTotals {
  return {
    launches: launches.length,
    cleanLaunches: launches.filter((l) => l.status === 'ok' && l.reap.ok).length,
    counts: launches.reduce(
      (a, l) => ({
        ok: a.ok + l.counts.ok,
        hung: a.hung + l.counts.hung,
        crashed: a.crashed + l.counts.crashed,
      }),
      { ok: 0, hung: 0, crashed: 0 },
    ),
    wallMs: launches.reduce((a, l) => a + l.wallMs, 0),
    maxThreadsPerProcess: Math.max(0, ...launches.map((l) => l.maxThreadsPerProcess)),
    maxTotalThreads: Math.max(0, ...launches.map((l) => l.totalThreads)),
    maxPoolThreads: Math.max(0, ...launches.map((l) => l.poolThreads)),
    bytes: launches.reduce((a, l) => a + l.bytes, 0),
  };
}

function commonDigest(launches: LaunchReport[]): string | null {
  const all = new Set(
    launches.flatMap((l) => l.workers.map((w) => w.digest)).filter((d): d is string => d !== null),
  );
  return all.size === 1 ? ([...all][0] as string) : null;
}

async function resolveWorkload(
  o: ResolvedOptions,
): Promise<{ spec: WorkloadSpec; description: string }> {
  const w = o.workload;
  if (w.kind === 'synthetic') {
    const spec = {
      kind: 'synthetic' as const,
      regions: w.regions ?? 64,
      samples: w.samples ?? 16,
      length: w.length ?? 2048,
      seed: w.seed ?? 1,
    };
    const bytes = spec.regions * spec.samples * 2 * spec.length;
    return {
      spec,
      description:
        `synthetic haplotypes (@gvl/native getDiffs + reconstructHaplotypes): ${spec.regions} regions x ` +
        `${spec.samples} samples x 2 haplotypes x ~${spec.length} bp (~${(bytes / 1e6).toFixed(1)} MB per iteration)`,
    };
  }
  let path: string;
  let reference: string;
  let origin: string;
  let samples = o.samples;
  if (w.kind === 'demo') {
    const { prepareDemo } = await import('./demo.js');
    o.onEvent({
      type: 'prepare',
      message: 'demo dataset: from the cache, or written now on first use',
    });
    // The demo is written with the first N samples: no subset needed at read time.
    const demo = await prepareDemo({
      ...(w.dataDir === undefined ? {} : { dataDir: w.dataDir }),
      ...(w.cacheDir === undefined ? {} : { cacheDir: w.cacheDir }),
      ...(o.samples === null ? {} : { samples: o.samples }),
      env: o.env,
    });
    samples = null;
    path = demo.dataset;
    reference = demo.reference;
    origin = `demo: 1000 Genomes chr20 from ${demo.dataDir}${demo.written ? ' (written now)' : ''}`;
  } else {
    path = w.path;
    reference = w.reference;
    origin = 'dataset';
    if (!existsSync(join(path, 'metadata.json'))) {
      throw new StressConfigError(
        'GVL_DATA_NOT_FOUND',
        `${path} is not a dataset (no metadata.json)`,
        { option: 'dataset', value: path },
      );
    }
    if (!existsSync(reference)) {
      throw new StressConfigError('GVL_DATA_NOT_FOUND', `reference ${reference} does not exist`, {
        option: 'reference',
        value: reference,
      });
    }
  }
  let shape = '';
  try {
    const meta = JSON.parse(readFileSync(join(path, 'metadata.json'), 'utf8')) as {
      n_regions?: number;
      samples?: unknown[];
    };
    const r = Math.min(meta.n_regions ?? 0, o.regions ?? Number.POSITIVE_INFINITY);
    const s = Math.min(meta.samples?.length ?? 0, samples ?? Number.POSITIVE_INFINITY);
    shape = `, get(): ${r} regions x ${s} samples`;
  } catch {
    /* described without the shape */
  }
  return {
    spec: { kind: 'dataset', path, reference, regions: o.regions, samples },
    description: `${origin}; ${path}${shape}`,
  };
}

/**
 * Runs the stress reproducer: for each engine (gvl-ts, then the Python peer when
 * asked), `launches` launches of `workers` concurrent workers, each iterating the
 * workload `iters` times with `GVL_FORCE_PARALLEL=1`, `GVL_NUM_THREADS=threadsPerWorker`
 * and, when asked, an ambient `RAYON_NUM_THREADS`.
 *
 * Workers are spawned (never forked) in their own process groups: a child process per
 * worker (`mode: 'process'`), or worker threads of one spawned host process
 * (`mode: 'thread'`; the rayon pool is per process, so they share it). Each reports its
 * bytes, its pool size and its peak OS thread count over a pipe (fd 3).
 *
 * The per-launch timeout is the deadlock detector: when it fires, every thread of every
 * stuck process is captured (`/proc/<pid>/task/<tid>/{stat,wchan,syscall}` and, with
 * gdb or eu-stack installed, a native backtrace), the process groups are killed with
 * SIGKILL, every child is reaped and the harness verifies that none survives. With
 * `cgroupQuota`, every launch runs in a fresh quota cgroup (removed afterwards, also on
 * a signal); where that is not permitted the report says why and the workers run
 * without it.
 *
 * Hangs and crashes are findings, not errors: they are in the report (`ok: false`,
 * `exitCode: 1`). The Python peer being unavailable is reported, not thrown.
 *
 * @param options - see {@link StressOptions}.
 * @returns the report; format it with {@link formatReport}.
 * @throws {@link StressConfigError} before any worker starts: `GVL_INVALID_MODE`,
 *   `GVL_INVALID_ARGUMENT` (bad option), `GVL_DATA_NOT_FOUND` (dataset, reference or
 *   demo data missing), `GVL_DEMO_FAILED`, `GVL_UNSUPPORTED_PLATFORM` (no Linux `/proc`).
 * @example
 * ```ts
 * import { formatReport, runStress } from '@gvl/stress';
 * const report = await runStress({
 *   workload: { kind: 'synthetic', regions: 8, samples: 4 },
 *   mode: 'process', workers: 2, threadsPerWorker: 4, iters: 2, launches: 1, timeoutMs: 60_000,
 * });
 * console.log(formatReport(report)); // report.ok === true when nothing hung or crashed
 * ```
 */
export async function runStress(options: StressOptions): Promise<StressReport> {
  // Platform checks, workload resolution, then the measured runs in order, all recording into the one report it returns.
  const o = resolveOptions(options);
  if (!hasProcfs()) {
    throw new StressConfigError(
      'GVL_UNSUPPORTED_PLATFORM',
      `gvl-stress needs Linux /proc (platform ${process.platform})`,
    );
  }
  for (const name of WORKER_ENTRIES) {
    const f = entryPath(name);
    if (!existsSync(f)) {
      throw new StressConfigError(
        'GVL_UNSUPPORTED_PLATFORM',
        `${f} is missing: build @gvl/stress first (pnpm --filter @gvl/stress build)`,
      );
    }
  }
  const startedAt = new Date();
  const t0 = performance.now();
  const { spec: workload, description } = await resolveWorkload(o);

  const budget = resolveThreads({ env: {} });
  const support = o.cgroupQuota === null ? null : cgroupSupport();
  const tool = stackTool();
  const host: HostReport = {
    cpus: cpus().length,
    budget: budget.threads,
    budgetSource: budget.source,
    quotaBudget: o.cgroupQuota === null ? null : Math.max(1, Math.ceil(o.cgroupQuota - 1e-9)),
    plannedPerWorker: planWorkers(o.workers, { budget: budget.threads }).perWorker,
    cgroup: {
      requestedCpus: o.cgroupQuota,
      supported: support?.ok ?? false,
      reason: support === null ? null : support.ok ? null : support.reason,
      version: support?.ok ? support.version : null,
    },
    stackTool: tool?.tool ?? null,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };

  const engines: EngineName[] = o.peer === 'python' ? ['gvl-ts', 'genvarloader'] : ['gvl-ts'];
  let peerWorkload = workload;
  const runs: EngineRun[] = [];
  const cleanup = new Cleanup();
  cleanup.install();
  try {
    for (const engine of engines) {
      let python = '';
      let version: string | null = packageVersion('@gvl/native');
      if (version !== null) version = `@gvl/native ${version}`;
      if (engine === 'genvarloader') {
        python = o.python ?? defaultPython();
        if (workload.kind === 'dataset') {
          // The peer caches next to its FASTA: give it a link in our cache folder.
          peerWorkload = { ...workload, reference: peerReference(workload.reference) };
        }
        o.onEvent({ type: 'prepare', message: `probing the Python peer (${python})` });
        const probe = await probePeer(python, peerWorkload, workerEnv(o));
        if (!probe.available) {
          o.onEvent({
            type: 'engine',
            engine,
            available: false,
            version: null,
            reason: probe.reason,
          });
          runs.push({
            engine,
            version: null,
            available: false,
            reason: probe.reason,
            mode: 'process',
            poolNote: '',
            digest: null,
            launches: [],
            totals: totals([]),
          });
          continue;
        }
        version = probe.version;
      }
      o.onEvent({ type: 'engine', engine, available: true, version, reason: null });
      const mode = engine === 'genvarloader' ? 'process' : o.mode;
      const tpw =
        o.threadsPerWorker === 0
          ? 'GVL_NUM_THREADS unset'
          : `GVL_NUM_THREADS=${o.threadsPerWorker}`;
      const poolNote =
        engine === 'gvl-ts'
          ? mode === 'thread'
            ? `one rayon pool per process (${tpw}), shared by the ${o.workers} worker threads`
            : `one rayon pool per worker process (${tpw})`
          : `rayon global pool per worker process, sized by the peer from ${tpw}` +
            (o.ambientRayon === null ? '' : ` and RAYON_NUM_THREADS=${o.ambientRayon}`) +
            (o.mode === 'thread' ? ' (the Python peer always runs spawned processes)' : '');
      const launches: LaunchReport[] = [];
      for (let launch = 0; launch < o.launches; launch++) {
        o.onEvent({ type: 'launch-start', engine, launch, launches: o.launches });
        let cg: QuotaCgroup | null = null;
        if (o.cgroupQuota !== null && host.cgroup.supported) {
          try {
            cg = createQuotaCgroup({ cpus: o.cgroupQuota });
            cleanup.cgroups.add(cg);
          } catch (e) {
            if (!(e instanceof CgroupUnsupportedError)) throw e;
            host.cgroup.supported = false;
            host.cgroup.reason = e.message;
          }
        }
        let report: LaunchReport;
        let cgReport: LaunchCgroupReport | null = null;
        try {
          const r = await runLaunch({
            engine,
            launch,
            units: units(
              engine,
              o,
              engine === 'genvarloader' ? peerWorkload : workload,
              launch,
              python,
            ),
            timeoutMs: o.timeoutMs,
            cgroup: cg,
            observeMs: o.observeMs,
            capture: { stackTimeoutMs: o.stackTimeoutMs },
            registry: cleanup,
          });
          report = r.report;
          if (engine === 'genvarloader' && r.version) version = r.version;
        } finally {
          if (cg) {
            cgReport = {
              path: cg.leaf,
              version: cg.version,
              cpus: o.cgroupQuota as number,
              throttle: readThrottle(cg),
              removed: true,
              removeError: null,
            };
            try {
              cg.remove();
            } catch (e) {
              cgReport.removed = false;
              cgReport.removeError = (e as Error).message;
            }
            cleanup.cgroups.delete(cg);
          }
        }
        report.cgroup = cgReport;
        launches.push(report);
        o.onEvent({ type: 'launch-end', engine, report });
      }
      runs.push({
        engine,
        version,
        available: true,
        reason: null,
        mode,
        poolNote,
        digest: commonDigest(launches),
        launches,
        totals: totals(launches),
      });
    }
  } finally {
    cleanup.now();
    cleanup.uninstall();
  }

  const ok = runs.every((r) =>
    r.launches.every(
      (l) =>
        l.status === 'ok' && l.digestsAgree !== false && l.reap.ok && (l.cgroup?.removed ?? true),
    ),
  );
  return {
    ok,
    exitCode: ok ? 0 : 1,
    config: {
      mode: o.mode,
      workers: o.workers,
      threadsPerWorker: o.threadsPerWorker,
      iters: o.iters,
      launches: o.launches,
      timeoutMs: o.timeoutMs,
      ambientRayon: o.ambientRayon,
      cgroupQuota: o.cgroupQuota,
      injectHang: o.injectHang,
      peer: o.peer,
      workload: description,
    },
    host,
    runs,
    startedAt: startedAt.toISOString(),
    wallMs: performance.now() - t0,
  };
}
