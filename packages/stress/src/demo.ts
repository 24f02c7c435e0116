/**
 * The `--demo` dataset: the real 1000 Genomes chr20 data of the shared data folder,
 * written once with `@gvl/dataset` and cached.
 *
 * @module
 */

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { locateExampleData } from '@gvl/example-data';
import { StressConfigError } from './errors.js';

/** Paths of a prepared demo. */
export interface DemoPaths {
  /** The dataset directory. */
  dataset: string;
  /**
   * The reference to open it with: links to the shared FASTA (and its `.fai`, `.gzi`)
   * in the cache folder, so a tool that caches next to its FASTA (the Python
   * genvarloader writes `<fasta>.gvlfa/`) writes there, not into the shared data.
   */
  reference: string;
  /** The shared data folder used. */
  dataDir: string;
  /** Whether the dataset was written now (false: reused from the cache). */
  written: boolean;
}

/** Files the demo reads from `<dataDir>/1kg-chr20/`. */
export const DEMO_FILES = {
  bed: 'windows_2kb.bed',
  vcf: '1kg_chr20_300samples.vcf.gz',
  fasta: 'chr20_1-2Mb.fa.gz',
} as const;

/**
 * Samples in the demo dataset: the first 32 of the VCF's 300 (sorted by name). 488
 * regions × 32 samples × 2 haplotypes × 2 kb = 64 MB per `get()`, so the peer's
 * parameters (5 workers × 40 iterations per launch) take ~15 s of a 2-CPU machine.
 */
export const DEMO_SAMPLES = 32;

