/**
 * Which native addon this process opens, and the typed errors when there is none.
 *
 * `@gvl/native` publishes one package per prebuilt platform, `@gvl/native-<triple>`
 * (e.g. `@gvl/native-linux-x64-gnu`), each holding `gvl-native.<triple>.node`, and lists
 * them as `optionalDependencies`: the package manager installs the one whose
 * `os` / `cpu` / `libc` match. At import, {@link loadBinding} opens, in order:
 *
 * 1. the file named by the `GVL_NATIVE_BINDING` environment variable, when set (a
 *    from-source build, see below); nothing else is tried;
 * 2. `gvl-native.<triple>.node` in this package's folder (a local `napi build`: the
 *    monorepo's development build);
 * 3. the platform package `@gvl/native-<triple>`.
 *
 * A platform outside {@link SUPPORTED_PLATFORMS} throws `GVL_UNSUPPORTED_PLATFORM` before
 * anything is opened; a supported one where nothing loads throws `GVL_NATIVE_LOAD_FAILED`
 * listing what was tried. Both messages say how to build from source:
 * `cargo` (rustup) + `pnpm --filter @gvl/native build` in a clone of the repository, then
 * `GVL_NATIVE_BINDING=/path/to/gvl-native.<triple>.node`.
 *
 * This module opens no addon itself: it is importable on every platform as
 * `@gvl/native/platform`.
 *
 * @packageDocumentation
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NativeLoadError, UnsupportedPlatformError } from './errors.js';

/** The addon's file stem (`napi.binaryName` in package.json). */
export const BINARY_NAME = 'gvl-native';

/**
 * The platform triples with a prebuilt addon package, `@gvl/native-<triple>`. Kept equal
 * to `napi.targets` in package.json (a test checks it). Linux builds need glibc ≥ 2.17
 * (`-gnu`).
 */
export const SUPPORTED_PLATFORMS: readonly string[] = Object.freeze([
  'linux-x64-gnu',
  'linux-arm64-gnu',
  'linux-x64-musl',
]);

/** The environment variable naming an addon file to open instead of the prebuilt. */
export const BINDING_ENV = 'GVL_NATIVE_BINDING';

/** The C library of a Linux host; `undefined` elsewhere. */
export type Libc = 'gnu' | 'musl' | undefined;

/** What selects the addon: Node's `process.platform`, `process.arch`, and the libc. */
export interface HostPlatform {
  /** `process.platform`, e.g. `"linux"`, `"darwin"`, `"win32"`. */
  readonly platform: string;
  /** `process.arch`, e.g. `"x64"`, `"arm64"`. */
  readonly arch: string;
  /** Linux only: `"gnu"` (glibc) or `"musl"`; ignored on other systems. */
  readonly libc?: Libc;
}

/** The addon chosen for a platform. */
export interface BindingChoice {
  /** The platform triple, e.g. `"linux-x64-gnu"`. */
  readonly triple: string;
  /** The addon's file name, `gvl-native.<triple>.node`. */
  readonly file: string;
  /** The platform package that ships it, `@gvl/native-<triple>`. */
  readonly packageName: string;
}

/**
 * The napi-rs platform triple of a host: `os-arch-libc` on Linux (`linux-x64-gnu`,
 * `linux-arm64-musl`), `win32-arch-msvc` on Windows, `os-arch` elsewhere (`darwin-arm64`).
 * A Linux host with no `libc` is taken as glibc.
 */
export function platformTriple(host: HostPlatform): string {
  if (host.platform === 'linux') return `linux-${host.arch}-${host.libc ?? 'gnu'}`;
  if (host.platform === 'win32') return `win32-${host.arch}-msvc`;
  return `${host.platform}-${host.arch}`;
}

/** How to get an addon on a platform without a prebuilt, for error messages. */
export function buildFromSourceHint(triple: string): string {
  return (
    `To build the addon from source: install Rust (https://rustup.rs) and Node.js, clone ` +
    `https://github.com/gvl-ts/gvl-ts, run \`npm run setup\` there (or \`pnpm --filter @gvl/native build\`), ` +
    `then set ${BINDING_ENV}=/path/to/gvl-ts/packages/native/${BINARY_NAME}.${triple}.node`
  );
}

/**
 * The addon for `host`, without touching the file system.
 *
 * @param host - the platform, arch and (Linux) libc; {@link currentHost} for this process.
 * @param supported - the triples with a prebuilt (default {@link SUPPORTED_PLATFORMS}).
 * @returns the triple, the addon's file name and its platform package's name.
 * @throws {@link UnsupportedPlatformError} `GVL_UNSUPPORTED_PLATFORM` when the triple is
 *   not in `supported` (`value`: the triple; `supported`: the list).
 */
export function selectBinding(
  host: HostPlatform,
  supported: readonly string[] = SUPPORTED_PLATFORMS,
): BindingChoice {
  const triple = platformTriple(host);
  if (!supported.includes(triple)) {
    throw new UnsupportedPlatformError(
      `@gvl/native has no prebuilt addon for platform ${triple}; prebuilt platforms: ${supported.join(', ')}. ${buildFromSourceHint(triple)}`,
      { param: 'platform', value: triple },
      { supported },
    );
  }
  return {
    triple,
    file: `${BINARY_NAME}.${triple}.node`,
    packageName: `@gvl/native-${triple}`,
  };
}

