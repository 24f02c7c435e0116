/**
 * The `gvl-stress` command: argument parsing and the main function (`cli.ts` runs it).
 *
 * @module
 */
import { createRequire } from 'node:module';
import { type CommandSpec, commandHelp, parseCommandLine } from '@gvl/dataset/cli';
import { formatCliError, isGvlError, parseIntegerFlag, UsageError } from '@gvl/errors';
import { StressConfigError } from './errors.js';
import {
  resolveOptions,
  type StressEvent,
  type StressOptions,
  type WorkloadOption,
} from './options.js';
import { formatReport } from './report.js';
import { runStress } from './run.js';

/** The `gvl-stress` command line: its flags, help and exit status (`gvl-stress --help`). */
const SPEC: CommandSpec = {
  name: 'gvl-stress',
  synopsis:
    '[--dataset DIR --reference FA | --demo | --synthetic] [--mode process|thread] [--workers 5] [--threads-per-worker 8] [--iters 40] [--launches 4] [--timeout 120] [--ambient-rayon N] [--cgroup-quota CPUS] [--inject-hang] [--peer python] [--python PATH] [--regions N] [--samples N] [--json]',
  description:
    'Runs concurrent workers that each iterate get(all regions, all samples) with forced parallel kernels (GVL_FORCE_PARALLEL=1, GVL_NUM_THREADS=threads-per-worker), and reports hangs, crashes and thread counts against the CPU budget.',
  flags: [
    { name: 'dataset', value: 'DIR', help: 'an existing dataset (with --reference)' },
    { name: 'reference', value: 'FA', help: 'the reference FASTA of --dataset' },
    {
      name: 'demo',
      help: 'the 1000 Genomes chr20 data of $GVL_DATA_DIR (default: the copy in @gvl/example-data), written to <repo>/.gvl-cache on first use',
    },
    {
      name: 'synthetic',
      help: 'seeded synthetic haplotype kernels (no data files; gvl-ts only)',
    },
    {
      name: 'mode',
      value: 'process|thread',
      help: 'process: one spawned child per worker (default); thread: worker threads in one spawned host process',
    },
    { name: 'workers', value: 'N', help: 'concurrent workers per launch (default 5)' },
    {
      name: 'threads-per-worker',
      value: 'N',
      help: 'GVL_NUM_THREADS of each worker (default 8; 0 = unset)',
    },
    { name: 'iters', value: 'N', help: 'iterations per worker (default 40)' },
    { name: 'launches', value: 'N', help: 'launches, one after another (default 4)' },
    {
      name: 'timeout',
      value: 'SECONDS',
      help: 'per-launch timeout, the deadlock detector (default 120)',
    },
    {
      name: 'ambient-rayon',
      value: 'N',
      help: "put RAYON_NUM_THREADS=N in every worker's environment",
    },
    {
      name: 'cgroup-quota',
      value: 'CPUS',
      help: 'run each launch in a fresh cgroup with this CPU quota',
    },
    {
      name: 'inject-hang',
      help: 'worker 0 of launch 1 blocks forever (self-test of the detector)',
    },
    { name: 'peer', value: 'python', help: 'also drive the Python genvarloader the same way' },
    {
      name: 'python',
      value: 'PATH',
      help: 'interpreter for --peer (default: packages/dataset/.venv-oracle, else python3)',
    },
    { name: 'regions', value: 'N', help: 'use only the first N regions of the dataset' },
    { name: 'samples', value: 'N', help: 'use only the first N samples of the dataset' },
    { name: 'json', help: 'print the full report as JSON (with captured stacks)' },
    { name: 'version', short: 'V', help: 'print the version of @gvl/stress' },
  ],
  epilog: `Exit status: 0 every launch clean; 1 a hang or a crash (see the report), or an internal
error of gvl-stress itself (stderr says "internal error" and how to report it); 64 a usage
error (stderr: GVL_USAGE: message naming the flag); 2 any other typed gvl-ts error, e.g.
missing data (stderr: CODE: message).`,
};

/** The help of `gvl-stress`, generated from its flags. */
const USAGE = commandHelp(SPEC).trimEnd();

