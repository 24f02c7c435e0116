/**
 * The launch runner against misbehaving processes that are not gvl-ts workers: one
 * that finishes but never exits, one that leaves a grandchild behind, one that
 * crashes, one that cannot be spawned.
 */
import { describe, expect, it } from 'vitest';
import { agree, runLaunch, type UnitSpec } from '../src/launch.js';
import { findRelated, processState } from '../src/proc.js';

const say = (m: object) =>
  `require('node:fs').writeSync(3, JSON.stringify(${JSON.stringify(m)}) + '\\n');`;

function node(worker: number, body: string): UnitSpec {
  return {
    command: process.execPath,
    args: ['-e', body],
    env: { ...process.env },
    workers: [worker],
    injected: [],
  };
}

const done = (worker: number) =>
  say({
    t: 'done',
    worker,
    iters: 1,
    bytes: 10,
    pool: { numThreads: 1, source: 'test' },
    peakThreads: 1,
    elapsedMs: 1,
  });

const registry = { add() {}, delete() {} };

describe('runLaunch', () => {
  it('tells ok, hung-at-exit, crashed and unspawnable apart, and reaps all of them', async () => {
    const units: UnitSpec[] = [
      node(0, done(0)),
      // Reports done, then never exits (an open handle): a hang at exit.
      node(1, `${done(1)} setInterval(() => {}, 1000);`),
      // Dies before reporting.
      node(2, 'process.exit(3)'),
      // Exits clean but leaves a grandchild in its process group.
      {
        command: '/bin/sh',
        args: ['-c', `sleep 60 & ${process.execPath} -e "${done(3).replace(/"/g, '\\"')}"`],
        env: { ...process.env },
        workers: [3],
        injected: [],
      },
      { command: '/nonexistent/binary', args: [], env: {}, workers: [4], injected: [] },
    ];
    const { report } = await runLaunch({
      engine: 'gvl-ts',
      launch: 0,
      units,
      timeoutMs: 2000,
      cgroup: null,
      observeMs: 20,
      capture: { noStacks: true, sampleMs: 50 },
      registry,
    });
    expect(report.status).toBe('hung');
    expect(report.workers.map((w) => w.status)).toEqual(['ok', 'hung', 'crashed', 'ok', 'crashed']);
    expect(report.workers[1]?.note).toBe('finished its iterations but its process did not exit');
    expect(report.workers[2]?.note).toMatch(/exited with 3 before reporting done/);
    expect(report.workers[4]?.note).toMatch(/spawn failed: .*ENOENT/);
    expect(report.processes[1]?.capture?.[0]?.threads.length).toBeGreaterThan(1);
    expect(report.processes[1]?.signal).toBe('SIGKILL');
    expect(report.processes[2]?.exitCode).toBe(3);
    // The grandchild was found, killed, and reported.
    expect(report.reap.survivors.map((s) => s.comm)).toContain('sleep');
    expect(report.reap.ok).toBe(false);
    const pids = report.processes.map((p) => p.pid).filter((p): p is number => p !== null);
    for (const pid of pids) expect(processState(pid)).toBe('gone');
    expect(findRelated(pids, pids)).toEqual([]);
  });
});

describe('agree', () => {
  it('compares the digests workers reported', () => {
    expect(agree([])).toBeNull();
    expect(agree([null, null])).toBeNull();
    expect(agree(['a', null, 'a'])).toBe(true);
    expect(agree(['a', 'b'])).toBe(false);
  });

  it('fails a launch whose workers disagree', async () => {
    const iter = (worker: number, digest: string) =>
      say({ t: 'iter', worker, iter: 0, bytes: 1, threads: 1, digest }) + done(worker);
    const { report } = await runLaunch({
      engine: 'gvl-ts',
      launch: 0,
      units: [node(0, iter(0, 'aa')), node(1, iter(1, 'bb'))],
      timeoutMs: 20_000,
      cgroup: null,
      observeMs: 20,
      capture: { noStacks: true },
      registry,
    });
    expect(report.status).toBe('ok');
    expect(report.digestsAgree).toBe(false);
    expect(report.workers.map((w) => w.digest)).toEqual(['aa', 'bb']);
  });
});
