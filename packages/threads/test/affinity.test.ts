import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { affinityFromStatus, countCpuList } from '../src/index.js';

describe('CPU lists', () => {
  it.each([
    ['0', 1],
    ['0-1', 2],
    ['0-3,8,10-11', 7],
    ['1,1,0-1', 2],
    [' 4-7\n', 4],
  ])('%j has %i CPUs', (list, n) => {
    expect(countCpuList(list)).toBe(n);
  });

  it.each(['', 'a', '3-1', '0-', ',', '1,,2'])('%j is malformed', (list) => {
    expect(countCpuList(list)).toBeNull();
  });

  it('counts the distinct CPUs of any set written as ranges', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 64 }),
        (cpus) => {
          const sorted = [...cpus].sort((a, b) => a - b);
          const parts: string[] = [];
          let i = 0;
          while (i < sorted.length) {
            let j = i;
            while (j + 1 < sorted.length && (sorted[j + 1] as number) === (sorted[j] as number) + 1)
              j++;
            parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
            i = j + 1;
          }
          expect(countCpuList(parts.join(','))).toBe(cpus.length);
        },
      ),
    );
  });

  it('reads Cpus_allowed_list from /proc/self/status text', () => {
    expect(affinityFromStatus('Name:\tx\nCpus_allowed:\t3\nCpus_allowed_list:\t0-1\n')).toBe(2);
    expect(affinityFromStatus('Name:\tx\n')).toBeNull();
  });
});