/**
 * The C library of this Linux process: `"musl"` when `/usr/bin/ldd` is musl's, `"gnu"`
 * when it is glibc's; otherwise from Node's diagnostic report (a glibc runtime version
 * means glibc). `undefined` off Linux.
 */
export function detectLibc(platform: string = process.platform): Libc {
  if (platform !== 'linux') return undefined;
  try {
    const ldd = readFileSync('/usr/bin/ldd', 'utf8');
    if (ldd.includes('musl')) return 'musl';
    if (ldd.includes('GNU C Library') || ldd.includes('glibc')) return 'gnu';
  } catch {
    // no readable ldd: ask the report
  }
  return glibcVersion() === undefined ? 'musl' : 'gnu';
}

/**
 * This process's platform, arch and libc (`'gnu'` or `'musl'` on Linux, from `ldd` or
 * Node's report; `undefined` elsewhere): the host {@link selectBinding} picks a binary for.
 *
 * @returns `{ platform, arch, libc }` as Node names them.
 * @example
 * ```ts
 * import { currentHost } from '@gvl/native/platform';
 * currentHost().platform; // 'linux'
 * ```
 */
export function currentHost(): HostPlatform {
  return { platform: process.platform, arch: process.arch, libc: detectLibc() };
}

/** The glibc version this process runs on (`"2.36"`), from Node's report; else `undefined`. */
export function glibcVersion(): string | undefined {
  const report = process.report?.getReport() as
    | { header?: { glibcVersionRuntime?: string } }
    | undefined;
  return report?.header?.glibcVersionRuntime;
}

/** Where {@link loadBinding} looks, and how it opens a file; injectable for tests. */
export interface LoadOptions {
  /** The platform (default: {@link currentHost}). */
  readonly host?: HostPlatform;
  /** The environment read for `GVL_NATIVE_BINDING` (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** This package's folder, where a local build sits (default: the folder above `dist/`). */
  readonly packageDir?: string;
  /** The `require` that opens `.node` files and resolves packages (default: this module's). */
  readonly require?: NodeJS.Require;
}

const PACKAGE_DIR = dirname(dirname(fileURLToPath(import.meta.url)));

/**
 * Opens the addon for this process (see the module doc for the order).
 *
 * @returns the napi binding's exports.
 * @throws {@link UnsupportedPlatformError} `GVL_UNSUPPORTED_PLATFORM` when no prebuilt
 *   exists for the platform and `GVL_NATIVE_BINDING` is unset.
 * @throws {@link NativeLoadError} `GVL_NATIVE_LOAD_FAILED` when `GVL_NATIVE_BINDING`
 *   names a file that cannot be opened (`param` `"GVL_NATIVE_BINDING"`), or when neither
 *   the local build nor the platform package loads (`param` `"platform"`, `value` the
 *   triple, `cause` the last error).
 */
export function loadBinding(options: LoadOptions = {}): unknown {
  const env = options.env ?? process.env;
  const req = options.require ?? createRequire(import.meta.url);
  const override = env[BINDING_ENV];
  if (override !== undefined && override !== '') {
    const path = resolve(override);
    try {
      return req(path);
    } catch (e) {
      throw new NativeLoadError(
        `${BINDING_ENV}=${override} could not be loaded as the @gvl/native addon (${firstLine(e)}); expected the path of a ${BINARY_NAME}.<platform>.node built from this version's sources`,
        { param: BINDING_ENV, value: override },
        { cause: e },
      );
    }
  }

  const host = options.host ?? currentHost();
  const choice = selectBinding(host);
  const tried: string[] = [];
  let cause: unknown;

  const local = join(options.packageDir ?? PACKAGE_DIR, choice.file);
  if (existsSync(local)) {
    try {
      return req(local);
    } catch (e) {
      cause = e;
      tried.push(`${local}: ${firstLine(e)}`);
    }
  }
  try {
    return req(choice.packageName);
  } catch (e) {
    cause = e;
    const missing =
      (e as { code?: unknown }).code === 'MODULE_NOT_FOUND' &&
      String((e as Error).message).includes(choice.packageName);
    tried.push(
      missing
        ? `${choice.packageName}: not installed (was it omitted with --omit=optional / --no-optional, or dropped by npm's optional-dependency bug? reinstall @gvl/native with optional dependencies)`
        : `${choice.packageName}: ${firstLine(e)}`,
    );
  }
  // A glibc too old for the prebuilt shows as `GLIBC_x.y not found` from dlopen.
  const glibcFailure = tried.some((t) => t.includes('GLIBC_'));
  const glibc = glibcFailure && host.platform === 'linux' ? glibcVersion() : undefined;
  const libcNote =
    glibc === undefined
      ? ''
      : ` This system runs glibc ${glibc}; the prebuilt needs glibc 2.17 or newer.`;
  throw new NativeLoadError(
    `@gvl/native could not load its addon for platform ${choice.triple}. Tried: ${tried.join('; ')}.${libcNote} ${buildFromSourceHint(choice.triple)}`,
    { param: 'platform', value: choice.triple },
    { cause },
  );
}

function firstLine(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return message.split('\n')[0] ?? message;
}
