import { spawnSync } from 'node:child_process';
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

  it.each([
    [['--json'], { GVL_NUM_THREADS: 'abc' }, 'GVL_INVALID_ENV: GVL_NUM_THREADS="abc" is invalid'],
    [['--workers', 'two'], {}, 'GVL_INVALID_ARGUMENT: --workers="two" is invalid'],
    [['--bogus'], {}, 'GVL_USAGE'],
  ])('bad configuration %j exits 2 with the code', (args, env, message) => {
    const r = cli(args as string[], env as Record<string, string>);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stdout).toBe('');
  });
});
