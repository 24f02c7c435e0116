import { describe, expect, it } from 'vitest';
import { resolveThreads, ThreadsConfigError } from '../src/index.js';
import { mount, status, tree } from './tree.js';

const noEnv = {};
const V2_ROOT = mount(30, '/', '/sys/fs/cgroup', 'cgroup2', 'rw,nsdelegate');

describe('cgroup v2', () => {
  it('own namespace (0::/): the namespace root cpu.max limits', () => {
    const root = tree({
      '/proc/self/status': status('0-7'),
      '/proc/self/cgroup': '0::/\n',
      '/proc/self/mountinfo': `${V2_ROOT}\n`,
      '/sys/fs/cgroup/cpu.max': '200000 100000\n',
    });
    const r = resolveThreads({ root, env: noEnv });
    expect(r).toMatchObject({ threads: 2, source: 'cgroup', affinity: 8, cgroupVersion: 2 });
    expect(r.quota).toEqual({
      cpus: 2,
      quotaUs: 200000,
      periodUs: 100000,
      path: '/sys/fs/cgroup',
      version: 2,
    });
  });

  it('nested path: the tightest limit on the way up wins, even when it is the parent', () => {
    const root = tree({
      '/proc/self/status': status('0-15'),
      '/proc/self/cgroup': '0::/kubepods/pod1/ctr\n',
      '/proc/self/mountinfo': `${V2_ROOT}\n`,
      '/sys/fs/cgroup/kubepods/cpu.max': 'max 100000\n',
      '/sys/fs/cgroup/kubepods/pod1/cpu.max': '150000 100000\n',
      '/sys/fs/cgroup/kubepods/pod1/ctr/cpu.max': '400000 100000\n',
    });
    const r = resolveThreads({ root, env: noEnv });
    expect(r.threads).toBe(2);
    expect(r.source).toBe('cgroup');
    expect(r.quota?.path).toBe('/sys/fs/cgroup/kubepods/pod1');
    expect(r.quota?.cpus).toBeCloseTo(1.5, 12);
  });

  it('mounted at a non-standard mount point', () => {
    const root = tree({
      '/proc/self/status': status('0-3'),
      '/proc/self/cgroup': '0::/job\n',
      '/proc/self/mountinfo': `${mount(22, '/', '/mnt/my\\040cgroups', 'cgroup2', 'rw')}\n`,
      '/mnt/my cgroups/job/cpu.max': '100000 100000\n',
    });
    const r = resolveThreads({ root, env: noEnv });
    expect(r).toMatchObject({ threads: 1, source: 'cgroup', cgroupVersion: 2 });
    expect(r.quota?.path).toBe('/mnt/my cgroups/job');
  });

  it('`max` means unlimited: affinity decides', () => {
    const root = tree({
      '/proc/self/status': status('0-5'),
      '/proc/self/cgroup': '0::/a\n',
      '/proc/self/mountinfo': `${V2_ROOT}\n`,
      '/sys/fs/cgroup/a/cpu.max': 'max 100000\n',
    });
    expect(resolveThreads({ root, env: noEnv })).toMatchObject({
      threads: 6,
      source: 'affinity',
      quota: null,
      cgroupVersion: 2,
    });
  });

  it("the peer's case: 1530000/100000 = 15.3 CPUs rounds up to 16, floor gives 15", () => {
    const root = tree({
      '/proc/self/status': status('0-63'),
      '/proc/self/cgroup': '0::/\n',
      '/proc/self/mountinfo': `${V2_ROOT}\n`,
      '/sys/fs/cgroup/cpu.max': '1530000 100000\n',
    });
    expect(resolveThreads({ root, env: noEnv }).threads).toBe(16);
    expect(resolveThreads({ root, env: noEnv, rounding: 'floor' }).threads).toBe(15);
  });

  it('a quota below one CPU gives 1 thread with either rounding', () => {
    const root = tree({
      '/proc/self/status': status('0-3'),
      '/proc/self/cgroup': '0::/\n',
      '/proc/self/mountinfo': `${V2_ROOT}\n`,
      '/sys/fs/cgroup/cpu.max': '50000 100000\n',
    });
    expect(resolveThreads({ root, env: noEnv }).threads).toBe(1);
    expect(resolveThreads({ root, env: noEnv, rounding: 'floor' }).threads).toBe(1);
  });
});

