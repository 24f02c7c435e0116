#!/usr/bin/env node
// The `prepack` guard of every published package: refuses to pack a package whose build
// output is missing, so an unbuilt checkout can never ship a tarball without `dist/` or
// without the native addon. Run from the package's folder (npm and pnpm run lifecycle
// scripts there). Checks, against the package's own package.json:
//   - every file named by `main`, `types`, `exports` (every condition) and `bin` exists;
//   - `LICENSE` exists;
//   - a napi package (`napi.binaryName`) ships no addon itself: each of its `napi.targets`
//     has its platform package `<name>-<triple>` among `optionalDependencies` (a platform
//     package's addon is its `main`, checked above);
//   - every source map under `dist/` names sources that exist.
// Exits 1 with one line per missing file and the command that builds the package.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const dir = process.cwd();
const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
const problems = [];

/** Every file path named by an `exports` value, with where it was named. */
function exportTargets(value, where, out) {
  if (typeof value === 'string') out.push([value, where]);
  else if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) exportTargets(v, `${where}[${i}]`, out);
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value))
      exportTargets(v, `${where}[${JSON.stringify(k)}]`, out);
  }
  return out;
}

const targets = [];
if (typeof pkg.main === 'string') targets.push([pkg.main, 'main']);
if (typeof pkg.types === 'string') targets.push([pkg.types, 'types']);
exportTargets(pkg.exports, 'exports', targets);
if (typeof pkg.bin === 'string') targets.push([pkg.bin, 'bin']);
else for (const [k, v] of Object.entries(pkg.bin ?? {})) targets.push([v, `bin.${k}`]);
targets.push(['LICENSE', 'the license']);

for (const [path, where] of targets) {
  if (path.includes('*')) continue;
  if (!existsSync(join(dir, path))) problems.push(`${path} (${where}) is missing`);
}

const binaryName = pkg.napi?.binaryName;
if (binaryName) {
  const CPU = { x86_64: 'x64', aarch64: 'arm64' };
  for (const target of pkg.napi.targets ?? []) {
    const [cpu, , os, libc] = target.split('-');
    const platformPackage = `${pkg.name}-${os}-${CPU[cpu] ?? cpu}${libc ? `-${libc}` : ''}`;
    if (!pkg.optionalDependencies?.[platformPackage]) {
      problems.push(
        `napi.targets has ${target}, but ${platformPackage} is not in optionalDependencies`,
      );
    }
  }
  if ((pkg.files ?? []).some((f) => f.endsWith('.node'))) {
    problems.push(
      'files lists a .node addon: addons ship in the platform packages (npm/<triple>/)',
    );
  }
}

/** Source maps under dist/ whose sources do not exist. */
function checkMaps(folder) {
  if (!existsSync(folder)) return;
  for (const entry of readdirSync(folder)) {
    const file = join(folder, entry);
    if (statSync(file).isDirectory()) checkMaps(file);
    else if (entry.endsWith('.map')) {
      const map = JSON.parse(readFileSync(file, 'utf8'));
      const root = resolve(dirname(file), map.sourceRoot ?? '');
      for (const source of map.sources ?? []) {
        if (!existsSync(resolve(root, source))) {
          problems.push(`${relative(dir, file)} names source ${source}, which is missing`);
        }
      }
    }
  }
}
checkMaps(join(dir, 'dist'));

if (problems.length > 0) {
  console.error(`${pkg.name} cannot be packed: it is not built.`);
  for (const p of problems) console.error(`  - ${p}`);
  if (typeof pkg.main === 'string' && pkg.main.endsWith('.node')) {
    // A platform package of a napi addon: packages/<addon>/npm/<triple>/.
    const triple = pkg.main.split('.').at(-2);
    console.error(
      `Build it first: node scripts/build-platforms.mjs ${triple} in the addon's package folder (${relative(dir, resolve(dir, '..', '..'))}).`,
    );
  } else {
    console.error(`Build it first: pnpm --filter ${pkg.name} build (or pnpm build at the root).`);
  }
  process.exit(1);
}
