/**
 * The read-side subcommands of `gvl`: `get` (FASTA of haplotypes), `bench` (loader
 * throughput) and `demo` (the main job on the real 1000 Genomes data).
 *
 * @module
 */
import { cappedResolution } from '@gvl/threads';
import type { CliCommand, CliIo } from './cli.js';
import { Dataset } from './dataset.js';
import { formatMainJobReport, runMainJob } from './demo.js';
import { InvalidArgumentError } from './errors.js';
import type { AxisIndex } from './indexing.js';
import type { Dense, Ragged } from './ragged.js';

function out(io: CliIo, text: string): void {
  io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

function one(positionals: string[], what: string): string {
  if (positionals.length !== 1) {
    throw new InvalidArgumentError(`expected exactly one ${what}, got ${positionals.length}`, {
      value: positionals,
    });
  }
  return positionals[0] as string;
}

function required(values: Record<string, unknown>, name: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v === '')
    throw new InvalidArgumentError(`--${name} is required`, { value: v });
  return v;
}

function intOption(values: Record<string, unknown>, name: string, min: number): number | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  const s = String(v);
  if (!/^\d+$/.test(s) || Number(s) < min) {
    throw new InvalidArgumentError(
      `--${name} ${JSON.stringify(s)} is invalid: expected an integer >= ${min}`,
      { value: s },
    );
  }
  return Number(s);
}

function numberOption(values: Record<string, unknown>, name: string): number | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) {
    throw new InvalidArgumentError(
      `--${name} ${JSON.stringify(v)} is invalid: expected a number > 0`,
      { value: v },
    );
  }
  return n;
}

/** An index given on the command line: an integer, else a name. */
function indexArg(s: string): AxisIndex {
  return /^-?\d+$/.test(s) ? Number(s) : s;
}

/** Wraps bytes as FASTA lines of 60. */
function fastaLines(bytes: Uint8Array): string {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  const lines: string[] = [];
  for (let i = 0; i < text.length; i += 60) lines.push(text.slice(i, i + 60));
  return lines.join('\n');
}

