/**
 * Driving the Python genvarloader (the peer) the same way as gvl-ts: spawned Python
 * worker processes running `python/peer_worker.py`.
 *
 * @module
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoRoot } from './demo.js';
import type { WorkloadSpec } from './protocol.js';

/** The worker script shipped with this package. */
export const PEER_SCRIPT = fileURLToPath(new URL('../python/peer_worker.py', import.meta.url));

/**
 * The default interpreter: the genvarloader oracle venv of `@gvl/dataset`
 * (`packages/dataset/.venv-oracle`, made by its `setup-oracle.sh`) when present, else
 * `python3` from `PATH`.
 */
export function defaultPython(): string {
  const root = repoRoot();
  if (root) {
    const venv = join(root, 'packages', 'dataset', '.venv-oracle', 'bin', 'python');
    if (existsSync(venv)) return venv;
  }
  return 'python3';
}

/** Whether the peer can run, and its version. */
export type PeerProbe =
  | {
      /** `true`: genvarloader imports and the dataset opens. */
      available: true;
      /** `genvarloader.__version__` as the probe printed it (`'unknown'` when it printed none). */
      version: string;
      /** The interpreter probed (path or command name). */
      python: string;
    }
  | {
      /** `false`: the peer cannot run this workload here. */
      available: false;
      /** Why, for humans: the interpreter missing, the import failing, a timeout, or a synthetic workload. */
      reason: string;
      /** The interpreter probed (path or command name). */
      python: string;
    };

function lastLine(text: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return lines[lines.length - 1] ?? '';
}

/**
 * Imports genvarloader with `python` and, for a dataset workload, opens the dataset
 * once (which also builds the peer's FASTA cache outside the timed launches).
 *
 * @param python - interpreter.
 * @param workload - the workload the peer will run; only `dataset` is supported.
 * @param env - environment of the probe.
 * @param timeoutMs - time limit. Default 180000.
 * @returns `available: false` with the reason (never throws).
 */
export function probePeer(
  python: string,
  workload: WorkloadSpec,
  env: NodeJS.ProcessEnv,
  timeoutMs = 180_000,
): Promise<PeerProbe> {
  if (workload.kind !== 'dataset') {
    return Promise.resolve({
      available: false,
      python,
      reason: 'the synthetic workload has no peer equivalent: use --demo or --dataset',
    });
  }
  return new Promise((resolve) => {
    execFile(
      python,
      [PEER_SCRIPT, '--probe', JSON.stringify(workload)],
      { env, timeout: timeoutMs, maxBuffer: 16 << 20, killSignal: 'SIGKILL' },
      (error, stdout, stderr) => {
        if (error) {
          const code = (error as NodeJS.ErrnoException).code;
          const reason =
            code === 'ENOENT'
              ? `${python} not found`
              : error.killed
                ? `probe timed out after ${timeoutMs} ms`
                : lastLine(stderr) || error.message;
          resolve({ available: false, python, reason: `${reason} (python: ${python})` });
          return;
        }
        try {
          const out = JSON.parse(lastLine(stdout)) as { version?: unknown };
          resolve({ available: true, python, version: String(out.version ?? 'unknown') });
        } catch {
          resolve({
            available: false,
            python,
            reason: `unexpected probe output: ${lastLine(stdout).slice(0, 200)}`,
          });
        }
      },
    );
  });
}
