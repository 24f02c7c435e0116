import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** The published packages: folder name under packages/ → package name. */
export const PACKAGES = [
  'errors',
  'example-data',
  'threads',
  'native',
  'dataset',
  'stress',
] as const;
export type PackageDir = (typeof PACKAGES)[number];

/** A package's package.json. */
export interface Manifest {
  name: string;
  version: string;
  license?: string;
  engines?: { node?: string };
  main?: string;
  types?: string;
  exports?: unknown;
  bin?: string | Record<string, string>;
  files?: string[];
  repository?: { type?: string; url?: string; directory?: string };
  homepage?: string;
  bugs?: { url?: string };
  napi?: { binaryName?: string };
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

export function manifest(dir: PackageDir): Manifest {
  return JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')) as Manifest;
}

/** Every file path named by `main`, `types`, `exports` and `bin`, with where it was named. */
export function entryPoints(m: Manifest): [path: string, where: string][] {
  const out: [string, string][] = [];
  const walk = (v: unknown, where: string) => {
    if (typeof v === 'string') out.push([v, where]);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) walk(x, `${where}[${JSON.stringify(k)}]`);
    }
  };
  if (m.main) out.push([m.main, 'main']);
  if (m.types) out.push([m.types, 'types']);
  walk(m.exports, 'exports');
  if (typeof m.bin === 'string') out.push([m.bin, 'bin']);
  else for (const [k, v] of Object.entries(m.bin ?? {})) out.push([v, `bin.${k}`]);
  return out.filter(([p]) => !p.includes('*'));
}

/**
 * The argv prefix that runs pnpm: the pnpm running this test (`npm_execpath`, set by
 * `pnpm run`), else `pnpm` on PATH, else the copy `npm run setup` installs in .tools/.
 * `null` when none answers.
 */
export function pnpmCommand(): string[] | null {
  const candidates: string[][] = [];
  const exec = process.env.npm_execpath;
  if (exec && basename(exec).startsWith('pnpm')) {
    candidates.push(
      exec.endsWith('.js') || exec.endsWith('.cjs') ? [process.execPath, exec] : [exec],
    );
  }
  candidates.push(['pnpm'], [join(root, '.tools', 'node_modules', '.bin', 'pnpm')]);
  for (const c of candidates) {
    const r = spawnSync(c[0] as string, [...c.slice(1), '--version'], { encoding: 'utf8' });
    if (r.status === 0) return c;
  }
  return null;
}

/** Runs `argv` in `cwd` (a clean environment for lifecycle scripts). */
export function run(argv: string[], cwd: string): SpawnSyncReturns<string> {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('npm_')) delete env[k];
  return spawnSync(argv[0] as string, argv.slice(1), {
    cwd,
    env,
    encoding: 'utf8',
    timeout: 120_000,
  });
}
