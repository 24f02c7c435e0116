import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { formatCliError, parseIntegerFlag, UsageError } from '@gvl/errors';
import { explain, explainPlan } from './explain.js';
import { planWorkers } from './plan.js';
import { resolveThreads } from './resolve.js';

const USAGE = `usage: gvl-threads [--json] [--workers N] [--floor] [--root DIR]
       gvl-threads --version

Reports how many threads this process may use and why (GVL_NUM_THREADS, cgroup v1/v2
CPU quota, CPU affinity).
  --json        print resolveThreads() (with --workers: { resolution, plan }) as JSON
  --workers N   split the budget across N concurrent worker processes
  --floor       round a fractional quota down instead of up
  --root DIR    read /proc and /sys below DIR (fixture trees)
  --version     print the version of @gvl/threads
Exit status: 0 ok; 64 a usage error (stderr: GVL_USAGE: message naming the flag); 2 bad
configuration, e.g. GVL_NUM_THREADS (stderr: CODE: message); 1 an internal error (a bug:
stderr says how to report it, with the stack).`;

/** The version of this package (`gvl-threads --version`). */
const VERSION = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

function fail(e: unknown): number {
  const { text, exitCode } = formatCliError(e);
  process.stderr.write(text);
  if (exitCode === 64) process.stderr.write(`${USAGE}\n`);
  return exitCode;
}

function main(argv: string[]): number {
  let values: {
    json?: boolean;
    workers?: string;
    floor?: boolean;
    root?: string;
    help?: boolean;
    version?: boolean;
  };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        json: { type: 'boolean' },
        workers: { type: 'string' },
        floor: { type: 'boolean' },
        root: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'V' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    return fail(new UsageError((e as Error).message, { cause: e }));
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (values.version) {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  let workers: number | undefined;
  try {
    workers = parseIntegerFlag('--workers', values.workers, { min: 1 });
  } catch (e) {
    return fail(e);
  }
  try {
    const options = {
      rounding: values.floor ? ('floor' as const) : ('ceil' as const),
      root: values.root ?? '/',
    };
    const resolution = resolveThreads(options);
    let plan: ReturnType<typeof planWorkers> | undefined;
    if (workers !== undefined) plan = planWorkers(workers, { budget: resolution.threads });
    if (values.json) {
      const out = plan ? { resolution, plan } : resolution;
      process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    } else {
      process.stdout.write(`${explain(resolution)}\n`);
      if (plan) process.stdout.write(`${explainPlan(plan)}\n`);
    }
    return 0;
  } catch (e) {
    return fail(e);
  }
}

process.exitCode = main(process.argv.slice(2));
