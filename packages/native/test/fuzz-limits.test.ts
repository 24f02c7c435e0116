// Memory bombs: every native entry point fuzzed with spans, offsets and
// lengths at the 2^31 / 2^32 / 2^53 / 2^63 edges and at the output cap's
// edges (helpers/fuzz-limits-child.mjs), in a child process with a small cap
// (GVL_MAX_OUTPUT_BYTES = 8 MiB) under an RSS watchdog. Every call returns an
// output of the size asked for, within the cap, or throws a typed error; the
// child exits 0; its memory high-water mark (VmHWM, kept by the kernel, so no
// sample can miss a spike) grows by no more than a few caps.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CHILD = fileURLToPath(new URL('./helpers/fuzz-limits-child.mjs', import.meta.url));
const CAP = 8 * 2 ** 20;
/** Allowed growth of the child's VmHWM after warm-up: a few outputs at the cap plus V8 heap noise. */
const HWM_GROWTH = 8 * CAP + 64 * 2 ** 20;
/** The watchdog kills the child past this RSS (a memory bomb is 2 GiB or more). */
const KILL_RSS = 1024 * 2 ** 20;
const linux = process.platform === 'linux' && existsSync('/proc/self/status');

interface Report {
  cap: number;
  calls: number;
  ok: number;
  codes: Record<string, number>;
  counterexample: string | null;
  hwmBaseline: number;
  hwmEnd: number;
}

function rssOf(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0; // exited
  }
}

/** Run the child; a watchdog samples its RSS and kills it past `KILL_RSS`. */
function fuzz(seed: number, numRuns: number) {
  return new Promise<{
    code: number | null;
    signal: string | null;
    out: string;
    err: string;
    peakRss: number;
    killed: boolean;
  }>((resolve) => {
    const child = spawn(
      process.execPath,
      ['--expose-gc', CHILD, JSON.stringify({ seed, numRuns })],
      {
        env: { ...process.env, GVL_MAX_OUTPUT_BYTES: String(CAP), GVL_NUM_THREADS: '2' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    let peakRss = 0;
    let killed = false;
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    const watchdog = setInterval(() => {
      if (child.pid === undefined) return;
      const rss = rssOf(child.pid);
      peakRss = Math.max(peakRss, rss);
      if (rss > KILL_RSS) {
        killed = true;
        child.kill('SIGKILL');
      }
    }, 20);
    child.on('close', (code, signal) => {
      clearInterval(watchdog);
      resolve({ code, signal, out, err, peakRss, killed });
    });
  });
}

describe.skipIf(!linux)('fuzzing the native entry points under a small output cap', () => {
  it.each([
    [20261130, 1500],
    [7, 1500],
  ])(
    'seed %i: only sized results or typed errors, exit 0, memory within a few caps',
    async (seed, numRuns) => {
      const run = await fuzz(seed, numRuns);
      expect(run.killed, `RSS passed ${KILL_RSS} bytes (peak sampled ${run.peakRss})`).toBe(false);
      expect(run.signal, run.err).toBeNull();
      expect(run.code, run.err).toBe(0);
      const report = JSON.parse(run.out.trim().split('\n').pop() ?? 'null') as Report;
      expect(report.counterexample).toBeNull();
      expect(report.cap).toBe(CAP);
      // The fuzz reached every outcome: results, the cap, and validation errors.
      expect(report.ok).toBeGreaterThan(numRuns / 10);
      expect(report.codes.GVL_OUTPUT_TOO_LARGE ?? 0).toBeGreaterThan(numRuns / 20);
      expect(report.codes.GVL_INVALID_ARGUMENT ?? 0).toBeGreaterThan(0);
      expect(report.codes.GVL_INDEX_OUT_OF_RANGE ?? 0).toBeGreaterThan(0);
      expect(Object.keys(report.codes).every((c) => c.startsWith('GVL_'))).toBe(true);
      expect(report.hwmEnd - report.hwmBaseline).toBeLessThan(HWM_GROWTH);
    },
  );
});
