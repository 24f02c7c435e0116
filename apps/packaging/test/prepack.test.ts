// The prepack guard (scripts/check-pack.mjs, every published package's `prepack`):
// `pnpm pack` of an unbuilt copy of a package fails, names what is missing and writes no
// tarball. The copies keep the repository layout (packages/<name> beside scripts/) so the
// package's own prepack script runs unchanged.
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pnpmCommand, root, run } from './helpers.js';

const pnpm = pnpmCommand();
const work = mkdtempSync(join(tmpdir(), 'gvl-prepack-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Copies `entries` of packages/<dir> into a fresh repository-shaped folder. */
function copy(dir: string, entries: string[]): string {
  const base = mkdtempSync(join(work, `${dir.replaceAll('/', '-')}-`));
  mkdirSync(join(base, 'scripts'));
  cpSync(join(root, 'scripts', 'check-pack.mjs'), join(base, 'scripts', 'check-pack.mjs'));
  const pkg = join(base, 'packages', dir);
  mkdirSync(pkg, { recursive: true });
  for (const e of entries)
    cpSync(join(root, 'packages', dir, e), join(pkg, e), { recursive: true });
  return pkg;
}

function pack(pkg: string): { status: number | null; output: string; tarballs: string[] } {
  const out = join(pkg, '..', 'out');
  mkdirSync(out, { recursive: true });
  const r = run([...(pnpm as string[]), 'pack', '--pack-destination', out], pkg);
  return {
    status: r.status,
    output: `${r.stdout}\n${r.stderr}`,
    tarballs: readdirSync(out).filter((f) => f.endsWith('.tgz')),
  };
}

describe.skipIf(!pnpm)(`prepack guard${pnpm ? '' : ' (skipped: pnpm not found)'}`, () => {
  it('refuses an unbuilt @gvl/threads (no dist/), naming each missing entry point', () => {
    const pkg = copy('threads', ['package.json', 'src', 'bin', 'README.md', 'LICENSE']);
    const r = pack(pkg);
    expect(r.status).not.toBe(0);
    expect(r.output).toContain('@gvl/threads cannot be packed: it is not built.');
    expect(r.output).toContain('./dist/index.js (main) is missing');
    expect(r.output).toContain('./dist/index.d.ts (exports["."]["types"]) is missing');
    expect(r.output).toContain('pnpm --filter @gvl/threads build');
    expect(r.tarballs).toEqual([]);
  });

  it('refuses a platform package of @gvl/native without its .node', () => {
    const pkg = copy('native/npm/linux-x64-gnu', ['package.json', 'README.md', 'LICENSE']);
    const r = pack(pkg);
    expect(r.status).not.toBe(0);
    expect(r.output).toContain('@gvl/native-linux-x64-gnu cannot be packed: it is not built.');
    expect(r.output).toContain('gvl-native.linux-x64-gnu.node (main) is missing');
    expect(r.output).toContain('node scripts/build-platforms.mjs linux-x64-gnu');
    expect(r.tarballs).toEqual([]);
  });

  it('refuses @gvl/native whose napi.targets lack a platform package, or that lists a .node', () => {
    const pkg = copy('native', [
      'package.json',
      'dist',
      'src-ts',
      'index.js',
      'index.d.ts',
      'README.md',
      'LICENSE',
    ]);
    const manifestPath = join(pkg, 'package.json');
    const m = JSON.parse(readFileSync(manifestPath, 'utf8'));
    delete m.optionalDependencies['@gvl/native-linux-arm64-gnu'];
    m.files.push('*.node');
    writeFileSync(manifestPath, JSON.stringify(m));
    const r = pack(pkg);
    expect(r.status).not.toBe(0);
    expect(r.output).toContain(
      'napi.targets has aarch64-unknown-linux-gnu, but @gvl/native-linux-arm64-gnu is not in optionalDependencies',
    );
    expect(r.output).toContain('files lists a .node addon');
    expect(r.output).not.toContain('dist/index.js (main) is missing');
    expect(r.tarballs).toEqual([]);
  });

  it('refuses a package without LICENSE, and one whose source maps point at missing sources', () => {
    const noLicense = copy('errors', ['package.json', 'dist', 'src', 'README.md']);
    const a = pack(noLicense);
    expect(a.status).not.toBe(0);
    expect(a.output).toContain('LICENSE (the license) is missing');
    expect(a.tarballs).toEqual([]);

    const noSources = copy('errors', ['package.json', 'dist', 'README.md', 'LICENSE']);
    const b = pack(noSources);
    expect(b.status).not.toBe(0);
    expect(b.output).toMatch(
      /dist\/index\.js\.map names source \.\.\/src\/index\.ts, which is missing/,
    );
    expect(b.tarballs).toEqual([]);
  });

  it('packs a built copy (the guard passes what it should)', () => {
    const pkg = copy('errors', ['package.json', 'dist', 'src', 'README.md', 'LICENSE']);
    expect(existsSync(join(pkg, 'dist', 'index.js'))).toBe(true);
    writeFileSync(join(pkg, 'CHANGELOG.md'), '# @gvl/errors\n');
    const r = pack(pkg);
    expect(r.status, r.output).toBe(0);
    const { version } = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as {
      version: string;
    };
    expect(r.tarballs).toEqual([`gvl-errors-${version}.tgz`]);
  });
});
