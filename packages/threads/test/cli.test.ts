import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { mount, status, tree } from './tree.js';

const bin = fileURLToPath(new URL('../bin/gvl-threads.js', import.meta.url));

function cli(args: string[], env: Record<string, string> = {}) {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  if (!('GVL_NUM_THREADS' in env)) delete childEnv.GVL_NUM_THREADS;
  return spawnSync(process.execPath, [bin, ...args], { env: childEnv, encoding: 'utf8' });
}

const root = tree({
  '/proc/self/status': status('0-7'),
  '/proc/self/cgroup': '0::/job\n',
  '/proc/self/mountinfo': `${mount(30, '/', '/sys/fs/cgroup', 'cgroup2', 'rw')}\n`,
  '/sys/fs/cgroup/job/cpu.max': '250000 100000\n',
});

describe('gvl-threads CLI', () => {
  it('explains every step of the trace', () => {
    const r = cli(['--root', root]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('gvl-threads: 3 thread(s) (source: cgroup)');
    expect(r.stdout).toContain('[env] GVL_NUM_THREADS is not set');
    expect(r.stdout).toContain('[affinity] Cpus_allowed_list allows 8 CPU(s)');
    expect(r.stdout).toContain(
      'tightest limit 250000/100000 = 2.5 CPU(s) at /sys/fs/cgroup/job (cpu.max)',
    );
    expect(r.stdout).toContain('[rounding] 2.5 CPU(s) rounded up (minimum 1) = 3');
  });

  it('--json prints resolveThreads(); --floor rounds down', () => {
    const r = cli(['--root', root, '--json', '--floor']);
    expect(r.status).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json).toMatchObject({ threads: 2, source: 'cgroup', affinity: 8, cgroupVersion: 2 });
    expect(json.quota).toMatchObject({ quotaUs: 250000, periodUs: 100000, cpus: 2.5 });
  });

  it('--workers N prints the plan', () => {
    const r = cli(['--root', root, '--workers', '2', '--json']);
    const json = JSON.parse(r.stdout);
    expect(json.plan.perWorker).toEqual([2, 1]);
    const text = cli(['--root', root, '--workers', '4']).stdout;
    expect(text).toContain('plan: 4 worker(s) sharing a budget of 3 thread(s)');
    expect(text).toContain('oversubscribed');
  });

  it('GVL_NUM_THREADS=3 reports 3 with source env', () => {
    const r = cli(['--json'], { GVL_NUM_THREADS: '3' });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ threads: 3, source: 'env' });
  });

  it('bad configuration exits 2 with the code', () => {
    const r = cli(['--json'], { GVL_NUM_THREADS: 'abc' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('GVL_INVALID_ENV: GVL_NUM_THREADS="abc" is invalid');
    expect(r.stdout).toBe('');
  });

  it.each([
    [['--workers', 'two'], 'GVL_USAGE: --workers "two" is invalid: expected an integer >= 1'],
    [['--workers', '0'], 'GVL_USAGE: --workers "0" is invalid: expected an integer >= 1'],
    [['--bogus'], "GVL_USAGE: Unknown option '--bogus'"],
    [['extra'], 'GVL_USAGE: Unexpected argument'],
  ])('usage error %j exits 64 naming the flag, then the usage', (args, message) => {
    const r = cli(args);
    expect(r.status).toBe(64);
    expect(r.stderr.startsWith(message)).toBe(true);
    expect(r.stderr).toContain('usage: gvl-threads');
    expect(r.stdout).toBe('');
  });

  it('--version prints the package version', () => {
    const { version } = JSON.parse(
      readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
    ) as { version: string };
    for (const flag of ['--version', '-V']) {
      const r = cli([flag]);
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(`${version}\n`);
    }
  });
});
