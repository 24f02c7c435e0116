#!/usr/bin/env node
// Builds the addon of every prebuilt platform (`napi.targets` in package.json) into its
// platform package, `npm/<triple>/gvl-native.<triple>.node`, then checks each binary:
// its ELF machine, and the newest glibc symbol version it needs (`objdump -T`), which must
// not exceed the floor, 2.17 (RHEL/CentOS 7, Ubuntu 14.04, Amazon Linux 2). Used by CI
// (.ci/run) and by the release flow before publishing.
//
// Toolchain: the napi-rs CLI's `--cross-compile` (cargo-zigbuild), with zig and
// cargo-zigbuild from PyPI (pinned below) in a venv under the repository's `.tools/`, and
// each target's Rust standard library from `rustup target add`. glibc targets are built
// as `<triple>.2.17`, so zig links against glibc 2.17's symbol versions. zig's linker
// drops the whole symbol table when asked to strip only debug info (cargo's release
// default), so the build keeps everything (`CARGO_PROFILE_RELEASE_STRIP=none`) and
// `llvm-objcopy --strip-debug` (rustup's `llvm-tools`, any ELF machine) then removes the
// debug info: the published addon keeps its symbol table, as the root Cargo.toml wants
// (gvl-stress names the rayon frames of a hung worker from it).
//
// Usage: node scripts/build-platforms.mjs [--check-only] [--test] [triple ...]
//   triple: a napi platform (linux-x64-gnu) or Rust target (x86_64-unknown-linux-gnu);
//   default: every napi.targets entry. --check-only: check the built binaries, build nothing.
//   --test: also cross-build the crate's Rust unit tests for each target that the host's
//   `cargo test` does not cover and run them: linux-x64-musl natively (a static test
//   binary), linux-arm64-gnu under `qemu-aarch64-static -L /usr/aarch64-linux-gnu` (Debian:
//   qemu-user-static, libc6-arm64-cross, libgcc-s1-arm64-cross).
// Exits 1 naming the target and the problem when a build or a check fails.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ZIGLANG = 'ziglang==0.17.1';
const CARGO_ZIGBUILD = 'cargo-zigbuild==0.24.1';
/** The oldest glibc the gnu builds may need. */
export const GLIBC_FLOOR = '2.17';

const pkgDir = dirname(dirname(fileURLToPath(import.meta.url)));
const root = join(pkgDir, '..', '..');
const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
const binaryName = pkg.napi.binaryName;

const CPU = { x86_64: 'x64', aarch64: 'arm64' };
const MACHINE = { x64: 'Advanced Micro Devices X86-64', arm64: 'AArch64' };

/** `x86_64-unknown-linux-gnu` → `{ rust, triple: 'linux-x64-gnu', arch: 'x64', libc: 'gnu' }`. */
function target(rust) {
  const [cpu, , os, libc] = rust.split('-');
  if (os !== 'linux' || !(cpu in CPU) || (libc !== 'gnu' && libc !== 'musl')) {
    fail(
      `unsupported target ${rust} in napi.targets: this script builds linux x86_64/aarch64 gnu/musl`,
    );
  }
  const arch = CPU[cpu];
  return { rust, triple: `linux-${arch}-${libc}`, arch, libc };
}

function fail(message) {
  console.error(`build-platforms: ${message}`);
  process.exit(1);
}

function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...options });
  if (r.error) fail(`${cmd} could not start: ${r.error.message}`);
  if (r.status !== 0) fail(`${cmd} ${args.join(' ')} exited with ${r.status}`);
}

