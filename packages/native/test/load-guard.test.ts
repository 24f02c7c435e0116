// One addon per process: a second copy of @gvl/native (another install location) with a
// different version throws GVL_ADDON_CONFLICT before its .node is opened; a copy with the
// same version adopts the first copy's binding. The copies are real: the built package
// (dist/, index.js, the .node) copied into a temporary folder with its own package.json.
import {
  copyFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isGvlError } from '@gvl/errors';
import { afterAll, describe, expect, it } from 'vitest';
import { AddonConflictError } from '../src-ts/errors.js';
import { claimAddon } from '../src-ts/load-guard.js';
import { DIST, runNode } from './helpers/run-node.js';

const pkgDir = dirname(dirname(fileURLToPath(import.meta.url)));
const realVersion = (await import('../package.json', { with: { type: 'json' } })).default
  .version as string;
const tmp = mkdtempSync(join(tmpdir(), 'gvl-native-copies-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// Dependencies of the copies resolve to this workspace's packages.
mkdirSync(join(tmp, 'node_modules', '@gvl'), { recursive: true });
for (const dep of ['errors', 'threads']) {
  symlinkSync(join(pkgDir, '..', dep), join(tmp, 'node_modules', '@gvl', dep), 'dir');
}

/** A copy of the built package under `tmp/<name>` whose package.json says `version`. */
function copyPackage(name: string, version: string): { dir: string; node: string } {
  const dir = join(tmp, name);
  mkdirSync(dir);
  cpSync(join(pkgDir, 'dist'), join(dir, 'dist'), { recursive: true });
  copyFileSync(join(pkgDir, 'index.js'), join(dir, 'index.js'));
  const addon = readdirSync(pkgDir).find((f) => f.endsWith('.node'));
  if (!addon) throw new Error(`no built .node in ${pkgDir}: run pnpm --filter @gvl/native build`);
  copyFileSync(join(pkgDir, addon), join(dir, addon));
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: '@gvl/native', version, type: 'module' }),
  );
  return { dir, node: join(dir, addon) };
}

interface ChildResult {
  error: { code: string; name: string; message: string; value: unknown; loaded: unknown } | null;
  isGvl: boolean;
  sameBinding: boolean | null;
  copyAddonOpened: boolean;
  firstStillWorks: string;
}

/** Imports the real package, then the copy, in a fresh process. */
function loadBoth(copy: { dir: string; node: string }): ChildResult {
  const copyEntry = pathToFileURL(join(copy.dir, 'dist', 'index.js')).href;
  const copyBinding = pathToFileURL(join(copy.dir, 'dist', 'binding.js')).href;
  const realBinding = new URL('binding.js', DIST).href;
  const source = `
    const real = await import(${JSON.stringify(DIST)});
    let error = null, isGvl = false, sameBinding = null;
    try {
      await import(${JSON.stringify(copyEntry)});
      const a = await import(${JSON.stringify(realBinding)});
      const b = await import(${JSON.stringify(copyBinding)});
      sameBinding = a.native === b.native;
    } catch (e) {
      const { isGvlError } = await import('@gvl/errors');
      isGvl = isGvlError(e);
      error = { code: e.code, name: e.name, message: e.message, value: e.value, loaded: e.loaded };
    }
    const libs = process.report.getReport().sharedObjects;
    const copyAddonOpened = libs.includes(${JSON.stringify(copy.node)});
    const out = real.reverseComplementSync({ data: new TextEncoder().encode('ACGTT'), offsets: new BigInt64Array([0n, 5n]) });
    const firstStillWorks = new TextDecoder().decode(out);
    console.log(JSON.stringify({ error, isGvl, sameBinding, copyAddonOpened, firstStillWorks }));
  `;
  const { result, status, stderr } = runNode<ChildResult>(source);
  expect(status, stderr).toBe(0);
  return result;
}

describe('one @gvl/native addon per process', () => {
  it('a second copy with another version throws GVL_ADDON_CONFLICT before opening its addon', () => {
    const copy = copyPackage('other-version', `${realVersion}-other`);
    const r = loadBoth(copy);
    expect(r.error?.code).toBe('GVL_ADDON_CONFLICT');
    expect(r.error?.name).toBe('AddonConflictError');
    expect(r.isGvl).toBe(true);
    expect(r.error?.value).toBe(`${realVersion}-other`);
    expect(r.error?.loaded).toEqual({ version: realVersion, location: pkgDir });
    expect(r.error?.message).toContain(`@gvl/native ${realVersion}-other (${copy.dir}`);
    expect(r.error?.message).toContain(`@gvl/native ${realVersion} (${pkgDir})`);
    expect(r.copyAddonOpened).toBe(false);
    expect(r.firstStillWorks).toBe('AACGT');
  });

  it('a second copy with the same version loads and uses the first copy’s binding', () => {
    const copy = copyPackage('same-version', realVersion);
    const r = loadBoth(copy);
    expect(r.error).toBeNull();
    expect(r.sameBinding).toBe(true);
    expect(r.copyAddonOpened).toBe(false); // the copy adopts the binding and opens no .node
    expect(r.firstStillWorks).toBe('AACGT');
  });

  it('claimAddon: first claim records, same version reuses, another version throws', () => {
    const global: Record<symbol, unknown> = {};
    const first = claimAddon({ version: '1.2.3', location: '/a' }, global);
    expect(first).toMatchObject({ version: '1.2.3', location: '/a', binding: undefined });
    first.binding = { marker: 1 };
    expect(claimAddon({ version: '1.2.3', location: '/b' }, global)).toBe(first);
    let thrown: unknown;
    try {
      claimAddon({ version: '1.3.0', location: '/c' }, global);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(AddonConflictError);
    expect(isGvlError(thrown, 'GVL_ADDON_CONFLICT')).toBe(true);
    const err = thrown as AddonConflictError;
    expect(err.value).toBe('1.3.0');
    expect(err.loaded).toEqual({ version: '1.2.3', location: '/a' });
    // The slot still holds the first claim.
    expect(claimAddon({ version: '1.2.3', location: '/d' }, global)).toBe(first);
  });
});
