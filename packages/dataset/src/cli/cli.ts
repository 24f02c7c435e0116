/**
 * The `gvl` command line: a table of subcommands (`write`, `info`, `verify`, `concat`,
 * `get`, `bench`, `demo`, `add-tracks`), each declared once (synopsis, flags with their
 * help; see `parser.ts`): the command line is parsed, and `gvl CMD --help` generated,
 * from that declaration.
 *
 * Exit codes: 0 success; 64 a usage error (`GVL_USAGE`: unknown command or flag, a missing
 * or malformed flag, wrong arguments; the message names the flag); 2 any other typed error
 * (any `GvlError`, including those of `@gvl/native` and `@gvl/threads`: the data, files
 * or configuration), printed as `CODE: message` without a stack trace; 128 + the signal number when `gvl write` is interrupted by SIGINT (130),
 * SIGTERM (143) or SIGHUP (129) — the write is aborted and nothing is left behind; 130
 * for another `GVL_ABORTED`; 1 an internal error (a bug), printed as `internal error: …`
 * with how to report it and the stack.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { constants as osConstants } from 'node:os';
import { formatCliError, parseIntegerFlag } from '@gvl/errors';
import { MAX_COORDINATE } from '../bed.js';
import type { BigWigTrack } from '../bigwig.js';
import {
  describeError,
  FileError,
  InvalidArgumentError,
  isGvlError,
  UsageError,
} from '../errors.js';
import { type DatasetInfo, datasetInfo } from '../info.js';
import { formatVerifyReport, verifyDataset } from '../verify.js';
import { write } from '../write.js';
import { CONCAT_COMMAND } from './cli-concat.js';
import { READ_COMMANDS } from './cli-read.js';
import { parseAnnotSpecs, parseTableSpecs, TRACK_FLAGS, trackCommands } from './cli-tracks.js';
import { onePositional } from './cli-usage.js';
import {
  type CliFlag,
  type CommandSpec,
  commandHelp,
  type ParsedCommandLine,
  parseCommandLine,
} from './parser.js';

/** The version of this package (`gvl --version`). */
export const VERSION: string = (
  createRequire(import.meta.url)('../../package.json') as { version: string }
).version;

/** Signals that interrupt `gvl write` cleanly (Windows has no SIGHUP handler). */
const WRITE_SIGNALS: readonly NodeJS.Signals[] =
  process.platform === 'win32' ? ['SIGINT', 'SIGTERM'] : ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Where a command prints. */
export interface CliIo {
  /** Where results go: FASTA, JSON, tables and reports. */
  readonly stdout: NodeJS.WritableStream;
  /** Where progress, warnings and error messages go. */
  readonly stderr: NodeJS.WritableStream;
}

/**
 * One subcommand of `gvl`: its declaration (from which `gvl NAME --help` is generated and
 * the command line parsed, see {@link CommandSpec}) and its handler.
 */
export interface CliCommand extends Omit<CommandSpec, 'name'> {
  /** One-line description for `gvl --help`. */
  readonly summary: string;
  /**
   * Runs with the parsed flag values (by long name: `values['max-jitter']`) and the
   * positional arguments; returns the exit code.
   */
  run(args: ParsedCommandLine, io: CliIo): Promise<number>;
}

