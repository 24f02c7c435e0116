#!/usr/bin/env node
/**
 * `gvl-parity` (`pnpm parity` from the repo root):
 *
 *   gvl-parity [--live] [--threads 1,2,4] [--modes id,id] [--json FILE] [--markdown] [--keep]
 *   gvl-parity goldens [--out DIR] [--no-peer] [--no-bcftools] [--modes id,id]
 *
 * Exit status: 0 when every compared cell is equal (or the check is skipped because the
 * real data is absent), 1 on any mismatch, 2 on a usage error.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runParity } from './check.js';
import { makeGoldens } from './make-goldens.js';
import { goldensDir, hasPeer, missingData, onPath, repoRoot } from './paths.js';
import { MODES } from './spec.js';
import { renderMarkdown, renderText } from './table.js';

const USAGE = `usage: gvl-parity [--live] [--threads 1,2,4] [--modes ${MODES.map((m) => m.id).join(',')}]
                  [--json FILE] [--markdown] [--keep]
       gvl-parity goldens [--out DIR] [--no-peer] [--no-bcftools] [--modes id,id]`;

function fail(msg: string): never {
  process.stderr.write(`${msg}\n${USAGE}\n`);
  process.exit(2);
}

async function goldens(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      out: { type: 'string' },
      'no-peer': { type: 'boolean' },
      'no-bcftools': { type: 'boolean' },
      modes: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const only = values.modes?.split(',').map((s) => s.trim());
  const unknownModes = only?.filter((m) => !MODES.some((x) => x.id === m)) ?? [];
  if (unknownModes.length > 0) fail(`unknown mode(s) ${unknownModes.join(', ')}`);
  const missing = missingData();
  if (missing) fail(`cannot make goldens: ${missing}`);
  const peer = !values['no-peer'];
  const bcftools = !values['no-bcftools'];
  if (peer && !hasPeer())
    fail(
      'genvarloader venv not found: run packages/dataset/scripts/setup-oracle.sh (or --no-peer)',
    );
  if (bcftools && !(onPath('bcftools') && onPath('samtools') && onPath('python3')))
    fail('bcftools, samtools and python3 are needed (or --no-bcftools)');
  const work = mkdtempSync(join(tmpdir(), 'gvl-goldens-'));
  try {
    await makeGoldens({
      outDir: values.out ?? goldensDir,
      work,
      bcftools,
      peer,
      // The manifest describes every golden: only a full regeneration rewrites it.
      manifest: peer && bcftools && only === undefined,
      ...(only ? { modes: MODES.filter((m) => only.includes(m.id)) } : {}),
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const out = values.out ?? goldensDir;
  // Format like the rest of the repo so `biome check` stays clean (JSON layout only).
  const fmt = spawnSync('pnpm', ['exec', 'biome', 'format', '--write', out], {
    cwd: repoRoot,
    stdio: 'ignore',
  });
  if (fmt.status !== 0)
    process.stderr.write('[goldens] could not run biome format (run it yourself)\n');
  process.stderr.write(`[goldens] written to ${out}\n`);
  return 0;
}

async function check(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      live: { type: 'boolean' },
      threads: { type: 'string' },
      modes: { type: 'string' },
      json: { type: 'string' },
      markdown: { type: 'boolean' },
      keep: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const threads = values.threads?.split(',').map((s) => Number(s.trim()));
  if (threads?.some((n) => !Number.isSafeInteger(n) || n < 1))
    fail(`--threads ${values.threads}: expected positive integers, e.g. 1,2,4`);
  const modes = values.modes?.split(',').map((s) => s.trim());
  const unknown = modes?.filter((m) => !MODES.some((x) => x.id === m)) ?? [];
  if (unknown.length > 0) fail(`unknown mode(s) ${unknown.join(', ')}`);
  const report = await runParity({
    live: values.live ?? false,
    ...(threads ? { threads } : {}),
    ...(modes ? { modes } : {}),
    keep: values.keep ?? false,
  });
  process.stdout.write(values.markdown ? renderMarkdown(report) : renderText(report));
  if (values.json) writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);
  return report.failed > 0 ? 1 : 0;
}

// `pnpm run parity -- --live` passes the `--` through: ignore it.
const args = process.argv.slice(2).filter((a) => a !== '--');
const job = args[0] === 'goldens' ? goldens(args.slice(1)) : check(args);
job.then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(
      `parity: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exitCode = 1;
  },
);
