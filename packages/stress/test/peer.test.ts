/**
 * --peer python: the Python genvarloader driven the same way. Unavailable peers are
 * reported with the reason, never thrown; with the oracle venv and the demo data, both
 * engines produce the same bytes.
 */
import { describe, expect, it } from 'vitest';
import { oracleReason, skipName } from '../../../test-support/oracles.mjs';
import { formatReport } from '../src/report.js';
import { runStress } from '../src/run.js';
import { expectNothingSurvives, hasDemoData, hasOracle, oraclePython } from './helpers.js';

describe('--peer python', () => {
  it('checks the dataset before probing the peer (a config error, nothing runs)', async () => {
    await expect(
      runStress({
        workload: { kind: 'dataset', path: '/nonexistent/ds', reference: '/x.fa' },
        peer: 'python',
        python: '/nonexistent/python3',
      }),
    ).rejects.toMatchObject({ code: 'GVL_DATA_NOT_FOUND' });
  });

  it('says the synthetic workload has no peer equivalent', async () => {
    const report = await runStress({
      workload: { kind: 'synthetic', regions: 8, samples: 2 },
      workers: 1,
      iters: 1,
      launches: 1,
      peer: 'python',
      python: '/nonexistent/python3',
    });
    expect(report.ok).toBe(true);
    expect(report.runs.map((r) => r.engine)).toEqual(['gvl-ts', 'genvarloader']);
    expect(report.runs[1]).toMatchObject({ available: false, launches: [] });
    expect(report.runs[1]?.reason).toMatch(/no peer equivalent/);
    expect(formatReport(report)).toMatch(/genvarloader: unavailable: .*no peer equivalent/);
  });

  it.skipIf(!hasDemoData)('reports an interpreter that cannot run as unavailable', async () => {
    const report = await runStress({
      workload: { kind: 'demo' },
      samples: 8,
      workers: 1,
      iters: 1,
      launches: 1,
      peer: 'python',
      python: '/nonexistent/python3',
    });
    expect(report.ok).toBe(true);
    expect(report.runs[1]?.available).toBe(false);
    expect(report.runs[1]?.reason).toMatch(/\/nonexistent\/python3 not found/);
  });

  it.skipIf(!hasDemoData || !hasOracle)(
    skipName(
      'drives genvarloader with the same dataset and knobs: same bytes, its own thread counts',
      [
        ...(hasDemoData ? [] : ['real data absent (set GVL_DATA_DIR)']),
        ...(hasOracle ? [] : [oracleReason('peer')]),
      ],
    ),
    async () => {
      const report = await runStress({
        workload: { kind: 'demo' },
        samples: 8,
        workers: 1,
        threadsPerWorker: 2,
        iters: 1,
        launches: 1,
        timeoutMs: 90_000,
        peer: 'python',
        python: oraclePython,
      });
      expect(report.ok).toBe(true);
      const [ts, py] = report.runs;
      expect(py).toMatchObject({ engine: 'genvarloader', available: true, mode: 'process' });
      expect(py?.version).toMatch(/^\d+\.\d+/);
      const tsBytes = ts?.launches[0]?.workers.map((w) => w.bytes);
      const pyBytes = py?.launches[0]?.workers.map((w) => w.bytes);
      expect(pyBytes).toEqual(tsBytes);
      // The same bytes, not only as many: the first outputs hash the same.
      expect(ts?.digest).toMatch(/^[0-9a-f]{64}$/);
      expect(py?.digest).toBe(ts?.digest);
      expect(formatReport(report)).toMatch(/first output, SHA-256: .* \(identical\)/);
      for (const w of py?.launches[0]?.workers ?? []) {
        expect(w.status).toBe('ok');
        expect(w.pool?.numThreads).toBe(2);
        expect(w.peakThreads).toBeGreaterThan(1);
      }
      expect(py?.launches[0]?.totalThreads).toBeGreaterThan(0);
      expectNothingSurvives(report);
    },
  );
});
