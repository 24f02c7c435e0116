/**
 * Track flags of `gvl write` (`--table`, `--annot`) and the `gvl add-tracks` command.
 *
 * @module
 */
import { addTracks } from '../add-tracks.js';
import type { BigWigTrack } from '../bigwig.js';
import { isGvlError, UsageError } from '../errors.js';
import type { TableTrack } from '../table-track.js';
import type { AnnotTrackSpec, TrackSpec } from '../track-writer.js';
import type { CliCommand, CliIo } from './cli.js';
import { onePositional } from './cli-usage.js';
import type { CliFlag } from './parser.js';

/** Column of the sample name in a `--table NAME=PATH` table (after the bedGraph columns). */
const SAMPLE_COLUMN = 4;

/**
 * Parses `--table` occurrences: `NAME:SAMPLE=PATH` (one bedGraph per sample, value in
 * column 4) or `NAME=PATH` (one table of `chrom start end value sample` lines).
 *
 * @throws {@link UsageError} `GVL_USAGE` naming the malformed or repeated occurrence.
 * @example
 * ```ts
 * parseTableSpecs(['cov:HG00096=a.bedGraph.gz', 'cov:HG00097=b.bedGraph.gz']);
 * // [{ name: 'cov', table: { HG00096: 'a.bedGraph.gz', HG00097: 'b.bedGraph.gz' } }]
 * parseTableSpecs(['cov=all.tsv']); // [{ name: 'cov', table: 'all.tsv', sampleColumn: 4 }]
 * ```
 */
export function parseTableSpecs(specs: readonly string[]): TableTrack[] {
  const perSample = new Map<string, Record<string, string>>();
  const whole = new Map<string, string>();
  for (const spec of specs) {
    const one = /^([^:=]+)=(.+)$/.exec(spec);
    const per = /^([^:=]+):([^=]+)=(.+)$/.exec(spec);
    const name = (one?.[1] ?? per?.[1]) as string | undefined;
    if (name === undefined)
      throw new UsageError(
        `--table ${JSON.stringify(spec)} is invalid: expected NAME:SAMPLE=PATH or NAME=PATH`,
        { flag: '--table', value: spec },
      );
    if (whole.has(name) || (one && perSample.has(name)))
      throw new UsageError(
        `--table gives track ${JSON.stringify(name)} as one table and again: expected NAME=PATH once, or NAME:SAMPLE=PATH per sample`,
        { flag: '--table', value: spec },
      );
    if (one) {
      whole.set(name, one[2] as string);
      continue;
    }
    const [, , sample, path] = per as unknown as [string, string, string, string];
    const paths = perSample.get(name) ?? {};
    if (paths[sample] !== undefined)
      throw new UsageError(
        `--table gives sample ${JSON.stringify(sample)} twice for track ${JSON.stringify(name)}`,
        { flag: '--table', value: spec },
      );
    paths[sample] = path;
    perSample.set(name, paths);
  }
  return [
    ...[...perSample].map(([name, table]) => ({ name, table })),
    ...[...whole].map(([name, table]) => ({ name, table, sampleColumn: SAMPLE_COLUMN })),
  ];
}

/**
 * Parses `--annot NAME=PATH` occurrences (a bigWig by extension, else a BED whose
 * column 5 is the value).
 *
 * @throws {@link UsageError} `GVL_USAGE` naming the malformed or repeated occurrence.
 */
export function parseAnnotSpecs(specs: readonly string[]): Record<string, AnnotTrackSpec> {
  const out: Record<string, AnnotTrackSpec> = {};
  for (const spec of specs) {
    const m = /^([^=]+)=(.+)$/.exec(spec);
    if (!m)
      throw new UsageError(`--annot ${JSON.stringify(spec)} is invalid: expected NAME=PATH`, {
        flag: '--annot',
        value: spec,
      });
    const [, name, path] = m as unknown as [string, string, string];
    if (name in out)
      throw new UsageError(`--annot gives track ${JSON.stringify(name)} twice`, {
        flag: '--annot',
        value: spec,
      });
    out[name] = path;
  }
  return out;
}

/** `--table` and `--annot`, shared by `gvl write` and `gvl add-tracks`. */
export const TRACK_FLAGS: readonly CliFlag[] = [
  {
    name: 'table',
    value: 'NAME:SAMPLE=PATH|NAME=PATH',
    multiple: true,
    help: "NAME:SAMPLE=PATH: a per-sample bedGraph (plain or gzipped) of track NAME; NAME=PATH: one table of 'chrom start end value sample' lines for track NAME (repeatable)",
  },
  {
    name: 'annot',
    value: 'NAME=PATH',
    multiple: true,
    help: 'a sample-independent annotation track: a bigWig (.bw, .bigwig) or a BED whose column 5 is the value (repeatable)',
  },
];

function out(io: CliIo, text: string): void {
  io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

/**
 * `gvl add-tracks`, given the `--bigwig` parser of `gvl write` (so that both read the
 * flag the same way, without an import cycle).
 */
export function trackCommands(
  parseBigWigSpecs: (specs: readonly string[]) => BigWigTrack[],
  bigwigFlag: CliFlag,
): Readonly<Record<string, CliCommand>> {
  return {
    'add-tracks': {
      summary: 'add bigWig, table or annotation tracks to a dataset (genotypes untouched; atomic)',
      synopsis: 'DATASET [--bigwig ...] [--table ...] [--annot ...] [options]',
      description:
        'Adds tracks to the dataset DATASET over its stored windows, as `write` would have written them (see addTracks). The dataset is replaced atomically; genotypes are linked, never rewritten.',
      flags: [
        bigwigFlag,
        ...TRACK_FLAGS,
        { name: 'overwrite', help: 'replace tracks of the same names' },
        { name: 'no-progress', help: 'never show a progress bar (default: only on a TTY)' },
        { name: 'json', help: 'print { path, tracks, annotTracks } on stdout' },
      ],
      async run({ values, positionals }, io) {
        const target = onePositional(positionals, 'dataset path');
        const tracks: TrackSpec[] = [
          ...parseBigWigSpecs((values.bigwig as string[] | undefined) ?? []),
          ...parseTableSpecs((values.table as string[] | undefined) ?? []),
        ];
        const annotTracks = parseAnnotSpecs((values.annot as string[] | undefined) ?? []);
        if (tracks.length === 0 && Object.keys(annotTracks).length === 0)
          throw new UsageError('nothing to add: give --bigwig, --table or --annot', {
            flag: '--bigwig',
          });
        const ac = new AbortController();
        const onSignal = () => ac.abort();
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
        try {
          const summary = await addTracks(target, {
            tracks,
            annotTracks,
            overwrite: values.overwrite === true,
            ...(values['no-progress'] === true ? { progress: false } : {}),
            signal: ac.signal,
          });
          if (values.json === true) out(io, JSON.stringify(summary, null, 2));
          else
            out(
              io,
              `added to ${summary.path}: ${[...summary.tracks, ...summary.annotTracks.map((a) => `${a} (annotation)`)].join(', ')}`,
            );
          return 0;
        } catch (e) {
          if (isGvlError(e, 'GVL_ABORTED'))
            io.stderr.write('GVL_ABORTED: interrupted; the dataset is unchanged\n');
          throw e;
        } finally {
          process.removeListener('SIGINT', onSignal);
          process.removeListener('SIGTERM', onSignal);
        }
      },
    },
  };
}
