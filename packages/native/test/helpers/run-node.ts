import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Absolute file URL of the built package entry, for child scripts. */
export const DIST = new URL('../../dist/index.js', import.meta.url).href;
/** Absolute file URL of the raw binding. */
export const BINDING = new URL('../../index.js', import.meta.url).href;
/** Absolute file URL of the long-case helper. */
export const LONG_CASE = new URL('./long-case.mjs', import.meta.url).href;
/** Path of the worker script. */
export const WORKER = fileURLToPath(new URL('./worker-kernel.mjs', import.meta.url));

/**
 * Run an ES module `source` in a fresh Node process (its own rayon pool) and
 * parse the JSON it prints last on stdout.
 */
export function runNode<T>(
  source: string,
  env: Record<string, string | undefined> = {},
): { status: number | null; stderr: string; result: T } {
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', source], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  const lines = run.stdout.trim().split('\n');
  let result: T;
  try {
    result = JSON.parse(lines[lines.length - 1] ?? 'null') as T;
  } catch {
    throw new Error(`child printed no JSON (status ${run.status}):\n${run.stdout}\n${run.stderr}`);
  }
  return { status: run.status, stderr: run.stderr, result };
}