function capture(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.error) fail(`${cmd} could not start: ${r.error.message}`);
  if (r.status !== 0) fail(`${cmd} ${args.join(' ')} exited with ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/** A venv with zig and cargo-zigbuild; returns its bin folder. */
function zigToolchain() {
  const venv = process.env.GVL_ZIG_VENV ?? join(root, '.tools', 'zig-venv');
  const bin = join(venv, 'bin');
  if (!existsSync(join(bin, 'cargo-zigbuild'))) {
    console.log(`== installing ${ZIGLANG} ${CARGO_ZIGBUILD} into ${venv}`);
    run('python3', ['-m', 'venv', venv]);
    run(join(bin, 'pip'), [
      'install',
      '--quiet',
      '--disable-pip-version-check',
      ZIGLANG,
      CARGO_ZIGBUILD,
    ]);
  }
  return bin;
}

/** rustup's llvm-objcopy (installs the `llvm-tools` component when missing). */
function llvmObjcopy() {
  const sysroot = capture('rustc', ['--print', 'sysroot']).trim();
  const host = /host: (\S+)/.exec(capture('rustc', ['-vV']))?.[1];
  const tool = join(sysroot, 'lib', 'rustlib', host, 'bin', 'llvm-objcopy');
  if (!existsSync(tool)) run('rustup', ['component', 'add', 'llvm-tools']);
  if (!existsSync(tool)) fail(`${tool} is missing after rustup component add llvm-tools`);
  return tool;
}

function ensureRustTarget(rust) {
  const installed = capture('rustup', ['target', 'list', '--installed']).split('\n');
  if (!installed.includes(rust)) run('rustup', ['target', 'add', rust]);
}

/** Newest `GLIBC_x.y` symbol version an ELF file needs, or `undefined` for none. */
export function newestGlibc(file) {
  const versions = [...capture('objdump', ['-T', file]).matchAll(/GLIBC_([0-9.]+)/g)].map(
    (m) => m[1],
  );
  return versions.sort(compareVersions).at(-1);
}

function compareVersions(a, b) {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Problems with one built binary (empty when it passes). */
function check(t) {
  const file = join(pkgDir, 'npm', t.triple, `${binaryName}.${t.triple}.node`);
  if (!existsSync(file))
    return [`${file} is missing: build it with node scripts/build-platforms.mjs ${t.triple}`];
  const problems = [];
  const header = capture('readelf', ['-h', file]);
  const machine = /Machine:\s*(.+)/.exec(header)?.[1]?.trim();
  if (machine !== MACHINE[t.arch])
    problems.push(`${file}: ELF machine ${machine}, expected ${MACHINE[t.arch]}`);
  const sections = [...capture('readelf', ['-S', '-W', file]).matchAll(/\]\s+(\.\S+)/g)].map(
    (m) => m[1],
  );
  if (!sections.includes('.symtab'))
    problems.push(`${file}: no .symtab; the symbol table must be kept`);
  const debug = sections.filter((s) => /^\.z?debug/.test(s));
  if (debug.length > 0) problems.push(`${file}: carries debug info (${debug.join(' ')})`);
  const needed = [...capture('readelf', ['-d', file]).matchAll(/\(NEEDED\).*\[(.+)\]/g)].map(
    (m) => m[1],
  );
  const glibc = newestGlibc(file);
  if (t.libc === 'gnu') {
    if (glibc === undefined)
      problems.push(`${file}: no GLIBC_ symbol versions; expected a glibc build`);
    else if (compareVersions(glibc, GLIBC_FLOOR) > 0) {
      problems.push(`${file}: needs GLIBC_${glibc}, newer than the floor GLIBC_${GLIBC_FLOOR}`);
    }
  } else {
    if (glibc !== undefined)
      problems.push(`${file}: needs GLIBC_${glibc}; a musl build must not link glibc`);
    if (needed.some((n) => n === 'libc.so.6' || n.startsWith('ld-linux'))) {
      problems.push(`${file}: links ${needed.join(', ')}; expected musl's libc`);
    }
  }
  console.log(
    `== ${t.triple}: ${machine}, NEEDED ${needed.join(' ') || '(none)'}, newest glibc symbol ${glibc ? `GLIBC_${glibc}` : '(none)'}`,
  );
  return problems;
}

