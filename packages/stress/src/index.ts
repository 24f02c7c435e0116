/**
 * `@gvl/stress`: the concurrency reproducer. Concurrent workers (spawned child
 * processes, or worker threads of a spawned host) iterate a dataset with forced-parallel,
 * oversubscribed kernels; a per-launch timeout is the deadlock detector (every thread of
 * every stuck process captured, the process groups killed, every child reaped and
 * verified); thread counts are measured against the CPU budget from `@gvl/threads`;
 * workers can run inside a real CPU-quota cgroup; the Python genvarloader can be driven
 * the same way for a side-by-side. Linux only (it reads `/proc`).
 *
 * @packageDocumentation
 */
export type { CaptureOptions, ProcessCapture, StackCapture, ThreadFrames } from './capture.js';
export { captureProcesses, nativeStack, parseGdbThreads, stackTool } from './capture.js';
export { main, parseCli } from './command.js';
export type { DemoPaths } from './demo.js';
export {
  DEMO_SAMPLES,
  defaultCacheDir,
  defaultDataDir,
  linkReference,
  peerReference,
  prepareDemo,
} from './demo.js';
export type { StressErrorCode, StressErrorOptions } from './errors.js';
export { StressConfigError } from './errors.js';
export type { StressEvent, StressOptions, WorkloadOption } from './options.js';
export { STRESS_MODES } from './options.js';
export type { PeerProbe } from './peer.js';
export { defaultPython, probePeer } from './peer.js';
export type { ProcStat, ThreadState } from './proc.js';
export {
  CLOCK_TICKS,
  findRelated,
  processState,
  readThreadStates,
  readThreads,
} from './proc.js';
export type {
  ErrorReport,
  PoolReport,
  WorkerMessage,
  WorkerSpec,
  WorkloadSpec,
} from './protocol.js';
export type {
  EngineName,
  EngineRun,
  EngineTotals,
  HostReport,
  LaunchCgroupReport,
  LaunchReport,
  ProcessReport,
  ReapReport,
  StressConfig,
  StressMode,
  StressReport,
  WorkerCounts,
  WorkerReport,
  WorkerStatus,
} from './report.js';
export { formatBytes, formatReport } from './report.js';
export { runStress } from './run.js';