/** The version of this package (`gvl-stress --version`). */
export const VERSION: string = (
  createRequire(import.meta.url)('../package.json') as { version: string }
).version;

/** How a numeric flag's text becomes its option's value. */
type NumberFlagValue = (flag: string, value: string) => number | undefined;

/**
 * The numeric flags and the option each sets, in the order their values are checked.
 * `--timeout` is in seconds, its option in ms.
 */
const NUMBER_FLAGS: readonly (readonly [keyof StressOptions, string, NumberFlagValue])[] = [
  ['timeoutMs', 'timeout', (f, s) => (decimal(f, s) as number) * 1000],
  ['workers', 'workers', integer],
  ['threadsPerWorker', 'threads-per-worker', integer],
  ['iters', 'iters', integer],
  ['launches', 'launches', integer],
  ['ambientRayon', 'ambient-rayon', integer],
  ['cgroupQuota', 'cgroup-quota', decimal],
  ['regions', 'regions', integer],
  ['samples', 'samples', integer],
];

/** The flag behind each option of {@link resolveOptions}, for messages that name flags. */
const FLAGS: Readonly<Record<string, string>> = {
  mode: '--mode',
  ...Object.fromEntries(NUMBER_FLAGS.map(([option, flag]) => [option, `--${flag}`])),
  python: '--python',
  peer: '--peer',
  'workload.path': '--dataset',
  'workload.reference': '--reference',
};

interface Flags {
  dataset?: string;
  reference?: string;
  demo?: boolean;
  synthetic?: boolean;
  mode?: string;
  workers?: string;
  'threads-per-worker'?: string;
  iters?: string;
  launches?: string;
  timeout?: string;
  'ambient-rayon'?: string;
  'cgroup-quota'?: string;
  'inject-hang'?: boolean;
  peer?: string;
  python?: string;
  regions?: string;
  samples?: string;
  json?: boolean;
  help?: boolean;
  version?: boolean;
}

function usage(message: string): UsageError {
  return new UsageError(message);
}

function integer(flag: string, value: string | undefined): number | undefined {
  return parseIntegerFlag(`--${flag}`, value);
}

function decimal(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) {
    throw new UsageError(`--${flag} ${JSON.stringify(value)} is invalid: expected a number`, {
      flag: `--${flag}`,
      value,
    });
  }
  return n;
}

/**
 * Checks the options a command line produced with {@link resolveOptions}, so that a value
 * out of range is a usage error naming the flag and the value as typed (`--workers "0"`),
 * not the API option (`workers=0`).
 */
function checkAsFlags(options: StressOptions, values: Flags): void {
  try {
    resolveOptions(options);
  } catch (e) {
    const option = e instanceof StressConfigError ? e.option : undefined;
    const flag = option === undefined ? undefined : FLAGS[option];
    if (!isGvlError(e) || flag === undefined) throw e;
    const given = values[flag.slice(2) as keyof Flags];
    let expected = /expected ([\s\S]*)$/.exec(e.message)?.[1] ?? 'a valid value';
    if (flag === '--timeout') expected = 'a number of seconds > 0 and <= 86400';
    throw new UsageError(`${flag} ${JSON.stringify(given)} is invalid: expected ${expected}`, {
      flag,
      value: given,
      cause: e,
    });
  }
}

/**
 * Turns command-line arguments into {@link StressOptions} (without running anything).
 *
 * @returns the options and whether `--json` / `--help` / `--version` were given.
 * @throws `UsageError` (`@gvl/errors`) `GVL_USAGE` for unknown flags, missing values,
 *   malformed or out-of-range numbers (naming the flag and the value as typed), or a
 *   conflicting workload choice.
 */
