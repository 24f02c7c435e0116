import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultDataDir } from '../src/demo.js';
import { findRelated, processState } from '../src/proc.js';
import type { LaunchReport, StressReport } from '../src/report.js';

/** packages/stress */
export const pkgDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The CLI shim. */
export const bin = join(pkgDir, 'bin', 'gvl-stress.js');

/** Real data (`$GVL_DATA_DIR`, else the copy in `@gvl/example-data`). */
export const dataDir = defaultDataDir(process.env);
export const hasDemoData = existsSync(join(dataDir, '1kg-chr20', '1kg_chr20_300samples.vcf.gz'));

/** The oracle venv's python, when it has genvarloader. */
export const oraclePython = resolve(pkgDir, '..', 'dataset', '.venv-oracle', 'bin', 'python');
export const hasOracle = existsSync(oraclePython);

/** The dataset workload of the fast suite: the demo (first 8 samples), else synthetic. */
export const smallWorkload = hasDemoData
  ? ({ workload: { kind: 'demo' }, samples: 8 } as const)
  : ({ workload: { kind: 'synthetic', regions: 32, samples: 8 } } as const);

/** Every pid a launch spawned or captured. */
export function launchPids(l: LaunchReport): number[] {
  const pids = new Set<number>();
  for (const p of l.processes) {
    if (p.pid !== null) pids.add(p.pid);
    for (const c of p.capture ?? []) pids.add(c.pid);
  }
  return [...pids];
}

/** Asserts (by throwing) that nothing a report spawned is still present, zombies included. */
export function expectNothingSurvives(report: StressReport): void {
  for (const run of report.runs) {
    for (const l of run.launches) {
      const pids = launchPids(l);
      for (const pid of pids) {
        const state = processState(pid);
        if (state !== 'gone') throw new Error(`pid ${pid} of launch ${l.launch} is ${state}`);
      }
      const left = findRelated(pids, pids);
      if (left.length > 0) {
        throw new Error(
          `left over: ${left.map((p) => `${p.pid} ${p.comm} ${p.state}`).join(', ')}`,
        );
      }
    }
  }
}
