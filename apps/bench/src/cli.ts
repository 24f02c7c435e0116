#!/usr/bin/env node
/**
 * `gvl-bench` (`npm run bench` at the repository root): the side-by-side benchmark of
 * gvl-ts and the pinned Python genvarloader. Prints the report on stdout, progress on
 * stderr, and writes JSON to `results/<timestamp>.json` (and `--json PATH`).
 *
 * Exit codes: 0 done; 1 the libraries produced different bytes, or a child failed;
 * 2 bad command line or missing inputs.
 *
 * @module
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type CohortResult, missingSimulator, runCohorts } from './cohorts.js';
import { evaluateGoals } from './goals.js';
import { loadAverage, machineInfo } from './machine.js';
import { type BenchOptions, parseOptions, selected, USAGE, UsageError } from './options.js';
import { appDir, missingChr20, missingPython, peerPython, resultsDir } from './paths.js';
import { prepareChr20 } from './prepare.js';
import { type BenchResult, cohortRows, formatReport, mainRows } from './report.js';
import { runChild } from './run-child.js';
import {
  type LoopResult,
  type ReadResult,
  runLoops,
  runReads,
  runWrites,
  type WriteResult,
} from './suite.js';

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

function gvlVersion(): string {
  const pkg = join(appDir, 'node_modules', '@gvl', 'dataset', 'package.json');
  try {
    return (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** Runs the benchmark; returns the result (also printed and written). */
export async function runBench(o: BenchOptions): Promise<BenchResult> {
  const before = loadAverage();
  const startedAt = new Date().toISOString();
  const python = peerPython();
  const peerMissing = o.noPeer ? 'disabled with --no-peer' : missingPython(python, 'genvarloader');
  const peer = peerMissing === null;
  let peerVersion: string | null = null;
  let pythonVersion: string | null = null;
  if (peer) {
    const p = runChild('peer', { kind: 'probe' }, { threads: null, forced: false }, python);
    peerVersion = p.version;
    pythonVersion = p.python ?? null;
  }
  log(peer ? `peer genvarloader ${peerVersion} (${python})` : `peer not measured: ${peerMissing}`);

  const prepared = await prepareChr20(o.cacheDir, o.samples, peer ? 'peer' : 'gvl', python);
  log(`datasets ready in ${prepared.dir} (written by ${prepared.writer})`);

  const reads: ReadResult[] = selected(o, 'read') ? runReads(o, prepared, peer, python, log) : [];
  const loops: LoopResult[] = selected(o, 'loop') ? runLoops(o, prepared, log) : [];
  const writes: WriteResult[] = [];
  if (selected(o, 'write')) {
    writes.push(
      runWrites(
        o,
        {
          bed: prepared.bed['2kb'],
          vcf: prepared.vcf,
          samples: prepared.samples,
          nSamples: prepared.samples?.length ?? 300,
          label: `chr20 2kb windows x ${prepared.samples?.length ?? 'all'} samples`,
        },
        prepared.dir,
        peer,
        python,
        log,
      ),
    );
  }
  let cohorts: CohortResult[] = [];
  let cohortsMissing: string | null = null;
  if (selected(o, 'cohorts') && o.cohorts.length > 0) {
    cohortsMissing = missingSimulator();
    if (cohortsMissing === null) cohorts = runCohorts(o, peer, python, log);
    else log(`cohorts not run: ${cohortsMissing} (apps/bench/scripts/setup-sim-venv.sh)`);
  } else {
    cohortsMissing = o.cohorts.length === 0 ? 'no cohort sizes (--cohorts)' : 'not selected';
  }

  const outputsEqual = reads.every((r) => r.outputsEqual) && cohorts.every((c) => c.outputsEqual);
  const machine = machineInfo();
  const result: BenchResult = {
    startedAt,
    machine: { ...machine, python: pythonVersion, peerVersion, gvlVersion: gvlVersion() },
    load: { before, after: loadAverage() },
    options: { ...o },
    datasets: { writer: prepared.writer, samples: o.samples },
    peerMissing,
    cohortsMissing,
    reads,
    loops,
    writes,
    cohorts,
    rows: mainRows(reads, loops, writes),
    cohortRows: cohortRows(cohorts),
    goals: evaluateGoals({ reads, loops, cohorts }),
    outputsEqual,
  };
  return result;
}

function writeJson(path: string, result: BenchResult): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(result, null, 2)}\n`);
}

/** The CLI: parses argv, runs, prints, writes JSON; returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  let o: BenchOptions | 'help';
  try {
    o = parseOptions(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`${e.code}: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    throw e;
  }
  if (o === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const missing = missingChr20();
  if (missing) {
    process.stderr.write(`GVL_BENCH_NO_DATA: ${missing}\n`);
    return 2;
  }
  const result = await runBench(o);
  process.stdout.write(`${formatReport(result)}\n`);
  const stamp = result.startedAt.replace(/[:.]/g, '-');
  const file = join(resultsDir, `${stamp}.json`);
  writeJson(file, result);
  if (o.json) writeJson(o.json, result);
  log(`JSON written to ${file}${o.json ? ` and ${o.json}` : ''}`);
  if (!result.outputsEqual) {
    process.stderr.write(
      'GVL_BENCH_OUTPUT_MISMATCH: the two libraries produced different bytes for the same batches\n',
    );
    return 1;
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  },
);
