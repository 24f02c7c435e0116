// Per-platform addons: which `.node` a process opens, the typed errors when none applies
// (GVL_UNSUPPORTED_PLATFORM, GVL_NATIVE_LOAD_FAILED), the platform packages' manifests
// against @gvl/native's, and the prebuilt linux-x64-gnu addon (glibc 2.17 floor) against
// the development build, kernel by kernel.
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isGvlError } from '@gvl/errors';
import { afterAll, describe, expect, it } from 'vitest';
import { NativeLoadError, UnsupportedPlatformError } from '../src-ts/errors.js';
import {
  BINDING_ENV,
  currentHost,
  loadBinding,
  platformTriple,
  SUPPORTED_PLATFORMS,
  selectBinding,
} from '../src-ts/platform.js';
import { DIST, runNode } from './helpers/run-node.js';
import { naiveReverseComplement } from './naive.js';

const pkgDir = dirname(dirname(fileURLToPath(import.meta.url)));
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8'));
const manifest = readJson(join(pkgDir, 'package.json')) as {
  version: string;
  files: string[];
  napi: { binaryName: string; targets: string[] };
  optionalDependencies: Record<string, string>;
};
const tmp = mkdtempSync(join(tmpdir(), 'gvl-native-platform-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** `x86_64-unknown-linux-gnu` → `linux-x64-gnu`, spelled out independently of the loader. */
const RUST_TO_NAPI: Record<string, string> = {
  'x86_64-unknown-linux-gnu': 'linux-x64-gnu',
  'aarch64-unknown-linux-gnu': 'linux-arm64-gnu',
  'x86_64-unknown-linux-musl': 'linux-x64-musl',
};

describe('selectBinding', () => {
  it('names the file and the platform package of every supported triple', () => {
    expect(selectBinding({ platform: 'linux', arch: 'x64', libc: 'gnu' })).toEqual({
      triple: 'linux-x64-gnu',
      file: 'gvl-native.linux-x64-gnu.node',
      packageName: '@gvl/native-linux-x64-gnu',
    });
    expect(selectBinding({ platform: 'linux', arch: 'arm64', libc: 'gnu' }).packageName).toBe(
      '@gvl/native-linux-arm64-gnu',
    );
    expect(selectBinding({ platform: 'linux', arch: 'x64', libc: 'musl' }).file).toBe(
      'gvl-native.linux-x64-musl.node',
    );
  });

  it.each([
    [{ platform: 'darwin', arch: 'arm64' }, 'darwin-arm64'],
    [{ platform: 'win32', arch: 'x64' }, 'win32-x64-msvc'],
    [{ platform: 'linux', arch: 'arm64', libc: 'musl' as const }, 'linux-arm64-musl'],
    [{ platform: 'linux', arch: 'riscv64', libc: 'gnu' as const }, 'linux-riscv64-gnu'],
    [{ platform: 'freebsd', arch: 'x64' }, 'freebsd-x64'],
  ])(
    'throws GVL_UNSUPPORTED_PLATFORM for %j, naming %s, the list and the source build',
    (host, triple) => {
      expect(platformTriple(host)).toBe(triple);
      let error: unknown;
      try {
        selectBinding(host);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(UnsupportedPlatformError);
      expect(isGvlError(error, 'GVL_UNSUPPORTED_PLATFORM')).toBe(true);
      const e = error as UnsupportedPlatformError;
      expect(e.value).toBe(triple);
      expect(e.supported).toEqual(SUPPORTED_PLATFORMS);
      expect(e.message).toContain(`platform ${triple}`);
      for (const t of SUPPORTED_PLATFORMS) expect(e.message).toContain(t);
      expect(e.message).toContain('pnpm --filter @gvl/native build');
      expect(e.message).toContain(`${BINDING_ENV}=`);
      expect(e.message).toContain(`gvl-native.${triple}.node`);
    },
  );

  it('knows this test machine', () => {
    const host = currentHost();
    expect(host.platform).toBe(process.platform);
    if (process.platform === 'linux') {
      const glibc = (
        process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined
      )?.header?.glibcVersionRuntime;
      expect(host.libc).toBe(glibc === undefined ? 'musl' : 'gnu');
    } else expect(host.libc).toBeUndefined();
  });
});

describe('platform packages', () => {
  it('SUPPORTED_PLATFORMS, napi.targets and optionalDependencies name the same triples', () => {
    const fromTargets = manifest.napi.targets.map((t) => RUST_TO_NAPI[t]);
    expect(fromTargets).toEqual([...SUPPORTED_PLATFORMS]);
    expect(Object.keys(manifest.optionalDependencies).sort()).toEqual(
      SUPPORTED_PLATFORMS.map((t) => `@gvl/native-${t}`).sort(),
    );
    // Exact versions: a platform addon is built from one version's sources.
    for (const range of Object.values(manifest.optionalDependencies)) {
      expect(range).toBe('workspace:*');
    }
    // The published @gvl/native carries no addon: the platform packages do.
    expect(manifest.files.some((f) => f.endsWith('.node'))).toBe(false);
  });

  it.each(SUPPORTED_PLATFORMS.map((t) => [t]))(
    'npm/%s/package.json: name, version, os/cpu/libc, main and files match',
    (triple) => {
      const m = readJson(join(pkgDir, 'npm', triple, 'package.json'));
      const [os, cpu, libc] = triple.split('-');
      expect(m.name).toBe(`@gvl/native-${triple}`);
      expect(m.version).toBe(manifest.version);
      expect(m.os).toEqual([os]);
      expect(m.cpu).toEqual([cpu]);
      expect(m.libc).toEqual([libc === 'gnu' ? 'glibc' : 'musl']);
      expect(m.main).toBe(`gvl-native.${triple}.node`);
      expect(m.files).toContain(m.main);
      expect(m.license).toBe('MIT');
      expect(existsSync(join(pkgDir, 'npm', triple, 'LICENSE'))).toBe(true);
    },
  );
});

describe('loadBinding', () => {
  const notFound = (id: string) =>
    Object.assign(new Error(`Cannot find module '${id}'`), { code: 'MODULE_NOT_FOUND' });

  it('GVL_NATIVE_BINDING wins, and nothing else is tried', () => {
    const opened: string[] = [];
    const fake = { fake: true };
    const req = ((id: string) => {
      opened.push(id);
      return fake;
    }) as unknown as NodeJS.Require;
    const got = loadBinding({
      env: { [BINDING_ENV]: '/opt/gvl/gvl-native.linux-x64-gnu.node' },
      host: { platform: 'darwin', arch: 'arm64' }, // unsupported, yet the override loads
      require: req,
    });
    expect(got).toBe(fake);
    expect(opened).toEqual(['/opt/gvl/gvl-native.linux-x64-gnu.node']);
  });

  it('a GVL_NATIVE_BINDING that cannot be opened is GVL_NATIVE_LOAD_FAILED naming it', () => {
    const path = join(tmp, 'missing.node');
    let error: unknown;
    try {
      loadBinding({ env: { [BINDING_ENV]: path } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NativeLoadError);
    const e = error as NativeLoadError;
    expect(e.code).toBe('GVL_NATIVE_LOAD_FAILED');
    expect(e.param).toBe(BINDING_ENV);
    expect(e.value).toBe(path);
    expect(e.message).toContain(`${BINDING_ENV}=${path}`);
    expect(e.cause).toBeInstanceOf(Error);
  });

  it('opens the local build first, then the platform package', () => {
    const dir = join(tmp, 'local');
    mkdirSync(dir);
    writeFileSync(join(dir, 'gvl-native.linux-x64-gnu.node'), '');
    const opened: string[] = [];
    const req = ((id: string) => {
      opened.push(id);
      if (id.endsWith('.node')) throw new Error('invalid ELF header');
      return { fromPackage: true };
    }) as unknown as NodeJS.Require;
    const got = loadBinding({
      env: {},
      host: { platform: 'linux', arch: 'x64', libc: 'gnu' },
      packageDir: dir,
      require: req,
    });
    expect(got).toEqual({ fromPackage: true });
    expect(opened).toEqual([
      join(dir, 'gvl-native.linux-x64-gnu.node'),
      '@gvl/native-linux-x64-gnu',
    ]);
  });

  it('no local build and no platform package is GVL_NATIVE_LOAD_FAILED saying the package is not installed', () => {
    const req = ((id: string) => {
      throw notFound(id);
    }) as unknown as NodeJS.Require;
    let error: unknown;
    try {
      loadBinding({
        env: {},
        host: { platform: 'linux', arch: 'arm64', libc: 'gnu' },
        packageDir: join(tmp, 'empty'),
        require: req,
      });
    } catch (e) {
      error = e;
    }
    expect(isGvlError(error, 'GVL_NATIVE_LOAD_FAILED')).toBe(true);
    const e = error as NativeLoadError;
    expect(e.param).toBe('platform');
    expect(e.value).toBe('linux-arm64-gnu');
    expect(e.message).toContain('@gvl/native-linux-arm64-gnu: not installed');
    expect(e.message).toContain('optional');
    expect(e.message).toContain(`${BINDING_ENV}=`);
    expect(e.message).not.toContain('This system runs glibc'); // nothing failed on glibc
  });

  it('a platform package that fails to open (e.g. glibc too old) is reported with its error', () => {
    const req = ((_id: string) => {
      throw new Error("/lib64/libc.so.6: version `GLIBC_2.18' not found");
    }) as unknown as NodeJS.Require;
    let error: unknown;
    try {
      loadBinding({
        env: {},
        host: { platform: 'linux', arch: 'x64', libc: 'gnu' },
        packageDir: join(tmp, 'empty'),
        require: req,
      });
    } catch (e) {
      error = e;
    }
    const e = error as NativeLoadError;
    expect(e.code).toBe('GVL_NATIVE_LOAD_FAILED');
    expect(e.message).toContain(
      "@gvl/native-linux-x64-gnu: /lib64/libc.so.6: version `GLIBC_2.18' not found",
    );
    expect((e.cause as Error).message).toContain('GLIBC_2.18');
    expect(e.message).toMatch(
      /This system runs glibc \d+\.\d+; the prebuilt needs glibc 2\.17 or newer/,
    );
  });
});

describe('importing @gvl/native where no addon applies (a fresh process)', () => {
  it('an unsupported arch throws GVL_UNSUPPORTED_PLATFORM at import, before any addon opens', () => {
    const { result } = runNode<{
      code: string;
      gvl: boolean;
      message: string;
      value: string;
      addonOpened: boolean;
    }>(`
      Object.defineProperty(process, 'arch', { value: 'riscv64' });
      try {
        await import(${JSON.stringify(DIST)});
        console.log(JSON.stringify(null));
      } catch (e) {
        const { isGvlError } = await import('@gvl/errors');
        const addonOpened = process.report.getReport().sharedObjects.some((s) => s.endsWith('.node'));
        console.log(JSON.stringify({ code: e.code, gvl: isGvlError(e), message: e.message, value: e.value, addonOpened }));
      }
    `);
    expect(result).not.toBeNull();
    expect(result.code).toBe('GVL_UNSUPPORTED_PLATFORM');
    expect(result.gvl).toBe(true);
    expect(result.value).toBe(`linux-riscv64-${currentHost().libc ?? 'gnu'}`);
    expect(result.message).toContain('prebuilt platforms: linux-x64-gnu');
    expect(result.message).toContain('pnpm --filter @gvl/native build');
    expect(result.addonOpened).toBe(false);
  });

  it.skipIf(process.platform !== 'linux' || process.arch !== 'x64')(
    'a copy of the package without its addon or platform package throws GVL_NATIVE_LOAD_FAILED',
    () => {
      const dir = join(tmp, 'bare', 'node_modules', '@gvl', 'native');
      mkdirSync(dir, { recursive: true });
      cpSync(join(pkgDir, 'dist'), join(dir, 'dist'), { recursive: true });
      copyFileSync(join(pkgDir, 'index.js'), join(dir, 'index.js'));
      copyFileSync(join(pkgDir, 'package.json'), join(dir, 'package.json'));
      for (const dep of ['errors', 'threads']) {
        symlinkSync(join(pkgDir, '..', dep), join(tmp, 'bare', 'node_modules', '@gvl', dep), 'dir');
      }
      const entry = pathToFileURL(join(dir, 'dist', 'index.js')).href;
      const run = spawnSync(
        process.execPath,
        ['--input-type=module', '-e', `await import(${JSON.stringify(entry)})`],
        {
          encoding: 'utf8',
          // NODE_PATH: pnpm's runners add the workspace's hoisted packages, where the
          // platform package is; a user's install has no such path.
          env: { ...process.env, [BINDING_ENV]: '', NODE_PATH: '' },
          timeout: 60_000,
        },
      );
      expect(run.status, `${run.stdout}\n${run.stderr}`).not.toBe(0);
      expect(run.stderr).toContain("code: 'GVL_NATIVE_LOAD_FAILED'");
      expect(run.stderr).toContain('could not load its addon for platform linux-x64-');
      expect(run.stderr).toMatch(/@gvl\/native-linux-x64-(gnu|musl): not installed/);
      expect(run.stderr).not.toContain('npm has a bug related to optional dependencies');
    },
  );
});

// The published linux-x64-gnu addon: built by scripts/build-platforms.mjs with zig against
// glibc 2.17. Present after that script ran (CI runs it before the tests); skipped otherwise.
const prebuilt = join(pkgDir, 'npm', 'linux-x64-gnu', 'gvl-native.linux-x64-gnu.node');
const canRunPrebuilt =
  process.platform === 'linux' && process.arch === 'x64' && currentHost().libc === 'gnu';
describe.skipIf(!canRunPrebuilt || !existsSync(prebuilt))(
  `the prebuilt linux-x64-gnu addon (${existsSync(prebuilt) ? 'built' : 'not built: node scripts/build-platforms.mjs linux-x64-gnu'})`,
  () => {
    it('needs no glibc symbol newer than 2.17', () => {
      const objdump = spawnSync('objdump', ['-T', prebuilt], { encoding: 'utf8' });
      if (objdump.error)
        return expect.fail(`objdump is needed to check the floor: ${objdump.error.message}`);
      const versions = [...objdump.stdout.matchAll(/GLIBC_(\d+)\.(\d+)/g)].map(
        (m) => Number(m[1]) * 1000 + Number(m[2]),
      );
      expect(versions.length).toBeGreaterThan(0);
      expect(Math.max(...versions)).toBeLessThanOrEqual(2 * 1000 + 17);
    });

    it('loads through GVL_NATIVE_BINDING and computes what the development build computes', () => {
      // Random bases, long enough for the vector (AVX2 / AVX-512) reverse-complement paths,
      // which both builds pick at run time; the child makes them and returns them.
      const n = 100_003;
      const cut = [0, 1, 31, 32, 33, 4097, 65_536, n];
      const script = `
        const m = await import(${JSON.stringify(DIST)});
        const data = new Uint8Array(${n});
        let x = 0x9e3779b9;
        for (let i = 0; i < data.length; i++) {
          x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
          data[i] = 'ACGTN'.charCodeAt((x >>> 0) % 5);
        }
        const offsets = new BigInt64Array(${JSON.stringify(cut)}.map(BigInt));
        const input = data.slice(); // the kernel works in place
        m.reverseComplementSync({ data, offsets }, { parallel: true });
        const rc = data;
        const enc = new TextEncoder();
        const hap = await m.reconstructHaplotypes({
          regions: new Int32Array([0, 2, 8]), ploidy: 1, groups: new BigInt64Array([0n]),
          genotypes: { offsets: new BigInt64Array([0n, 1n]), variantIdxs: new Int32Array([0]) },
          variants: { starts: new Int32Array([3]), ilens: new Int32Array([2]), alts: enc.encode('TGG'), altOffsets: new BigInt64Array([0n, 3n]) },
          reference: { sequence: enc.encode('ACGTACGTAC'), offsets: new BigInt64Array([0n, 10n]) },
          outOffsets: new BigInt64Array([0n, 8n]),
        });
        const opened = process.report.getReport().sharedObjects.filter((s) => s.endsWith('.node'));
        console.log(JSON.stringify({ data: Buffer.from(input).toString('latin1'), rc: Buffer.from(rc).toString('latin1'), hap: new TextDecoder().decode(hap), opened }));
      `;
      const prebuiltRun = runNode<{ data: string; rc: string; hap: string; opened: string[] }>(
        script,
        {
          [BINDING_ENV]: prebuilt,
        },
      );
      const devRun = runNode<{ data: string; rc: string; hap: string; opened: string[] }>(script, {
        [BINDING_ENV]: '',
      });
      expect(prebuiltRun.result.opened).toEqual([prebuilt]);
      expect(devRun.result.opened).toEqual([join(pkgDir, 'gvl-native.linux-x64-gnu.node')]);
      const data = Buffer.from(prebuiltRun.result.data, 'latin1');
      expect(data.length).toBe(n);
      expect(devRun.result.data).toBe(prebuiltRun.result.data);
      const expected = Buffer.from(
        naiveReverseComplement(data, new BigInt64Array(cut.map(BigInt))),
      ).toString('latin1');
      expect(prebuiltRun.result.rc).toBe(expected);
      expect(devRun.result.rc).toBe(expected);
      expect(prebuiltRun.result.hap).toBe('GTGGACGT');
      expect(devRun.result.hap).toBe(prebuiltRun.result.hap);
    });
  },
);
