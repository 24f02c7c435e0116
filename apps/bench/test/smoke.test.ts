/**
 * CI smoke run of the benchmark with tiny sizes (`--quick`): on the chr20 data, against
 * the peer when its venv exists (otherwise gvl-ts alone). Asserts that both libraries
 * produced the same bytes and that the table and the JSON carry every metric. The
 * numbers themselves are not judged here.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { shapes } from '../src/options.js';
import {
  appDir,
  missingChr20,
  missingPython,
  missingTool,
  peerPython,
  simPython,
  simulateScript,
} from '../src/paths.js';
import type { BenchResult } from '../src/report.js';

const noData = missingChr20();
const noPeer = missingPython(peerPython(), 'genvarloader');
const tmp = mkdtempSync(join(tmpdir(), 'gvl-bench-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const METRICS = [
  'haplotypes MiB/s',
  'batch p50 ms',
  'batch p99 ms',
  'read ÷ memcpy',
  'V8 GCs per run',
  '1 -> 2 threads speed-up',
  'event-loop delay p99 ms · inline',
  'event-loop delay p99 ms · inline, reuse',
  'loader MiB/s',
  'loader time / memcpy',
  'write s',
  'write peak RSS MiB',
];

const name = `gvl-bench --quick${noPeer ? ` (gvl-ts alone: ${noPeer})` : ' against the peer'}`;

describe.skipIf(noData !== null)(noData ? `${name} [skipped: ${noData}]` : name, () => {
  it('measures every shape with equal outputs and reports every metric and goal', () => {
    const json = join(tmp, 'result.json');
    const r = spawnSync(
      process.execPath,
      [join(appDir, 'dist', 'cli.js'), '--quick', '--json', json],
      {
        encoding: 'utf8',
        timeout: 600_000,
      },
    );
    expect(r.stderr).not.toContain('GVL_BENCH_OUTPUT_MISMATCH');
    expect(r.status, r.stderr).toBe(0);
    const res = JSON.parse(readFileSync(json, 'utf8')) as BenchResult;

    expect(res.peerMissing).toBe(noPeer);
    expect(res.datasets.writer).toBe(noPeer ? 'gvl' : 'peer');
    expect(new Set(res.reads.map((x) => x.shape))).toEqual(
      new Set(shapes(true).map((s) => s.name)),
    );
    for (const x of res.reads) {
      expect(x.outputsEqual).toBe(true);
      expect(x.gvl.bytes).toBeGreaterThan(0);
      expect(x.gvl.sha256).toHaveLength(1);
      if (!noPeer) {
        expect(x.peer?.sha256).toEqual(x.gvl.sha256);
        expect(x.peer?.bytes).toBe(x.gvl.bytes);
      }
      // fixed length: every pair gives ploidy × 2,048 bytes
      if (x.length === 2048)
        expect(x.gvl.bytes).toBe(
          x.batchSize * 2 * 2048 * (shapes(true).find((s) => s.length === 2048)?.timed ?? 0),
        );
    }
    expect(res.outputsEqual).toBe(true);
    // the loader's one mode, with new output memory per batch and with reuse
    expect(res.loops.map((l) => `${l.mode}${l.reuse ? ', reuse' : ''}`).sort()).toEqual([
      'inline',
      'inline, reuse',
    ]);
    for (const l of res.loops) expect(l.floorRatio).toBeGreaterThan(0);
    expect(res.writes).toHaveLength(1);
    if (!noPeer) expect(res.writes[0]?.peer?.writeMs).toBeGreaterThan(0);

    for (const m of METRICS) {
      expect(
        res.rows.some((row) => row.metric.startsWith(m)),
        m,
      ).toBe(true);
      expect(r.stdout).toContain(m);
    }
    expect(r.stdout).toMatch(/^\| metric +\| gvl-ts +\| peer +\| ratio +\|$/m);
    expect(r.stdout).toMatch(/^machine: .+ CPUs/m);
    expect(r.stdout).toMatch(/^load average .+before .+after/m);
    expect(res.goals).toHaveLength(8);
    for (const g of res.goals) {
      expect(['MET', 'NOT MET', 'NOT MEASURED']).toContain(g.status);
      expect(r.stdout).toContain(`[${g.status}] ${g.goal}`);
    }
    // read goals are evaluated (with numbers) in a quick run; cohort goals are not
    expect(res.goals.slice(0, 4).every((g) => g.status !== 'NOT MEASURED')).toBe(noPeer === null);
  });
});

const noSim =
  missingPython(simPython(), 'msprime') ??
  missingTool('bgzip') ??
  missingTool('tabix') ??
  missingTool('bcftools');
describe.skipIf(noSim !== null)(
  noSim ? `simulate_cohort.py [skipped: ${noSim}]` : 'simulate_cohort.py',
  () => {
    it('writes a phased VCF whose REF agrees with the generated reference', () => {
      const out = join(tmp, 'cohort');
      const r = spawnSync(
        simPython(),
        [
          simulateScript,
          out,
          '20',
          '--seed',
          '3',
          '--length',
          '100000',
          '--windows',
          '4',
          '--window-bp',
          '16384',
        ],
        { encoding: 'utf8' },
      );
      expect(r.status, r.stderr).toBe(0);
      const info = JSON.parse(readFileSync(join(out, 'cohort.json'), 'utf8')) as {
        variants: number;
        samples: number;
      };
      expect(info.samples).toBe(20);
      expect(info.variants).toBeGreaterThan(0);
      // bcftools checks every REF against the FASTA (-c e: error on mismatch)
      const norm = spawnSync(
        'bcftools',
        [
          'norm',
          '-c',
          'e',
          '-f',
          join(out, 'ref.fa'),
          '-Ou',
          '-o',
          '/dev/null',
          join(out, 'cohort.vcf.gz'),
        ],
        { encoding: 'utf8' },
      );
      expect(norm.status, norm.stderr).toBe(0);
      const q = spawnSync('bcftools', ['query', '-l', join(out, 'cohort.vcf.gz')], {
        encoding: 'utf8',
      });
      expect(q.stdout.trim().split('\n')).toHaveLength(20);
      const gts = spawnSync('bcftools', ['query', '-f', '[%GT ]\n', join(out, 'cohort.vcf.gz')], {
        encoding: 'utf8',
      });
      const calls = gts.stdout.trim().split(/\s+/);
      expect(calls).toHaveLength(20 * info.variants);
      for (const c of calls) expect(c).toMatch(/^[01]\|[01]$/);
      expect(readFileSync(join(out, 'windows.bed'), 'utf8').trim().split('\n')).toHaveLength(4);
    });
  },
);
