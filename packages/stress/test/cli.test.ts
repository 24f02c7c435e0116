/**
 * The gvl-stress binary: exit 0 when clean, 1 on a hang, 64 on bad usage (`GVL_USAGE`
 * naming the flag), 2 on other typed errors with `CODE: message`; `--json` prints the report.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { StressReport } from '../src/report.js';
import { bin, pkgDir } from './helpers.js';

function run(args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: pkgDir,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const small = [
  '--synthetic',
  '--workers',
  '2',
  '--threads-per-worker',
  '2',
  '--iters',
  '2',
  '--launches',
  '1',
];

describe('gvl-stress', () => {
  it('prints the table and exits 0 when clean', () => {
    const r = run([...small, '--timeout', '60']);
    expect(r.stderr).toMatch(/\[gvl-stress\] gvl-ts launch 1: ok/);
    expect(r.stdout).toMatch(
      /^gvl-stress: 1 launch\(es\) x 2 worker\(s\), process mode, GVL_NUM_THREADS=2/,
    );
    expect(r.stdout).toMatch(/engine\s+launch\s+status\s+ok\s+hung\s+crashed\s+wall/);
    expect(r.stdout).toMatch(/result: clean \(0 hangs, 0 crashes\)/);
    expect(r.status).toBe(0);
  });

  it('prints JSON with --json', () => {
    const r = run([...small, '--mode', 'thread', '--json']);
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as StressReport;
    expect(report.ok).toBe(true);
    expect(report.config).toMatchObject({
      mode: 'thread',
      workers: 2,
      threadsPerWorker: 2,
      iters: 2,
    });
    expect(report.runs[0]?.launches[0]?.counts).toEqual({ ok: 2, hung: 0, crashed: 0 });
  });

  it('exits 1 on a hang, naming it', () => {
    const r = run([...small, '--inject-hang', '--timeout', '2']);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/gvl-ts\s+1\s+hung\s+1\s+1\s+0/);
    expect(r.stdout).toMatch(/worker 0 \[injected\]: blocked on purpose/);
    expect(r.stdout).toMatch(/result: FAILED \(1 hung worker/);
  });

  it.each([
    [
      ['--synthetic', '--mode', 'fork'],
      /^GVL_USAGE: --mode "fork" is invalid: expected one of 'process', 'thread'/,
    ],
    [['--synthetic', '--workers', 'x'], /^GVL_USAGE: --workers "x" is invalid/],
    [
      ['--synthetic', '--workers', '0'],
      /^GVL_USAGE: --workers "0" is invalid: expected an integer in \[1, 256\]/,
    ],
    [['--bogus'], /^GVL_USAGE: unknown option '--bogus'/],
    [[], /^GVL_USAGE: choose a workload/],
  ])('a usage error exits 64 naming the flag: %j', (args, pattern) => {
    const r = run(args);
    expect(r.status).toBe(64);
    expect(r.stderr).toMatch(pattern);
    expect(r.stdout).toBe('');
  });

  it('missing data is a data error: exit 2 with CODE: message', () => {
    const r = run(['--dataset', '/nonexistent', '--reference', '/x.fa']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^GVL_DATA_NOT_FOUND: \/nonexistent is not a dataset/);
    expect(r.stdout).toBe('');
  });

  it('--version prints the package version', () => {
    const { version } = JSON.parse(
      readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
    ) as { version: string };
    for (const flag of ['--version', '-V']) {
      const r = run([flag]);
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(`${version}\n`);
    }
  });

  it('prints usage with --help', () => {
    const r = run(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: gvl-stress /);
    for (const flag of [
      '--dataset',
      '--reference',
      '--demo',
      '--mode',
      '--workers',
      '--threads-per-worker',
      '--iters',
      '--launches',
      '--timeout',
      '--ambient-rayon',
      '--cgroup-quota',
      '--inject-hang',
      '--peer',
      '--json',
    ]) {
      expect(r.stdout).toContain(flag);
    }
  });
});

describe('gvl-stress on SIGTERM', () => {
  it('kills every worker group and removes its cgroup before dying', async () => {
    const { spawn } = await import('node:child_process');
    const { existsSync, readdirSync } = await import('node:fs');
    const { cgroupSupport } = await import('@gvl/threads/cgroup-create');
    const { findRelated, processState } = await import('../src/proc.js');
    const support = cgroupSupport();
    const args = [bin, ...small, '--inject-hang', '--timeout', '60'];
    if (support.ok) args.push('--cgroup-quota', '1');
    const cli = spawn(process.execPath, args, { cwd: pkgDir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    cli.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const exited = new Promise<NodeJS.Signals | null>((r) => cli.once('exit', (_c, s) => r(s)));
    // Wait until the injected hang is in place: worker 1 done, worker 0 blocked.
    const cliPid = cli.pid as number;
    let workers: number[] = [];
    for (let i = 0; i < 200; i++) {
      await new Promise((r) => setTimeout(r, 50));
      workers = findRelated([], [cliPid])
        .filter((p) => p.pid !== cliPid && p.comm === 'node')
        .map((p) => p.pid);
      if (workers.length === 1 && stderr.includes('started')) break;
    }
    expect(workers).toHaveLength(1);
    const cgroups = support.ok
      ? readdirSync(support.base).filter((d) => d.startsWith(`gvl-${cliPid}-`))
      : [];
    if (support.ok) expect(cgroups).toHaveLength(1);
    cli.kill('SIGTERM');
    expect(await exited).toBe('SIGTERM');
    for (let i = 0; i < 100 && workers.some((p) => processState(p) !== 'gone'); i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    for (const p of workers) expect(processState(p)).toBe('gone');
    if (support.ok) {
      for (const d of cgroups) expect(existsSync(`${support.base}/${d}`)).toBe(false);
    }
  });
});
