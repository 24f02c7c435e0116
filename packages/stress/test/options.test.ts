/**
 * Validation happens before any worker starts: every bad option is a typed error with a
 * stable code naming the option and the value; an unknown mode is never a silent fallback.
 */
import type { GvlError } from '@gvl/errors';
import { describe, expect, it } from 'vitest';
import { parseCli } from '../src/command.js';
import { StressConfigError } from '../src/errors.js';
import { resolveOptions, STRESS_MODES, type StressOptions } from '../src/options.js';
import { runStress } from '../src/run.js';

const synthetic = { workload: { kind: 'synthetic' } } as const;

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(StressConfigError);
    return (e as StressConfigError).code;
  }
  return undefined;
}

describe('resolveOptions', () => {
  it('applies the peer defaults: 5 workers x 8 threads x 40 iterations x 4 launches, 120 s', () => {
    const o = resolveOptions(synthetic);
    expect(o).toMatchObject({
      mode: 'process',
      workers: 5,
      threadsPerWorker: 8,
      iters: 40,
      launches: 4,
      timeoutMs: 120_000,
      ambientRayon: null,
      cgroupQuota: null,
      injectHang: false,
      peer: null,
    });
  });

  it('rejects an unknown mode with GVL_INVALID_MODE listing the allowed modes', () => {
    for (const mode of ['fork', 'auto', 'Process', '', 1, null]) {
      try {
        resolveOptions({ ...synthetic, mode: mode as never });
        expect.unreachable(`mode ${String(mode)} accepted`);
      } catch (e) {
        const err = e as StressConfigError;
        expect(err.code).toBe('GVL_INVALID_MODE');
        expect(err.option).toBe('mode');
        expect(err.value).toBe(mode);
        for (const m of STRESS_MODES) expect(err.message).toContain(`'${m}'`);
      }
    }
  });

  const bad: [string, Partial<StressOptions>][] = [
    ['workers', { workers: 0 }],
    ['workers', { workers: 1.5 }],
    ['workers', { workers: 257 }],
    ['threadsPerWorker', { threadsPerWorker: -1 }],
    ['iters', { iters: 0 }],
    ['launches', { launches: Number.NaN }],
    ['timeoutMs', { timeoutMs: 0 }],
    ['timeoutMs', { timeoutMs: Number.POSITIVE_INFINITY }],
    ['ambientRayon', { ambientRayon: -2 }],
    ['cgroupQuota', { cgroupQuota: 0 }],
    ['cgroupQuota', { cgroupQuota: -1 }],
    ['peer', { peer: 'rust' as never }],
    ['injectHang', { injectHang: 'yes' as never }],
    ['python', { python: '' }],
    ['regions', { regions: 0 }],
  ];
  it.each(bad)('rejects a bad %s with GVL_INVALID_ARGUMENT', (option, patch) => {
    try {
      resolveOptions({ workload: { kind: 'demo' }, ...patch });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(StressConfigError);
      expect((e as StressConfigError).code).toBe('GVL_INVALID_ARGUMENT');
      expect((e as StressConfigError).option).toBe(option);
      expect((e as Error).message).toContain(option);
    }
  });

  it('rejects bad workloads', () => {
    expect(codeOf(() => resolveOptions({ workload: undefined as never }))).toBe(
      'GVL_INVALID_ARGUMENT',
    );
    expect(codeOf(() => resolveOptions({ workload: { kind: 'files' } as never }))).toBe(
      'GVL_INVALID_ARGUMENT',
    );
    expect(
      codeOf(() => resolveOptions({ workload: { kind: 'dataset', path: 'x' } as never })),
    ).toBe('GVL_INVALID_ARGUMENT');
    expect(codeOf(() => resolveOptions({ ...synthetic, samples: 3 }))).toBe('GVL_INVALID_ARGUMENT');
  });

  it('runStress throws before spawning anything: missing dataset, bad mode', async () => {
    await expect(
      runStress({ workload: { kind: 'dataset', path: '/nonexistent/ds', reference: '/x.fa' } }),
    ).rejects.toMatchObject({ code: 'GVL_DATA_NOT_FOUND', option: 'dataset' });
    await expect(runStress({ ...synthetic, mode: 'fork' as never })).rejects.toMatchObject({
      code: 'GVL_INVALID_MODE',
    });
    await expect(
      runStress({ workload: { kind: 'demo', dataDir: '/nonexistent/data' } }),
    ).rejects.toMatchObject({ code: 'GVL_DATA_NOT_FOUND' });
  });
});

describe('parseCli', () => {
  it('maps every flag of the issue to an option', () => {
    const { options, json } = parseCli([
      '--dataset',
      'ds',
      '--reference',
      'ref.fa',
      '--mode',
      'thread',
      '--workers',
      '5',
      '--threads-per-worker',
      '8',
      '--iters',
      '40',
      '--launches',
      '4',
      '--timeout',
      '120',
      '--ambient-rayon',
      '16',
      '--cgroup-quota',
      '1.5',
      '--inject-hang',
      '--peer',
      'python',
      '--python',
      '/usr/bin/python3',
      '--regions',
      '3',
      '--samples',
      '2',
      '--json',
    ]);
    expect(json).toBe(true);
    expect(options).toEqual({
      workload: { kind: 'dataset', path: 'ds', reference: 'ref.fa' },
      mode: 'thread',
      workers: 5,
      threadsPerWorker: 8,
      iters: 40,
      launches: 4,
      timeoutMs: 120_000,
      ambientRayon: 16,
      cgroupQuota: 1.5,
      injectHang: true,
      peer: 'python',
      python: '/usr/bin/python3',
      regions: 3,
      samples: 2,
    });
    expect(parseCli(['--demo']).options).toEqual({ workload: { kind: 'demo' } });
    expect(parseCli(['--synthetic', '--timeout', '0.5']).options.timeoutMs).toBe(500);
  });

  it.each([
    [[], 'choose a workload'],
    [['--demo', '--synthetic'], 'choose one workload'],
    [['--dataset', 'ds'], '--reference'],
    [['--demo', '--workers', 'five'], '--workers'],
    [['--demo', '--workers', '-1'], '--workers'],
    [['--demo', '--cgroup-quota', 'half'], '--cgroup-quota'],
    [['--demo', '--peer', 'rust'], '--peer'],
    [['--demo', '--fork'], "unknown option '--fork'"],
    [['--demo', '--workers'], '--workers'],
    [['--demo', '--workers', '0'], '--workers "0" is invalid: expected an integer in [1, 256]'],
    [['--demo', '--timeout', '0'], '--timeout "0" is invalid: expected a number of seconds > 0'],
    [['--demo', '--mode', 'fork'], `--mode "fork" is invalid: expected one of 'process', 'thread'`],
    [['--demo', '--threads-per-worker', '5000'], '--threads-per-worker "5000" is invalid'],
    [['--synthetic', '--regions', '3'], '--regions "3" is invalid: expected no subset'],
  ])('rejects %j as a usage error naming the flag', (argv, text) => {
    try {
      parseCli(argv);
      expect.unreachable();
    } catch (e) {
      expect((e as GvlError).code).toBe('GVL_USAGE');
      expect((e as Error).message).toContain(text);
      // Messages name flags, never the API's option names.
      expect((e as Error).message).not.toMatch(
        /\b(threadsPerWorker|timeoutMs|cgroupQuota|ambientRayon)\b|^workers=/,
      );
    }
  });
});