function out(io: CliIo, text: string): void {
  io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

/**
 * Parses `NAME:SAMPLE=PATH` occurrences into tracks.
 *
 * @example
 * ```ts
 * parseBigWigSpecs(['cov:HG00096=a.bw', 'cov:HG00097=b.bw']);
 * // [{ name: 'cov', paths: { HG00096: 'a.bw', HG00097: 'b.bw' } }]
 * ```
 */
export function parseBigWigSpecs(specs: readonly string[]): BigWigTrack[] {
  const byName = new Map<string, Record<string, string>>();
  for (const spec of specs) {
    const m = /^([^:=]+):([^=]+)=(.+)$/.exec(spec);
    if (!m) {
      throw new UsageError(
        `--bigwig ${JSON.stringify(spec)} is invalid: expected NAME:SAMPLE=PATH`,
        {
          flag: '--bigwig',
          value: spec,
        },
      );
    }
    const [, name, sample, path] = m as unknown as [string, string, string, string];
    const paths = byName.get(name) ?? {};
    if (paths[sample] !== undefined) {
      throw new UsageError(
        `--bigwig gives sample ${JSON.stringify(sample)} twice for track ${JSON.stringify(name)}`,
        { flag: '--bigwig', value: spec },
      );
    }
    paths[sample] = path;
    byName.set(name, paths);
  }
  return [...byName].map(([name, paths]) => ({ name, paths }));
}

/**
 * Checks `--info-field` / `--compute-af` before anything is read: each `--info-field`
 * names a field, both need `--vcf`, and `AF` is not both read and computed.
 *
 * @throws {@link UsageError} `GVL_USAGE` naming the flag.
 */
function checkInfoFlags(infoFields: readonly string[], computeAf: boolean, hasVcf: boolean): void {
  for (const f of infoFields) {
    if (f === '')
      throw new UsageError('--info-field needs an INFO field ID, e.g. --info-field AF', {
        flag: '--info-field',
        value: f,
      });
  }
  if (infoFields.length > 0 && !hasVcf)
    throw new UsageError(
      `--info-field ${infoFields.join(', ')} needs --vcf: INFO fields are read from the VCF`,
      { flag: '--info-field', value: infoFields },
    );
  if (computeAf && !hasVcf)
    throw new UsageError('--compute-af needs --vcf: AF is computed from the genotypes', {
      flag: '--compute-af',
    });
  if (computeAf && infoFields.includes('AF'))
    throw new UsageError('--compute-af and --info-field AF both name the AF column: keep one', {
      flag: '--compute-af',
      value: infoFields,
    });
}

function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}

function listPreview(xs: readonly string[], max = 6): string {
  if (xs.length === 0) return 'none';
  if (xs.length <= max) return xs.join(', ');
  return `${xs.slice(0, max - 1).join(', ')}, …, ${xs[xs.length - 1]}`;
}

/** The human-readable form of {@link DatasetInfo} printed by `gvl info`. */
export function formatInfo(info: DatasetInfo): string {
  const rows: [string, string][] = [
    ['path', info.path],
    [
      'format',
      `${info.formatVersion}${info.writerVersion ? ` (genvarloader ${info.writerVersion})` : ''}`,
    ],
    ['regions', String(info.nRegions)],
    ['samples', `${info.samples.length} (${listPreview(info.samples)})`],
    ['ploidy', info.ploidy === null ? 'none (no genotypes)' : String(info.ploidy)],
    ['contigs', `${info.contigs.length} (${listPreview(info.contigs)})`],
    ['max jitter', `${info.maxJitter} bp`],
    [
      'variants',
      info.nVariants === null
        ? 'none (no genotypes)'
        : `${info.nVariants} (${info.nVariantCalls ?? 0} ALT calls over all haplotypes)`,
    ],
    ['tracks', listPreview(info.tracks)],
  ];
  if (info.annotationTracks.length > 0)
    rows.push(['annot tracks', listPreview(info.annotationTracks)]);
  rows.push(['on disk', `${formatBytes(info.bytes)} (${info.bytes} bytes)`]);
  if (info.staleSiblings.length > 0)
    rows.push([
      'stale',
      `${info.staleSiblings.join(', ')} (left by killed writes; the next write to this path removes them)`,
    ]);
  return rows.map(([k, v]) => `${k.padEnd(13)}${v}`).join('\n');
}

/** `--bigwig`, shared by `gvl write` and `gvl add-tracks`. */
const BIGWIG_FLAG: CliFlag = {
  name: 'bigwig',
  value: 'NAME:SAMPLE=PATH',
  multiple: true,
  help: 'a per-sample bigWig of track NAME (repeatable)',
};