export function parseCli(argv: readonly string[]): {
  /** The options for {@link runStress}, checked and with the flags' values converted (seconds to ms). */
  options: StressOptions;
  /** `--json`: print the report as JSON on stdout instead of the human summary. */
  json: boolean;
  /** `--help`: print the usage and run nothing. */
  help: boolean;
  /** `--version`: print the package version and run nothing. */
  version: boolean;
} {
  const parsed = parseCommandLine(SPEC, argv);
  if (parsed !== null && parsed.positionals.length > 0)
    throw usage(
      `unexpected argument ${JSON.stringify(parsed.positionals[0])}: gvl-stress takes only flags`,
    );
  const values = (parsed?.values ?? { help: true }) as Flags;
  if (values.help || values.version) {
    return {
      options: { workload: { kind: 'demo' } },
      json: false,
      help: values.help === true,
      version: values.help !== true,
    };
  }
  const sources = [
    values.dataset !== undefined || values.reference !== undefined ? '--dataset' : null,
    values.demo ? '--demo' : null,
    values.synthetic ? '--synthetic' : null,
  ].filter((s) => s !== null);
  if (sources.length !== 1) {
    throw usage(
      sources.length === 0
        ? 'choose a workload: --dataset DIR --reference FA, --demo or --synthetic'
        : `choose one workload, not ${sources.join(' and ')}`,
    );
  }
  let workload: WorkloadOption;
  if (values.demo) workload = { kind: 'demo' };
  else if (values.synthetic) workload = { kind: 'synthetic' };
  else {
    if (!values.dataset || !values.reference) {
      throw usage('--dataset DIR needs --reference FA (and --reference needs --dataset)');
    }
    workload = { kind: 'dataset', path: values.dataset, reference: values.reference };
  }
  if (values.peer !== undefined && values.peer !== 'python') {
    throw new UsageError(`--peer ${JSON.stringify(values.peer)} is invalid: expected python`, {
      flag: '--peer',
      value: values.peer,
    });
  }
  const numbers: Record<string, number | undefined> = {};
  for (const [option, flag, convert] of NUMBER_FLAGS) {
    const text = values[flag as keyof Flags];
    if (typeof text === 'string') numbers[option] = convert(flag, text);
  }
  const options: StressOptions = {
    workload,
    ...(values.mode === undefined ? {} : { mode: values.mode as StressOptions['mode'] }),
    ...numbers,
    ...(values['inject-hang'] ? { injectHang: true } : {}),
    ...(values.peer === 'python' ? { peer: 'python' as const } : {}),
    ...(values.python === undefined ? {} : { python: values.python }),
  };
  checkAsFlags(options, values);
  return { options, json: values.json ?? false, help: false, version: false };
}

function progress(e: StressEvent): void {
  let line: string;
  switch (e.type) {
    case 'prepare':
      line = e.message;
      break;
    case 'engine':
      line = e.available
        ? `${e.engine} ${e.version ?? ''}`.trim()
        : `${e.engine}: unavailable: ${e.reason}`;
      break;
    case 'launch-start':
      line = `${e.engine} launch ${e.launch + 1}/${e.launches}: started`;
      break;
    case 'launch-end': {
      const r = e.report;
      line =
        `${r.engine} launch ${r.launch + 1}: ${r.status} in ${(r.wallMs / 1000).toFixed(1)} s ` +
        `(ok ${r.counts.ok}, hung ${r.counts.hung}, crashed ${r.counts.crashed}; ` +
        `max ${r.maxThreadsPerProcess} threads/process, ${r.totalThreads} in total)`;
      break;
    }
  }
  process.stderr.write(`[gvl-stress] ${line}\n`);
}

/**
 * Runs the CLI.
 *
 * @returns the exit status: 0 clean, 1 a hang or crash (or an internal error: a bug, printed
 *   with its stack and how to report it), 64 a usage error (`GVL_USAGE`, naming the flag),
 *   2 any other typed `GvlError` (printed as `CODE: message`).
 */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    const { options, json, help, version } = parseCli(argv);
    if (help) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (version) {
      process.stdout.write(`${VERSION}\n`);
      return 0;
    }
    const report = await runStress({ ...options, onEvent: progress });
    process.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
    return report.exitCode;
  } catch (e) {
    const { text, exitCode } = formatCliError(e);
    process.stderr.write(text);
    if (isGvlError(e, 'GVL_USAGE') && (e as UsageError).flag === undefined) {
      process.stderr.write(`${USAGE}\n`);
    }
    return exitCode;
  }
}
