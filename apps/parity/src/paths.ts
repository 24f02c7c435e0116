import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** apps/parity (this file is `src/paths.ts` or `dist/paths.js`). */
export const appDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The monorepo root. */
export const repoRoot = resolve(appDir, '..', '..');
/** Committed goldens. */
export const goldensDir = join(appDir, 'goldens');
/** The script that makes the goldens (bcftools side: stdlib only; peer side: the venv). */
export const makeGoldensScript = join(appDir, 'scripts', 'make_goldens.py');

/** Real data: `$GVL_DATA_DIR` or `<repo>/../shared/data` (never copied into git). */
export function dataDir(): string {
  return process.env.GVL_DATA_DIR ?? resolve(repoRoot, '..', 'shared', 'data');
}

/** Input files of the two datasets, under {@link dataDir}. */
export function inputs() {
  const d = dataDir();
  return {
    chr20: {
      vcf: join(d, '1kg-chr20', '1kg_chr20_300samples.vcf.gz'),
      fasta: join(d, '1kg-chr20', 'chr20_1-2Mb.fa.gz'),
      bed: join(d, '1kg-chr20', 'windows_2kb.bed'),
    },
    chr16: {
      fasta: join(d, 'hg38-chr16-chunk', 'chunk.fa'),
      gc: join(d, 'hg38-chr16-chunk', 'gc.bw'),
      alignability: join(d, 'hg38-chr16-chunk', 'alignability.bw'),
    },
  };
}

/** Why the real data cannot be used, or `null` when every input file is present. */
export function missingData(): string | null {
  const all = inputs();
  const files = [...Object.values(all.chr20), ...Object.values(all.chr16)];
  const absent = files.filter((f) => !existsSync(f));
  return absent.length === 0
    ? null
    : `real data not found (${absent.length} of ${files.length} files missing, e.g. ${absent[0]}); set GVL_DATA_DIR or place ../shared/data beside the repo`;
}

/**
 * The Python of the pinned genvarloader venv: `$GVL_ORACLE_VENV`, else the venv that
 * `packages/dataset/scripts/setup-oracle.sh` makes (`packages/dataset/.venv-oracle`).
 */
export function oraclePython(): string {
  const venv = process.env.GVL_ORACLE_VENV ?? join(repoRoot, 'packages', 'dataset', '.venv-oracle');
  return join(venv, 'bin', 'python');
}

/** Whether the venv's Python imports genvarloader. */
export function hasPeer(): boolean {
  const py = oraclePython();
  return (
    existsSync(py) && spawnSync(py, ['-c', 'import genvarloader'], { stdio: 'ignore' }).status === 0
  );
}

/** Whether `cmd` runs (used for bcftools, samtools, bgzip, tabix, python3). */
export function onPath(cmd: string, arg = '--version'): boolean {
  const r = spawnSync(cmd, [arg], { stdio: 'ignore' });
  return r.error === undefined && r.status !== null;
}