/** Walks up from `start` to the directory holding `pnpm-workspace.yaml`; `null` if none. */
export function findRepoRoot(start: string): string | null {
  let dir = resolve(start);
  for (;;) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

/** The monorepo root: from this module's location, else from the working directory. */
export function repoRoot(): string | null {
  return (
    findRepoRoot(dirname(fileURLToPath(import.meta.url))) ?? findRepoRoot(process.cwd()) ?? null
  );
}

/**
 * The folder holding `1kg-chr20/`: `$GVL_DATA_DIR` when set, else the copy shipped in
 * `@gvl/example-data` (the rule of `locateExampleData`, shared with `gvl demo`).
 */
export function defaultDataDir(env: Readonly<Record<string, string | undefined>>): string {
  return locateExampleData(undefined, env).dir;
}

/** `<repo>/.gvl-cache/stress`, else `<tmp>/gvl-stress-cache`. */
export function defaultCacheDir(): string {
  const root = repoRoot();
  return root ? join(root, '.gvl-cache', 'stress') : join(tmpdir(), 'gvl-stress-cache');
}

/**
 * Links a FASTA and its indexes (`.fai`, and `.gzi` when bgzipped) into `dir` under the
 * name `name`, so that a tool that writes a cache next to its FASTA (the Python
 * genvarloader writes `<fasta>.gvlfa/`) writes it in `dir`, never next to the original.
 *
 * @returns the linked FASTA's path.
 * @throws {@link StressConfigError} `GVL_DATA_NOT_FOUND` when the FASTA or its `.fai` is missing.
 */
export function linkReference(source: string, dir: string, name = basename(source)): string {
  const target = join(dir, name);
  mkdirSync(dir, { recursive: true });
  for (const [suffix, required] of [
    ['', true],
    ['.fai', true],
    ['.gzi', false],
  ] as const) {
    const from = resolve(`${source}${suffix}`);
    const to = `${target}${suffix}`;
    if (!existsSync(from)) {
      if (required) throw new StressConfigError('GVL_DATA_NOT_FOUND', `${from} is missing`);
      continue;
    }
    try {
      symlinkSync(from, to);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  return target;
}

/**
 * Where the Python peer reads `reference` from: a link in
 * `<cacheDir>/peer-reference/<hash of its path>/`, so the peer's FASTA cache lands in the
 * cache folder.
 */
export function peerReference(reference: string, cacheDir = defaultCacheDir()): string {
  const abs = resolve(reference);
  if (abs.startsWith(`${resolve(cacheDir)}/`)) return abs;
  const key = createHash('sha1').update(abs).digest('hex').slice(0, 12);
  return linkReference(abs, join(cacheDir, 'peer-reference', key));
}

/**
 * Returns the demo dataset, writing it on first use: `windows_2kb.bed` (488 windows of
 * 2,048 bp) × the first `samples` (default {@link DEMO_SAMPLES}) samples of
 * `1kg_chr20_300samples.vcf.gz` in sorted order, with `chr20_1-2Mb.fa.gz`, under
 * `<cacheDir>/chr20-2kb-<samples>s-<format version>/`. Safe to call from concurrent processes: the
 * dataset is written to a private folder and renamed into place.
 *
 * @param options - data and cache folders (defaults: see {@link defaultDataDir},
 *   {@link defaultCacheDir}).
 * @throws {@link StressConfigError} `GVL_DATA_NOT_FOUND` when a file of the chr20 slice is
 *   missing from the named data folder; `GVL_DEMO_FAILED` when the write fails.
 */
export async function prepareDemo(
  options: {
    dataDir?: string;
    cacheDir?: string;
    samples?: number;
    env?: Readonly<Record<string, string | undefined>>;
  } = {},
): Promise<DemoPaths> {
  const found = locateExampleData(options.dataDir, options.env ?? process.env);
  const dataDir = found.dir;
  if (found.missing.length > 0) {
    const f = found.missing[0] as string;
    throw new StressConfigError(
      'GVL_DATA_NOT_FOUND',
      `${f} is missing: --demo needs the 1kg-chr20 data (set GVL_DATA_DIR to the folder holding 1kg-chr20/, or unset it to use the copy in @gvl/example-data)`,
      { value: f },
    );
  }
  const chr20 = join(found.dir, '1kg-chr20');
  const files = {
    bed: join(chr20, DEMO_FILES.bed),
    vcf: join(chr20, DEMO_FILES.vcf),
    fasta: join(chr20, DEMO_FILES.fasta),
  };
  const cacheDir = resolve(options.cacheDir ?? defaultCacheDir());
  const reference = linkReference(files.fasta, join(cacheDir, 'reference'), 'chr20.fa.gz');
  const n = options.samples ?? DEMO_SAMPLES;
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new StressConfigError(
      'GVL_INVALID_ARGUMENT',
      `samples=${n} is invalid: expected an integer >= 1`,
      {
        option: 'samples',
        value: n,
      },
    );
  }
  const { FORMAT_VERSION, parseMetadata, vcfSamples, write } = await import('@gvl/dataset');
  const all = await vcfSamples(files.vcf).catch((e: Error) => {
    throw new StressConfigError(
      'GVL_DEMO_FAILED',
      `cannot read the samples of ${files.vcf}: ${e.message}`,
      {
        cause: e,
      },
    );
  });
  const samples = [...all].sort().slice(0, n);
  const dataset = join(cacheDir, `chr20-2kb-${samples.length}s-${FORMAT_VERSION}`);
  if (isDataset(dataset, parseMetadata)) return { dataset, reference, dataDir, written: false };
  const scratch = `${dataset}.tmp-${process.pid}-${Date.now()}`;
  try {
    await write(scratch, {
      samples,
      bed: files.bed,
      variants: files.vcf,
      reference: files.fasta,
      overwrite: true,
      onWarning: () => {},
    });
    try {
      renameSync(scratch, dataset);
    } catch (e) {
      // Another process won the race: use its dataset.
      if (!isDataset(dataset, parseMetadata)) throw e;
    }
  } catch (e) {
    throw new StressConfigError(
      'GVL_DEMO_FAILED',
      `could not write the demo dataset to ${dataset}: ${(e as Error).message}`,
      { value: dataset, cause: e },
    );
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return { dataset, reference, dataDir, written: true };
}

/** Whether `dir` holds a dataset whose `metadata.json` passes the dataset package's schema. */
function isDataset(dir: string, parseMetadata: (raw: unknown) => { ok: boolean }): boolean {
  try {
    return parseMetadata(JSON.parse(readFileSync(join(dir, 'metadata.json'), 'utf8'))).ok;
  } catch {
    return false;
  }
}
