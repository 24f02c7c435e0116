import { join, resolve } from 'node:path';
import { locateExampleData } from '@gvl/example-data';
import { cappedResolution } from '@gvl/threads';
import { Dataset } from '../dataset.js';
import { GvlError } from '../errors.js';
import { directorySize } from '../files.js';
import { checkLoaderMode, type LoaderMode } from '../loader.js';
import type { Ragged } from '../ragged.js';
import { write } from '../write.js';

/** Options of {@link runMainJob}. */
export interface MainJobOptions {
  /** Folder with `1kg-chr20/` (default `$GVL_DATA_DIR`, else the copy in `@gvl/example-data`). */
  dataDir?: string;
  /** Where to write the dataset (default `.gvl-cache/1kg-chr20.gvl` under the working directory). */
  out?: string;
  /**
   * Loader mode (default and only mode `'inline'`: each batch runs in parallel on the
   * thread budget). Checked before anything is written (`GVL_INVALID_MODE`).
   */
  mode?: LoaderMode;
  /** Items per batch (default 64). */
  batchSize?: number;
  /** (region, sample) pairs re-checked on the serial path (default 256). */
  checkPairs?: number;
  /** Progress lines go here (default: none). */
  log?: (line: string) => void;
}

/** What {@link runMainJob} measured. */
export interface MainJobReport {
  /** This process's thread budget (`cappedResolution().threads` of `@gvl/threads`); an integer ≥ 1. */
  threads: number;
  /** Which rule decided `threads`: `env`, `cgroup`, `affinity` or `fallback` (the `ThreadsSource` of `@gvl/threads`). */
  threadsSource: string;
  /** The resolution's steps in order, one line each, formatted `[step] message`. */
  threadsTrace: string[];
  /** Absolute path of the dataset directory the job wrote and read. */
  dataset: string;
  /** Number of regions (BED windows) in the dataset. */
  regions: number;
  /** Number of samples in the dataset. */
  samples: number;
  /** Haplotypes per sample (2 for the 1000 Genomes data). */
  ploidy: number;
  /** Haplotype rows streamed by the loader: `regions × samples × ploidy`. */
  haplotypes: number;
  /** Total length in bytes (one byte per base) of the streamed haplotypes. */
  bytes: number;
  /** Wall-clock seconds of the streamed epoch (the loader loop only: no write, no serial check). */
  seconds: number;
  /** `haplotypes / seconds`. */
  haplotypesPerSecond: number;
  /** Haplotype bytes per second of the streamed epoch, in MiB (2^20 bytes): `bytes / 2^20 / seconds`. */
  mibPerSecond: number;
  /**
   * Peak resident set size of this process so far, in MiB (`process.resourceUsage().maxRSS`
   * / 1024); covers the write, the loader and its threads, not child processes.
   */
  peakRssMiB: number;
  /** Size in bytes of the dataset directory on disk (sum of its regular files' sizes). */
  datasetBytes: number;
  /**
   * Size in bytes the same haplotypes would take as FASTA (one `>name|sample|hapP` header
   * per haplotype, 60 bases per line); computed, not written.
   */
  fastaBytes: number;
  /** Number of random (region, sample) pairs recomputed on the serial path. */
  checkedPairs: number;
  /** Haplotypes among the checked pairs whose serial bytes differ from the streamed ones; 0 when all agree. */
  mismatches: number;
  /** Wall-clock seconds taken to write the dataset from the VCF, BED and FASTA. */
  writeSeconds: number;
  /** The loader mode used. */
  mode: LoaderMode;
}

/**
 * The folder holding `1kg-chr20/` for the main job: `dataDir` when given, else
 * `$GVL_DATA_DIR` when set, else the copy shipped in `@gvl/example-data` (so the main
 * job runs from an installed package with nothing else).
 *
 * @throws {@link GvlError} `GVL_UNREADABLE` when the folder named by `dataDir` or
 *   `GVL_DATA_DIR` lacks a file of the chr20 slice (`CHR20_FILES` of `@gvl/example-data`): a folder the user
 *   named is never silently replaced by the shipped copy.
 */
export function findData(dataDir?: string): string {
  const found = locateExampleData(dataDir);
  if (found.from === 'shipped' || found.missing.length === 0) return found.dir;
  const from = found.from === 'argument' ? '--data' : 'GVL_DATA_DIR';
  throw new GvlError(
    'GVL_UNREADABLE',
    `no 1kg-chr20 data in ${found.dir} (from ${from}): ${found.missing[0]} is missing; expected 1kg-chr20/{1kg_chr20_300samples.vcf.gz(.tbi),chr20_1-2Mb.fa.gz(.fai,.gzi),windows_2kb.bed} there; without ${from} the copy in @gvl/example-data is used`,
    { value: found.dir },
  );
}

/**
 * The main job: writes the 1000 Genomes chr20 dataset (2 kb windows × 300 samples),
 * streams every (region, sample) pair's haplotypes through a loader with parallel
 * kernels, re-checks a random subset on the serial path, and reports throughput.
 *
 * @example
 * ```ts
 * const report = await runMainJob(); // the chr20 copy in @gvl/example-data
 * report.mismatches; // 0
 * report.haplotypesPerSecond; // throughput of the streamed epoch
 * ```
 */
