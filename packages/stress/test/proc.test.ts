import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { parseGdbThreads } from '../src/capture.js';
import {
  currentTid,
  findRelated,
  parseStat,
  parseThreads,
  processState,
  readThreadStates,
  readThreads,
} from '../src/proc.js';

describe('/proc readers', () => {
  it('parses a stat line whose comm holds spaces and parentheses', () => {
    const line =
      '4242 (a (b) c) S 1 4242 4242 0 -1 4194560 100 0 0 0 17 3 0 0 20 0 9 0 123 0 0 18446744073709551615';
    expect(parseStat(line)).toMatchObject({
      pid: 4242,
      comm: 'a (b) c',
      state: 'S',
      ppid: 1,
      pgrp: 4242,
      session: 4242,
      utime: 17,
      stime: 3,
      numThreads: 9,
    });
    expect(parseStat('garbage')).toBeNull();
  });

  it('reads Threads: from status text and from this process', () => {
    expect(parseThreads('Name:\tnode\nThreads:\t17\n')).toBe(17);
    expect(parseThreads('Name:\tnode\n')).toBeNull();
    const n = readThreads();
    expect(n).toBe(parseThreads(readFileSync('/proc/self/status', 'utf8')));
    expect(n).toBeGreaterThanOrEqual(1);
    expect(readThreads(2 ** 22 + 1)).toBeNull();
  });

  it('lists every thread with its state, wchan and CPU time', () => {
    const threads = readThreadStates(process.pid);
    expect(threads.length).toBe(readThreads());
    expect(threads[0]?.tid).toBe(process.pid);
    for (const t of threads) {
      expect(t.state).toMatch(/^[RSDTtZXIPKW]$/);
      expect(t.cpuMs).toBeGreaterThanOrEqual(0);
      expect(typeof t.wchan).toBe('string');
    }
  });

  it('knows the OS thread id of a worker thread', async () => {
    expect(currentTid()).toBe(process.pid);
    const code = `
      const { parentPort } = require('node:worker_threads');
      const { readFileSync } = require('node:fs');
      const stat = readFileSync('/proc/thread-self/stat', 'utf8');
      parentPort.postMessage(Number(stat.slice(0, stat.indexOf(' '))));`;
    const tid = await new Promise<number>((resolve, reject) => {
      const w = new Worker(code, { eval: true });
      w.once('message', resolve);
      w.once('error', reject);
    });
    expect(tid).not.toBe(process.pid);
  });

  it('finds a process group and its descendants, and sees them go', async () => {
    const child = spawn('sh', ['-c', 'sleep 30 & sleep 30 & wait'], {
      detached: true,
      stdio: 'ignore',
    });
    const pid = child.pid as number;
    const exited = new Promise((r) => child.once('exit', r));
    let related: ReturnType<typeof findRelated> = [];
    for (let i = 0; i < 100 && related.length < 3; i++) {
      await new Promise((r) => setTimeout(r, 20));
      related = findRelated([pid], [pid]);
    }
    expect(related.map((p) => p.pgrp)).toEqual([pid, pid, pid]);
    expect(processState(pid)).toBe('alive');
    process.kill(-pid, 'SIGKILL');
    await exited;
    for (let i = 0; i < 100 && findRelated([pid], [pid]).length > 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(processState(pid)).toBe('gone');
    expect(findRelated([pid], [pid])).toEqual([]);
  });
});

describe('parseGdbThreads', () => {
  it('keeps the informative frames of each thread, innermost first', () => {
    const text = readFileSync(new URL('./fixtures/gdb-threads.txt', import.meta.url), 'utf8');
    expect(parseGdbThreads(text, 3)).toEqual([
      {
        tid: 2203,
        frames: [
          'std::sys::sync::condvar::futex::Condvar::wait',
          'rayon_core::sleep::Sleep::sleep',
          'rayon_core::registry::WorkerThread::wait_until_cold',
        ],
      },
      {
        tid: 2191,
        frames: [
          'v8::internal::FutexEmulation::WaitSync<int>',
          'v8::internal::FutexEmulation::WaitJs32',
          'v8::internal::Builtin_AtomicsWait',
        ],
      },
      { tid: 2185, frames: ['uv__io_poll', 'uv_run', 'node::SpinEventLoopInternal'] },
    ]);
  });
});