/** `get`, `bench` and `demo`. */
export const READ_COMMANDS: Readonly<Record<string, CliCommand>> = {
  get: {
    summary: "print a sample's haplotypes of one region as FASTA",
    usage: `Usage: gvl get DATASET --reference FA --region I --sample NAME [--len L]

Prints one FASTA record per haplotype: >REGION_NAME|SAMPLE|hapP (or chrom:start-end
when the BED has no name column). Negative-strand regions are reverse-complemented.

  --reference FA   the FASTA the dataset was written against (+ .fai, + .gzi when bgzipped)
  --region I       region index in BED order (0-based), or its BED name
  --sample NAME    sample name (or index in the dataset's sorted sample list)
  --len L          fixed output length (left-anchored at the region start); default: the
                   haplotype's own length`,
    options: {
      reference: { type: 'string' },
      region: { type: 'string' },
      sample: { type: 'string' },
      len: { type: 'string' },
    },
    async run({ values, positionals }, io) {
      const path = one(positionals, 'dataset path');
      const reference = required(values, 'reference');
      const region = indexArg(required(values, 'region'));
      const sample = indexArg(required(values, 'sample'));
      const len = intOption(values, 'len', 1);
      let ds = (await Dataset.open(path, { reference })).withSeqs('haplotypes');
      if (len !== undefined) ds = ds.withLen(len);
      const sel = ds.subsetTo({ regions: [region as number], samples: [sample as number] });
      const r = sel.region(0);
      const name = sel.samples[0] as string;
      const haps = (await sel.get(0, 0)) as Ragged<Uint8Array> | Dense<Uint8Array>;
      const P = ds.ploidy ?? 1;
      const label = r.name ?? `${r.chrom}:${r.start}-${r.end}`;
      const records: string[] = [];
      for (let p = 0; p < P; p++) {
        const row =
          'row' in haps
            ? haps.row(p)
            : haps.data.subarray(p * (len as number), (p + 1) * (len as number));
        records.push(`>${label}|${name}|hap${p}\n${fastaLines(row)}`);
      }
      out(io, records.join('\n'));
      return 0;
    },
  },
  bench: {
    summary: 'measure loader throughput: batches/s, haplotypes/s, MiB/s, threads, peak RSS',
    usage: `Usage: gvl bench DATASET --reference FA [options]

Streams shuffled batches of haplotypes through a loader for a while and reports throughput.

  --reference FA     the FASTA the dataset was written against
  --batch N          items (region, sample pairs) per batch (default 32)
  --len L            fixed output length (default: ragged)
  --seconds S        how long to run (default 10)
  --mode MODE        loader mode: inline or worker (default inline)
  --workers N        worker threads in worker mode
  --json             print the result as JSON`,
    options: {
      reference: { type: 'string' },
      batch: { type: 'string' },
      len: { type: 'string' },
      seconds: { type: 'string' },
      mode: { type: 'string' },
      workers: { type: 'string' },
      json: { type: 'boolean' },
    },
    async run({ values, positionals }, io) {
      const path = one(positionals, 'dataset path');
      const reference = required(values, 'reference');
      const batchSize = intOption(values, 'batch', 1) ?? 32;
      const len = intOption(values, 'len', 1);
      const seconds = numberOption(values, 'seconds') ?? 10;
      const workers = intOption(values, 'workers', 1);
      const mode = (values.mode as string | undefined) ?? 'inline';
      let ds = (await Dataset.open(path, { reference })).withSeqs('haplotypes');
      if (len !== undefined) ds = ds.withLen(len);
      const P = ds.ploidy ?? 1;
      let batches = 0;
      let bytes = 0;
      let epoch = 0;
      const t0 = performance.now();
      const deadline = t0 + seconds * 1000;
      while (performance.now() < deadline) {
        const loader = ds.loader({
          mode: mode as 'inline',
          batchSize,
          shuffle: true,
          seed: epoch++,
          ...(workers !== undefined ? { workers } : {}),
        });
        try {
          for await (const b of loader) {
            batches++;
            bytes += (b.data as Ragged<Uint8Array>).data.length;
            if (performance.now() >= deadline) break;
          }
        } finally {
          await loader.close();
        }
      }
      const elapsed = (performance.now() - t0) / 1000;
      const threads = cappedResolution();
      const result = {
        dataset: path,
        mode,
        batchSize,
        length: len ?? 'ragged',
        seconds: elapsed,
        batches,
        batchesPerSecond: batches / elapsed,
        haplotypesPerSecond: (batches * batchSize * P) / elapsed,
        mibPerSecond: bytes / 2 ** 20 / elapsed,
        threads: threads.threads,
        threadsSource: threads.source,
        peakRssMiB: process.resourceUsage().maxRSS / 1024,
      };
      if (values.json === true) out(io, JSON.stringify(result, null, 2));
      else {
        out(
          io,
          [
            `gvl bench ${path} (mode ${mode}, batch ${batchSize}, length ${result.length})`,
            `  ${batches} batches in ${elapsed.toFixed(2)} s: ${result.batchesPerSecond.toFixed(1)} batches/s`,
            `  ${Math.round(result.haplotypesPerSecond).toLocaleString('en-US')} haplotypes/s, ${result.mibPerSecond.toFixed(1)} MiB/s`,
            `  threads ${result.threads} (source: ${result.threadsSource}), peak RSS ${result.peakRssMiB.toFixed(0)} MiB`,
          ].join('\n'),
        );
      }
      return 0;
    },
  },
  demo: {
    summary: 'the main job: write the 1000 Genomes chr20 dataset, stream every haplotype, report',
    usage: `Usage: gvl demo [--data DIR] [--out DIR] [--mode worker|inline] [--json]

Writes windows_2kb.bed x 300 samples of ../shared/data/1kg-chr20 (or $GVL_DATA_DIR) into a
dataset, streams every (region, sample) pair's haplotypes through a loader with parallel
kernels, re-checks a random subset on the serial path and prints a report.

  --data DIR    folder holding 1kg-chr20/ (default $GVL_DATA_DIR, else ../shared/data)
  --out DIR     where to write the dataset (default .gvl-cache/1kg-chr20.gvl)
  --mode MODE   loader mode (default worker)
  --json        print the report as JSON`,
    options: {
      data: { type: 'string' },
      out: { type: 'string' },
      mode: { type: 'string' },
      json: { type: 'boolean' },
    },
    async run({ values }, io) {
      const report = await runMainJob({
        ...(typeof values.data === 'string' ? { dataDir: values.data } : {}),
        ...(typeof values.out === 'string' ? { out: values.out } : {}),
        ...(typeof values.mode === 'string' ? { mode: values.mode as 'worker' } : {}),
        ...(values.json === true ? {} : { log: (line: string) => io.stderr.write(`${line}\n`) }),
      });
      out(io, values.json === true ? JSON.stringify(report, null, 2) : formatMainJobReport(report));
      return report.mismatches === 0 ? 0 : 1;
    },
  },
};
