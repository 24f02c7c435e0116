import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planWorkers } from '../src/index.js';

describe('planWorkers', () => {
  it('splits the budget: remainder to the first workers', () => {
    const plan = planWorkers(3, { budget: 8 });
    expect(plan.perWorker).toEqual([3, 3, 2]);
    expect(plan).toMatchObject({ budget: 8, workers: 3, total: 8, oversubscribed: false });
    expect(plan.env[2]).toEqual({ GVL_NUM_THREADS: '2', RAYON_NUM_THREADS: '2' });
  });

  it('more workers than threads: 1 each and says so', () => {
    const plan = planWorkers(5, { budget: 2 });
    expect(plan.perWorker).toEqual([1, 1, 1, 1, 1]);
    expect(plan).toMatchObject({ total: 5, oversubscribed: true });
  });

  it('for any budget and worker count: each >= 1, spread <= 1, sum <= budget unless n > budget', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 512 }),
        fc.integer({ min: 1, max: 600 }),
        (budget, n) => {
          const p = planWorkers(n, { budget });
          expect(p.perWorker).toHaveLength(n);
          expect(Math.min(...p.perWorker)).toBeGreaterThanOrEqual(1);
          expect(Math.max(...p.perWorker) - Math.min(...p.perWorker)).toBeLessThanOrEqual(1);
          expect(p.total).toBe(p.perWorker.reduce((a, b) => a + b, 0));
          if (n <= budget) {
            expect(p.total).toBe(budget);
            expect(p.oversubscribed).toBe(false);
          } else {
            expect(p.total).toBe(n);
            expect(p.oversubscribed).toBe(true);
          }
          p.env.forEach((e, i) => {
            expect(e.GVL_NUM_THREADS).toBe(String(p.perWorker[i]));
            expect(e.RAYON_NUM_THREADS).toBe(String(p.perWorker[i]));
          });
        },
      ),
    );
  });

  it.each([0, -1, 1.5, Number.NaN])('n = %s throws GVL_INVALID_ARGUMENT', (n) => {
    expect(() => planWorkers(n, { budget: 4 })).toThrow(
      expect.objectContaining({ code: 'GVL_INVALID_ARGUMENT' }),
    );
  });

  it('a bad budget throws GVL_INVALID_ARGUMENT', () => {
    expect(() => planWorkers(2, { budget: 0 })).toThrow(
      expect.objectContaining({ code: 'GVL_INVALID_ARGUMENT', variable: 'budget' }),
    );
  });
});