/** The subcommands of `gvl`, by name. */
export const COMMANDS: Readonly<Record<string, CliCommand>> = {
  write: {
    summary: 'write a genvarloader dataset from a BED, a VCF and optional bigWigs',
    synopsis: 'OUT --bed BED --vcf VCF [options]',
    description:
      'Writes the genvarloader (format 2.0.0) dataset OUT. Needs --vcf, tracks (--bigwig, --table), --annot, or several.',
    flags: [
      { name: 'bed', value: 'BED', help: 'regions, BED3-BED6, plain or gzipped (required)' },
      { name: 'vcf', value: 'VCF', help: 'bgzipped VCF with a .tbi or .csi index' },
      {
        name: 'reference',
        value: 'FA',
        help: 'FASTA (+ .fai, + .gzi when bgzipped): REF alleles are checked',
      },
      {
        name: 'info-field',
        value: 'NAME',
        multiple: true,
        help: "store the VCF's INFO/NAME (Float, Integer with Number 1 or A, or Flag) as a variant column, e.g. AF (repeatable; needs --vcf)",
      },
      {
        name: 'compute-af',
        help: "store an AF column computed from the written samples' genotypes (ALT calls over samples × ploidy; needs --vcf, not with --info-field AF)",
      },
      {
        name: 'dosage-field',
        value: 'NAME',
        help: "store the VCF's per-sample FORMAT/NAME (Float or Integer, one value per sample) as each stored call's dosage, e.g. DS (needs --vcf)",
      },
      BIGWIG_FLAG,
      ...TRACK_FLAGS,
      {
        name: 'samples',
        value: 'FILE',
        help: 'keep only these samples (one name per line)',
      },
      {
        name: 'max-jitter',
        value: 'N',
        help: 'pad every region by N bp on each side (default 0)',
      },
      { name: 'no-extend', help: 'do not extend haplotypes shortened by deletions' },
      {
        name: 'overwrite',
        help: 'replace OUT if it is a dataset (only once the new one is complete); anything else at OUT is refused (GVL_NOT_A_DATASET)',
      },
      { name: 'no-progress', help: 'never show a progress bar (default: only on a TTY)' },
      {
        name: 'json',
        help: 'print the summary as JSON on stdout: { path, nRegions, samples, ploidy, nVariants, tracks, bytes, ... } (WriteSummary)',
      },
    ],
    async run({ values, positionals }, io) {
      // The `gvl write` command: option parsing into WriteOptions, then the write under signal handlers that must be removed in the same `finally`.
      const target = onePositional(positionals, 'output path (OUT)');
      if (typeof values.bed !== 'string' || values.bed === '')
        throw new UsageError('--bed is required', { flag: '--bed', value: values.bed });
      const tracks = [
        ...parseBigWigSpecs((values.bigwig as string[] | undefined) ?? []),
        ...parseTableSpecs((values.table as string[] | undefined) ?? []),
      ];
      const annotTracks = parseAnnotSpecs((values.annot as string[] | undefined) ?? []);
      if (values.vcf === '')
        throw new UsageError('--vcf needs a path', { flag: '--vcf', value: '' });
      if (
        values.vcf === undefined &&
        tracks.length === 0 &&
        Object.keys(annotTracks).length === 0
      ) {
        throw new UsageError(
          'nothing to write: give --vcf VCF (genotypes), --bigwig NAME:SAMPLE=PATH or --table (tracks), --annot, or several',
          { flag: '--vcf' },
        );
      }
      const infoFields = (values['info-field'] as string[] | undefined) ?? [];
      const computeAf = values['compute-af'] === true;
      checkInfoFlags(infoFields, computeAf, typeof values.vcf === 'string');
      const dosageField = values['dosage-field'] as string | undefined;
      if (dosageField !== undefined && (dosageField === '' || typeof values.vcf !== 'string'))
        throw new UsageError(
          dosageField === ''
            ? '--dosage-field needs a FORMAT field ID, e.g. --dosage-field DS'
            : `--dosage-field ${dosageField} needs --vcf: dosages are read from the VCF`,
          { flag: '--dosage-field', value: dosageField },
        );
      const maxJitter =
        parseIntegerFlag('--max-jitter', values['max-jitter'], { max: MAX_COORDINATE }) ?? 0;
      let samples: string[] | undefined;
      if (typeof values.samples === 'string') {
        let text: string;
        try {
          text = await readFile(values.samples, 'utf8');
        } catch (cause) {
          throw new FileError(
            'GVL_UNREADABLE',
            `cannot read --samples ${values.samples}: ${describeError(cause)}`,
            {
              value: values.samples,
              cause,
            },
          );
        }
        samples = text
          .split('\n')
          .map((s) => s.trim())
          .filter((s) => s !== '' && !s.startsWith('#'));
        if (samples.length === 0) {
          throw new InvalidArgumentError(`--samples ${values.samples} lists no sample`, {
            value: values.samples,
          });
        }
        const seen = new Set<string>();
        for (const name of samples) {
          if (seen.has(name)) {
            throw new InvalidArgumentError(
              `--samples ${values.samples} lists sample ${JSON.stringify(name)} twice`,
              { value: name },
            );
          }
          seen.add(name);
        }
      }
      // SIGINT, SIGTERM and SIGHUP abort the write: the temp directory is removed and an
      // existing dataset is untouched. A second signal gets the default action (the
      // next write to OUT sweeps what that leaves).
      const ac = new AbortController();
      let received: NodeJS.Signals | undefined;
      const onSignal = (sig: NodeJS.Signals) => {
        received ??= sig;
        ac.abort();
      };
      for (const sig of WRITE_SIGNALS) process.once(sig, onSignal);
      try {
        const summary = await write(target, {
          bed: values.bed,
          ...(typeof values.vcf === 'string' ? { variants: values.vcf } : {}),
          ...(typeof values.reference === 'string' ? { reference: values.reference } : {}),
          ...(infoFields.length > 0 ? { infoFields } : {}),
          ...(computeAf ? { computeAf } : {}),
          ...(dosageField !== undefined ? { dosageField } : {}),
          ...(tracks.length > 0 ? { tracks } : {}),
          ...(Object.keys(annotTracks).length > 0 ? { annotTracks } : {}),
          ...(samples ? { samples } : {}),
          maxJitter,
          extendToLength: values['no-extend'] !== true,
          overwrite: values.overwrite === true,
          ...(values['no-progress'] === true ? { progress: false } : {}),
          signal: ac.signal,
          onWarning: (w) => io.stderr.write(`warning ${w.code}: ${w.message}\n`),
        });
        if (values.json === true) {
          out(io, JSON.stringify(summary, null, 2));
          return 0;
        }
        const parts = [`${summary.nRegions} regions × ${summary.samples.length} samples`];
        if (summary.ploidy !== null)
          parts.push(`ploidy ${summary.ploidy}, ${summary.nVariants} variants`);
        if (summary.tracks.length > 0) parts.push(`tracks ${summary.tracks.join(', ')}`);
        parts.push(formatBytes(summary.bytes));
        out(io, `wrote ${summary.path}: ${parts.join(', ')}`);
        return 0;
      } catch (e) {
        if (received !== undefined && isGvlError(e, 'GVL_ABORTED')) {
          io.stderr.write(`${e.code}: write interrupted by ${received}; nothing was written\n`);
          return 128 + (osConstants.signals[received] ?? 2);
        }
        throw e;
      } finally {
        for (const sig of WRITE_SIGNALS) process.removeListener(sig, onSignal);
      }
    },
  },
  info: {
    summary: 'summarize a dataset: regions, samples, ploidy, contigs, variants, tracks, size',
    synopsis: 'DATASET [--json]',
    flags: [{ name: 'json', help: 'print the summary as JSON' }],
    async run({ values, positionals }, io) {
      const info = await datasetInfo(onePositional(positionals, 'dataset path'));
      out(io, values.json === true ? JSON.stringify(info, null, 2) : formatInfo(info));
      return 0;
    },
  },
  verify: {
    summary: 'check every invariant of a dataset (and its checksums); exit 2 when corrupt',
    synopsis: 'DATASET [--json] [--reference FASTA]',
    description:
      'Runs every integrity check (see verifyDataset): exit 0 when the dataset is valid, 2 with one `GVL_BAD_DATASET: message` line per problem on stderr when it is not.',
    flags: [
      {
        name: 'json',
        help: 'print { path, ok, checks: [{ name, status, detail }], problems: [{ check, code, file, index, value, message }] } on stdout',
      },
      {
        name: 'reference',
        value: 'FASTA',
        help: 'also check that every region lies within its contig',
      },
    ],
    async run({ values, positionals }, io) {
      const report = await verifyDataset(onePositional(positionals, 'dataset path'), {
        ...(typeof values.reference === 'string' ? { reference: values.reference } : {}),
      });
      if (values.json === true) out(io, JSON.stringify(report, null, 2));
      else {
        out(io, formatVerifyReport(report));
        for (const p of report.problems) io.stderr.write(`${p.code}: ${p.message}\n`);
      }
      return report.ok ? 0 : 2;
    },
  },
  concat: CONCAT_COMMAND,
  ...READ_COMMANDS,
  ...trackCommands(parseBigWigSpecs, BIGWIG_FLAG),
};

