/**
 * The read-side subcommands of `gvl`: `get` (FASTA of haplotypes), `bench` (loader
 * throughput) and `demo` (the main job on the real 1000 Genomes data).
 *
 * @module
 */
import { parseIntegerFlag } from '@gvl/errors';
import { cappedResolution } from '@gvl/threads';
import { Dataset } from '../dataset.js';
import {
  GvlError,
  InvalidArgumentError,
  isGvlError,
  UnknownSampleError,
  UsageError,
} from '../errors.js';
import { checkLoaderMode } from '../loader.js';
import type { AnnotatedHaps, LengthKind, RaggedAnnotatedHaps, RaggedOneHot } from '../output.js';
import { type Dense, Ragged } from '../ragged.js';
import { DEFAULT_SETTINGS, type SeqsKind, seqEncoding } from '../settings.js';
import type { CliCommand, CliIo } from './cli.js';
import { asUsage, onePositional } from './cli-usage.js';
import { formatMainJobReport, runMainJob } from './demo.js';

function out1(io: CliIo, text: string): void {
  io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

function one(positionals: string[], what: string): string {
  return onePositional(positionals, what);
}

function required(values: Record<string, unknown>, name: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v === '')
    throw new UsageError(`--${name} is required`, { flag: `--${name}`, value: v });
  return v;
}

function intOption(values: Record<string, unknown>, name: string, min: number): number | undefined {
  return parseIntegerFlag(`--${name}`, values[name], { min });
}

/** The `--mode` option, checked before any file is opened (`GVL_INVALID_MODE`, …). */
function loaderMode(value: unknown): 'inline' {
  return asUsage('--mode', () => checkLoaderMode(value));
}

function numberOption(values: Record<string, unknown>, name: string): number | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) {
    throw new UsageError(`--${name} ${JSON.stringify(v)} is invalid: expected a number > 0`, {
      flag: `--${name}`,
      value: v,
    });
  }
  return n;
}

/**
 * Resolves `--region`/`--sample` (a name; `#N` as an index when no name is `#N`) and
 * `--region-index`/`--sample-index` (an index) to one position of the dataset.
 * Names always win: a sample called `1` is `--sample 1`; index 1 is `--sample-index 1` or
 * `--sample '#1'`.
 */
function pick(
  ds: Dataset,
  axis: 'region' | 'sample',
  values: Record<string, unknown>,
): string | number {
  const byName = values[axis];
  const byIndex = values[`${axis}-index`];
  if ((byName === undefined) === (byIndex === undefined)) {
    throw new UsageError(
      `give exactly one of --${axis} NAME and --${axis}-index N (got ${byName === undefined ? 'neither' : 'both'})`,
      { flag: `--${axis}`, value: byName ?? byIndex },
    );
  }
  if (byIndex !== undefined) return indexOption(axis, String(byIndex));
  const name = String(byName);
  const names =
    axis === 'sample'
      ? ds.samples
      : Array.from({ length: ds.nRegions }, (_, i) => ds.region(i).name ?? '');
  if (names.includes(name)) return name;
  const hash = /^#(\d+)$/.exec(name);
  if (hash) return indexOption(axis, hash[1] as string);
  const hint = /^\d+$/.test(name)
    ? `; for the ${axis} at index ${name} use --${axis}-index ${name} or --${axis} '#${name}'`
    : '';
  if (axis === 'sample')
    throw new UnknownSampleError(`no sample is named ${JSON.stringify(name)}${hint}`, {
      value: name,
    });
  throw new GvlError(
    'GVL_UNKNOWN_REGION',
    `no region is named ${JSON.stringify(name)}${hint}${names.every((n) => n === '') ? ' (the BED had no name column: use --region-index)' : ''}`,
    { value: name },
  );
}

function indexOption(axis: string, s: string): number {
  return parseIntegerFlag(`--${axis}-index`, s) as number;
}

/**
 * `ds.withLen(--len)`: a length the dataset's regions cannot give is a data error (2) whose
 * message names `--len` rather than the API's "output length".
 */
function withLenFlag<S extends SeqsKind | null, T extends boolean>(
  ds: Dataset<S, T, 'ragged'>,
  len: number | undefined,
): Dataset<S, T, LengthKind> {
  if (len === undefined) return ds;
  try {
    return ds.withLen(len);
  } catch (e) {
    if (!isGvlError(e, 'GVL_INVALID_ARGUMENT')) throw e;
    throw new InvalidArgumentError(
      `--len ${len} is too long for ${ds.path}: ${e.message.replace(/^output length \S+ is invalid: /, '')}`,
      { value: len, cause: e },
    );
  }
}