function build(t, zigBin, objcopy) {
  ensureRustTarget(t.rust);
  const out = mkdtempSync(join(tmpdir(), `gvl-native-${t.triple}-`));
  try {
    const spec = t.libc === 'gnu' ? `${t.rust}.${GLIBC_FLOOR}` : t.rust;
    console.log(`== napi build --target ${spec} --cross-compile`);
    run(
      process.execPath,
      [
        join(pkgDir, 'node_modules', '@napi-rs', 'cli', 'dist', 'cli.js'),
        'build',
        '--platform',
        '--release',
        '--target',
        spec,
        '--cross-compile',
        '--no-js',
        '--output-dir',
        out,
        '--dts',
        'index.d.ts',
      ],
      {
        cwd: pkgDir,
        env: {
          ...process.env,
          PATH: `${zigBin}${delimiter}${process.env.PATH}`,
          CARGO_PROFILE_RELEASE_STRIP: 'none',
        },
      },
    );
    const built = join(out, `${binaryName}.${t.triple}.node`);
    if (!existsSync(built)) fail(`napi build for ${t.rust} produced no ${built}`);
    run(objcopy, [
      '--strip-debug',
      built,
      join(pkgDir, 'npm', t.triple, `${binaryName}.${t.triple}.node`),
    ]);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** Cross-builds the Rust unit tests for `t` and runs them (natively or under qemu). */
function testTarget(t, zigBin) {
  const hostArch = process.arch;
  if (t.libc === 'gnu' && t.arch === hostArch) {
    console.log(`== ${t.triple}: Rust unit tests are the host's cargo test`);
    return;
  }
  let runner = [];
  if (t.arch !== hostArch) {
    if (t.arch !== 'arm64') fail(`no emulator known for ${t.triple}`);
    const sysroot = '/usr/aarch64-linux-gnu';
    const qemu = spawnSync('qemu-aarch64-static', ['--version'], { encoding: 'utf8' });
    if (qemu.error || !existsSync(join(sysroot, 'lib', 'libc.so.6'))) {
      fail(
        `--test for ${t.triple} needs qemu-aarch64-static and ${sysroot} (apt-get install qemu-user-static libc6-arm64-cross libgcc-s1-arm64-cross)`,
      );
    }
    runner = ['qemu-aarch64-static', '-L', sysroot];
  }
  const spec = t.libc === 'gnu' ? `${t.rust}.${GLIBC_FLOOR}` : t.rust;
  console.log(`== cargo zigbuild --tests --target ${spec}`);
  const r = spawnSync(
    'cargo',
    ['zigbuild', '--release', '--lib', '--tests', '--target', spec, '--message-format=json'],
    {
      cwd: pkgDir,
      encoding: 'utf8',
      maxBuffer: 256 << 20,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, PATH: `${zigBin}${delimiter}${process.env.PATH}` },
    },
  );
  if (r.status !== 0) fail(`cargo zigbuild --tests --target ${spec} exited with ${r.status}`);
  const executables = r.stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line))
    .filter((m) => m.reason === 'compiler-artifact' && m.executable && m.profile?.test)
    .map((m) => m.executable);
  if (executables.length === 0)
    fail(`cargo zigbuild --tests --target ${spec} built no test binary`);
  for (const exe of executables) {
    const [cmd, ...pre] = runner.length > 0 ? runner : [exe];
    console.log(`== ${t.triple}: ${[cmd, ...pre, ...(runner.length > 0 ? [exe] : [])].join(' ')}`);
    run(cmd, runner.length > 0 ? [...pre, exe] : []);
  }
}

const args = process.argv.slice(2);
const checkOnly = args.includes('--check-only');
const withTests = args.includes('--test');
const wanted = args.filter((a) => !a.startsWith('--'));
const all = pkg.napi.targets.map(target);
const targets =
  wanted.length === 0
    ? all
    : wanted.map(
        (w) =>
          all.find((t) => t.triple === w || t.rust === w) ??
          fail(`${w} is not in napi.targets (${all.map((t) => t.triple).join(', ')})`),
      );

if (!checkOnly) {
  const zigBin = zigToolchain();
  const objcopy = llvmObjcopy();
  for (const t of targets) build(t, zigBin, objcopy);
}
const problems = targets.flatMap(check);
if (problems.length > 0) {
  for (const p of problems) console.error(`build-platforms: ${p}`);
  process.exit(1);
}
if (withTests) {
  const zigBin = zigToolchain();
  for (const t of targets) testTarget(t, zigBin);
}
console.log(`== ${targets.length} platform binaries checked (glibc floor GLIBC_${GLIBC_FLOOR})`);