export async function runMainJob(options: MainJobOptions = {}): Promise<MainJobReport> {
  // A linear script (write, load, re-check serially, report) whose steps share the timings and the picked items.
  const log = options.log ?? (() => undefined);
  const mode = checkLoaderMode(options.mode);
  const data = join(findData(options.dataDir), '1kg-chr20');
  const out = resolve(options.out ?? join('.gvl-cache', '1kg-chr20.gvl'));
  const fasta = join(data, 'chr20_1-2Mb.fa.gz');
  const threads = cappedResolution();
  log(`threads: ${threads.threads} (source: ${threads.source})`);

  let t0 = performance.now();
  await write(out, {
    bed: join(data, 'windows_2kb.bed'),
    variants: join(data, '1kg_chr20_300samples.vcf.gz'),
    reference: fasta,
    overwrite: true,
    progress: false,
    onWarning: (w) => log(`warning ${w.code}: ${w.message}`),
  });
  const writeSeconds = (performance.now() - t0) / 1000;
  log(`wrote ${out} in ${writeSeconds.toFixed(1)} s`);

  const ds = (await Dataset.open(out, { reference: fasta }))
    .withSeqs('haplotypes')
    .withSettings({ parallel: true });
  const batchSize = options.batchSize ?? 64;
  const P = ds.ploidy ?? 2;
  const loader = ds.loader({ mode, batchSize });
  const rowLengths = new Float64Array(ds.length * P);
  const checkPairs = Math.min(options.checkPairs ?? 256, ds.length);
  const pick = new Set<number>();
  let seed = 0x9e3779b9;
  while (pick.size < checkPairs) {
    seed = (Math.imul(seed ^ (seed >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    pick.add(seed % ds.length);
  }
  const kept = new Map<number, Uint8Array[]>();
  let bytes = 0;
  let haplotypes = 0;
  t0 = performance.now();
  for await (const batch of loader) {
    const rag = batch.data as Ragged<Uint8Array>;
    bytes += rag.data.length;
    const n = batch.regions.length;
    for (let i = 0; i < n; i++) {
      const flat = (batch.regions[i] as number) * ds.nSamples + (batch.samples[i] as number);
      for (let p = 0; p < P; p++)
        rowLengths[flat * P + p] = Number(
          (rag.offsets[i * P + p + 1] as bigint) - (rag.offsets[i * P + p] as bigint),
        );
      if (pick.has(flat))
        kept.set(
          flat,
          Array.from({ length: P }, (_, p) => rag.row(i * P + p).slice()),
        );
    }
    haplotypes += n * P;
  }
  const seconds = (performance.now() - t0) / 1000;

  // Re-check a random subset on the serial path.
  const serial = ds.withSettings({ parallel: false });
  const flats = [...pick];
  const regions = Int32Array.from(flats, (f) => Math.floor(f / ds.nSamples));
  const samples = Int32Array.from(flats, (f) => f % ds.nSamples);
  const check = (await serial.get(regions, samples)) as Ragged<Uint8Array>;
  let mismatches = 0;
  flats.forEach((f, i) => {
    const rows = kept.get(f);
    for (let p = 0; p < P; p++) {
      const a = rows?.[p];
      const b = check.row(i * P + p);
      if (!a || a.length !== b.length || !a.every((x, j) => x === b[j])) mismatches++;
    }
  });

  // Size of all these haplotypes as FASTA: a header line per haplotype, 60 bases per line.
  let fastaBytes = 0;
  for (let f = 0; f < ds.length; f++) {
    const r = ds.region(Math.floor(f / ds.nSamples));
    const sample = ds.samples[f % ds.nSamples] as string;
    for (let p = 0; p < P; p++) {
      const len = rowLengths[f * P + p] as number;
      fastaBytes +=
        `>${r.name ?? `${r.chrom}:${r.start}-${r.end}`}|${sample}|hap${p}\n`.length +
        len +
        Math.ceil(len / 60);
    }
  }
  return {
    threads: threads.threads,
    threadsSource: threads.source,
    threadsTrace: threads.trace.map((t) => `[${t.step}] ${t.message}`),
    dataset: out,
    regions: ds.nRegions,
    samples: ds.nSamples,
    ploidy: P,
    haplotypes,
    bytes,
    seconds,
    haplotypesPerSecond: haplotypes / seconds,
    mibPerSecond: bytes / 2 ** 20 / seconds,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    datasetBytes: await directorySize(out),
    fastaBytes,
    checkedPairs: flats.length,
    mismatches,
    writeSeconds,
    mode,
  };
}

/**
 * A human-readable report of {@link runMainJob}.
 *
 * @example
 * ```ts
 * console.log(formatMainJobReport(await runMainJob()));
 * ```
 */
export function formatMainJobReport(r: MainJobReport): string {
  const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
  return [
    'gvl-ts main job: personal haplotypes of 1000 Genomes samples on GRCh37 chr20:1-2 Mb',
    `  threads            ${r.threads} (source: ${r.threadsSource})`,
    ...r.threadsTrace.map((t) => `                       ${t}`),
    `  dataset            ${r.dataset} (written in ${r.writeSeconds.toFixed(1)} s)`,
    `  shape              ${r.regions} regions x ${r.samples} samples x ploidy ${r.ploidy} = ${r.haplotypes} haplotypes`,
    `  loader             mode ${r.mode}, parallel kernels`,
    `  produced           ${mib(r.bytes)} of haplotype bytes in ${r.seconds.toFixed(2)} s`,
    `  throughput         ${Math.round(r.haplotypesPerSecond).toLocaleString('en-US')} haplotypes/s, ${r.mibPerSecond.toFixed(1)} MiB/s`,
    `  peak RSS           ${r.peakRssMiB.toFixed(0)} MiB`,
    `  on disk            dataset ${mib(r.datasetBytes)} vs the same haplotypes as FASTA ${mib(r.fastaBytes)} (${(r.fastaBytes / r.datasetBytes).toFixed(0)}x smaller)`,
    `  serial check       ${r.checkedPairs} random (region, sample) pairs re-computed serially: ${r.mismatches === 0 ? 'identical' : `${r.mismatches} haplotypes DIFFER`}`,
  ].join('\n');
}