/** `gvl` itself: its help lists the commands. */
const PROGRAM: CommandSpec = {
  name: 'gvl',
  synopsis: '<command> [options]',
  flags: [{ name: 'version', short: 'V', help: 'print the version' }],
  commands: Object.entries(COMMANDS).map(([name, c]) => ({ name, summary: c.summary })),
  epilog: `Run \`gvl <command> --help\` for a command's options.

Exit status: 0 success; 64 a usage error (stderr: GVL_USAGE: message naming the flag);
2 a typed error about the data, files or configuration (stderr: CODE: message);
130 interrupted; 1 an internal error (a bug: stderr says how to report it, with the stack).`,
};

function usage(): string {
  return commandHelp(PROGRAM).trimEnd();
}

/**
 * Runs `gvl` with `argv` (without the node and script paths) and returns the exit code.
 *
 * @example
 * ```ts
 * process.exitCode = await main(['info', 'chr20.gvl', '--json']);
 * ```
 */
export async function main(argv: readonly string[], io: CliIo = process): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--help' || name === '-h' || name === 'help') {
    out(io, usage());
    return 0;
  }
  if (name === '--version' || name === '-V') {
    out(io, VERSION);
    return 0;
  }
  try {
    if (name === undefined) throw new UsageError(`a command is required\n\n${usage()}`);
    const cmd = COMMANDS[name];
    if (cmd === undefined) {
      throw new UsageError(
        `unknown command ${JSON.stringify(name)}: expected one of ${Object.keys(COMMANDS).join(', ')} (gvl --help lists them)`,
        { value: name },
      );
    }
    const spec: CommandSpec = { name: `gvl ${name}`, ...cmd };
    const parsed = parseCommandLine(spec, rest);
    if (parsed === null) {
      out(io, commandHelp(spec));
      return 0;
    }
    return await cmd.run(parsed, io);
  } catch (e) {
    // Usage errors: `GVL_USAGE: message`, exit 64. Other typed errors (this package's,
    // @gvl/native's, @gvl/threads'): `CODE: message`, exit 2 (130 when interrupted);
    // anything else is a bug: exit 1, with the stack and where to report it.
    const { text, exitCode } = formatCliError(e);
    io.stderr.write(text);
    return isGvlError(e, 'GVL_ABORTED') ? 130 : exitCode;
  }
}
