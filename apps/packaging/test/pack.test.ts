// Packs every published package with pnpm, as a release does, and checks what a user
// would install: internal dependencies as caret ranges (one shared copy), LICENSE,
// repository/homepage/bugs, every entry point present, source maps whose sources are in
// the tarball, and a native addon without debug info.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  entryPoints,
  type Manifest,
  manifest,
  PACKAGES,
  type PackageDir,
  pnpmCommand,
  root,
  run,
} from './helpers.js';

const pnpm = pnpmCommand();
const work = mkdtempSync(join(tmpdir(), 'gvl-pack-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Unpacked tarball folder of each package. */
const unpacked = new Map<PackageDir, string>();

beforeAll(() => {
  if (!pnpm) return;
  for (const dir of PACKAGES) {
    const dest = join(work, dir);
    const r = run([...pnpm, 'pack', '--pack-destination', dest], join(root, 'packages', dir));
    if (r.status !== 0)
      throw new Error(`pnpm pack of packages/${dir} failed:\n${r.stdout}\n${r.stderr}`);
    const tgz = readdirSync(dest).find((f) => f.endsWith('.tgz'));
    if (!tgz) throw new Error(`pnpm pack of packages/${dir} wrote no tarball`);
    const t = run(['tar', '-xzf', tgz], dest);
    if (t.status !== 0) throw new Error(`tar -xzf ${tgz}: ${t.stderr}`);
    unpacked.set(dir, join(dest, 'package'));
  }
});

function files(folder: string): string[] {
  return readdirSync(folder, { recursive: true, encoding: 'utf8' }).filter((f) =>
    statSync(join(folder, f)).isFile(),
  );
}

function packed(dir: PackageDir): { folder: string; pkg: Manifest } {
  const folder = unpacked.get(dir) as string;
  return {
    folder,
    pkg: JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as Manifest,
  };
}

/** Names of the sections of a 64-bit little-endian ELF file. */
function elfSections(buf: Buffer): string[] {
  const shoff = Number(buf.readBigUInt64LE(0x28));
  const shentsize = buf.readUInt16LE(0x3a);
  const shnum = buf.readUInt16LE(0x3c);
  const shstrndx = buf.readUInt16LE(0x3e);
  const header = (i: number) => shoff + i * shentsize;
  const strOff = Number(buf.readBigUInt64LE(header(shstrndx) + 0x18));
  const names: string[] = [];
  for (let i = 0; i < shnum; i++) {
    const nameOff = strOff + buf.readUInt32LE(header(i));
    names.push(buf.toString('latin1', nameOff, buf.indexOf(0, nameOff)));
  }
  return names;
}

describe.skipIf(!pnpm)(
  `pnpm pack of every published package${pnpm ? '' : ' (skipped: pnpm not found)'}`,
  () => {
    const versions = new Map(PACKAGES.map((d) => [manifest(d).name, manifest(d).version]));
    const rootLicense = readFileSync(join(root, 'LICENSE'), 'utf8');

    it.each(PACKAGES)(
      '%s: internal dependencies are caret ranges of the current versions',
      (dir) => {
        const { pkg } = packed(dir);
        expect(JSON.stringify(pkg)).not.toContain('workspace:');
        const internal = Object.entries(pkg.dependencies ?? {}).filter(([d]) => versions.has(d));
        if (dir !== 'errors' && dir !== 'example-data') expect(internal.length).toBeGreaterThan(0);
        for (const [dep, range] of internal) expect(range).toBe(`^${versions.get(dep)}`);
      },
    );

    it.each(PACKAGES)('%s: LICENSE (the root one), repository, homepage and bugs', (dir) => {
      const { folder, pkg } = packed(dir);
      expect(readFileSync(join(folder, 'LICENSE'), 'utf8')).toBe(rootLicense);
      expect(pkg.license).toBe('MIT');
      expect(pkg.repository?.type).toBe('git');
      expect(pkg.repository?.url).toMatch(/^git\+https:\/\/.+\.git$/);
      expect(pkg.repository?.directory).toBe(`packages/${dir}`);
      const repo = pkg.repository?.url?.replace(/^git\+/, '').replace(/\.git$/, '');
      expect(pkg.homepage).toBe(`${repo}/tree/main/packages/${dir}#readme`);
      expect(pkg.bugs?.url).toBe(`${repo}/issues`);
    });

    it.each(PACKAGES)(
      '%s: every entry point is in the tarball; engines state the require(esm) floor',
      (dir) => {
        const { folder, pkg } = packed(dir);
        const present = new Set(files(folder));
        for (const [path, where] of entryPoints(pkg)) {
          expect(present.has(relative('.', path)), `${path} (${where})`).toBe(true);
        }
        expect(pkg.engines?.node).toBe('^20.19.0 || >=22.12.0');
        // The guard runs from the source manifest (pnpm drops it from the packed one).
        expect(manifest(dir).scripts?.prepack).toBe('node ../../scripts/check-pack.mjs');
      },
    );

    it.each(PACKAGES)('%s: every source map resolves to sources inside the tarball', (dir) => {
      const { folder } = packed(dir);
      const all = files(folder);
      const maps = all.filter((f) => f.endsWith('.js.map') || f.endsWith('.d.ts.map'));
      expect(maps.length).toBeGreaterThan(0);
      for (const m of maps) {
        const map = JSON.parse(readFileSync(join(folder, m), 'utf8')) as {
          sources: string[];
          sourceRoot?: string;
        };
        expect(map.sources.length).toBeGreaterThan(0);
        for (const s of map.sources) {
          const target = resolve(dirname(join(folder, m)), map.sourceRoot ?? '', s);
          expect(target.startsWith(folder), `${m} → ${s} leaves the package`).toBe(true);
          expect(all.includes(relative(folder, target)), `${m} → ${s}`).toBe(true);
        }
      }
    });

    it('native: ships no addon of its own; each napi target is an exact optional dependency', () => {
      const { folder, pkg } = packed('native');
      expect(files(folder).filter((f) => f.endsWith('.node'))).toEqual([]);
      const optional = (pkg as Manifest & { optionalDependencies?: Record<string, string> })
        .optionalDependencies;
      expect(Object.keys(optional ?? {}).sort()).toEqual([
        '@gvl/native-linux-arm64-gnu',
        '@gvl/native-linux-x64-gnu',
        '@gvl/native-linux-x64-musl',
      ]);
      for (const range of Object.values(optional ?? {})) expect(range).toBe(pkg.version);
    });

    // The linux-x64-gnu platform package, once scripts/build-platforms.mjs built its addon.
    // Debug info is stripped; the symbol table is kept on purpose (root Cargo.toml): the
    // hang reports of gvl-stress name the addon's rayon frames from it.
    const platformDir = join(root, 'packages', 'native', 'npm', 'linux-x64-gnu');
    const platformBuilt = existsSync(join(platformDir, 'gvl-native.linux-x64-gnu.node'));
    it.skipIf(process.platform !== 'linux' || !platformBuilt)(
      `native-linux-x64-gnu: ships its addon without debug info, with its symbol table${platformBuilt ? '' : ' (skipped: not built, run node scripts/build-platforms.mjs in packages/native)'}`,
      () => {
        const dest = join(work, 'native-linux-x64-gnu');
        const r = run([...(pnpm as string[]), 'pack', '--pack-destination', dest], platformDir);
        expect(r.status, r.stderr).toBe(0);
        const tgz = readdirSync(dest).find((f) => f.endsWith('.tgz')) as string;
        expect(run(['tar', '-xzf', tgz], dest).status).toBe(0);
        const folder = join(dest, 'package');
        expect(files(folder).sort()).toEqual([
          'LICENSE',
          'README.md',
          'gvl-native.linux-x64-gnu.node',
          'package.json',
        ]);
        const pkg = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8'));
        expect(pkg.version).toBe(manifest('native').version);
        const buf = readFileSync(join(folder, 'gvl-native.linux-x64-gnu.node'));
        expect(buf.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
        const sections = elfSections(buf);
        expect(sections).toContain('.dynsym'); // the exported napi symbols
        expect(sections).toContain('.symtab'); // function names for gvl-stress backtraces
        expect(sections.filter((s) => /^\.z?debug/.test(s))).toEqual([]);
      },
    );
  },
);