describe('cgroup v1', () => {
  it('cpu,cpuacct nested below a bind-mounted root (container view)', () => {
    const root = tree({
      '/proc/self/status': status('0-7'),
      '/proc/self/cgroup': '5:memory:/docker/abc\n4:cpu,cpuacct:/docker/abc/job\n0::/\n',
      '/proc/self/mountinfo': [
        mount(40, '/docker/abc', '/sys/fs/cgroup/cpu,cpuacct', 'cgroup', 'rw,cpu,cpuacct'),
        mount(41, '/docker/abc', '/sys/fs/cgroup/memory', 'cgroup', 'rw,memory'),
      ].join('\n'),
      '/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us': '300000\n',
      '/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us': '100000\n',
      '/sys/fs/cgroup/cpu,cpuacct/job/cpu.cfs_quota_us': '-1\n',
      '/sys/fs/cgroup/cpu,cpuacct/job/cpu.cfs_period_us': '100000\n',
    });
    const r = resolveThreads({ root, env: noEnv });
    expect(r).toMatchObject({ threads: 3, source: 'cgroup', cgroupVersion: 1 });
    expect(r.quota).toEqual({
      cpus: 3,
      quotaUs: 300000,
      periodUs: 100000,
      path: '/sys/fs/cgroup/cpu,cpuacct',
      version: 1,
    });
  });

  it('cpuacct,cpu ordering; the peer case 800000/100000 = 8', () => {
    const root = tree({
      '/proc/self/status': status('0-31'),
      '/proc/self/cgroup': '3:cpuacct,cpu:/slice/unit\n',
      '/proc/self/mountinfo': `${mount(40, '/', '/sys/fs/cgroup/cpuacct,cpu', 'cgroup', 'rw,cpuacct,cpu')}\n`,
      '/sys/fs/cgroup/cpuacct,cpu/slice/unit/cpu.cfs_quota_us': '800000\n',
      '/sys/fs/cgroup/cpuacct,cpu/slice/unit/cpu.cfs_period_us': '100000\n',
    });
    expect(resolveThreads({ root, env: noEnv })).toMatchObject({
      threads: 8,
      source: 'cgroup',
      cgroupVersion: 1,
    });
  });

  it('quota -1 is unlimited', () => {
    const root = tree({
      '/proc/self/status': status('0-2'),
      '/proc/self/cgroup': '1:cpu:/\n',
      '/proc/self/mountinfo': `${mount(32, '/', '/sys/fs/cgroup/cpu', 'cgroup', 'rw,cpu')}\n`,
      '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '-1\n',
      '/sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000\n',
    });
    expect(resolveThreads({ root, env: noEnv })).toMatchObject({
      threads: 3,
      source: 'affinity',
      quota: null,
    });
  });

  it('hybrid host: v1 cpu quota with an empty v2 unified tree at /sys/fs/cgroup/unified', () => {
    const root = tree({
      '/proc/self/status': status('0-1'),
      '/proc/self/cgroup': '2:cpuacct:/\n1:cpu:/gvl\n0::/\n',
      '/proc/self/mountinfo': [
        mount(32, '/', '/sys/fs/cgroup/cpu', 'cgroup', 'rw,cpu'),
        mount(33, '/', '/sys/fs/cgroup/cpuacct', 'cgroup', 'rw,cpuacct'),
        mount(41, '/', '/sys/fs/cgroup/unified', 'cgroup2', 'rw'),
      ].join('\n'),
      '/sys/fs/cgroup/cpu/gvl/cpu.cfs_quota_us': '50000\n',
      '/sys/fs/cgroup/cpu/gvl/cpu.cfs_period_us': '100000\n',
    });
    expect(resolveThreads({ root, env: noEnv })).toMatchObject({
      threads: 1,
      source: 'cgroup',
      cgroupVersion: 1,
    });
  });
});

describe('affinity and the cpuset', () => {
  it('a cpuset narrower than the quota wins (source affinity)', () => {
    const root = tree({
      '/proc/self/status': status('2,5'),
      '/proc/self/cgroup': '0::/\n',
      '/proc/self/mountinfo': `${V2_ROOT}\n`,
      '/sys/fs/cgroup/cpu.max': '400000 100000\n',
    });
    const r = resolveThreads({ root, env: noEnv });
    expect(r).toMatchObject({ threads: 2, source: 'affinity', affinity: 2 });
    expect(r.quota?.cpus).toBe(4);
  });

  it('without /proc: os.availableParallelism() is the fallback', () => {
    const root = tree({ '/etc/hostname': 'x\n' });
    const r = resolveThreads({ root, env: noEnv, availableParallelism: () => 5 });
    expect(r).toMatchObject({
      threads: 5,
      source: 'fallback',
      affinity: null,
      quota: null,
      cgroupVersion: null,
    });
  });
});

