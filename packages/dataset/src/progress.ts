/**
 * A progress bar on stderr (cli-progress) that is a no-op when disabled or not a TTY.
 *
 * @module
 */
import cliProgress from 'cli-progress';

/** Progress reporting for one phase at a time. */
export interface Progress {
  /** Starts a phase with `total` steps. */
  start(phase: string, total: number): void;
  /** Advances the current phase by `n` steps. */
  increment(n?: number): void;
  /** Ends the current phase. */
  stop(): void;
}

const NOOP: Progress = { start() {}, increment() {}, stop() {} };

/**
 * A progress bar on `process.stderr` when `enabled` (default: stderr is a TTY), else a
 * no-op.
 */
export function createProgress(enabled: boolean = process.stderr.isTTY === true): Progress {
  if (!enabled) return NOOP;
  let bar: cliProgress.SingleBar | undefined;
  return {
    start(phase, total) {
      bar?.stop();
      bar = new cliProgress.SingleBar(
        {
          format: `${phase.padEnd(10)} [{bar}] {percentage}% | {value}/{total} | {duration_formatted}`,
          stream: process.stderr,
          hideCursor: true,
          clearOnComplete: false,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(Math.max(total, 1), 0);
    },
    increment(n = 1) {
      bar?.increment(n);
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}
