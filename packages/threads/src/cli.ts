import { parseArgs } from 'node:util';
import { formatCliError } from '@gvl/errors';
import { ThreadsConfigError } from './errors.js';
import { explain, explainPlan } from './explain.js';
import { planWorkers } from './plan.js';
import { resolveThreads } from './resolve.js';

const USAGE = `usage: gvl-threads [--json] [--workers N] [--floor] [--root DIR]

Reports how many threads this process may use and why (GVL_NUM_THREADS, cgroup v1/v2
CPU quota, CPU affinity).
  --json        print resolveThreads() (with --workers: { resolution, plan }) as JSON
  --workers N   split the budget across N concurrent worker processes
  --floor       round a fractional quota down instead of up
  --root DIR    read /proc and /sys below DIR (fixture trees)
Exit status: 0 ok; 2 bad configuration or usage (stderr: CODE: message); 1 an internal
error (a bug: stderr says how to report it, with the stack).`;

function main(argv: string[]): number {
  let values: { json?: boolean; workers?: string; floor?: boolean; root?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        json: { type: 'boolean' },
        workers: { type: 'string' },
        floor: { type: 'boolean' },
        root: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    process.stderr.write(`GVL_USAGE: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  try {
    const options = {
      rounding: values.floor ? ('floor' as const) : ('ceil' as const),
      root: values.root ?? '/',
    };
    const resolution = resolveThreads(options);
    let plan: ReturnType<typeof planWorkers> | undefined;
    if (values.workers !== undefined) {
      if (!/^\d+$/.test(values.workers)) {
        throw new ThreadsConfigError(
          'GVL_INVALID_ARGUMENT',
          '--workers',
          values.workers,
          'an integer >= 1',
        );
      }
      plan = planWorkers(Number(values.workers), { budget: resolution.threads });
    }
    if (values.json) {
      const out = plan ? { resolution, plan } : resolution;
      process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    } else {
      process.stdout.write(`${explain(resolution)}\n`);
      if (plan) process.stdout.write(`${explainPlan(plan)}\n`);
    }
    return 0;
  } catch (e) {
    const { text, exitCode } = formatCliError(e);
    process.stderr.write(text);
    return exitCode;
  }
}

process.exitCode = main(process.argv.slice(2));