/** Row `i` of a ragged or dense output (the innermost axis). */
function rowOf<T extends Uint8Array | Int32Array | Float32Array>(
  out: Ragged<T> | Dense<T>,
  i: number,
): T {
  if (out instanceof Ragged) return out.row(i);
  const L = out.shape[out.shape.length - 1] as number;
  return out.data.subarray(i * L, (i + 1) * L) as T;
}

/** Row `i` of encoded output: `width` values per base (one-hot), else one token per base. */
function encodedRow(
  out:
    | Ragged<Uint8Array | Int32Array>
    | Dense<Uint8Array | Int32Array>
    | RaggedOneHot
    | Dense<Float32Array>,
  i: number,
  width: number,
  oneHot: boolean,
): Uint8Array | Int32Array | Float32Array {
  if (out instanceof Ragged) return out.row(i);
  if ('offsets' in out) {
    const a = Number(out.offsets[i] as bigint) * width;
    return out.data.subarray(a, Number(out.offsets[i + 1] as bigint) * width);
  }
  const L = (out.shape[out.shape.length - (oneHot ? 2 : 1)] as number) * width;
  return out.data.subarray(i * L, (i + 1) * L);
}

/** Bytes as a latin1 string. */
function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

/** Runs of equal values: `[start, end, value]`, 0-based half-open (NaN equals NaN). */
function runs(values: Float32Array): [number, number, number][] {
  const out: [number, number, number][] = [];
  let a = 0;
  for (let i = 1; i <= values.length; i++) {
    const prev = values[i - 1] as number;
    const cur = values[i];
    const same = cur !== undefined && (cur === prev || (Number.isNaN(cur) && Number.isNaN(prev)));
    if (!same) {
      out.push([a, i, prev]);
      a = i;
    }
  }
  return out;
}

/** The `--seqs` option of `gvl get`: `haplotypes` (default), `annotated` or `tokens`. */
function seqsOption(value: unknown): 'haplotypes' | 'annotated' | 'tokens' {
  if (value === undefined || value === 'haplotypes') return 'haplotypes';
  if (value === 'annotated' || value === 'tokens') return value;
  throw new UsageError(
    `--seqs ${JSON.stringify(value)} is invalid: expected haplotypes, annotated or tokens`,
    { flag: '--seqs', value },
  );
}

/**
 * The token settings of `gvl get --seqs tokens`: `--alphabet` (default `ACGT`),
 * `--unknown-token` (default the alphabet's length) and `--one-hot`; the flags are usage
 * errors without `--seqs tokens`, and the values are checked as `withSettings` checks them.
 */
function tokenOptions(
  values: Record<string, unknown>,
  tokens: boolean,
): { tokenAlphabet: string; unknownToken: number; oneHot: boolean } | null {
  for (const flag of ['alphabet', 'unknown-token', 'one-hot'] as const) {
    if (!tokens && values[flag] !== undefined)
      throw new UsageError(`--${flag} needs --seqs tokens`, {
        flag: `--${flag}`,
        value: values[flag],
      });
  }
  if (!tokens) return null;
  const tokenAlphabet = typeof values.alphabet === 'string' ? values.alphabet : 'ACGT';
  const unknownToken = intOption(values, 'unknown-token', 0) ?? tokenAlphabet.length;
  const tok = { tokenAlphabet, unknownToken, oneHot: values['one-hot'] === true };
  asUsage(values.alphabet === undefined ? '--unknown-token' : '--alphabet', () =>
    seqEncoding({ ...DEFAULT_SETTINGS, ...tok }),
  );
  return tok;
}