describe('malformed or absent files never crash', () => {
  it.each([
    ['cpu.max garbage', { '/sys/fs/cgroup/a/cpu.max': 'lots 100000\n' }, /malformed/],
    ['cpu.max zero period', { '/sys/fs/cgroup/a/cpu.max': '100000 0\n' }, /malformed/],
    ['cpu.max extra field', { '/sys/fs/cgroup/a/cpu.max': '100000 100000 9\n' }, /malformed/],
  ])('%s: ignored with a trace note', (_name, extra, note) => {
    const root = tree({
      '/proc/self/status': status('0-3'),
      '/proc/self/cgroup': '0::/a\n',
      '/proc/self/mountinfo': `${V2_ROOT}\n`,
      ...extra,
    });
    const r = resolveThreads({ root, env: noEnv });
    expect(r).toMatchObject({ threads: 4, source: 'affinity', quota: null });
    expect(r.trace.some((t) => t.step === 'note' && note.test(t.message))).toBe(true);
  });

  it('v1 quota without a period file: ignored with a note', () => {
    const root = tree({
      '/proc/self/status': status('0-3'),
      '/proc/self/cgroup': '1:cpu:/x\n',
      '/proc/self/mountinfo': `${mount(32, '/', '/sys/fs/cgroup/cpu', 'cgroup', 'rw,cpu')}\n`,
      '/sys/fs/cgroup/cpu/x/cpu.cfs_quota_us': '100000\n',
    });
    const r = resolveThreads({ root, env: noEnv });
    expect(r).toMatchObject({ threads: 4, quota: null });
    expect(r.trace.map((t) => t.message).join('\n')).toContain('cpu.cfs_period_us: absent');
  });

  it('absent /proc/self/cgroup and garbage mountinfo and status lines', () => {
    const root = tree({
      '/proc/self/status': 'Name:\tnode\nCpus_allowed_list:\tzero-three\n',
      '/proc/self/mountinfo': 'not a mountinfo line\n\n',
    });
    const r = resolveThreads({ root, env: noEnv, availableParallelism: () => 3 });
    expect(r).toMatchObject({ threads: 3, source: 'fallback', quota: null, cgroupVersion: null });
    expect(r.trace.map((t) => t.message).join('\n')).toMatch(/\/proc\/self\/cgroup is absent/);
  });

  it('a cgroup path outside the mount root is not followed', () => {
    const root = tree({
      '/proc/self/status': status('0-3'),
      '/proc/self/cgroup': '4:cpu:/other/place\n',
      '/proc/self/mountinfo': `${mount(40, '/docker/abc', '/sys/fs/cgroup/cpu', 'cgroup', 'rw,cpu')}\n`,
      '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '100000\n',
      '/sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000\n',
    });
    const r = resolveThreads({ root, env: noEnv });
    expect(r).toMatchObject({ threads: 4, quota: null });
    expect(r.trace.map((t) => t.message).join('\n')).toContain('not visible');
  });
});

describe('GVL_NUM_THREADS', () => {
  const root = tree({
    '/proc/self/status': status('0-1'),
    '/proc/self/cgroup': '0::/\n',
    '/proc/self/mountinfo': `${V2_ROOT}\n`,
    '/sys/fs/cgroup/cpu.max': '50000 100000\n',
  });

  it('an integer >= 1 wins and is not clamped to the quota or affinity', () => {
    const r = resolveThreads({ root, env: { GVL_NUM_THREADS: '12' } });
    expect(r).toMatchObject({ threads: 12, source: 'env', affinity: 2 });
    expect(r.trace[0]).toEqual({
      step: 'env',
      message: 'GVL_NUM_THREADS=12 overrides detection (not clamped)',
    });
  });

  it('empty is the same as unset', () => {
    expect(resolveThreads({ root, env: { GVL_NUM_THREADS: '' } })).toMatchObject({
      threads: 1,
      source: 'cgroup',
    });
  });

  it.each(['abc', '0', '-1', '1.5', '2 threads', '0x4', '1e3', '99999999999999999999'])(
    '%j throws GVL_INVALID_ENV naming the variable and the value',
    (value) => {
      let caught: unknown;
      try {
        resolveThreads({ root, env: { GVL_NUM_THREADS: value } });
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(ThreadsConfigError);
      const err = caught as ThreadsConfigError;
      expect(err.code).toBe('GVL_INVALID_ENV');
      expect(err.variable).toBe('GVL_NUM_THREADS');
      expect(err.value).toBe(value);
      expect(err.message).toContain(`GVL_NUM_THREADS=${JSON.stringify(value)}`);
      expect(err.message).toContain('integer >= 1');
    },
  );

  it('a bad rounding option throws GVL_INVALID_ARGUMENT', () => {
    expect(() => resolveThreads({ root, env: {}, rounding: 'round' as 'ceil' })).toThrow(
      expect.objectContaining({ code: 'GVL_INVALID_ARGUMENT', variable: 'rounding' }),
    );
  });
});
