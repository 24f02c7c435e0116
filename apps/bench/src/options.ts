/**
 * Command-line options of `gvl-bench` (`npm run bench`).
 *
 * @module
 */
import { defaultCacheDir } from './paths.js';

/** A batch shape: which window BED, how many (region, sample) pairs, which length. */
export interface Shape {
  /** Short name used in tables, JSON and `--only`. */
  name: string;
  /** Which chr20 window BED the dataset was written from. */
  windows: '16kb' | '2kb';
  batchSize: number;
  length: 'ragged' | number;
  /** Batches run before timing. */
  warmup: number;
  /** Batches timed per run. */
  timed: number;
}

/** The sections of the benchmark (each can be chosen with `--only`). */
export const SECTIONS = ['read', 'loop', 'write', 'cohorts'] as const;
export type Section = (typeof SECTIONS)[number];

export interface BenchOptions {
  /** Tiny sizes, one repeat: the CI smoke run. */
  quick: boolean;
  /** Runs per configuration and library (interleaved gvl, peer, gvl, peer, …). */
  repeats: number;
  /** Sections and/or shape names to run; empty = all. */
  only: string[];
  /** Simulated cohort sizes (samples). Empty = no cohort section. */
  cohorts: number[];
  /** Thread counts of the read section. */
  threads: number[];
  /** Extra JSON output path (a copy is always written to `results/<timestamp>.json`). */
  json: string | null;
  /** Prepared data and simulated cohorts. */
  cacheDir: string;
  /** Seed of the batch index lists and the simulations. */
  seed: number;
  /** Run gvl-ts alone even when the peer is available. */
  noPeer: boolean;
  /** Keep only this many samples of the chr20 VCF (quick mode: 32), or null for all. */
  samples: number | null;
}

/** The batch shapes of the issue: 32 × 16 kb, 32 × 2 kb, 128 × 2 kb ragged; fixed 2,048. */
export function shapes(quick: boolean): Shape[] {
  const n = (full: number) => (quick ? 4 : full);
  // Warm: enough batches for V8 to compile the JS glue and for the mapped pages and the
  // allocator to settle (5 left gvl-ts timing its cold start); the peer gets the same.
  const w = quick ? 1 : 50;
  return [
    { name: '32x16kb', windows: '16kb', batchSize: 32, length: 'ragged', warmup: w, timed: n(300) },
    { name: '32x2kb', windows: '2kb', batchSize: 32, length: 'ragged', warmup: w, timed: n(200) },
    { name: '128x2kb', windows: '2kb', batchSize: 128, length: 'ragged', warmup: w, timed: n(100) },
    { name: 'fixed2048', windows: '2kb', batchSize: 32, length: 2048, warmup: w, timed: n(200) },
  ];
}

export const USAGE = `usage: gvl-bench [options]

Side-by-side benchmark of gvl-ts and the pinned Python genvarloader on the same
dataset files and the same batch index lists. Prints one table (metric | gvl-ts |
peer | ratio) with the goals, and writes JSON to apps/bench/results/.

  --quick            tiny sizes, 1 repeat, 32 samples (the CI smoke run)
  --repeats N        runs per configuration and library (default 5; quick 1)
  --only A,B         sections (${SECTIONS.join(', ')}) and/or shapes (${shapes(false)
    .map((s) => s.name)
    .join(', ')})
  --cohorts N,M      simulated cohort sizes in samples (default 1000,10000; quick: none;
                     "none" skips; 100000 is opt-in: generation takes long and GBs of disk)
  --threads N,M      pool sizes of the read section (default 1,2)
  --json PATH        also write the JSON result to PATH
  --cache DIR        prepared datasets and cohorts (default apps/bench/.cache)
  --seed N           seed of the batch lists and simulations (default 20261130)
  --no-peer          measure gvl-ts alone
  --samples N        keep only N samples of the chr20 VCF
  --help             this text
`;

/** Thrown for a bad command line; the CLI prints the message and the usage, exit 2. */
export class UsageError extends Error {
  readonly code = 'GVL_INVALID_ARGUMENT';
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

function intList(flag: string, v: string | undefined, min: number): number[] {
  if (v === undefined) throw new UsageError(`${flag} needs a value`);
  if (v === 'none') return [];
  return v.split(',').map((x) => {
    const n = Number(x);
    if (!Number.isSafeInteger(n) || n < min)
      throw new UsageError(`${flag} ${JSON.stringify(x)}: expected integers >= ${min}`);
    return n;
  });
}

/** Parses argv (without `node script`). Throws {@link UsageError}. */
export function parseOptions(argv: readonly string[]): BenchOptions | 'help' {
  // One pass over argv, one short case per option.
  const o: BenchOptions = {
    quick: false,
    repeats: 5,
    only: [],
    cohorts: [1000, 10000],
    threads: [1, 2],
    json: null,
    cacheDir: defaultCacheDir,
    seed: 20261130,
    noPeer: false,
    samples: null,
  };
  let repeatsSet = false;
  let cohortsSet = false;
  let samplesSet = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const next = () => argv[++i];
    switch (a) {
      case '--':
        // `pnpm run bench -- --quick` passes the separator through
        break;
      case '--help':
      case '-h':
        return 'help';
      case '--quick':
        o.quick = true;
        break;
      case '--repeats':
        o.repeats = intList(a, next(), 1)[0] ?? 1;
        repeatsSet = true;
        break;
      case '--only': {
        const v = next();
        if (!v) throw new UsageError('--only needs a value');
        const known = new Set<string>([...SECTIONS, ...shapes(false).map((s) => s.name)]);
        o.only = v.split(',');
        for (const x of o.only)
          if (!known.has(x))
            throw new UsageError(
              `--only ${JSON.stringify(x)}: expected one of ${[...known].join(', ')}`,
            );
        break;
      }
      case '--cohorts':
        o.cohorts = intList(a, next(), 2);
        cohortsSet = true;
        break;
      case '--threads':
        o.threads = intList(a, next(), 1);
        break;
      case '--json':
        o.json = next() ?? null;
        if (!o.json) throw new UsageError('--json needs a path');
        break;
      case '--cache':
        o.cacheDir = next() ?? '';
        if (!o.cacheDir) throw new UsageError('--cache needs a directory');
        break;
      case '--seed':
        o.seed = intList(a, next(), 0)[0] ?? 0;
        break;
      case '--no-peer':
        o.noPeer = true;
        break;
      case '--samples':
        o.samples = intList(a, next(), 1)[0] ?? null;
        samplesSet = true;
        break;
      default:
        throw new UsageError(`unknown option ${JSON.stringify(a)}`);
    }
  }
  if (o.quick) {
    if (!repeatsSet) o.repeats = 1;
    if (!cohortsSet) o.cohorts = [];
    if (!samplesSet) o.samples = 32;
  }
  return o;
}

/** Whether `name` (a section or a shape) is selected by `--only`. */
export function selected(o: BenchOptions, section: string, shape?: string): boolean {
  if (o.only.length === 0) return true;
  const shapeNames = new Set(shapes(false).map((s) => s.name));
  const sections = o.only.filter((x) => !shapeNames.has(x));
  const picked = o.only.filter((x) => shapeNames.has(x));
  const sectionOk = sections.length === 0 || sections.includes(section);
  const shapeOk = shape === undefined || picked.length === 0 || picked.includes(shape);
  return sectionOk && shapeOk;
}