/** Formats token rows: 60 values per line, space-separated; one-hot: one base per line. */
function tokenLines(row: ArrayLike<number>, width: number): string {
  const lines: string[] = [];
  const per = width === 1 ? 60 : width;
  for (let i = 0; i < row.length; i += per)
    lines.push(
      Array.from({ length: Math.min(per, row.length - i) }, (_, j) => row[i + j]).join(' '),
    );
  return lines.join('\n');
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
    summary:
      "print a sample's haplotypes of one region as FASTA, its tracks as bedGraph, or both as JSON",
    synopsis:
      'DATASET --reference FA (--region NAME | --region-index I) (--sample NAME | --sample-index I) [--len L] [--seqs KIND] [--tracks | --track NAME ...] [--json]',
    description:
      'Prints one FASTA record per haplotype: >REGION|SAMPLE|hapP, where REGION is the BED name (or chrom:start-end when the BED has no name column). Negative-strand regions are reverse-complemented.',
    flags: [
      {
        name: 'reference',
        value: 'FA',
        help: 'the FASTA the dataset was written against (+ .fai, + .gzi when bgzipped)',
      },
      {
        name: 'region',
        value: 'NAME',
        help: "the region's BED name; names always win ('#I' = index I when no region is named '#I')",
      },
      { name: 'region-index', value: 'I', help: 'region index in BED order (0-based)' },
      {
        name: 'sample',
        value: 'NAME',
        help: "sample name; names always win ('#I' = index I when no sample is named '#I')",
      },
      {
        name: 'sample-index',
        value: 'I',
        help: "sample index in the dataset's sorted sample list (0-based)",
      },
      {
        name: 'len',
        value: 'L',
        help: "fixed output length (left-anchored at the region start); default: the haplotype's own length",
      },
      {
        name: 'seqs',
        value: 'KIND',
        help: "haplotypes (default), annotated or tokens. annotated: instead of the FASTA, one tab-separated line per haplotype base, after the header 'haplotype<TAB>pos<TAB>base<TAB>var_idx<TAB>ref_coord': pos is the 0-based position along the haplotype as printed, var_idx the row of the dataset's variant table the base came from (-1: reference or pad), ref_coord its 0-based reference coordinate (-1 / 2147483647: pad before / past the contig); with --json, each haplotype gains varIdxs and refCoords arrays. tokens: each haplotype's header line, then its integer tokens (60 per line, space-separated): base --alphabet[i] is token i, any other base (N included) --unknown-token; with --one-hot, one line per base of alphabet-length 0/1 values (all 0 outside the alphabet); with --json, each haplotype has tokens (or oneHot, one array per base). Neither with --tracks/--track.",
      },
      {
        name: 'alphabet',
        value: 'ABC',
        help: 'with --seqs tokens: the token alphabet (default ACGT)',
      },
      {
        name: 'unknown-token',
        value: 'T',
        help: "with --seqs tokens: the token of bases outside the alphabet (an integer >= 0; default the alphabet's length)",
      },
      { name: 'one-hot', help: 'with --seqs tokens: one-hot rows instead of integer tokens' },
      { name: 'tracks', help: 'print every track instead of the FASTA, as bedGraph (below)' },
      {
        name: 'track',
        value: 'NAME',
        multiple: true,
        help: 'print this track (repeatable) instead of the FASTA',
      },
      {
        name: 'json',
        help: 'print {region, sample, haplotypes, tracks} as JSON (tracks: every track unless --track narrows them; values per haplotype, one per base)',
      },
    ],
    epilog: `Tracks are realigned to each haplotype (insertions filled per the dataset's settings) and
printed as bedGraph: per track a line 'track type=bedGraph name=NAME', then
'REGION|SAMPLE|hapP<TAB>start<TAB>end<TAB>value' for each run of equal values, start/end
0-based half-open positions along the haplotype as printed in the FASTA.`,
    async run({ values, positionals }, io) {
      // The `gvl get` command: option parsing, then one output format after another (FASTA, JSON, tracks); each branch is short and reads the same parsed options.
      const path = one(positionals, 'dataset path');
      const reference = required(values, 'reference');
      const len = intOption(values, 'len', 1);
      const kind = seqsOption(values.seqs);
      const named = (values.track as string[] | undefined) ?? [];
      const annotated = kind === 'annotated';
      const tok = tokenOptions(values, kind === 'tokens');
      if (kind !== 'haplotypes' && (values.tracks === true || named.length > 0))
        throw new UsageError(
          `--seqs ${kind} cannot be combined with ${values.tracks === true ? '--tracks' : '--track'}: ${kind === 'tokens' ? 'tokens' : 'annotated haplotypes'} are printed without tracks`,
          { flag: '--seqs', value: kind },
        );
      const opened = await Dataset.open(path, { reference });
      if (tok) {
        const ds = withLenFlag(opened.withSeqs('haplotypes').withTracks(false), len)
          .withSettings(tok)
          .subsetTo({
            regions: [pick(opened, 'region', values) as number],
            samples: [pick(opened, 'sample', values) as number],
          });
        const r = ds.region(0);
        const label = `${r.name ?? `${r.chrom}:${r.start}-${r.end}`}|${ds.samples[0]}`;
        const out = (await ds.get(0, 0)) as
          | Ragged<Uint8Array | Int32Array>
          | Dense<Uint8Array | Int32Array>
          | RaggedOneHot
          | Dense<Float32Array>;
        const width = tok.oneHot ? tok.tokenAlphabet.length : 1;
        const P = ds.ploidy ?? 1;
        const rows = Array.from({ length: P }, (_, p) => encodedRow(out, p, width, tok.oneHot));
        if (values.json === true) {
          out1(
            io,
            JSON.stringify({
              region: r,
              sample: ds.samples[0],
              alphabet: tok.tokenAlphabet,
              unknownToken: tok.oneHot ? null : tok.unknownToken,
              haplotypes: rows.map((row, p) =>
                tok.oneHot
                  ? {
                      hap: p,
                      oneHot: Array.from({ length: row.length / width }, (_, j) =>
                        Array.from(row.subarray(j * width, (j + 1) * width)),
                      ),
                    }
                  : { hap: p, tokens: Array.from(row) },
              ),
            }),
          );
          return 0;
        }
        out1(io, rows.map((row, p) => `>${label}|hap${p}\n${tokenLines(row, width)}`).join('\n'));
        return 0;
      }
      const region = pick(opened, 'region', values);
      const sample = pick(opened, 'sample', values);
      const wantTracks =
        values.tracks === true || named.length > 0 || (values.json === true && !annotated);
      const tracks = !wantTracks ? [] : named.length > 0 ? named : opened.availableTracks;
      if (values.tracks === true && tracks.length === 0)
        throw new InvalidArgumentError(`--tracks: ${path} has no tracks`, { value: path });
      const ds = withLenFlag(
        opened.withSeqs(annotated ? 'annotated' : 'haplotypes').withTracks(tracks),
        len,
      );
      const sel = ds.subsetTo({ regions: [region as number], samples: [sample as number] });
      const r = sel.region(0);
      const name = sel.samples[0] as string;
      const out = await sel.get(0, 0);
      const [seqOut, trackOut] = (tracks.length > 0 ? out : [out, null]) as [
        Ragged<Uint8Array> | Dense<Uint8Array> | RaggedAnnotatedHaps | AnnotatedHaps,
        Ragged<Float32Array> | Dense<Float32Array> | null,
      ];
      const ann = annotated ? (seqOut as RaggedAnnotatedHaps | AnnotatedHaps) : null;
      const haps = ann ? ann.haps : (seqOut as Ragged<Uint8Array> | Dense<Uint8Array>);
      const P = ds.ploidy ?? 1;
      const label = r.name ?? `${r.chrom}:${r.start}-${r.end}`;
      const hapRows = Array.from({ length: P }, (_, p) => rowOf(haps, p));
      if (ann && values.json !== true) {
        const lines = ['haplotype\tpos\tbase\tvar_idx\tref_coord'];
        for (let p = 0; p < P; p++) {
          const bases = latin1(hapRows[p] as Uint8Array);
          const vi = rowOf(ann.varIdxs, p);
          const rc = rowOf(ann.refCoords, p);
          const id = `${label}|${name}|hap${p}`;
          for (let j = 0; j < bases.length; j++)
            lines.push(`${id}\t${j}\t${bases[j]}\t${vi[j]}\t${rc[j]}`);
        }
        out1(io, lines.join('\n'));
        return 0;
      }
      // Tracks realigned to haplotypes: rows ordered (track, haplotype).
      const trackRows = (t: number, p: number): Float32Array =>
        rowOf(trackOut as Ragged<Float32Array> | Dense<Float32Array>, t * P + p);
      if (values.json === true) {
        const json = {
          region: { ...r, index: typeof region === 'number' ? region : null },
          sample: name,
          haplotypes: hapRows.map((row, p) => ({
            hap: p,
            sequence: latin1(row),
            ...(ann
              ? {
                  varIdxs: Array.from(rowOf(ann.varIdxs, p)),
                  refCoords: Array.from(rowOf(ann.refCoords, p)),
                }
              : {}),
          })),
          tracks: Object.fromEntries(
            tracks.map((t, ti) => [
              t,
              Array.from({ length: P }, (_, p) => Array.from(trackRows(ti, p))),
            ]),
          ),
        };
        out1(io, JSON.stringify(json));
        return 0;
      }
      if (tracks.length > 0) {
        const lines: string[] = [];
        tracks.forEach((t, ti) => {
          lines.push(`track type=bedGraph name=${t}`);
          for (let p = 0; p < P; p++) {
            for (const [a, b, v] of runs(trackRows(ti, p)))
              lines.push(`${label}|${name}|hap${p}\t${a}\t${b}\t${v}`);
          }
        });
        out1(io, lines.join('\n'));
        return 0;
      }
      out1(io, hapRows.map((row, p) => `>${label}|${name}|hap${p}\n${fastaLines(row)}`).join('\n'));
      return 0;
    },
  },
  bench: {
    summary: 'measure loader throughput: batches/s, haplotypes/s, MiB/s, threads, peak RSS',
    synopsis: 'DATASET --reference FA [options]',
    description:
      'Streams shuffled batches of haplotypes (no tracks) through a loader, epoch after epoch, for a while and reports throughput. Items are counted as delivered: a batch larger than the dataset is one short batch per epoch.',
    flags: [
      { name: 'reference', value: 'FA', help: 'the FASTA the dataset was written against' },
      {
        name: 'batch',
        value: 'N',
        help: 'items (region, sample pairs) per batch (default 32)',
      },
      { name: 'len', value: 'L', help: 'fixed output length (default: ragged)' },
      { name: 'seconds', value: 'S', help: 'how long to run (default 10)' },
      {
        name: 'mode',
        value: 'MODE',
        help: 'loader mode: inline (the default and only mode; each batch runs in parallel on the thread budget)',
      },
      { name: 'json', help: 'print the result as JSON' },
    ],
    async run({ values, positionals }, io) {
      const path = one(positionals, 'dataset path');
      const reference = required(values, 'reference');
      const batchSize = intOption(values, 'batch', 1) ?? 32;
      const len = intOption(values, 'len', 1);
      const seconds = numberOption(values, 'seconds') ?? 10;
      const mode = loaderMode(values.mode);
      // Haplotypes only: tracks are not part of the measured throughput.
      const ds = withLenFlag(
        (await Dataset.open(path, { reference })).withSeqs('haplotypes').withTracks(false),
        len,
      );
      const P = ds.ploidy ?? 1;
      let batches = 0;
      let items = 0;
      let bytes = 0;
      let epoch = 0;
      const t0 = performance.now();
      const deadline = t0 + seconds * 1000;
      while (performance.now() < deadline) {
        const loader = ds.loader({
          mode,
          batchSize,
          shuffle: true,
          seed: epoch++,
        });
        try {
          for await (const b of loader) {
            batches++;
            // The last batch of an epoch may be short (a batch larger than the dataset is
            // one short batch): count the items it holds, not the batch size.
            items += b.regions.length;
            bytes += (b.data as Ragged<Uint8Array> | Dense<Uint8Array>).data.byteLength;
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
        items,
        haplotypes: items * P,
        haplotypesPerSecond: (items * P) / elapsed,
        mibPerSecond: bytes / 2 ** 20 / elapsed,
        threads: threads.threads,
        threadsSource: threads.source,
        peakRssMiB: process.resourceUsage().maxRSS / 1024,
      };
      if (values.json === true) out1(io, JSON.stringify(result, null, 2));
      else {
        out1(
          io,
          [
            `gvl bench ${path} (mode ${mode}, batch ${batchSize}, length ${result.length})`,
            `  ${batches} batches (${items} items) in ${elapsed.toFixed(2)} s: ${result.batchesPerSecond.toFixed(1)} batches/s`,
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
    synopsis: '[--data DIR] [--out DIR] [--mode inline] [--json]',
    description:
      "Writes windows_2kb.bed x 300 samples of the 1000 Genomes chr20 example data (shipped in @gvl/example-data; --data or $GVL_DATA_DIR name another copy) into a dataset, streams every (region, sample) pair's haplotypes through a loader with parallel kernels, re-checks a random subset on the serial path and prints a report.",
    flags: [
      {
        name: 'data',
        value: 'DIR',
        help: 'folder holding 1kg-chr20/ (default $GVL_DATA_DIR, else @gvl/example-data)',
      },
      {
        name: 'out',
        value: 'DIR',
        help: 'where to write the dataset (default .gvl-cache/1kg-chr20.gvl)',
      },
      { name: 'mode', value: 'MODE', help: 'loader mode (default and only mode: inline)' },
      { name: 'json', help: 'print the report as JSON' },
    ],
    async run({ values }, io) {
      const report = await runMainJob({
        ...(typeof values.data === 'string' ? { dataDir: values.data } : {}),
        ...(typeof values.out === 'string' ? { out: values.out } : {}),
        ...(typeof values.mode === 'string' ? { mode: loaderMode(values.mode) } : {}),
        ...(values.json === true ? {} : { log: (line: string) => io.stderr.write(`${line}\n`) }),
      });
      out1(
        io,
        values.json === true ? JSON.stringify(report, null, 2) : formatMainJobReport(report),
      );
      return report.mismatches === 0 ? 0 : 1;
    },
  },
};
