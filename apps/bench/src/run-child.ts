/**
 * Runs one measurement in a fresh process (gvl-ts: node; the peer: Python) and parses
 * the JSON report it prints last.
 *
 * @module
 */
import { spawnSync } from 'node:child_process';
import type { ChildJob, ChildReport, Lib } from './jobs.js';
import { gvlChild, peerChild } from './paths.js';

/** A child that failed or printed no report. */
export class ChildError extends Error {
  readonly code = 'GVL_BENCH_CHILD_FAILED';
  constructor(
    message: string,
    readonly lib: Lib,
    readonly job: ChildJob,
  ) {
    super(message);
    this.name = 'ChildError';
  }
}

/** Thread settings of a child: the pool size and the parallel gate. */
export interface ThreadEnv {
  /** `GVL_NUM_THREADS`, or null to let each library resolve its budget. */
  threads: number | null;
  /** `GVL_FORCE_PARALLEL=1` when true; unset (the size gate) when false. */
  forced: boolean;
}

/**
 * The environment of a child: the driver's, minus any inherited thread settings, plus
 * the ones asked for. Both libraries read the same two variables.
 */
export function childEnv(t: ThreadEnv, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  delete env.GVL_NUM_THREADS;
  delete env.GVL_FORCE_PARALLEL;
  delete env.RAYON_NUM_THREADS;
  if (t.threads !== null) env.GVL_NUM_THREADS = String(t.threads);
  if (t.forced) env.GVL_FORCE_PARALLEL = '1';
  // The peer logs progress bars; keep its stderr small.
  env.TQDM_DISABLE = '1';
  return env;
}

/** Runs `job` in a child of `lib` and returns its report. Throws {@link ChildError}. */
export function runChild(
  lib: Lib,
  job: ChildJob,
  t: ThreadEnv,
  python: string,
  timeoutMs = 30 * 60_000,
): ChildReport {
  const [cmd, args] =
    lib === 'gvl'
      ? [process.execPath, [gvlChild, JSON.stringify(job)]]
      : [python, [peerChild, JSON.stringify(job)]];
  const r = spawnSync(cmd, args, {
    env: childEnv(t),
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
  });
  const what = `${lib} ${job.kind} child`;
  if (r.error) throw new ChildError(`${what}: ${r.error.message}`, lib, job);
  const lines = (r.stdout ?? '').trim().split('\n');
  const last = lines[lines.length - 1] ?? '';
  if (r.status !== 0 || !last.startsWith('{')) {
    const err = (r.stderr ?? '').trim().split('\n').slice(-15).join('\n');
    throw new ChildError(
      `${what} exited with ${r.status ?? r.signal}: ${err || last || '(no output)'}`,
      lib,
      job,
    );
  }
  return JSON.parse(last) as ChildReport;
}
