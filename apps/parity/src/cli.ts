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
import { type CommandSpec, commandHelp, parseCommandLine } from '@gvl/dataset/cli';
import { runParity } from './check.js';
import { makeGoldens } from './make-goldens.js';
import { goldensDir, hasPeer, missingData, onPath, repoRoot } from './paths.js';
import { MODES } from './spec.js';
import { renderMarkdown, renderText } from './table.js';

/** The mode ids, wrapped for the help. */
const MODE_LIST = MODES.map((m) => m.id)
  .join(', ')
  .replace(/(.{1,88})(?:, |$)/g, '$1,\n')
  .slice(0, -2);

/** `gvl-parity`: compare gvl-ts with the goldens (or, `--live`, the Python peer). */
const CHECK: CommandSpec = {
  name: 'gvl-parity',
  synopsis: '[--live] [--threads 1,2,4] [--modes id,id] [--json FILE] [--markdown] [--keep]',
  description:
    'Compares every read mode of gvl-ts with the committed goldens (or, with --live, the Python peer) on the 1000 Genomes chr20 data, at each thread count. Exit status: 0 when every compared cell is equal (or the real data is absent: skipped), 1 on any mismatch, 2 on a usage error.',
  flags: [
    { name: 'live', help: 'compare with the Python peer run now instead of the goldens' },
    { name: 'threads', value: 'LIST', help: 'thread counts to run gvl-ts at (default 1,2,4)' },
    { name: 'modes', value: 'IDS', help: 'only these modes (comma-separated ids, below)' },
    { name: 'json', value: 'FILE', help: 'also write the report as JSON to FILE' },
    { name: 'markdown', help: 'print the table as Markdown' },
    { name: 'keep', help: 'keep the work directory' },
  ],
  epilog: `Modes:\n${MODE_LIST}`,
};

/** `gvl-parity goldens`: regenerate the goldens from the peer and bcftools. */
const GOLDENS: CommandSpec = {
  name: 'gvl-parity goldens',
  synopsis: '[--out DIR] [--no-peer] [--no-bcftools] [--modes id,id]',
  flags: [
    { name: 'out', value: 'DIR', help: 'where to write them (default: the committed goldens)' },
    { name: 'no-peer', help: 'without the Python peer' },
    { name: 'no-bcftools', help: 'without bcftools' },
    { name: 'modes', value: 'IDS', help: 'only these modes (comma-separated ids, above)' },
  ],
};

const USAGE = `${commandHelp(CHECK)}\n${commandHelp(GOLDENS)}`.trimEnd();

/** Parses `argv` against `spec`; a usage error exits 64 with the usage, as {@link usage}. */
function parse(spec: CommandSpec, argv: string[]): Record<string, unknown> | null {
  let parsed: ReturnType<typeof parseCommandLine>;
  try {
    parsed = parseCommandLine(spec, argv);
  } catch (e) {
    // A usage error (GVL_USAGE): its first line names the flag; the usage follows.
    if ((e as { code?: unknown }).code !== 'GVL_USAGE') throw e;
    usage((e as Error).message.split('\n')[0] ?? '');
  }
  if (parsed !== null && parsed.positionals.length > 0)
    usage(`unexpected argument ${JSON.stringify(parsed.positionals[0])}`);
  return parsed?.values ?? null;
}

/** A bad command line (a flag, its value, a mode id): the message and the usage, exit 64 (EX_USAGE, as `gvl`). */
function usage(msg: string): never {
  process.stderr.write(`${msg}\n${USAGE}\n`);
  process.exit(64);
}

/** A missing precondition (data, the peer, a tool): the message and the usage, exit 2. */
function fail(msg: string): never {
  process.stderr.write(`${msg}\n${USAGE}\n`);
  process.exit(2);
}

async function goldens(argv: string[]): Promise<number> {
  const parsed = parse(GOLDENS, argv);
  if (parsed === null) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const values = parsed as {
    out?: string;
    'no-peer'?: boolean;
    'no-bcftools'?: boolean;
    modes?: string;
  };
  const only = values.modes?.split(',').map((s) => s.trim());
  const unknownModes = only?.filter((m) => !MODES.some((x) => x.id === m)) ?? [];
  if (unknownModes.length > 0) usage(`unknown mode(s) ${unknownModes.join(', ')}`);
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
  const parsed = parse(CHECK, argv);
  if (parsed === null) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const values = parsed as {
    live?: boolean;
    threads?: string;
    modes?: string;
    json?: string;
    markdown?: boolean;
    keep?: boolean;
  };
  const threads = values.threads?.split(',').map((s) => Number(s.trim()));
  if (threads?.some((n) => !Number.isSafeInteger(n) || n < 1))
    usage(`--threads ${values.threads}: expected positive integers, e.g. 1,2,4`);
  const modes = values.modes?.split(',').map((s) => s.trim());
  const unknown = modes?.filter((m) => !MODES.some((x) => x.id === m)) ?? [];
  if (unknown.length > 0) usage(`unknown mode(s) ${unknown.join(', ')}`);
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
