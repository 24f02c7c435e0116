#!/usr/bin/env node
/**
 * Child process of the parity check: run by {@link runChild} with `GVL_NUM_THREADS=n`
 * and `GVL_FORCE_PARALLEL=1`. Usage: `node dist/child.js PLAN_JSON`. Prints one JSON
 * report line on stdout.
 */
import { childMain } from './passes.js';

const plan = process.argv[2];
if (!plan) {
  process.stderr.write('usage: child.js PLAN_JSON\n');
  process.exit(2);
}
childMain(plan).then(
  (report) => {
    process.stdout.write(`${JSON.stringify(report)}\n`);
  },
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
