#!/usr/bin/env node
// Fails when a published package has an undocumented declaration, property, accessor or
// method. The site build (root typedoc.json, entryPointStrategy "packages") does not apply
// the `notDocumented` validation to the members of each package, so this runs TypeDoc once
// per package of the site, with that package's typedoc.json and the root's
// `packageOptions` and `requiredToBeDocumented`, emitting nothing and treating every
// warning as an error. Run by `npm run lint` (this app's `lint` script); arguments narrow it
// to some packages (`packages/errors`). The packages must be built (their typings resolve
// through each other's dist/).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');
const site = JSON.parse(readFileSync(join(root, 'typedoc.json'), 'utf8'));

const require = createRequire(import.meta.url);
const typedocPkg = require.resolve('typedoc/package.json');
const typedocBin = join(
  dirname(typedocPkg),
  JSON.parse(readFileSync(typedocPkg, 'utf8')).bin.typedoc,
);

/** CLI flags shared by every package: the site's per-package options and required kinds. */
function sharedFlags() {
  const flags = [
    '--emit',
    'none',
    '--treatWarningsAsErrors',
    '--validation.notDocumented',
    '--logLevel',
    'Warn',
  ];
  for (const [name, value] of Object.entries(site.packageOptions ?? {})) {
    if (typeof value !== 'boolean')
      throw new Error(`check-docs: packageOptions.${name} is not a boolean`);
    flags.push(`--${name}`, String(value));
  }
  for (const kind of site.requiredToBeDocumented ?? [])
    flags.push('--requiredToBeDocumented', kind);
  return flags;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: strips ANSI colour codes
const ansi = /\u001b\[[0-9;]*m/g;

/** Runs TypeDoc in one package folder; resolves with its exit status and warning lines. */
function check(dir, flags) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [typedocBin, '--options', 'typedoc.json', ...flags], {
      cwd: dir,
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    child.on('error', reject);
    child.on('close', (status) => {
      const lines = out
        .replace(ansi, '')
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l !== '' && !/^\[warning\] Found \d+ errors? and \d+ warnings?$/.test(l));
      resolve({ status: status ?? 1, lines });
    });
  });
}

async function main() {
  const flags = sharedFlags();
  // Arguments narrow the check to some packages (`node scripts/check-docs.mjs packages/errors`).
  const only = process.argv.slice(2);
  for (const p of only)
    if (!site.entryPoints.includes(p))
      throw new Error(`check-docs: ${p} is not a package of the site (typedoc.json entryPoints)`);
  const dirs = site.entryPoints
    .filter((p) => only.length === 0 || only.includes(p))
    .map((p) => join(root, p));
  // Two at a time: each run is one TypeScript program, mostly single-threaded.
  const results = new Array(dirs.length);
  let next = 0;
  const worker = async () => {
    while (next < dirs.length) {
      const i = next++;
      results[i] = await check(dirs[i], flags);
    }
  };
  await Promise.all([worker(), worker()]);
  let failed = 0;
  dirs.forEach((dir, i) => {
    const { status, lines } = results[i];
    const name = relative(root, dir);
    if (status === 0) {
      console.log(`check-docs: ${name}: every declaration and member documented`);
      return;
    }
    failed++;
    const undocumented = lines.filter((l) => l.endsWith('does not have any documentation'));
    console.error(
      `check-docs: ${name}: TypeDoc exited ${status}` +
        (undocumented.length > 0 ? `, ${undocumented.length} undocumented:` : ':'),
    );
    for (const l of lines) console.error(`  ${l}`);
  });
  if (failed > 0) {
    console.error(
      `check-docs: ${failed} package(s) fail; document each member listed above (TSDoc: meaning, units, dtype/shape, coordinates, null)`,
    );
    process.exitCode = 1;
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
