/**
 * Where the benchmark finds its inputs, interpreters and cache.
 *
 * @module
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** apps/bench (this file is `src/paths.ts` or `dist/paths.js`). */
export const appDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The monorepo root. */
export const repoRoot = resolve(appDir, '..', '..');
/** The compiled gvl-ts child. */
export const gvlChild = join(appDir, 'dist', 'child-gvl.js');
/** The peer's child script. */
export const peerChild = join(appDir, 'python', 'peer_child.py');
/** The cohort simulator. */
export const simulateScript = join(appDir, 'python', 'simulate_cohort.py');
/** Prepared datasets, batch lists and simulated cohorts (git-ignored). */
export const defaultCacheDir = join(appDir, '.cache');
/** Result files (git-ignored). */
export const resultsDir = join(appDir, 'results');

/** Real data: `$GVL_DATA_DIR` or `<repo>/../shared/data` (never copied into git). */
export function dataDir(): string {
  return process.env.GVL_DATA_DIR ?? resolve(repoRoot, '..', 'shared', 'data');
}

/** The 1000 Genomes chr20 slice: 300 samples, 2 Mb of reference, two window BEDs. */
export function chr20() {
  const d = join(dataDir(), '1kg-chr20');
  return {
    dir: d,
    vcf: join(d, '1kg_chr20_300samples.vcf.gz'),
    fasta: join(d, 'chr20_1-2Mb.fa.gz'),
    bed16kb: join(d, 'windows_16kb.bed'),
    bed2kb: join(d, 'windows_2kb.bed'),
  };
}

/** Why the chr20 data cannot be used, or null. */
export function missingChr20(): string | null {
  const c = chr20();
  for (const f of [c.vcf, `${c.vcf}.tbi`, c.fasta, `${c.fasta}.fai`, c.bed16kb, c.bed2kb]) {
    if (!existsSync(f)) return `real data not found: ${f} (set GVL_DATA_DIR)`;
  }
  return null;
}

/**
 * The peer's interpreter: `$GVL_ORACLE_VENV/bin/python`, else the oracle venv of
 * `@gvl/dataset` (`packages/dataset/.venv-oracle`, made by its `setup-oracle.sh`).
 */
export function peerPython(): string {
  const venv = process.env.GVL_ORACLE_VENV ?? join(repoRoot, 'packages', 'dataset', '.venv-oracle');
  return join(venv, 'bin', 'python');
}

/** The simulator's interpreter (`scripts/setup-sim-venv.sh`; `$GVL_BENCH_SIM_VENV` overrides). */
export function simPython(): string {
  return join(process.env.GVL_BENCH_SIM_VENV ?? join(appDir, '.venv-sim'), 'bin', 'python');
}

/** Why `python` cannot import `module`, or null when it can. */
export function missingPython(python: string, module: string): string | null {
  if (!existsSync(python)) return `${python} not found`;
  const r = spawnSync(python, ['-c', `import ${module}`], { encoding: 'utf8' });
  if (r.status === 0) return null;
  const last = (r.stderr ?? '').trim().split('\n').pop() ?? '';
  return `${python} cannot import ${module}: ${last}`;
}

/** Why a command is not on PATH, or null. */
export function missingTool(cmd: string): string | null {
  const r = spawnSync(cmd, ['--version'], { stdio: 'ignore' });
  return r.error === undefined && r.status !== null ? null : `${cmd} not on PATH`;
}
