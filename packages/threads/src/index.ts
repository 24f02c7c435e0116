/**
 * `@gvl/threads`: how many threads may this process use?
 *
 * Container-aware: honours `GVL_NUM_THREADS`, cgroup v2 `cpu.max` and v1 CFS quotas
 * (found through `/proc/self/cgroup`, tightest limit up to the mount root) and the CPU
 * affinity mask; overwrites `RAYON_NUM_THREADS`; gates parallel kernels by size; plans
 * budgets across concurrent workers. No runtime dependencies. This entry point only reads
 * `/proc` and `/sys`; creating a quota cgroup (which writes under `/sys/fs/cgroup`) lives in
 * the `@gvl/threads/cgroup-create` subpath.
 *
 * @packageDocumentation
 */
export { affinityFromStatus, countCpuList } from './affinity.js';
export type { CgroupLimit, CgroupProbe, MountEntry, ProcCgroupEntry } from './cgroup.js';
export { parseMountinfo, parseProcCgroup, probeCgroups } from './cgroup.js';
export type { ThreadsErrorCode } from './errors.js';
export { ThreadsConfigError } from './errors.js';
export { explain, explainPlan } from './explain.js';
export type { PlanOptions, WorkerEnv, WorkerPlan } from './plan.js';
export { planWorkers } from './plan.js';
export type {
  ResolveOptions,
  Rounding,
  ThreadsResolution,
  ThreadsSource,
  TraceEntry,
} from './resolve.js';
export {
  BYTES_PER_THREAD,
  cappedResolution,
  capThreads,
  FORCE_PARALLEL_ENV,
  forceParallel,
  NUM_THREADS_ENV,
  numThreads,
  parseNumThreadsEnv,
  resolveThreads,
  shouldParallelize,
} from './resolve.js';
