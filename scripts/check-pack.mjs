#!/usr/bin/env node
// The `prepack` guard of every published package: refuses to pack a package whose build
// output is missing, so an unbuilt checkout can never ship a tarball without `dist/` or
// without the native addon. Run from the package's folder (npm and pnpm run lifecycle
// scripts there). Checks, against the package's own package.json:
//   - every file named by `main`, `types`, `exports` (every condition) and `bin` exists;
//   - `LICENSE` exists;
//   - with a `napi.binaryName`, at least one `<binaryName>.<platform>.node` exists;
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
  const addons = readdirSync(dir).filter(
    (f) => f.startsWith(`${binaryName}.`) && f.endsWith('.node'),
  );
  if (addons.length === 0) {
    problems.push(`no native addon ${binaryName}.<platform>.node (napi.binaryName) is built`);
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
  console.error(`Build it first: pnpm --filter ${pkg.name} build (or pnpm build at the root).`);
  process.exit(1);
}
