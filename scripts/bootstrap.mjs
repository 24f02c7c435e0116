#!/usr/bin/env node
// Fresh-clone entry point behind the root npm scripts (`npm test`, `npm run demo`,
// `npm run setup`). It needs only Node >= 20 and npm on PATH (plus cargo for the native
// addon): it makes the pinned pnpm available, installs the workspace from the lockfile,
// builds every package (TypeScript and the Rust addon), then runs the requested job.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clearSkips, summaryLine } from '../test-support/oracles.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pinned = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager; // pnpm@X.Y.Z
const version = pinned.split('@')[1];

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

function quiet(cmd, args, env = process.env) {
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', env });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** Returns the argv prefix that runs the pinned pnpm. */
function ensurePnpm() {
  if (quiet('pnpm', ['--version']) === version) return ['pnpm'];
  // corepack ships with Node 20 and honours the `packageManager` pin.
  const env = { ...process.env, COREPACK_ENABLE_DOWNLOAD_PROMPT: '0' };
  if (quiet('corepack', ['pnpm', '--version'], env) === version) {
    process.env.COREPACK_ENABLE_DOWNLOAD_PROMPT = '0';
    quiet('corepack', ['enable', 'pnpm'], env);
    if (quiet('pnpm', ['--version']) === version) return ['pnpm'];
    return ['corepack', 'pnpm'];
  }
  // corepack unavailable or unable to verify the download: install the pinned pnpm from
  // the npm registry into a project-local tools folder (integrity-checked by npm).
  const tools = join(root, '.tools');
  const bin = join(tools, 'node_modules', '.bin', 'pnpm');
  if (!existsSync(bin) || quiet(bin, ['--version']) !== version) {
    console.log(
      `[bootstrap] installing pnpm@${version} into .tools/ (corepack could not provide it)`,
    );
    const status = run('npm', ['install', '--no-save', '--prefix', tools, `pnpm@${version}`], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (status !== 0) throw new Error(`could not install pnpm@${version} (npm exited ${status})`);
  }
  process.env.PATH = `${dirname(bin)}:${process.env.PATH}`;
  return [bin];
}

const job = process.argv[2] ?? 'setup';
const extra = process.argv.slice(3);
const pnpm = ensurePnpm();
const p = (args) => run(pnpm[0], [...pnpm.slice(1), ...args]);

process.env.TURBO_TELEMETRY_DISABLED = '1';
process.env.DO_NOT_TRACK = '1';

let status = p(['install', '--frozen-lockfile', '--prefer-offline']);
if (status !== 0) process.exit(status);
status = p(['exec', 'turbo', 'run', 'build', '--output-logs=errors-only']);
if (status !== 0) process.exit(status);

const turboJobs = new Set(['test', 'test:stress', 'typecheck', 'docs']);
if (job === 'setup') {
  console.log('[bootstrap] workspace installed and built');
} else if (turboJobs.has(job)) {
  // Suites skipped for a missing oracle (bcftools, tabix, the Python peer, Chromium) are
  // recorded while the tests run; `npm test` ends with one line counting them.
  if (job === 'test') clearSkips();
  status = p(['exec', 'turbo', 'run', job, '--concurrency=1', ...extra]);
  if (job === 'test') console.log(summaryLine());
} else if (job === 'lint') {
  status = p(['exec', 'biome', 'check', '.']);
  // No import cycles among the packages' and apps' sources (type-only imports are erased
  // and do not count; settings in .madgerc).
  if (status === 0)
    status = p([
      'exec',
      'madge',
      '--circular',
      '--no-spinner',
      'packages/errors/src',
      'packages/threads/src',
      'packages/native/src-ts',
      'packages/dataset/src',
      'packages/stress/src',
      'packages/example-data',
      'apps/bench/src',
      'apps/parity/src',
      'scripts',
    ]);
  if (status === 0) status = p(['exec', 'turbo', 'run', 'lint', '--concurrency=1', ...extra]);
} else if (job === 'demo') {
  status = p(['exec', 'gvl', 'demo', ...extra]);
} else if (job === 'bench') {
  // The side-by-side benchmark (apps/bench) only; the native kernel microbench is
  // `pnpm --filter @gvl/native bench`.
  status = p(['--filter', '@gvl/bench', 'run', 'bench', ...extra]);
} else if (job === 'parity') {
  status = p(['--filter', '@gvl/parity', 'run', 'parity', ...extra]);
} else {
  console.error(
    `unknown job '${job}': expected setup, test, test:stress, typecheck, lint, bench, docs, demo or parity`,
  );
  status = 2;
}
process.exit(status);
